namespace PaymentJournal.Data;

/// <summary>
/// A customer ledger entry. Its amount never changes; only <see cref="PartyLedgerEntry.RemainingAmount"/> and
/// <see cref="PartyLedgerEntry.Open"/> move when another entry is applied to it, and every such move is written as a
/// <see cref="CustomerLedgerApplication"/>.
/// </summary>
public sealed class CustomerLedgerEntry : PartyLedgerEntry
{
    public Guid CustomerId { get; set; }
    public string CustomerNumber { get; set; } = "";
    public Guid SalesInvoiceId { get; set; }

    public static readonly string[] DocumentTypes = ["_x0020_", "Payment", "Invoice", "Credit_x0020_Memo", "Finance_x0020_Charge_x0020_Memo", "Reminder", "Refund"];
}

/// <summary>One application of a customer's ledger entry to another.</summary>
public sealed class CustomerLedgerApplication : LedgerApplication;

/// <summary>
/// What a customer's and a vendor's ledger entry have alike, beside the party and the invoice they name. Each kind is
/// a table of its own; this class is not mapped.
/// </summary>
public abstract class PartyLedgerEntry
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public long EntryNumber { get; set; }
    public long TransactionNumber { get; set; }
    public DateOnly PostingDate { get; set; }
    public string DocumentType { get; set; } = "";
    public string DocumentNumber { get; set; } = "";
    public string ExternalDocumentNumber { get; set; } = "";
    public string Description { get; set; } = "";
    public long Amount { get; set; }
    public long RemainingAmount { get; set; }
    public bool Open { get; set; }
    public string JournalCode { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>One application: <see cref="Amount"/> of the applying entry settled against the applied entry (not mapped itself).</summary>
public abstract class LedgerApplication
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public long TransactionNumber { get; set; }
    public Guid ApplyingEntryId { get; set; }
    public Guid AppliedEntryId { get; set; }
    public long Amount { get; set; }
    public DateOnly PostingDate { get; set; }
}

public sealed class GeneralLedgerEntry
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public long EntryNumber { get; set; }
    public long TransactionNumber { get; set; }
    public DateOnly PostingDate { get; set; }
    public string DocumentType { get; set; } = "";
    public string DocumentNumber { get; set; } = "";
    public Guid AccountId { get; set; }
    public string AccountNumber { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>Signed: a debit is positive, a credit negative. Every transaction's entries sum to zero.</summary>
    public long Amount { get; set; }
    public long DebitAmount { get; set; }
    public long CreditAmount { get; set; }
    public Guid CustomerId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A dimension value carried by a posted ledger entry (copied from its journal line).</summary>
public sealed class LedgerEntryDimension
{
    public Guid CompanyId { get; set; }
    public Guid EntryId { get; set; }
    public Guid DimensionId { get; set; }
    public Guid DimensionValueId { get; set; }
    // Dimensions and their values cannot be renamed or deleted, so their codes and names travel with the entry.
    public string DimensionCode { get; set; } = "";
    public string DimensionName { get; set; } = "";
    public string ValueCode { get; set; } = "";
    public string ValueName { get; set; } = "";
}
