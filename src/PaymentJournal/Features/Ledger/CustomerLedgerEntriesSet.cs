using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Ledger;

/// <summary>customerLedgerEntries: the customer ledger, with the dimensions each posted line carried.</summary>
public sealed class CustomerLedgerEntriesSet : PartyLedgerEntriesSet<CustomerLedgerEntry>
{
    public override string Name => "customerLedgerEntries";
    public override string TypeName => "customerLedgerEntry";

    public CustomerLedgerEntriesSet() : base("customer", x => x.CustomerId, x => x.CustomerNumber, "salesInvoice", x => x.SalesInvoiceId) =>
        Navigations.Add(LedgerDimensionSetLinesSet.Navigation);
}

/// <summary>generalLedgerEntries (API v2.0 page 30017): the G/L, written only by posting; read-only through the API.</summary>
public sealed class GeneralLedgerEntriesSet : EntitySet<GeneralLedgerEntry>
{
    public override string Name => "generalLedgerEntries";
    public override string TypeName => "generalLedgerEntry";

    protected override IReadOnlyList<FieldDef<GeneralLedgerEntry>> Fields { get; } = new FieldsBuilder<GeneralLedgerEntry>()
        .Key("id", x => x.Id)
        .Int64("entryNumber", x => x.EntryNumber)
        .Int64("transactionNumber", x => x.TransactionNumber)
        .Date("postingDate", x => x.PostingDate, Access.ReadOnly)
        .Code("documentNumber", x => x.DocumentNumber, 20, Access.ReadOnly)
        .Enum("documentType", "generalLedgerEntryDocumentType", CustomerLedgerEntry.DocumentTypes, x => x.DocumentType, Access.ReadOnly)
        .Guid("accountId", x => x.AccountId, Access.ReadOnly)
        .Code("accountNumber", x => x.AccountNumber, 20, Access.ReadOnly)
        .String("description", x => x.Description, 100, Access.ReadOnly)
        .Decimal("debitAmount", x => x.DebitAmount, Access.ReadOnly)
        .Decimal("creditAmount", x => x.CreditAmount, Access.ReadOnly)
        .Guid("customerId", x => x.CustomerId, Access.ReadOnly)
        .Timestamp("lastModifiedDateTime", x => x.CreatedAt)
        .Fields;

    protected override Expression<Func<GeneralLedgerEntry, Guid>> Key => x => x.Id;
    protected override Expression<Func<GeneralLedgerEntry, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<GeneralLedgerEntry, long>>)(x => x.EntryNumber)];

    public GeneralLedgerEntriesSet() => Navigations.Add(LedgerDimensionSetLinesSet.Navigation);
}

/// <summary>
/// dimensionSetLines under a ledger entry: the dimensions its journal line carried when it was posted (read-only).
/// Business Central reuses one dimensionSetLine type for every parent; here the ledger's lines are a type of their
/// own (ledgerEntryDimensionSetLine) because they are never written through the API.
/// </summary>
public sealed class LedgerDimensionSetLinesSet : EntitySet<LedgerEntryDimension>
{
    public static NavigationDef Navigation => new()
    {
        Name = "dimensionSetLines", TargetSet = "ledgerEntryDimensionSetLines", IsCollection = true, Contained = true, Surfaces = Surfaces.V2,
        ChildForeignKey = (Expression<Func<LedgerEntryDimension, Guid>>)(d => d.EntryId),
    };

    public override string Name => "ledgerEntryDimensionSetLines";
    public override string TypeName => "ledgerEntryDimensionSetLine";
    public override Surfaces Surfaces => Surfaces.V2;
    public override bool CompanyLevel => false;

    protected override IReadOnlyList<FieldDef<LedgerEntryDimension>> Fields { get; } = new FieldsBuilder<LedgerEntryDimension>()
        .Key("id", x => x.DimensionId)
        .Code("code", x => x.DimensionCode, 20, Access.ReadOnly)
        .Guid("parentId", x => x.EntryId, Access.ReadOnly)
        .String("displayName", x => x.DimensionName, 30, Access.ReadOnly)
        .Guid("valueId", x => x.DimensionValueId, Access.ReadOnly)
        .Code("valueCode", x => x.ValueCode, 20, Access.ReadOnly)
        .String("valueDisplayName", x => x.ValueName, 50, Access.ReadOnly)
        .Fields;

    protected override Expression<Func<LedgerEntryDimension, Guid>> Key => x => x.DimensionId;
    protected override Expression<Func<LedgerEntryDimension, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<LedgerEntryDimension, string>>)(x => x.DimensionCode)];
}
