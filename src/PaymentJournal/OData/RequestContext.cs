using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>Everything a handler may use about the request it serves, whether it came over HTTP or inside a $batch.</summary>
public sealed class RequestContext : IWriteUnit<RequestContext>
{
    public required AppDb Db { get; init; }
    public required Surface Surface { get; init; }
    public required string Method { get; init; }
    /// <summary>Absolute service root of the surface, ending in '/', e.g. http://localhost:5080/api/v2.0/.</summary>
    public required string ServiceRoot { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required ReadOnlyMemory<byte> Body { get; init; }
    /// <summary>The resource path relative to the service root, as the client sent it (for next links).</summary>
    public string RelativePath { get; set; } = "";
    public required string CorrelationId { get; init; }
    public required Limits Limits { get; init; }
    public required Catalog Catalog { get; init; }
    public required CompanyAccess Access { get; init; }
    public CancellationToken Aborted { get; init; }
    /// <summary>
    /// Set while the request runs inside a write unit, its own (<see cref="InUnit"/>) or an atomic $batch group's: the
    /// unit owns the transaction, so a change runs in it and starts none of its own.
    /// </summary>
    public bool InWriteUnit { get; init; }
    /// <summary>
    /// For a change that runs as a unit of its own: work that waits until the unit has committed, such as writing the
    /// answer, so it does not hold up the SQLite writer. Null inside a $batch group (the group answers as it goes).
    /// </summary>
    public AfterCommit? AfterCommit { get; init; }
    /// <summary>The JSON format the client asked for (metadata level, IEEE754Compatible), negotiated when the request is routed.</summary>
    public JsonFormat Format { get; set; } = JsonFormat.Default;
    /// <summary>The JSON body, parsed before the unit began; null when there was none or it did not parse.</summary>
    public System.Text.Json.JsonElement? ParsedBody { get; init; }
    /// <summary>What the request adds to each of its write units (its idempotency key's claim), or null.</summary>
    public IUnitStep? Step { get; init; }

    /// <summary>The same request running inside a write unit (group commit or transaction) on <paramref name="db"/>.</summary>
    public RequestContext InUnit(AppDb db) => Copy(db, inWriteUnit: true, AfterCommit, ParsedBody);

    /// <summary>The same request with work to run after its commit and its body parsed already.</summary>
    public RequestContext ForUnit(AfterCommit afterCommit, System.Text.Json.JsonElement? parsedBody) => Copy(Db, InWriteUnit, afterCommit, parsedBody);

    private RequestContext Copy(AppDb db, bool inWriteUnit, AfterCommit? afterCommit, System.Text.Json.JsonElement? parsedBody) => new()
    {
        Db = db, Surface = Surface, Method = Method, ServiceRoot = ServiceRoot, Headers = Headers, Body = Body, CorrelationId = CorrelationId,
        Limits = Limits, Catalog = Catalog, Access = Access, Aborted = Aborted, InWriteUnit = inWriteUnit, RelativePath = RelativePath,
        AfterCommit = afterCommit, ParsedBody = parsedBody, Format = Format, Step = Step,
    };

    /// <summary>Forgets what an earlier run of the write unit left for after its commit.</summary>
    public void ResetAfterCommit() => AfterCommit?.Clear();

    /// <summary>A write refused at the commit answers as <see cref="Dispatcher.WriteAsync"/> answers it when refused at once.</summary>
    public Exception WriteRefused(Microsoft.EntityFrameworkCore.DbUpdateException refused) => refused switch
    {
        Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException => ApiErrors.EntityChanged(),
        _ when DbErrors.IsUniqueViolation(refused) => ApiErrors.SameKeyExists("the entity set", "a record with the same key"),
        _ => refused,
    };

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    public DateOnly Today => DateOnly.FromDateTime(Db.Now());
}

/// <summary>Work to run once a unit's changes are durable (see <see cref="RequestContext.AfterCommit"/>).</summary>
public sealed class AfterCommit
{
    private Action? _work;

    public void Add(Action work) => _work += work;

    /// <summary>Forgets what a run of the unit added, before the unit runs again.</summary>
    public void Clear()
    {
        _work = null;
        Posted = null;
    }

    /// <summary>The journal a post action posted, for the audit line written once the unit has committed.</summary>
    public Telemetry.PostedJournal? Posted { get; set; }

    public void Run() => _work?.Invoke();
}

/// <summary>Where a request is allowed to read and write; None-mode auth allows everything.</summary>
public sealed class CompanyAccess
{
    public static readonly CompanyAccess All = new() { AllCompanies = true, CanWrite = true };
    public bool AllCompanies { get; init; }
    public IReadOnlySet<Guid> Companies { get; init; } = new HashSet<Guid>();
    public bool CanWrite { get; init; }
    public string? Principal { get; init; }
    /// <summary>The token's issuer (JWT only): with <see cref="Principal"/> it names the credential across issuers.</summary>
    public string? Issuer { get; init; }

    public bool Allows(Guid companyId) => AllCompanies || Companies.Contains(companyId);
}

/// <summary>The parent a collection is reached through: the company, and possibly a parent entity.</summary>
public readonly record struct Scope(Guid CompanyId, NavigationDef? Via = null, Guid ParentId = default, object? Parent = null)
{
    public bool HasParent => Via is not null;
}
