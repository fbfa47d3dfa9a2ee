namespace PaymentJournal.Data;

public sealed class PurchaseInvoice : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Number { get; set; } = "";
    /// <summary>The vendor's own number of the invoice; posting requires it, as Business Central does.</summary>
    public string VendorInvoiceNumber { get; set; } = "";
    public DateOnly InvoiceDate { get; set; }
    public DateOnly PostingDate { get; set; }
    public DateOnly DueDate { get; set; }
    public Guid VendorId { get; set; }
    public string VendorNumber { get; set; } = "";
    public string VendorName { get; set; } = "";
    public Guid PayToVendorId { get; set; }
    public string PayToVendorNumber { get; set; } = "";
    public string PayToName { get; set; } = "";
    public string CurrencyCode { get; set; } = "";
    /// <summary>Option caption of purchaseInvoiceEntityAggregateStatus: Draft, In Review, Open, Paid, Canceled, Corrective.</summary>
    public string Status { get; set; } = "Draft";
    public long TotalAmountExcludingTax { get; set; }
    public long TotalTaxAmount { get; set; }
    public long TotalAmountIncludingTax { get; set; }
    /// <summary>What is still to be paid of a posted invoice, in cents (positive).</summary>
    public long RemainingAmount { get; set; }

    public static readonly string[] Statuses = ["_x0020_", "Draft", "In Review", "Open", "Paid", "Canceled", "Corrective"];
    public static readonly string[] PostedStatuses = ["Open", "Paid", "Corrective", "Canceled"];
    public bool IsPosted => PostedStatuses.Contains(Status);
}

/// <summary>A line of type Account: a cost booked to a G/L account.</summary>
public sealed class PurchaseInvoiceLine : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid DocumentId { get; set; }
    public int Sequence { get; set; }
    public string LineType { get; set; } = "Account";
    public Guid AccountId { get; set; }
    public string LineObjectNumber { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>Scaled by 10^5, as Business Central keeps 5 decimals of quantity.</summary>
    public long Quantity { get; set; }
    public long DirectUnitCost { get; set; }
    public long AmountExcludingTax { get; set; }
    public long TotalTaxAmount { get; set; }
    public long AmountIncludingTax { get; set; }

    public static readonly string[] LineTypes = ["Comment", "Account", "Item", "Resource", "Fixed_x0020_Asset", "Charge"];
}

/// <summary>
/// A vendor ledger entry. As Business Central signs them, an invoice's entry is negative (a credit to the vendor) and a
/// payment's positive. Its amount never changes; only its remaining amount and open flag move when another entry is
/// applied to it, each move written as a <see cref="VendorLedgerApplication"/>.
/// </summary>
public sealed class VendorLedgerEntry : PartyLedgerEntry
{
    public Guid VendorId { get; set; }
    public string VendorNumber { get; set; } = "";
    public Guid PurchaseInvoiceId { get; set; }
}

/// <summary>One application of a vendor's ledger entry to another.</summary>
public sealed class VendorLedgerApplication : LedgerApplication;
