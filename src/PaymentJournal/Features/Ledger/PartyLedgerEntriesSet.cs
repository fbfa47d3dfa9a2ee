using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Ledger;

/// <summary>
/// A party's ledger (customers' or vendors'): written only by posting, read-only through the API; one field list,
/// named for the party and for the invoice an entry comes from.
/// </summary>
public abstract class PartyLedgerEntriesSet<T> : EntitySet<T> where T : PartyLedgerEntry
{
    private static readonly Expression<Func<T, Guid>> IdColumn = ColumnOf<T>.Via((PartyLedgerEntry x) => x.Id);
    private static readonly Expression<Func<T, Guid>> CompanyColumn = ColumnOf<T>.Via((PartyLedgerEntry x) => x.CompanyId);
    private static readonly Expression<Func<T, long>> EntryNumberColumn = ColumnOf<T>.Via((PartyLedgerEntry x) => x.EntryNumber);

    /// <param name="party">customer or vendor: names the party's fields (customerId) and the document type's enum.</param>
    /// <param name="invoice">salesInvoice or purchaseInvoice: names the field of the invoice the entry comes from.</param>
    protected PartyLedgerEntriesSet(string party, Expression<Func<T, Guid>> partyId, Expression<Func<T, string>> partyNumber,
        string invoice, Expression<Func<T, Guid>> invoiceId)
    {
        static Expression<Func<T, TValue>> On<TValue>(Expression<Func<PartyLedgerEntry, TValue>> column) => ColumnOf<T>.Via(column);
        Fields = new FieldsBuilder<T>()
            .Key("id", IdColumn)
            .Int64("entryNumber", EntryNumberColumn)
            .Int64("transactionNumber", On(x => x.TransactionNumber))
            .Guid(party + "Id", partyId, Access.ReadOnly)
            .Code(party + "Number", partyNumber, 20, Access.ReadOnly)
            .Date("postingDate", On(x => x.PostingDate), Access.ReadOnly)
            .Enum("documentType", party + "LedgerEntryDocumentType", CustomerLedgerEntry.DocumentTypes, On(x => x.DocumentType), Access.ReadOnly)
            .Code("documentNumber", On(x => x.DocumentNumber), 20, Access.ReadOnly)
            .Code("externalDocumentNumber", On(x => x.ExternalDocumentNumber), 35, Access.ReadOnly)
            .String("description", On(x => x.Description), 100, Access.ReadOnly)
            .Decimal("amount", On(x => x.Amount), Access.ReadOnly)
            .Decimal("remainingAmount", On(x => x.RemainingAmount), Access.ReadOnly)
            .Boolean("open", On(x => x.Open), Access.ReadOnly)
            .Guid(invoice + "Id", invoiceId, Access.ReadOnly)
            .Code("journalCode", On(x => x.JournalCode), 10, Access.ReadOnly)
            .Timestamp("postedDateTime", On(x => x.CreatedAt))
            .Fields;
    }

    protected override IReadOnlyList<FieldDef<T>> Fields { get; }
    protected override Expression<Func<T, Guid>> Key => IdColumn;
    protected override Expression<Func<T, Guid>> CompanyKey => CompanyColumn;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [EntryNumberColumn];
}
