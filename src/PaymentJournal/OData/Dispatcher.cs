using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// Runs a request on an OData resource path (companies({id})/set({key})/navigation/...) in three steps: the path is
/// parsed against the catalog (<see cref="ResourcePath"/>), resolved against the data (every keyed entity on the way
/// exists, so an unknown parent is a 404 and a company outside the caller's access is a 404 too), then executed as the
/// method asks. Used for HTTP requests and $batch parts alike.
/// </summary>
public sealed class Dispatcher(Catalog catalog, WriteGate gate, CompanyDirectory companies, IEnumerable<IEntityChangeHandler> changeHandlers,
    ILogger<Dispatcher> log, ILoggerFactory loggers)
{
    private readonly IEntityChangeHandler[] _changeHandlers = changeHandlers.ToArray();
    private readonly ILogger _audit = loggers.CreateLogger(Telemetry.Audit.Category);

    private const string PostAction = "Microsoft.NAV.post";

    public Task HandleAsync(RequestContext rc, string path, IReadOnlyDictionary<string, string> query, ResponseBuilder response)
    {
        // A change runs as one unit from the first read of its path to the commit, so what it checked still holds when it writes.
        if (rc.Method == "GET" || rc.InWriteUnit) return HandleCoreAsync(rc, ResourcePath.Parse(catalog, rc.Surface, path), query, response);
        if (!rc.Access.CanWrite)
        {
            // A company outside the credential's access is a 404 whatever the method: a read-only key learns nothing more.
            var first = ResourcePath.Split(path, rc.Surface).FirstOrDefault();
            if (first is { Key: not null } && first.Name == catalog.Companies.Name && ResourcePath.ParseKey(first) is var company && !rc.Access.Allows(company))
                throw ApiErrors.RecordNotFound("company", company);
            throw ApiErrors.Forbidden("The credential allows reading only.");
        }
        return RunUnitAsync(rc, path, query, response);
    }

    /// <summary>
    /// A change as a unit of its own. What needs no database runs outside it, so the SQLite writer, which runs the units
    /// one after another, spends its turn on the database: the path and the JSON body are parsed before, the answer is
    /// written after the commit (from the entity as committed). A path's parse error is raised inside the unit, where
    /// the path is resolved.
    /// </summary>
    private async Task RunUnitAsync(RequestContext rc, string path, IReadOnlyDictionary<string, string> query, ResponseBuilder response)
    {
        var afterCommit = new AfterCommit();
        var post = IsPostAction(path);
        var parsed = ResourcePath.Parse(catalog, rc.Surface, path);
        try
        {
            await gate.RunAsync(rc.ForUnit(afterCommit, Body.TryParseJson(rc.Body, rc.Limits)), unit => HandleCoreAsync(unit, parsed, query, response),
                alone: post, retry: post);
        }
        catch (Exception e) when (post && e is not UnitCalledOffException && IsJournal(path) && _audit.IsEnabled(LogLevel.Information))
        {
            var (status, result) = e is ApiException api ? (api.Status, api.Code) : DbFaults.Classify(e) is { } kind ? (503, "database " + kind) : (500, "error");
            Telemetry.Audit.JournalPostRefused(_audit, Telemetry.Audit.JournalOf(path), rc.Access.Principal ?? "none", result, status, rc.CorrelationId);
            throw;
        }
        if (afterCommit.Posted is { } posted)
            Telemetry.Audit.JournalPosted(_audit, posted.Code, posted.JournalId, posted.CompanyId, posted.Lines, rc.Access.Principal ?? "none", "posted", rc.CorrelationId);
        // The change has committed: from here on the answer must say so, whatever happens while it is written.
        try
        {
            afterCommit.Run();
        }
        catch (Exception e)
        {
            log.LogError(e, "The change committed but its answer could not be written; answering 204 instead, correlation id {CorrelationId}", rc.CorrelationId);
            var location = response.Headers.GetValueOrDefault("Location");
            response.Headers.Clear();
            response.NoContent();
            if (location is not null) response.Headers["Location"] = location;
        }
    }

    /// <summary>Whether a path (before it is resolved) ends in the post action, which changes every line of a journal.</summary>
    private static bool IsPostAction(string path)
    {
        var p = path.AsSpan().TrimEnd('/');
        return p.EndsWith("/" + PostAction, StringComparison.Ordinal) || p.EndsWith("/post", StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether a post action's path names a journal (customerPaymentJournals or journals), not a sales invoice: only a
    /// journal's post has an audit line. The entity set is the segment before the action, or before the key segment.
    /// </summary>
    private static bool IsJournal(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = segments.Length - 2; i >= 0; i--)
        {
            var name = segments[i].Split('(')[0];
            if (Guid.TryParse(name, out _)) continue;
            return name is "customerPaymentJournals" or "journals";
        }
        return false;
    }

    /// <summary>Writes the answer now, or after the commit when the change is a unit of its own.</summary>
    private static void Answer(RequestContext rc, Action write)
    {
        if (rc.AfterCommit is { } afterCommit) afterCommit.Add(write);
        else write();
    }

    /// <summary>Resolves a parsed path, then executes it; a change does both inside its unit.</summary>
    private async Task HandleCoreAsync(RequestContext rc, ResourcePath path, IReadOnlyDictionary<string, string> query, ResponseBuilder response)
    {
        var at = await ResolveAsync(rc, path);
        await ExecuteAsync(rc, path, at, query, response);
    }

    /// <summary>
    /// Where a resolved path stands: the set it ends in, the scope of its rows, the entity (null for a collection, and
    /// for the entity of a GET, which <see cref="ExecuteAsync"/> reads), and the parents a GET has not loaded.
    /// </summary>
    private readonly record struct Resolved(EntitySetDef Set, Scope Scope, object? Entity, List<(EntitySetDef Set, Scope Scope, Guid Key)>? Deferred);

    /// <summary>
    /// Checks a parsed path against the data, step by step: the company is in the caller's access and exists, and each
    /// keyed entity on the way exists in its parent's scope. Then raises the path's parse error, if it has one.
    /// </summary>
    private async Task<Resolved> ResolveAsync(RequestContext rc, ResourcePath path)
    {
        EntitySetDef set = catalog.Companies;
        var scope = new Scope(Guid.Empty);
        object? entity = null;
        var companyId = Guid.Empty;
        Guid entityKey = default;
        // A GET does not load the parents on its way when the rows it reads are filtered by their keys anyway;
        // only when it finds nothing are they checked, so that a missing parent is still a 404 that names it.
        List<(EntitySetDef Set, Scope Scope, Guid Key)>? deferred = null;
        var steps = path.Steps;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var last = step.Next is null;
            set = step.Set;
            switch (step.Kind)
            {
                case StepKind.CompanySet:
                    scope = new Scope(companyId);
                    break;
                case StepKind.Navigation:
                    scope = new Scope(companyId, step.Via, entityKey, entity);
                    break;
                case StepKind.SingleNavigation:
                    var target = step.Via!.TargetKey!(entity!);
                    entity = target == Guid.Empty ? null : await set.FindAsync(rc, new Scope(companyId), target);
                    entityKey = target; // the parent of what follows is the navigated entity, not the one before it
                    scope = new Scope(companyId);
                    if (entity is null && !last) throw ApiErrors.ResourceNotFound(step.Next!);
                    continue;
            }
            entity = null;
            if (step.Key is not { } key) continue;
            if (step.KeyParent is { } parentId)
            {
                // A two-part key names the parent too: the parent must exist in the company, and the entity under it.
                var pk = set.ParentKey!;
                var parentSet = catalog.Set(pk.ParentSet);
                var parent = await parentSet.FindAsync(rc, new Scope(companyId), parentId) ?? throw ApiErrors.RecordNotFound(parentSet.TypeName, parentId);
                scope = new Scope(companyId, pk.Link, parentId, parent);
            }
            entityKey = key;
            if (step.Kind == StepKind.Companies)
            {
                if (!rc.Access.Allows(key) || !await companies.ExistsAsync(rc.Db, key, rc.Aborted)) throw ApiErrors.RecordNotFound("company", key);
                companyId = key;
                scope = new Scope(key);
                if (!last) continue;
            }
            var next = last ? null : set.FindNavigation(step.Next!, rc.Surface.Kind);
            if (rc.Method == "GET" && next?.ChildForeignKey is not null)
            {
                (deferred ??= []).Add((set, scope, key));
                continue;
            }
            if (!last || rc.Method != "GET")
            {
                // A parent on the way to a collection is only read (the change is to its child): no tracking needed.
                var parentOnly = next?.IsCollection == true;
                if (parentOnly && rc.Method != "GET" && i == steps.Count - 2 && path.Error is null && steps[^1].Next is null && PreparedRows.CanReadAhead(rc.Db)
                    && ReadsAheadUnder(rc, companyId, key, next!, steps[^1].Key) is { } ahead && ahead.Any(r => r is not null))
                    await PreparedRows.ReadAheadAsync(rc.Db, [set.FindAhead(rc, scope, key), .. ahead], rc.Aborted);
                entity = await set.FindAsync(rc, scope, key, readOnly: parentOnly, lockNext: last && LocksForIfMatch(rc))
                         ?? throw ApiErrors.RecordNotFound(set.TypeName, key);
            }
        }
        if (path.Error is { } error) throw error;

        if (path.Target == PathTarget.Entity && entity is null)
        {
            // The final entity of a GET: one lookup by its key within its parent's scope.
            entity = await set.FindAsync(rc, scope, entityKey);
            if (entity is null)
            {
                await CheckDeferredAsync(rc, deferred);
                throw ApiErrors.RecordNotFound(set.TypeName, entityKey);
            }
        }
        return new Resolved(set, scope, entity, deferred);
    }

    /// <summary>Runs what the method asks of the resolved path.</summary>
    private async Task ExecuteAsync(RequestContext rc, ResourcePath path, Resolved at, IReadOnlyDictionary<string, string> query, ResponseBuilder response)
    {
        var (set, scope, entity, method) = (at.Set, at.Scope, at.Entity, rc.Method);
        switch (path.Target)
        {
            case PathTarget.Collection:
                if (method == "GET")
                {
                    if (await set.ListAsync(rc, scope, Options(rc, path, query, collection: true), response, path.Context) == 0) await CheckDeferredAsync(rc, at.Deferred);
                    return;
                }
                if (method == "POST" && set.CanCreate)
                {
                    RejectQuery(query);
                    await CreateAsync(rc, set, scope, response, path.Context);
                    return;
                }
                throw ApiErrors.MethodNotAllowed(method, set.Name, set.AllowedMethodsForCollection);

            case PathTarget.Count:
                if (method != "GET") throw ApiErrors.MethodNotAllowed(method, "$count", "GET, HEAD");
                if (await set.CountAsync(rc, scope, Options(rc, path, query, collection: true), response) == 0) await CheckDeferredAsync(rc, at.Deferred);
                return;

            case PathTarget.SingleNavigation:
                if (method != "GET") throw ApiErrors.MethodNotAllowed(method, set.Name, "GET, HEAD");
                if (entity is null) { response.NoContent(); return; }
                await set.GetAsync(rc, scope, entity, Options(rc, path, query, collection: false), response, path.Context);
                return;

            case PathTarget.Action:
                var action = path.Action!;
                if (method != "POST") throw ApiErrors.MethodNotAllowed(method, action, "POST");
                RejectQuery(query);
                var parameters = ActionParameters(rc, set, action);
                await WriteAsync(rc, async () =>
                {
                    await CheckIfMatchAsync(rc, set, entity!, required: false);
                    if (parameters is null) await set.InvokeAsync(rc, scope, entity!, action);
                    else await set.InvokeAsync(rc, scope, entity!, action, parameters);
                });
                response.NoContent();
                return;

            case PathTarget.Entity:
                switch (method)
                {
                    case "GET":
                        await set.GetAsync(rc, scope, entity!, Options(rc, path, query, collection: false), response, path.CollectionContext);
                        return;
                    case "PATCH" when set.CanUpdate:
                        RejectQuery(query);
                        RequireJson(rc);
                        var body = set.ParseBody(rc, isCreate: false);
                        await WriteAsync(rc, async () =>
                        {
                            await CheckIfMatchAsync(rc, set, entity!, required: true);
                            await set.UpdateAsync(rc, scope, entity!, body);
                            await rc.Db.SaveChangesAsync(rc.Aborted);
                            await NotifyAsync(rc, set, scope, entity!, EntityChange.Updated);
                        });
                        var contextPath = path.CollectionContext;
                        Answer(rc, () => WriteEntityOrNoContent(rc, set, entity!, response, contextPath, created: false));
                        return;
                    case "DELETE" when set.CanDelete:
                        RejectQuery(query);
                        await WriteAsync(rc, async () =>
                        {
                            await CheckIfMatchAsync(rc, set, entity!, required: false);
                            await set.DeleteAsync(rc, scope, entity!);
                            await rc.Db.SaveChangesAsync(rc.Aborted);
                            await NotifyAsync(rc, set, scope, entity!, EntityChange.Deleted);
                        });
                        response.NoContent();
                        return;
                    default:
                        throw ApiErrors.MethodNotAllowed(method, set.Name, set.AllowedMethodsForEntity);
                }
        }
    }

    private QueryOptions Options(RequestContext rc, ResourcePath path, IReadOnlyDictionary<string, string> query, bool collection) =>
        QueryOptions.Parse(query, rc.Surface, path.Set, path.EdmPathText, () => catalog.Source(rc.Surface, path.EdmPath), rc.Limits, collection);

    private static async Task CheckDeferredAsync(RequestContext rc, List<(EntitySetDef Set, Scope Scope, Guid Key)>? deferred)
    {
        if (deferred is null) return;
        foreach (var (set, scope, key) in deferred)
            if (await set.FindAsync(rc, scope, key) is null) throw ApiErrors.RecordNotFound(set.TypeName, key);
    }

    private async Task CreateAsync(RequestContext rc, EntitySetDef set, Scope scope, ResponseBuilder response, string context)
    {
        RequireJson(rc);
        var body = set.ParseBody(rc, isCreate: true);
        object created = null!;
        await WriteAsync(rc, async () =>
        {
            created = await set.CreateAsync(rc, scope, body);
            await rc.Db.SaveChangesAsync(rc.Aborted);
            await NotifyAsync(rc, set, scope, created, EntityChange.Created);
        });
        Answer(rc, () =>
        {
            response.Headers["Location"] = rc.ServiceRoot + context + "(" + set.KeyText(created) + ")";
            WriteEntityOrNoContent(rc, set, created, response, context, created: true);
        });
    }

    /// <summary>
    /// Tells the change handlers (such as the webhook outbox) of the change, in the same unit. A document line's change
    /// is also an update of its document, as Business Central notifies it.
    /// </summary>
    private async Task NotifyAsync(RequestContext rc, EntitySetDef set, Scope scope, object entity, EntityChange change)
    {
        foreach (var handler in _changeHandlers)
        {
            await handler.ChangedAsync(rc.Db, scope.CompanyId, set, entity, change, rc.Aborted);
            if (scope is { Via: { } via, Parent: { } parent } && set.Name == "salesInvoiceLines")
                await handler.ChangedAsync(rc.Db, scope.CompanyId, ParentSetOf(via), parent, EntityChange.Updated, rc.Aborted);
        }
    }

    private EntitySetDef ParentSetOf(NavigationDef via) => catalog.Sets.First(s => s.Navigations.Contains(via));

    private static void WriteEntityOrNoContent(RequestContext rc, EntitySetDef set, object entity, ResponseBuilder response, string context, bool created)
    {
        var prefer = rc.Header("Prefer");
        if (prefer is not null && (prefer.Contains("return=minimal", StringComparison.OrdinalIgnoreCase) ||
                                   prefer.Contains("return-no-content", StringComparison.OrdinalIgnoreCase)))
        {
            response.NoContent();
            response.Headers["Preference-Applied"] = prefer.Contains("return-no-content", StringComparison.OrdinalIgnoreCase) ? "return-no-content" : "return=minimal";
            response.Headers["ETag"] = set.ETagOf(entity);
            if (created) response.Headers["OData-EntityId"] = response.Headers["Location"];
            return;
        }
        response.Status = created ? 201 : 200;
        set.WriteSingleResponse(rc, entity, response, context);
    }

    /// <summary>Runs a change inside the request's write unit, mapping storage conflicts to API errors.</summary>
    public static async Task WriteAsync(RequestContext rc, Func<Task> work)
    {
        if (!rc.Access.CanWrite) throw ApiErrors.Forbidden("The credential allows reading only.");
        if (!rc.InWriteUnit) throw new InvalidOperationException("A change must run inside a write unit.");
        try
        {
            await work();
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || DbErrors.IsUniqueViolation(e))
        {
            rc.Db.ChangeTracker.Clear();
            throw rc.WriteRefused(e);
        }
    }

    private static async Task CheckIfMatchAsync(RequestContext rc, EntitySetDef set, object entity, bool required)
    {
        var ifMatch = rc.Header("If-Match");
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            if (required) throw ApiErrors.MissingIfMatch();
            return;
        }
        var current = set.VersionOf(entity);
        if (current is null) return;
        foreach (var raw in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "*") return;
            if (ParseETag(raw) == current)
            {
                // On PostgreSQL another transaction (on this node or another) may hold the same version and be about to
                // write: take the row and look again, so the later writer waits and then sees the new version. A change
                // that turns out to set nothing would otherwise skip the versioned UPDATE and answer 200 on a stale tag.
                if (await RowLocks.VersionAsync(rc.Db, entity, rc.Aborted) is { } locked && locked != current.Value)
                    throw ApiErrors.EntityChanged();
                // The UPDATE/DELETE also checks the version in SQL, so a change by another node in between is caught too.
                // (Entry() would first look for changes in every property of the row; SaveChanges does that anyway.)
                var detect = rc.Db.ChangeTracker.AutoDetectChangesEnabled;
                rc.Db.ChangeTracker.AutoDetectChangesEnabled = false;
                try
                {
                    rc.Db.Entry(entity).Property(nameof(Versioned.Version)).OriginalValue = current.Value;
                }
                finally
                {
                    rc.Db.ChangeTracker.AutoDetectChangesEnabled = detect;
                }
                return;
            }
        }
        throw ApiErrors.EntityChanged();
    }

    /// <summary>
    /// What a change of the last segment, under the parent being read, reads first (a create's lock and checks, a
    /// PATCH's row and its lock), to read in the parent's round trip; null when there is nothing to add.
    /// </summary>
    private IReadOnlyList<ReadAhead?>? ReadsAheadUnder(RequestContext rc, Guid companyId, Guid parentKey, NavigationDef nav, Guid? lastKey)
    {
        var child = catalog.Set(nav.TargetSet);
        if (child.ParentKey is not null || !rc.Surface.Serves(nav)) return null;
        var scope = new Scope(companyId, nav, parentKey);
        if (lastKey is not { } id) return rc.Method == "POST" ? child.ReadsAheadForCreate(rc, scope) : null;
        return rc.Method is "PATCH" or "DELETE" ? child.ReadsAheadForChange(rc, scope, id, LocksForIfMatch(rc)) : null;
    }

    /// <summary>Whether a PATCH or DELETE carries an If-Match with a tag, which <see cref="CheckIfMatchAsync"/> may lock the row for.</summary>
    private static bool LocksForIfMatch(RequestContext rc) =>
        rc.Method is "PATCH" or "DELETE" && rc.Header("If-Match") is { } ifMatch && ifMatch.Trim() is { Length: > 0 } tags && tags != "*";

    private static long? ParseETag(string tag)
    {
        var t = tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
        if (t.Length >= 2 && t[0] == '"' && t[^1] == '"') t = t[1..^1];
        return long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    private static void RequireJson(RequestContext rc)
    {
        var ct = rc.Header("Content-Type");
        if (ct is null) return;
        var media = ct.Split(';')[0].Trim();
        if (!media.Equals("application/json", StringComparison.OrdinalIgnoreCase) && !media.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            throw ApiErrors.UnsupportedMediaType(media);
    }

    /// <summary>
    /// An action's JSON parameters checked against the set's declaration; null for an action without parameters (whose
    /// body must be empty or {}). Absent and null parameters are left out.
    /// </summary>
    private static Dictionary<string, object>? ActionParameters(RequestContext rc, EntitySetDef set, string action)
    {
        var declared = set.ParametersOf(action);
        if (declared.Count == 0)
        {
            RejectActionBody(rc, action);
            return null;
        }
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        if (rc.Body.Span.Trim(" \t\r\n"u8).IsEmpty) return result;
        if (rc.Body.Length > rc.Limits.MaxBodyBytes) throw ApiErrors.PayloadTooLarge(rc.Limits.MaxBodyBytes);
        RequireJson(rc);
        using var doc = WellFormed.ParseJson(rc.Body, default);
        if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
            throw ApiErrors.BadRequest($"The body of the action '{Catalog.ActionNamespace}.{action}' must be a JSON object.");
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var parameter = declared.FirstOrDefault(d => d.Name == p.Name)
                ?? throw ApiErrors.BadRequest($"'{ApiErrors.Echo(p.Name)}' is not a parameter of the action '{Catalog.ActionNamespace}.{action}'; it takes {string.Join(", ", declared.Select(d => d.Name))}.");
            if (result.ContainsKey(p.Name)) throw ApiErrors.BadRequest($"The parameter '{p.Name}' appears more than once.");
            var v = p.Value;
            if (v.ValueKind == System.Text.Json.JsonValueKind.Null) continue;
            result[p.Name] = parameter.Kind switch
            {
                FieldKind.Guid => v.ValueKind == System.Text.Json.JsonValueKind.String && Guid.TryParseExact(v.GetString(), "D", out var g) ? g
                    : throw ApiErrors.WrongType(p.Name, "Edm.Guid"),
                FieldKind.Int32 => v.ValueKind == System.Text.Json.JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw ApiErrors.WrongType(p.Name, "Edm.Int32"),
                FieldKind.Decimal => v.ValueKind == System.Text.Json.JsonValueKind.Number && v.TryGetDecimal(out var d) ? d
                    : v.ValueKind == System.Text.Json.JsonValueKind.String && decimal.TryParse(v.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var ds) ? ds
                    : throw ApiErrors.WrongType(p.Name, "Edm.Decimal"),
                _ => v.ValueKind != System.Text.Json.JsonValueKind.String ? throw ApiErrors.WrongType(p.Name, "Edm.String")
                    : v.GetString()!.Length > parameter.MaxLength ? throw ApiErrors.StringTooLong(p.Name, v.GetString()!.Length, parameter.MaxLength)
                    : v.GetString()!,
            };
        }
        return result;
    }

    /// <summary>Microsoft.NAV.post takes no parameters: a body may be absent or an empty JSON object, nothing else.</summary>
    private static void RejectActionBody(RequestContext rc, string action)
    {
        var body = rc.Body.Span;
        if (body.Trim(" \t\r\n"u8).IsEmpty) return;
        RequireJson(rc);
        using var doc = WellFormed.ParseJson(rc.Body, default);
        if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
            throw ApiErrors.BadRequest($"The body of the action '{Catalog.ActionNamespace}.{action}' must be empty or an empty JSON object.");
        foreach (var p in doc.RootElement.EnumerateObject())
            throw ApiErrors.BadRequest($"The action '{Catalog.ActionNamespace}.{action}' takes no parameters; '{ApiErrors.Echo(p.Name)}' is not one of them.");
    }

    private static void RejectQuery(IReadOnlyDictionary<string, string> query)
    {
        foreach (var name in query.Keys)
            if (name.StartsWith('$') && name is not "$schemaversion" and not "$format")
                throw ApiErrors.QueryOption($"The query option '{ApiErrors.Echo(name)}' is not allowed on this request.");
    }
}
