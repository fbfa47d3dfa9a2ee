using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Ledger;

/// <summary>
/// vendorLedgerEntries: the vendor ledger, written only by posting; read-only through the API. An invoice's entry is
/// negative and a payment's positive, as Business Central signs them.
/// </summary>
public sealed class VendorLedgerEntriesSet : EntitySet<VendorLedgerEntry>
{
    public override string Name => "vendorLedgerEntries";
    public override string TypeName => "vendorLedgerEntry";

    protected override IReadOnlyList<FieldDef<VendorLedgerEntry>> Fields { get; } = new FieldsBuilder<VendorLedgerEntry>()
        .Key("id", x => x.Id)
        .Int64("entryNumber", x => x.EntryNumber)
        .Int64("transactionNumber", x => x.TransactionNumber)
        .Guid("vendorId", x => x.VendorId, Access.ReadOnly)
        .Code("vendorNumber", x => x.VendorNumber, 20, Access.ReadOnly)
        .Date("postingDate", x => x.PostingDate, Access.ReadOnly)
        .Enum("documentType", "vendorLedgerEntryDocumentType", CustomerLedgerEntry.DocumentTypes, x => x.DocumentType, Access.ReadOnly)
        .Code("documentNumber", x => x.DocumentNumber, 20, Access.ReadOnly)
        .Code("externalDocumentNumber", x => x.ExternalDocumentNumber, 35, Access.ReadOnly)
        .String("description", x => x.Description, 100, Access.ReadOnly)
        .Decimal("amount", x => x.Amount, Access.ReadOnly)
        .Decimal("remainingAmount", x => x.RemainingAmount, Access.ReadOnly)
        .Boolean("open", x => x.Open, Access.ReadOnly)
        .Guid("purchaseInvoiceId", x => x.PurchaseInvoiceId, Access.ReadOnly)
        .Code("journalCode", x => x.JournalCode, 10, Access.ReadOnly)
        .Timestamp("postedDateTime", x => x.CreatedAt)
        .Fields;

    protected override Expression<Func<VendorLedgerEntry, Guid>> Key => x => x.Id;
    protected override Expression<Func<VendorLedgerEntry, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<VendorLedgerEntry, long>>)(x => x.EntryNumber)];
}
