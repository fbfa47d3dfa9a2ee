using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Journals;

/// <summary>
/// journals (API v2.0, page 30016): every journal batch, whatever its template (templateDisplayName): the general
/// journals it creates, and the customer and vendor payment journals. Its bound action journals({id})/Microsoft.NAV.post
/// posts any of them, the way Business Central posts a journal: the batch is found by id alone, as its GetBatch does.
/// </summary>
public sealed class JournalsSet : EntitySet<JournalBatch>
{
    private readonly Data.ICommitObserver? _observer;
    private readonly Webhooks.WebhookOutbox? _webhooks;

    public override string Name => "journals";
    public override string TypeName => "journal";
    public override Surfaces Surfaces => Surfaces.V2;
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;
    public override IReadOnlyList<string> Actions => ["post"];

    protected override IReadOnlyList<FieldDef<JournalBatch>> Fields { get; } = new FieldsBuilder<JournalBatch>()
        .Key("id", x => x.Id)
        .Code("code", x => x.Code, 10)
        .String("displayName", x => x.DisplayName, 50)
        .String("templateDisplayName", x => x.Template, 10, Access.ReadOnly)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Guid("balancingAccountId", x => x.BalancingAccountId)
        .Code("balancingAccountNumber", x => x.BalancingAccountNumber, 20, Access.ReadOnly)
        .Fields;

    /// <summary>Rows of every template, each read as its own kind: through EF Core, which reads the template, not the prepared reads.</summary>
    protected override bool CompiledFind => false;

    protected override Expression<Func<JournalBatch, Guid>> Key => x => x.Id;
    protected override Expression<Func<JournalBatch, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<JournalBatch, string>>)(x => x.Code)];

    public JournalsSet(Data.ICommitObserver? observer = null, Webhooks.WebhookOutbox? webhooks = null)
    {
        _observer = Data.CommitObserver.Active(observer);
        _webhooks = webhooks;
        Navigations.Add(new NavigationDef
        {
            Name = "journalLines", TargetSet = "journalLines", IsCollection = true, Contained = true,
            ChildForeignKey = (Expression<Func<GeneralJournalLine, Guid>>)(p => p.JournalId),
        });
    }

    /// <summary>A new journal is a general journal (template GENERAL), as Business Central's page makes it.</summary>
    protected override async Task<JournalBatch> Create(RequestContext rc, Scope scope, Body body) =>
        await JournalBatches.CreateAsync<GeneralJournal>(rc, scope, body, "Journal");

    protected override Task Update(RequestContext rc, Scope scope, JournalBatch j, Body body) => JournalBatches.UpdateAsync(rc, scope, j, body, "Journal");

    protected override Task Delete(RequestContext rc, Scope scope, JournalBatch j) =>
        JournalBatches.DeleteAsync(rc, j, Posting.PostingSide.Of(j).LinesSet, _webhooks);

    protected override Task Invoke(RequestContext rc, Scope scope, JournalBatch journal, string action) =>
        Posting.JournalPoster.PostAsync(rc, journal, _observer, _webhooks);
}
