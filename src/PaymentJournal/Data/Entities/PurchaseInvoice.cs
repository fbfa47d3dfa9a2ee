namespace PaymentJournal.Data;

public sealed class PurchaseInvoice : InvoiceDocument
{
    /// <summary>The vendor's own number of the invoice; posting requires it, as Business Central does.</summary>
    public string VendorInvoiceNumber { get; set; } = "";
    public Guid VendorId { get; set; }
    public string VendorNumber { get; set; } = "";
    public string VendorName { get; set; } = "";
    public Guid PayToVendorId { get; set; }
    public string PayToVendorNumber { get; set; } = "";
    public string PayToName { get; set; } = "";
}

/// <summary>A line of type Account: a cost booked to a G/L account.</summary>
public sealed class PurchaseInvoiceLine : InvoiceLine
{
    public long DirectUnitCost { get; set; }

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
