namespace PaymentJournal.Data;

/// <summary>
/// One invoice a payment line settles when it settles several (Business Central's Applies-to ID). A line with
/// applications leaves <see cref="CustomerPayment.AppliesToInvoiceId"/> empty.
/// </summary>
public sealed class PaymentApplication : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid PaymentId { get; set; }
    public Guid InvoiceId { get; set; }
    public string InvoiceNumber { get; set; } = "";
    /// <summary>Applied to the invoice, in cents, positive; 0 when not given (posting applies the rest, oldest first).</summary>
    public long Amount { get; set; }
    /// <summary>The order the applications were given in.</summary>
    public int Sequence { get; set; }
}
