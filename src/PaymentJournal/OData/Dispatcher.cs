using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// Resolves an OData resource path (companies({id})/set({key})/navigation/...) step by step against the catalog,
/// loading every keyed entity on the way (so an unknown parent is a 404 and a company outside the caller's
/// access is a 404 too), then runs the operation the method asks for. Used for HTTP requests and $batch parts alike.
/// </summary>
public sealed class Dispatcher(Catalog catalog, WriteGate gate, CompanyDirectory companies, IEnumerable<IEntityChangeHandler> changeHandlers,
    ILogger<Dispatcher> log, ILoggerFactory loggers)
{
    private readonly IEntityChangeHandler[] _changeHandlers = changeHandlers.ToArray();
    private readonly ILogger _audit = loggers.CreateLogger(Telemetry.Audit.Category);

    private const string PostAction = "Microsoft.NAV.post";

    private sealed record Segment(string Name, string? Key);

    private enum Target { Collection, Entity, SingleNavigation, Action, Count }

    public Task HandleAsync(RequestContext rc, string path, IReadOnlyDictionary<string, string> query, ResponseBuilder response)
    {
        // A change runs as one unit from the first read of its path to the commit, so what it checked still holds when it writes.
        if (rc.Method == "GET" || rc.InWriteUnit) return HandleCoreAsync(rc, path, query, response);
        if (!rc.Access.CanWrite)
        {
            // A company outside the credential's access is a 404 whatever the method: a read-only key learns nothing more.
            var first = Split(path, rc.Surface).FirstOrDefault();
            if (first is { Key: not null } && first.Name == catalog.Companies.Name && ParseKey(first) is var company && !rc.Access.Allows(company))
                throw ApiErrors.RecordNotFound("company", company);
            throw ApiErrors.Forbidden("The credential allows reading only.");
        }
        return RunUnitAsync(rc, path, query, response);
    }

    /// <summary>
    /// A change as a unit of its own. What needs no database runs outside it, so the SQLite writer, which runs the units
    /// one after another, spends its turn on the database: the JSON body is parsed before, the answer is written after
    /// the commit (from the entity as committed).
    /// </summary>
    private async Task RunUnitAsync(RequestContext rc, string path, IReadOnlyDictionary<string, string> query, ResponseBuilder response)
    {
        var afterCommit = new AfterCommit();
        var post = IsPostAction(path);
        try
        {
            await gate.RunAsync(rc.ForUnit(afterCommit, Body.TryParseJson(rc.Body, rc.Limits)), unit => HandleCoreAsync(unit, path, query, response),
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

    private async Task HandleCoreAsync(RequestContext rc, string path, IReadOnlyDictionary<string, string> query, ResponseBuilder response)
    {
        var segments = Split(path, rc.Surface);
        if (segments.Count == 0) throw ApiErrors.ResourceNotFound("");
        if (segments[0].Name != catalog.Companies.Name) throw ApiErrors.ResourceNotFound(segments[0].Name);

        // Walk the path.
        EntitySetDef set = catalog.Companies;
        var scope = new Scope(Guid.Empty);
        object? entity = null;
        var target = Target.Collection;
        string? action = null;
        var context = new StringBuilder(catalog.Companies.Name);
        var edmPath = new List<string> { catalog.Companies.Name };
        var companyId = Guid.Empty;
        Guid entityKey = default;
        // A GET does not load the parents on its way when the rows it reads are filtered by their keys anyway;
        // only when it finds nothing are they checked, so that a missing parent is still a 404 that names it.
        var deferred = new List<(EntitySetDef Set, Scope Scope, Guid Key)>();

        for (var i = 0; i < segments.Count; i++)
        {
            var seg = segments[i];
            if (i > 0)
            {
                if (target is Target.Action or Target.Count) throw ApiErrors.ResourceNotFound(seg.Name);
                if (target == Target.Collection)
                {
                    if (seg.Name == "$count" && seg.Key is null) { target = Target.Count; continue; }
                    throw ApiErrors.ResourceNotFound(seg.Name);
                }
                if (target == Target.SingleNavigation && entity is null) throw ApiErrors.ResourceNotFound(seg.Name);
                // From an entity: an action, a company-level set, or a navigation.
                if (seg.Key is null && ActionOf(seg.Name, set, rc.Surface) is { } named)
                {
                    target = Target.Action;
                    action = named;
                    continue;
                }
                if (set == catalog.Companies)
                {
                    set = catalog.CompanySet(seg.Name, rc.Surface) ?? throw catalog.NotUnderCompany(seg.Name, rc.Surface);
                    scope = new Scope(companyId);
                }
                else
                {
                    var nav = set.FindNavigation(seg.Name, rc.Surface.Kind) is { } found && rc.Surface.Serves(found) ? found : throw ApiErrors.ResourceNotFound(seg.Name);
                    var parentKey = entityKey;
                    var targetSet = catalog.Set(nav.TargetSet);
                    if (!nav.IsCollection)
                    {
                        if (seg.Key is not null) throw ApiErrors.ResourceNotFound(seg.Name);
                        var key = nav.TargetKey!(entity!);
                        entity = key == Guid.Empty ? null : await targetSet.FindAsync(rc, new Scope(companyId), key);
                        entityKey = key; // the parent of what follows is the navigated entity, not the one before it
                        set = targetSet;
                        scope = new Scope(companyId);
                        target = Target.SingleNavigation;
                        context.Append('/').Append(seg.Name);
                        edmPath.Add(seg.Name);
                        continue;
                    }
                    scope = new Scope(companyId, nav, parentKey, entity);
                    set = targetSet;
                }
                context.Append('/').Append(seg.Name);
                edmPath.Add(seg.Name);
            }
            target = Target.Collection;
            entity = null;
            if (seg.Key is not null)
            {
                Guid key;
                if (set.ParentKey is { } pk)
                {
                    // A two-part key names the parent too: the parent must exist in the company, and the entity under it.
                    var (parentId, id) = ParseParentKey(seg, pk.Property);
                    var parentSet = catalog.Set(pk.ParentSet);
                    var parent = await parentSet.FindAsync(rc, new Scope(companyId), parentId) ?? throw ApiErrors.RecordNotFound(parentSet.TypeName, parentId);
                    scope = new Scope(companyId, pk.Link, parentId, parent);
                    key = id;
                    context.Append('(').Append(pk.Property).Append('=').Append(parentId.ToString("D")).Append(",id=").Append(id.ToString("D")).Append(')');
                }
                else
                {
                    key = ParseKey(seg);
                    context.Append('(').Append(key.ToString("D")).Append(')');
                }
                entityKey = key;
                target = Target.Entity;
                var last = i == segments.Count - 1;
                if (set == catalog.Companies)
                {
                    if (!rc.Access.Allows(key) || !await companies.ExistsAsync(rc.Db, key, rc.Aborted)) throw ApiErrors.RecordNotFound("company", key);
                    companyId = key;
                    scope = new Scope(key);
                    if (!last) continue;
                }
                var next = last ? null : set.FindNavigation(segments[i + 1].Name, rc.Surface.Kind);
                if (rc.Method == "GET" && next?.ChildForeignKey is not null)
                {
                    deferred.Add((set, scope, key));
                    continue;
                }
                if (!last || rc.Method != "GET")
                {
                    // A parent on the way to a collection is only read (the change is to its child): no tracking needed.
                    var parentOnly = next?.IsCollection == true;
                    if (parentOnly && rc.Method != "GET" && i == segments.Count - 2 && PreparedRows.CanReadAhead(rc.Db)
                        && ReadsAheadUnder(rc, companyId, key, next!, segments[^1]) is { } ahead && ahead.Any(r => r is not null))
                        await PreparedRows.ReadAheadAsync(rc.Db, [set.FindAhead(rc, scope, key), .. ahead], rc.Aborted);
                    entity = await set.FindAsync(rc, scope, key, readOnly: parentOnly, lockNext: last && LocksForIfMatch(rc))
                             ?? throw ApiErrors.RecordNotFound(set.TypeName, key);
                }
            }
        }

        if (target == Target.Entity && entity is null)
        {
            // The final entity of a GET: one lookup by its key within its parent's scope.
            entity = await set.FindAsync(rc, scope, entityKey);
            if (entity is null)
            {
                await CheckDeferredAsync(rc, deferred);
                throw ApiErrors.RecordNotFound(set.TypeName, entityKey);
            }
        }

        var method = rc.Method;
        switch (target)
        {
            case Target.Collection:
                if (method == "GET")
                {
                    var q = QueryOptions.Parse(query, rc.Surface, set, string.Join("/", edmPath), () => catalog.Source(rc.Surface, edmPath), rc.Limits, collection: true);
                    if (await set.ListAsync(rc, scope, q, response, context.ToString()) == 0) await CheckDeferredAsync(rc, deferred);
                    return;
                }
                if (method == "POST" && set.CanCreate)
                {
                    RejectQuery(query);
                    await CreateAsync(rc, set, scope, response, context.ToString());
                    return;
                }
                throw ApiErrors.MethodNotAllowed(method, set.Name, set.AllowedMethodsForCollection);

            case Target.Count:
                if (method != "GET") throw ApiErrors.MethodNotAllowed(method, "$count", "GET, HEAD");
                var cq = QueryOptions.Parse(query, rc.Surface, set, string.Join("/", edmPath), () => catalog.Source(rc.Surface, edmPath), rc.Limits, collection: true);
                if (await set.CountAsync(rc, scope, cq, response) == 0) await CheckDeferredAsync(rc, deferred);
                return;

            case Target.SingleNavigation:
                if (method != "GET") throw ApiErrors.MethodNotAllowed(method, set.Name, "GET, HEAD");
                if (entity is null) { response.NoContent(); return; }
                var sq = QueryOptions.Parse(query, rc.Surface, set, string.Join("/", edmPath), () => catalog.Source(rc.Surface, edmPath), rc.Limits, collection: false);
                await set.GetAsync(rc, scope, entity, sq, response, context.ToString());
                return;

            case Target.Action:
                if (method != "POST") throw ApiErrors.MethodNotAllowed(method, action!, "POST");
                RejectQuery(query);
                var parameters = ActionParameters(rc, set, action!);
                await WriteAsync(rc, async () =>
                {
                    await CheckIfMatchAsync(rc, set, entity!, required: false);
                    if (parameters is null) await set.InvokeAsync(rc, scope, entity!, action!);
                    else await set.InvokeAsync(rc, scope, entity!, action!, parameters);
                });
                response.NoContent();
                return;

            case Target.Entity:
                switch (method)
                {
                    case "GET":
                        var eq = QueryOptions.Parse(query, rc.Surface, set, string.Join("/", edmPath), () => catalog.Source(rc.Surface, edmPath), rc.Limits, collection: false);
                        await set.GetAsync(rc, scope, entity!, eq, response, TrimKey(context.ToString()));
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
                        var contextPath = TrimKey(context.ToString());
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

    private static async Task CheckDeferredAsync(RequestContext rc, List<(EntitySetDef Set, Scope Scope, Guid Key)> deferred)
    {
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
        catch (DbUpdateConcurrencyException)
        {
            rc.Db.ChangeTracker.Clear();
            throw ApiErrors.EntityChanged();
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            rc.Db.ChangeTracker.Clear();
            throw ApiErrors.SameKeyExists("the entity set", "a record with the same key");
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
                rc.Db.Entry(entity).Property(nameof(Versioned.Version)).OriginalValue = current.Value;
                return;
            }
        }
        throw ApiErrors.EntityChanged();
    }

    /// <summary>
    /// What a change of the last segment, under the parent being read, reads first (a create's lock and checks, a
    /// PATCH's row and its lock), to read in the parent's round trip; null when there is nothing to add.
    /// </summary>
    private IReadOnlyList<ReadAhead?>? ReadsAheadUnder(RequestContext rc, Guid companyId, Guid parentKey, NavigationDef nav, Segment last)
    {
        var child = catalog.Set(nav.TargetSet);
        if (child.ParentKey is not null || !rc.Surface.Serves(nav)) return null;
        var scope = new Scope(companyId, nav, parentKey);
        if (last.Key is null) return rc.Method == "POST" ? child.ReadsAheadForCreate(rc, scope) : null;
        var key = last.Key.StartsWith("id=", StringComparison.Ordinal) ? last.Key[3..] : last.Key;
        return rc.Method is "PATCH" or "DELETE" && Guid.TryParse(key, out var id) ? child.ReadsAheadForChange(rc, scope, id, LocksForIfMatch(rc)) : null;
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
    /// The bound action a path segment names on this set and surface (Microsoft.NAV.{name}; on Graph also a bare "post"),
    /// or null. The actions are the set's <see cref="EntitySetDef.Actions"/> that the surface serves.
    /// </summary>
    private static string? ActionOf(string segment, EntitySetDef set, Surface surface)
    {
        string name;
        if (segment.StartsWith(Catalog.ActionNamespace + ".", StringComparison.Ordinal)) name = segment[(Catalog.ActionNamespace.Length + 1)..];
        else if (surface.IsGraph && segment == "post") name = "post";
        else return null;
        return surface.Accepts(set, name) ? name : null;
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

    private static string TrimKey(string context)
    {
        var i = context.LastIndexOf('(');
        return i > context.LastIndexOf('/') ? context[..i] : context;
    }

    private static Guid ParseKey(Segment seg)
    {
        var k = seg.Key!;
        if (k.StartsWith("id=", StringComparison.Ordinal)) k = k[3..];
        return ParseGuid(seg.Name + " key", k);
    }

    /// <summary>A two-part key, name=value pairs in either order: set(parentId={pid},id={id}).</summary>
    private static (Guid Parent, Guid Id) ParseParentKey(Segment seg, string parentProperty)
    {
        Guid? parent = null, id = null;
        var parts = seg.Key!.Split(',');
        foreach (var part in parts.Length == 2 ? parts : [])
        {
            var eq = part.IndexOf('=');
            var name = eq > 0 ? part[..eq].Trim() : "";
            if (name == parentProperty && parent is null) parent = ParseGuid(seg.Name + " " + name, part[(eq + 1)..].Trim());
            else if (name == "id" && id is null) id = ParseGuid(seg.Name + " id", part[(eq + 1)..].Trim());
        }
        if (parent is null || id is null)
            throw ApiErrors.BadRequest($"The key of {seg.Name} has two parts: write {seg.Name}({parentProperty}={{{parentProperty}}},id={{id}}).");
        return (parent.Value, id.Value);
    }

    private static Guid ParseGuid(string what, string k)
    {
        if (k.Length >= 2 && k[0] == '\'' && k[^1] == '\'') k = k[1..^1];
        if (!Guid.TryParseExact(k, "D", out var g)) throw ApiErrors.InvalidGuid(what, k);
        return g;
    }

    /// <summary>Splits a resource path into segments; on Graph a bare GUID after a collection is its key (companies/{id}).</summary>
    private static List<Segment> Split(string path, Surface surface)
    {
        var result = new List<Segment>();
        foreach (var raw in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = WellFormed.Unescape(raw, "URL path");
            var open = part.IndexOf('(');
            if (open > 0 && part[^1] == ')')
            {
                result.Add(new Segment(part[..open], part[(open + 1)..^1]));
                continue;
            }
            if (open >= 0) throw ApiErrors.ResourceNotFound(ApiErrors.Echo(part));
            if (surface.KeyAsSegment && result.Count > 0 && result[^1].Key is null && LooksLikeKey(part) && !part.StartsWith('$'))
            {
                result[^1] = result[^1] with { Key = part };
                continue;
            }
            result.Add(new Segment(part, null));
        }
        return result;
    }

    private static bool LooksLikeKey(string s) => s.Length >= 32 && s.Length <= 40 && s.All(c => char.IsAsciiHexDigit(c) || c == '-' || c == '{' || c == '}');
}
