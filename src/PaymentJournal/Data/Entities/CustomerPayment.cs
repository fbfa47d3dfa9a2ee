namespace PaymentJournal.Data;

/// <summary>A line of a customer payment journal (Gen. Journal Line with document type Payment, account type Customer).</summary>
public sealed class CustomerPayment : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid JournalId { get; set; }
    /// <summary>The journal's code, kept in step when the journal's code changes.</summary>
    public string JournalCode { get; set; } = "";
    public int LineNumber { get; set; }
    public Guid CustomerId { get; set; }
    public string CustomerNumber { get; set; } = "";
    public string ContactId { get; set; } = "";
    public DateOnly PostingDate { get; set; }
    public string DocumentNumber { get; set; } = "";
    public string ExternalDocumentNumber { get; set; } = "";
    /// <summary>In cents; a receipt is negative, as in the cash receipt journal.</summary>
    public long Amount { get; set; }
    public Guid AppliesToInvoiceId { get; set; }
    public string AppliesToInvoiceNumber { get; set; } = "";
    public string Description { get; set; } = "";
    public string Comment { get; set; } = "";
    /// <summary>Copied from the journal when the line is created (rule 7).</summary>
    public Guid BalancingAccountId { get; set; }
}
