using PaymentJournal.Data;

namespace PaymentJournal.Features.Ledger;

/// <summary>
/// vendorLedgerEntries: the vendor ledger. As Business Central signs them, an invoice's entry is negative and a
/// payment's positive.
/// </summary>
public sealed class VendorLedgerEntriesSet() : PartyLedgerEntriesSet<VendorLedgerEntry>("vendor", x => x.VendorId, x => x.VendorNumber, "purchaseInvoice", x => x.PurchaseInvoiceId)
{
    public override string Name => "vendorLedgerEntries";
    public override string TypeName => "vendorLedgerEntry";
}
