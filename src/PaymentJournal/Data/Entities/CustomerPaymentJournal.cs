namespace PaymentJournal.Data;

/// <summary>A journal batch of the cash receipts template (Gen. Journal Batch).</summary>
public sealed class CustomerPaymentJournal : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Code { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public Guid BalancingAccountId { get; set; }
    public string BalancingAccountNumber { get; set; } = "";
    /// <summary>The journal's own number series, which document numbers default from.</summary>
    public Guid NumberSeriesId { get; set; }
}
