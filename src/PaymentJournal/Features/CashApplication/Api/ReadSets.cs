using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CashApplication.Api;

/// <summary>bankStatements: the statements imports made, each with its lines; transferToJournal moves accepted lines to a journal.</summary>
public sealed class BankStatementsSet : EntitySet<BankStatement>
{
    public override string Name => "bankStatements";
    public override string TypeName => "bankStatement";
    public override Surfaces Surfaces => Surfaces.V2;
    public override IReadOnlyList<string> Actions => [LineReview.TransferToJournal];

    public override IReadOnlyList<ActionParameter> ParametersOf(string action) =>
        [new("journalId", FieldKind.Guid), new("journalCode", FieldKind.String, 10)];

    protected override IReadOnlyList<FieldDef<BankStatement>> Fields { get; } = new FieldsBuilder<BankStatement>()
        .Key("id", x => x.Id)
        .String("statementNumber", x => x.StatementNumber, 100, Access.ReadOnly)
        .String("accountIban", x => x.AccountIban, 100, Access.ReadOnly)
        .Code("currencyCode", x => x.Currency, 10, Access.ReadOnly)
        .Boolean("hasBalances", x => x.HasBalances, Access.ReadOnly)
        .Decimal("openingBalance", x => x.OpeningBalance, Access.ReadOnly)
        .Decimal("closingBalance", x => x.ClosingBalance, Access.ReadOnly)
        .Date("periodFrom", x => x.PeriodFrom, Access.ReadOnly)
        .Date("periodTo", x => x.PeriodTo, Access.ReadOnly)
        .Int32("numberOfEntries", x => x.EntryCount, Access.ReadOnly)
        .Int32("numberOfLines", x => x.LineCount, Access.ReadOnly)
        .String("fileHash", x => x.FileHash, 64, Access.ReadOnly)
        .String("format", x => x.Format, 20, Access.ReadOnly)
        .Guid("bankStatementImportId", x => x.ImportId, Access.ReadOnly)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<BankStatement, Guid>> Key => x => x.Id;
    protected override Expression<Func<BankStatement, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder =>
    [
        (Expression<Func<BankStatement, string>>)(x => x.AccountIban),
        (Expression<Func<BankStatement, DateOnly>>)(x => x.PeriodFrom),
        (Expression<Func<BankStatement, string>>)(x => x.StatementNumber),
    ];

    private readonly LineReview review;

    public BankStatementsSet(LineReview review)
    {
        this.review = review;
        Navigations.Add(new NavigationDef
        {
            Name = "bankStatementLines", TargetSet = "bankStatementLines", IsCollection = true, Contained = true, Surfaces = Surfaces.V2,
            ChildForeignKey = (Expression<Func<BankStatementLine, Guid>>)(l => l.BankStatementId),
        });
    }

    protected override Task Invoke(RequestContext rc, Scope scope, BankStatement entity, string action, IReadOnlyDictionary<string, object> parameters) =>
        review.TransferAsync(rc, scope.CompanyId, entity, parameters);
}

/// <summary>bankStatementLines: the transactions of a statement (a sub-page), reviewed through their actions.</summary>
public sealed class BankStatementLinesSet : EntitySet<BankStatementLine>
{
    public override string Name => "bankStatementLines";
    public override string TypeName => "bankStatementLine";
    public override Surfaces Surfaces => Surfaces.V2;
    public override bool CompanyLevel => false;
    public override IReadOnlyList<string> Actions => [LineReview.AcceptProposal, LineReview.ApplyToInvoices, LineReview.Ignore, LineReview.Reopen];

    public override IReadOnlyList<ActionParameter> ParametersOf(string action) => action switch
    {
        LineReview.AcceptProposal => [new("proposalId", FieldKind.Guid)],
        LineReview.ApplyToInvoices => [new("customerId", FieldKind.Guid), new("customerNumber", FieldKind.String, 20), new("invoices", FieldKind.String, 2048)],
        _ => [],
    };

    protected override IReadOnlyList<FieldDef<BankStatementLine>> Fields { get; } = new FieldsBuilder<BankStatementLine>()
        .Key("id", x => x.Id)
        .Guid("bankStatementId", x => x.BankStatementId, Access.ReadOnly)
        .Int32("lineNumber", x => x.LineNumber, Access.ReadOnly)
        .Date("bookingDate", x => x.BookingDate, Access.ReadOnly)
        .Date("valueDate", x => x.ValueDate, Access.ReadOnly)
        .Decimal("amount", x => x.Amount, Access.ReadOnly)
        .Code("currencyCode", x => x.Currency, 10, Access.ReadOnly)
        .Boolean("credit", x => x.IsCredit, Access.ReadOnly)
        .Boolean("reversal", x => x.IsReversal, Access.ReadOnly)
        .String("counterpartyName", x => x.CounterpartyName, 250, Access.ReadOnly)
        .String("counterpartyIban", x => x.CounterpartyIban, 100, Access.ReadOnly)
        .String("remittanceText", x => x.RemittanceText, 2048, Access.ReadOnly)
        .String("structuredReference", x => x.StructuredReference, 100, Access.ReadOnly)
        .String("endToEndId", x => x.EndToEndId, 100, Access.ReadOnly)
        .String("bankReference", x => x.BankReference, 100, Access.ReadOnly)
        .Enum("status", "bankStatementLineStatus", BankStatementLine.Statuses, x => x.Status, Access.ReadOnly)
        .Guid("customerId", x => x.CustomerId, Access.ReadOnly)
        .Code("customerNumber", x => x.CustomerNumber, 20, Access.ReadOnly)
        .String("appliedInvoices", x => x.AppliedInvoices, 2048, Access.ReadOnly)
        .Decimal("appliedAmount", x => x.AppliedAmount, Access.ReadOnly)
        .String("note", x => x.Note, 250, Access.ReadOnly)
        .Guid("journalId", x => x.JournalId, Access.ReadOnly)
        .Guid("customerPaymentId", x => x.PaymentId, Access.ReadOnly)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<BankStatementLine, Guid>> Key => x => x.Id;
    protected override Expression<Func<BankStatementLine, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder =>
    [
        (Expression<Func<BankStatementLine, Guid>>)(x => x.BankStatementId),
        (Expression<Func<BankStatementLine, int>>)(x => x.LineNumber),
    ];

    private readonly LineReview review;

    public BankStatementLinesSet(LineReview review)
    {
        this.review = review;
        Navigations.Add(new NavigationDef
        {
            Name = "matchProposals", TargetSet = "matchProposals", IsCollection = true, Contained = true, Surfaces = Surfaces.V2,
            ChildForeignKey = (Expression<Func<BankMatchProposal, Guid>>)(p => p.LineId),
        });
        Navigations.Add(new NavigationDef
        {
            Name = "customer", TargetSet = "customers", IsCollection = false, Surfaces = Surfaces.V2, TargetKey = o => ((BankStatementLine)o).CustomerId,
        });
    }

    protected override Task Invoke(RequestContext rc, Scope scope, BankStatementLine entity, string action, IReadOnlyDictionary<string, object> parameters) =>
        review.ReviewAsync(rc, scope.CompanyId, entity, action, parameters);

    protected override Task Invoke(RequestContext rc, Scope scope, BankStatementLine entity, string action) =>
        review.ReviewAsync(rc, scope.CompanyId, entity, action, new Dictionary<string, object>());
}

/// <summary>matchProposals: the matcher's proposals for a line, best first (read-only).</summary>
public sealed class MatchProposalsSet : EntitySet<BankMatchProposal>
{
    public override string Name => "matchProposals";
    public override string TypeName => "matchProposal";
    public override Surfaces Surfaces => Surfaces.V2;
    public override bool CompanyLevel => false;

    protected override IReadOnlyList<FieldDef<BankMatchProposal>> Fields { get; } = new FieldsBuilder<BankMatchProposal>()
        .Key("id", x => x.Id)
        .Guid("bankStatementLineId", x => x.LineId, Access.ReadOnly)
        .Int32("rank", x => x.Rank, Access.ReadOnly)
        .Guid("customerId", x => x.CustomerId, Access.ReadOnly)
        .Code("customerNumber", x => x.CustomerNumber, 20, Access.ReadOnly)
        .String("customerName", x => x.CustomerName, 100, Access.ReadOnly)
        .String("invoices", x => x.Invoices, 2048, Access.ReadOnly)
        .Decimal("amount", x => x.Amount, Access.ReadOnly)
        .Int32("score", x => x.Score, Access.ReadOnly)
        .Enum("confidence", "matchConfidence", ["High", "Medium", "Low"], x => x.Confidence, Access.ReadOnly)
        .String("reasons", x => x.Reasons, 2048, Access.ReadOnly)
        .Fields;

    protected override Expression<Func<BankMatchProposal, Guid>> Key => x => x.Id;
    protected override Expression<Func<BankMatchProposal, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder =>
    [
        (Expression<Func<BankMatchProposal, Guid>>)(x => x.LineId),
        (Expression<Func<BankMatchProposal, int>>)(x => x.Rank),
    ];

    public MatchProposalsSet()
    {
        Navigations.Add(new NavigationDef
        {
            Name = "customer", TargetSet = "customers", IsCollection = false, Surfaces = Surfaces.V2, TargetKey = o => ((BankMatchProposal)o).CustomerId,
        });
    }
}
