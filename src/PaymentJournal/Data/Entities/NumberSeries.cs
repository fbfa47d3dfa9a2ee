namespace PaymentJournal.Data;

/// <summary>
/// A number series: prefix + a zero-padded counter. Numbers are taken with one atomic UPDATE, so two
/// requests (or two nodes) never get the same number.
/// </summary>
public sealed class NumberSeries
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Code { get; set; } = "";
    public string Prefix { get; set; } = "";
    public int Digits { get; set; } = 5;
    public long LastUsed { get; set; }

    public string Format(long n) => Prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(Digits, '0');
}
