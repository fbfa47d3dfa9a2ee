using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Journals;

/// <summary>
/// journals (API v2.0, page 30016), read-only here: every journal batch, whatever its template (templateDisplayName),
/// the customer and the vendor payment journals. It exists for its bound action journals({id})/Microsoft.NAV.post, the
/// way Business Central posts a journal; the batch is found by id alone, as Business Central's GetBatch does.
/// </summary>
public sealed class JournalsSet(Data.ICommitObserver? observer = null, Webhooks.WebhookOutbox? webhooks = null) : EntitySet<JournalBatch>
{
    private readonly Data.ICommitObserver? _observer = Data.CommitObserver.Active(observer);

    public override string Name => "journals";
    public override string TypeName => "journal";
    public override Surfaces Surfaces => Surfaces.V2;
    public override IReadOnlyList<string> Actions => ["post"];

    protected override IReadOnlyList<FieldDef<JournalBatch>> Fields { get; } = new FieldsBuilder<JournalBatch>()
        .Key("id", x => x.Id)
        .Code("code", x => x.Code, 10, Access.ReadOnly)
        .String("displayName", x => x.DisplayName, 50, Access.ReadOnly)
        .String("templateDisplayName", x => x.Template, 10, Access.ReadOnly)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Guid("balancingAccountId", x => x.BalancingAccountId, Access.ReadOnly)
        .Code("balancingAccountNumber", x => x.BalancingAccountNumber, 20, Access.ReadOnly)
        .Fields;

    /// <summary>Rows of every template, each read as its own kind: through EF Core, which reads the template, not the prepared reads.</summary>
    protected override bool CompiledFind => false;

    protected override Expression<Func<JournalBatch, Guid>> Key => x => x.Id;
    protected override Expression<Func<JournalBatch, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<JournalBatch, string>>)(x => x.Code)];

    protected override Task Invoke(RequestContext rc, Scope scope, JournalBatch journal, string action) =>
        Posting.JournalPoster.PostAsync(rc, journal, _observer, webhooks);
}
