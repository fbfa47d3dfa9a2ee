using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.OData.UriParser;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// The typed query pipeline of one entity set: scope (company, parent), $filter, $orderby, keyset paging, $top/$skip,
/// $count and $expand, all translated to SQL; then the JSON writer driven by the field definitions.
/// Features override the Create/Update/Delete/Invoke hooks with their rules.
/// </summary>
public abstract class EntitySet<T> : EntitySetDef where T : class
{
    private readonly ConcurrentDictionary<Surfaces, FieldDef<T>[]> _fieldsOn = new();
    private Func<T, Guid>? _key;

    protected abstract IReadOnlyList<FieldDef<T>> Fields { get; }
    public override IReadOnlyList<FieldDef> AllFields => Fields;
    protected abstract Expression<Func<T, Guid>> Key { get; }
    protected abstract Expression<Func<T, Guid>> CompanyKey { get; }
    /// <summary>The order of a collection without $orderby (the key is always appended as the tie-breaker).</summary>
    protected virtual IReadOnlyList<LambdaExpression> DefaultOrder => [];

    public override Guid KeyOf(object entity) => (_key ??= Key.Compile())((T)entity);
    public override long? VersionOf(object entity) => entity is Versioned v ? v.Version : null;
    public override string ETagOf(object entity) => entity is Versioned v ? v.ETag : "W/\"" + KeyOf(entity).ToString("N") + "\"";

    /// <summary>The rows of this set that the scope can see: the company's, and the parent's when reached through a navigation.</summary>
    public virtual IQueryable<T> Query(RequestContext rc, Scope scope, bool tracking = false)
    {
        IQueryable<T> q = rc.Db.Set<T>();
        if (!tracking) q = q.AsNoTracking();
        foreach (var visible in ScopeFilters(scope)) q = q.Where(visible);
        return q;
    }

    /// <summary>
    /// The rows a count reads: <see cref="Query"/>'s, but under a parent that is in the company, by the parent's key
    /// alone. A parent's rows carry its company; testing each row's company makes the database read every row (each of
    /// a journal's 100,000 lines) where the parent's index alone answers the count. The parent, not loaded on a GET's
    /// way, is looked up by its key in the company first. Not for a set whose Query adds rules of its own.
    /// </summary>
    private async Task<IQueryable<T>> CountQueryAsync(RequestContext rc, Scope scope)
    {
        if (!CompiledFind || scope.Via?.ChildForeignKey is not Expression<Func<T, Guid>> fk) return Query(rc, scope);
        var inCompany = scope.Parent is not null
            || (rc.Catalog.Sets.FirstOrDefault(s => s.Navigations.Contains(scope.Via)) is { } parentSet
                && await parentSet.FindAsync(rc, new Scope(scope.CompanyId), scope.ParentId, readOnly: true) is not null);
        return inCompany ? rc.Db.Set<T>().AsNoTracking().Where(Equal(fk, scope.ParentId)) : Query(rc, scope);
    }

    /// <summary>What <see cref="Query"/> filters on: the company, and the parent when reached through a navigation.</summary>
    private List<Expression<Func<T, bool>>> ScopeFilters(Scope scope)
    {
        var filters = new List<Expression<Func<T, bool>>>(4) { Equal(CompanyKey, scope.CompanyId) };
        if (scope.Via?.ChildForeignKey is Expression<Func<T, Guid>> fk) filters.Add(Equal(fk, scope.ParentId));
        return filters;
    }

    /// <summary>Checks a set may rules before a list runs (e.g. company-level customerPayments need a journal filter).</summary>
    protected virtual void CheckList(RequestContext rc, Scope scope, QueryOptions query) { }

    public override async Task<object?> FindAsync(RequestContext rc, Scope scope, Guid key, bool readOnly = false, bool lockNext = false)
    {
        var tracking = rc.Method != "GET" && !readOnly;
        if (CompiledFind && PreparedFind(scope.Via) is { } find)
        {
            if (!tracking) return await PreparedRows.FindAsync<T>(rc.Db, find.Name, find.Where(scope, key), rc.Aborted);
            // A change reads its row tracked. The prepared read, attached unchanged, is the entity EF Core's tracked query
            // makes, unless the context tracks that row already (an earlier change of the same unit): then the query's
            // identity resolution decides, below.
            if ((_keyIsPrimaryKey ??= rc.Db.Model.FindEntityType(typeof(T))?.FindPrimaryKey()?.Properties is [{ } only] && only.Name == find.Key)
                && rc.Db.Set<T>().Local.FindEntry(key) is null)
            {
                if (lockNext) await PreparedRows.ReadAheadAsync(rc.Db, ReadsAheadForChange(rc, scope, key, lockNext: true), rc.Aborted);
                var row = await PreparedRows.FindAsync<T>(rc.Db, find.Name, find.Where(scope, key), rc.Aborted);
                if (row is not null) rc.Db.Attach(row);
                return row;
            }
        }
        if (CompiledFind)
        {
            // Reads by key are the hottest path (and a change starts with one): a query compiled once per shape skips
            // building and looking up the expression tree.
            if (scope.Via?.ChildForeignKey is Expression<Func<T, Guid>> fk)
                return await _findByParent.GetOrAdd((scope.Via, tracking), k => CompileFindByParent(fk, k.Tracking))(rc.Db, scope.CompanyId, scope.ParentId, key);
            return await (_findInCompany[tracking ? 1 : 0] ??= CompileFindInCompany(tracking))(rc.Db, scope.CompanyId, key);
        }
        return await Query(rc, scope, tracking).Where(Equal(Key, key)).FirstOrDefaultAsync(rc.Aborted);
    }

    public override ReadAhead? FindAhead(RequestContext rc, Scope scope, Guid key) =>
        CompiledFind && PreparedFind(scope.Via) is { } find ? PreparedRows.FindAhead<T>(rc.Db, find.Name, find.Where(scope, key)) : null;

    /// <summary>The lock of the row whose primary key is the set's key (the one <see cref="RowLocks.VersionAsync"/> takes).</summary>
    protected override ReadAhead? LockAhead(RequestContext rc, Guid key) =>
        rc.Db.Model.FindEntityType(typeof(T))?.FindPrimaryKey()?.Properties is [{ } only] && only.Name == PropertyOf(Key) ? RowLocks.VersionAhead<T>(rc.Db, key) : null;

    /// <summary>
    /// A read by key through <see cref="PreparedRows.FindAsync{T}"/>: the same row as the compiled query, with a
    /// statement kept prepared and none of EF Core's query overhead. Null when a key expression is not a
    /// plain property.
    /// </summary>
    private sealed record PreparedLookup(string Name, string Company, string? Parent, string Key)
    {
        public (string, object)[] Where(Scope scope, Guid key) => [.. Scope(scope), (Key, key)];

        /// <summary>What <see cref="ScopeFilters"/> filters on, as property and value.</summary>
        public (string, object)[] Scope(Scope scope) => Parent is null
            ? [(Company, scope.CompanyId)]
            : [(Company, scope.CompanyId), (Parent, scope.ParentId)];
    }

    private readonly ConcurrentDictionary<NavigationDef, PreparedLookup?> _preparedByParent = new();
    private PreparedLookup? _preparedInCompany;
    /// <summary>Whether the set's key is EF Core's primary key (a row of another shape, e.g. a dimension line, is found by EF Core when tracked).</summary>
    private bool? _keyIsPrimaryKey;
    private bool _preparedInCompanyChecked;

    private PreparedLookup? PreparedFind(NavigationDef? via)
    {
        if (via?.ChildForeignKey is Expression<Func<T, Guid>> fk)
            return _preparedByParent.GetOrAdd(via, v => PropertyOf(CompanyKey) is { } c && PropertyOf(fk) is { } p && PropertyOf(Key) is { } k
                ? new PreparedLookup("find-by-" + v.Name, c, p, k) : null);
        if (!_preparedInCompanyChecked)
        {
            _preparedInCompany = PropertyOf(CompanyKey) is { } c && PropertyOf(Key) is { } k ? new PreparedLookup("find", c, null, k) : null;
            _preparedInCompanyChecked = true;
        }
        return _preparedInCompany;
    }

    private static string? PropertyOf(Expression<Func<T, Guid>> e) => e.Body is MemberExpression { Member: System.Reflection.PropertyInfo p } ? p.Name : null;

    /// <summary>False where <see cref="Query"/> adds rules of its own, which the compiled lookups would skip.</summary>
    protected virtual bool CompiledFind => true;

    private readonly Func<AppDb, Guid, Guid, Task<T?>>?[] _findInCompany = new Func<AppDb, Guid, Guid, Task<T?>>?[2];
    private readonly ConcurrentDictionary<(NavigationDef Via, bool Tracking), Func<AppDb, Guid, Guid, Guid, Task<T?>>> _findByParent = new();

    private Func<AppDb, Guid, Guid, Task<T?>> CompileFindInCompany(bool tracking)
    {
        var db = Expression.Parameter(typeof(AppDb), "db");
        var company = Expression.Parameter(typeof(Guid), "company");
        var key = Expression.Parameter(typeof(Guid), "key");
        var x = Expression.Parameter(typeof(T), "x");
        var predicate = Expression.Lambda<Func<T, bool>>(Expression.AndAlso(
            Expression.Equal(Rebind(CompanyKey, x), company), Expression.Equal(Rebind(Key, x), key)), x);
        var body = FirstOrDefault(db, predicate, tracking);
        return EF.CompileAsyncQuery(Expression.Lambda<Func<AppDb, Guid, Guid, T?>>(body, db, company, key));
    }

    private Func<AppDb, Guid, Guid, Guid, Task<T?>> CompileFindByParent(Expression<Func<T, Guid>> fk, bool tracking)
    {
        var db = Expression.Parameter(typeof(AppDb), "db");
        var company = Expression.Parameter(typeof(Guid), "company");
        var parent = Expression.Parameter(typeof(Guid), "parent");
        var key = Expression.Parameter(typeof(Guid), "key");
        var x = Expression.Parameter(typeof(T), "x");
        var predicate = Expression.Lambda<Func<T, bool>>(Expression.AndAlso(Expression.AndAlso(
            Expression.Equal(Rebind(CompanyKey, x), company), Expression.Equal(Rebind(fk, x), parent)), Expression.Equal(Rebind(Key, x), key)), x);
        var body = FirstOrDefault(db, predicate, tracking);
        return EF.CompileAsyncQuery(Expression.Lambda<Func<AppDb, Guid, Guid, Guid, T?>>(body, db, company, parent, key));
    }

    private static Expression FirstOrDefault(ParameterExpression db, Expression<Func<T, bool>> predicate, bool tracking)
    {
        Expression set = Expression.Call(db, typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!.MakeGenericMethod(typeof(T)));
        if (!tracking) set = Expression.Call(typeof(EntityFrameworkQueryableExtensions), nameof(EntityFrameworkQueryableExtensions.AsNoTracking), [typeof(T)], set);
        var where = Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(T)], set, Expression.Quote(predicate));
        return Expression.Call(typeof(Queryable), nameof(Queryable.FirstOrDefault), [typeof(T)], where);
    }

    // ---- hooks for features ----
    protected virtual Task<T> Create(RequestContext rc, Scope scope, Body body) =>
        throw ApiErrors.MethodNotAllowed("POST", Name, AllowedMethodsForCollection);
    protected virtual Task Update(RequestContext rc, Scope scope, T entity, Body body) =>
        throw ApiErrors.MethodNotAllowed("PATCH", Name, AllowedMethodsForEntity);
    protected virtual Task Delete(RequestContext rc, Scope scope, T entity) =>
        throw ApiErrors.MethodNotAllowed("DELETE", Name, AllowedMethodsForEntity);
    protected virtual Task Invoke(RequestContext rc, Scope scope, T entity, string action) =>
        throw ApiErrors.ResourceNotFound(action);

    public override async Task<object> CreateAsync(RequestContext rc, Scope scope, Body body) => await Create(rc, scope, body);
    public override Task UpdateAsync(RequestContext rc, Scope scope, object entity, Body body) => Update(rc, scope, (T)entity, body);
    public override Task DeleteAsync(RequestContext rc, Scope scope, object entity) => Delete(rc, scope, (T)entity);
    public override Task InvokeAsync(RequestContext rc, Scope scope, object entity, string action) => Invoke(rc, scope, (T)entity, action);
    public override Task InvokeAsync(RequestContext rc, Scope scope, object entity, string action, IReadOnlyDictionary<string, object> parameters) =>
        Invoke(rc, scope, (T)entity, action, parameters);
    protected virtual Task Invoke(RequestContext rc, Scope scope, T entity, string action, IReadOnlyDictionary<string, object> parameters) =>
        Invoke(rc, scope, entity, action);

    // ---- reading ----
    public override async Task<int> ListAsync(RequestContext rc, Scope scope, QueryOptions query, ResponseBuilder response, string contextPath)
    {
        CheckList(rc, scope, query);
        var surface = rc.Surface.Kind;
        var filter = query.Filter is null ? null : BoundFilter(query.Filter, surface);
        // EF Core's query is only built when it runs: for $count, and for a page the prepared list does not read.
        IQueryable<T> Filtered() => filter is null ? Query(rc, scope) : Query(rc, scope).Where(filter);
        long? count = query.Count ? await ApplyFilter(await CountQueryAsync(rc, scope), query.Filter, surface).LongCountAsync(rc.Aborted) : null;

        var order = OrderKeys(query.OrderBy, surface);
        var after = query.SkipToken is null ? null : AfterToken(order, query.SkipToken, Signature(query));
        var skip = query.Skip is > 0 && query.SkipToken is null ? (int)query.Skip.Value : 0;
        var pageSize = PageSize(rc, response);
        var wanted = query.Top ?? long.MaxValue;
        var take = (int)Math.Min(wanted, pageSize);

        List<T>? rows = null;
        if (CompiledFind && PreparedFind(scope.Via) is { } prepared)
        {
            // The same rows as the query below, read with a statement kept prepared (null for a shape it does not read).
            var where = new List<LambdaExpression>(2);
            if (filter is not null) where.Add(filter);
            if (after is not null) where.Add(after);
            rows = await PreparedRows.ListAsync<T>(rc.Db, prepared.Scope(scope), where, order.ConvertAll(k => (k.Selector, k.Descending)), skip, take + 1, rc.Aborted);
        }
        if (rows is null)
        {
            var q = Filtered();
            if (after is not null) q = q.Where(after);
            q = ApplyOrder(q, order);
            if (skip > 0) q = q.Skip(skip);
            rows = await q.Take(take + 1).ToListAsync(rc.Aborted);
        }
        string? nextLink = null;
        if (rows.Count > take)
        {
            rows.RemoveAt(rows.Count - 1);
            if (wanted > take) nextLink = NextLink(rc, query, order, rows[^1], Signature(query), wanted - take);
        }

        var selection = Selection.From(query.SelectExpand, this, rc.Catalog, surface);
        var data = await LoadExpansionsAsync(rc, scope.CompanyId, rows, selection);
        var options = WriteOptions.Of(rc, scope.CompanyId);
        using var w = response.StartJson();
        w.WriteStartObject();
        if (rc.Format.Metadata != MetadataLevel.None)
            w.WriteString("@odata.context", rc.ServiceRoot + "$metadata#" + rc.Surface.ContextPrefix + contextPath + selection.ContextSuffix());
        if (count is not null)
        {
            // Edm.Int64: a string under IEEE754Compatible=true.
            if (rc.Format.Ieee754) w.WriteString("@odata.count", count.Value.ToString(CultureInfo.InvariantCulture));
            else w.WriteNumber("@odata.count", count.Value);
        }
        w.WriteStartArray("value");
        foreach (var row in rows) WriteEntity(w, row, selection, data, options, contextPath);
        w.WriteEndArray();
        if (nextLink is not null) w.WriteString("@odata.nextLink", nextLink);
        w.WriteEndObject();
        return rows.Count;
    }

    public override async Task<long> CountAsync(RequestContext rc, Scope scope, QueryOptions query, ResponseBuilder response)
    {
        CheckList(rc, scope, query);
        var count = await ApplyFilter(await CountQueryAsync(rc, scope), query.Filter, rc.Surface.Kind).LongCountAsync(rc.Aborted);
        var text = Encoding.UTF8.GetBytes(count.ToString(CultureInfo.InvariantCulture));
        System.Buffers.BuffersExtensions.Write(response.Body, text);
        response.ContentType = "text/plain";
        response.Headers["OData-Version"] = "4.0";
        return count;
    }

    public override async Task GetAsync(RequestContext rc, Scope scope, object entity, QueryOptions query, ResponseBuilder response, string contextPath)
    {
        var selection = query.SelectExpand is null ? Selection.All : Selection.From(query.SelectExpand, this, rc.Catalog, rc.Surface.Kind);
        var data = selection.Expands.Count == 0 ? null : await LoadExpansionsAsync(rc, scope.CompanyId, [(T)entity], selection);
        using var w = response.StartJson();
        WriteSingle(w, rc, (T)entity, selection, data, contextPath, scope.CompanyId);
        response.Headers["ETag"] = ETagOf(entity);
    }

    private void WriteSingle(Utf8JsonWriter w, RequestContext rc, T entity, Selection selection, ExpansionData? data, string contextPath, Guid companyId)
    {
        w.WriteStartObject();
        if (rc.Format.Metadata != MetadataLevel.None)
            w.WriteString("@odata.context", rc.ServiceRoot + "$metadata#" + rc.Surface.ContextPrefix + contextPath + selection.ContextSuffix() + "/$entity");
        WriteBody(w, entity, selection, data, WriteOptions.Of(rc, companyId), contextPath);
        w.WriteEndObject();
    }

    internal override void WriteEntity(Utf8JsonWriter w, object entity, Selection selection, ExpansionData? data, WriteOptions options, string? collectionPath)
    {
        w.WriteStartObject();
        WriteBody(w, (T)entity, selection, data, options, collectionPath);
        w.WriteEndObject();
    }

    private void WriteBody(Utf8JsonWriter w, T entity, Selection selection, ExpansionData? data, WriteOptions options, string? collectionPath)
    {
        var format = options.Format;
        string? id = null;
        if (options.Full)
        {
            id = IdPath(entity, options, collectionPath);
            w.WriteString("@odata.type", "#" + options.Surface.Namespace + "." + TypeName);
            w.WriteString("@odata.id", options.ServiceRoot + id);
        }
        if (format.Metadata != MetadataLevel.None) w.WriteString("@odata.etag", ETagOf(entity));
        if (id is not null) w.WriteString(CanUpdate || CanDelete ? "@odata.editLink" : "@odata.readLink", options.ServiceRoot + id);
        if (format.Metadata != MetadataLevel.Full && !format.Ieee754)
        {
            // The common case, kept as lean as it was: the fields as they are, no annotations.
            if (selection.Fields is null) foreach (var f in TypedFieldsOn(options.Kind)) f.Write(w, entity);
            else foreach (var f in selection.Fields) ((FieldDef<T>)f).Write(w, entity);
        }
        else
        {
            foreach (var f in selection.Fields ?? TypedFieldsOn(options.Kind))
            {
                if (id is not null && FieldDef.EdmTypeAnnotation(f.Kind) is { } type) w.WriteString(f.Name + "@odata.type", type);
                var field = (FieldDef<T>)f;
                (format.Ieee754 && field.WriteAsString is { } asString ? asString : field.Write)(w, entity);
            }
        }
        if (id is not null && selection.Fields is null)
        {
            // Navigation links, but for the expanded navigations, whose link goes right before their content.
            foreach (var nav in Navigations)
                if (options.Surface.Serves(nav) && !selection.Expands.Any(e => e.Nav == nav))
                    w.WriteString(nav.Name + "@odata.navigationLink", options.ServiceRoot + id + "/" + nav.Name);
        }
        if (selection.Expands.Count > 0 && data is not null)
        {
            var key = KeyOf(entity);
            foreach (var ex in selection.Expands)
            {
                var (items, nested) = data.ByNavigation[ex.Nav.Name];
                items.TryGetValue(key, out var list);
                var childPath = id is null ? null : id + "/" + ex.Nav.Name;
                if (id is not null) w.WriteString(ex.Nav.Name + "@odata.navigationLink", options.ServiceRoot + childPath);
                if (ex.Nav.IsCollection)
                {
                    w.WriteStartArray(ex.Nav.Name);
                    if (list is not null) foreach (var child in list) ex.Target.WriteEntity(w, child, ex.Child, nested, options, childPath);
                    w.WriteEndArray();
                }
                else if (list is { Count: > 0 })
                {
                    w.WritePropertyName(ex.Nav.Name);
                    ex.Target.WriteEntity(w, list[0], ex.Child, nested, options, childPath);
                }
                else
                {
                    w.WriteNull(ex.Nav.Name);
                }
            }
        }
        if (id is not null && selection.Fields is null)
        {
            // Full metadata advertises the bound actions the entity offers.
            foreach (var action in Actions)
            {
                if (!options.Surface.AdvertisedActions.Contains(Name + "/" + action)) continue;
                var name = Catalog.ActionNamespace + "." + action;
                w.WriteStartObject("#" + name);
                w.WriteString("title", name);
                w.WriteString("target", options.ServiceRoot + id + "/" + name);
                w.WriteEndObject();
            }
        }
    }

    /// <summary>Writes one entity as a whole response (after a create or an update).</summary>
    public override void WriteSingleResponse(RequestContext rc, object entity, ResponseBuilder response, string contextPath)
    {
        using var w = response.StartJson();
        WriteSingle(w, rc, (T)entity, Selection.All, null, contextPath, CompanyOf(rc, entity));
        response.Headers["ETag"] = ETagOf(entity);
    }

    /// <summary>The company of an entity written after a change (for its id in full metadata).</summary>
    private Guid CompanyOf(RequestContext rc, object entity) => this == rc.Catalog.Companies ? KeyOf(entity) : (_company ??= CompanyKey.Compile())((T)entity);
    private Func<T, Guid>? _company;

    private FieldDef<T>[] TypedFieldsOn(Surfaces surface) =>
        _fieldsOn.GetOrAdd(surface, s => Fields.Where(f => f.On(s)).ToArray());

    // ---- $expand ----
    private async Task<ExpansionData?> LoadExpansionsAsync(RequestContext rc, Guid companyId, IReadOnlyList<T> rows, Selection selection)
    {
        if (selection.Expands.Count == 0 || rows.Count == 0) return selection.Expands.Count == 0 ? null : Empty(selection);
        var data = new ExpansionData();
        var parents = rows.Cast<object>().ToList();
        foreach (var ex in selection.Expands)
            data.ByNavigation[ex.Nav.Name] = await ex.Target.LoadForExpandAsync(rc, companyId, ex.Nav, parents, this, ex);
        return data;
    }

    private static ExpansionData Empty(Selection selection)
    {
        var data = new ExpansionData();
        foreach (var ex in selection.Expands) data.ByNavigation[ex.Nav.Name] = ([], null);
        return data;
    }

    internal override async Task<(Dictionary<Guid, List<object>>, ExpansionData?)> LoadForExpandAsync(
        RequestContext rc, Guid companyId, NavigationDef nav, IReadOnlyList<object> parents, EntitySetDef parentSet, ExpandItem item)
    {
        var result = new Dictionary<Guid, List<object>>();
        var all = new List<T>();
        var surface = rc.Surface.Kind;
        var baseQuery = Query(rc, new Scope(companyId));
        if (nav.IsCollection)
        {
            var fk = (Expression<Func<T, Guid>>)nav.ChildForeignKey!;
            var fkGet = fk.Compile();
            var order = OrderKeys(item.OrderBy, surface);
            var parentKeys = parents.Select(parentSet.KeyOf).Distinct().ToList();
            if (item.Top is not null || item.Skip is not null)
            {
                // $top/$skip apply per parent: one bounded query each.
                foreach (var pk in parentKeys)
                {
                    var q = ApplyOrder(ApplyFilter(baseQuery.Where(Equal(fk, pk)), item.Filter, surface), order);
                    if (item.Skip is > 0) q = q.Skip((int)item.Skip.Value);
                    var rows = await q.Take((int)Math.Min(item.Top ?? rc.Limits.MaxPageSize, rc.Limits.MaxPageSize)).ToListAsync(rc.Aborted);
                    result[pk] = rows.Cast<object>().ToList();
                    all.AddRange(rows);
                }
            }
            else
            {
                foreach (var chunk in parentKeys.Chunk(500))
                {
                    var q = ApplyOrder(ApplyFilter(baseQuery.Where(In(fk, chunk)), item.Filter, surface), order);
                    foreach (var row in await q.Take(rc.Limits.MaxPageSize * 5).ToListAsync(rc.Aborted))
                    {
                        var pk = fkGet(row);
                        if (!result.TryGetValue(pk, out var list)) result[pk] = list = [];
                        if (list.Count < rc.Limits.MaxPageSize) list.Add(row);
                        all.Add(row);
                    }
                }
            }
        }
        else
        {
            var byTarget = new Dictionary<Guid, List<Guid>>();
            foreach (var parent in parents)
            {
                var target = nav.TargetKey!(parent);
                if (target == Guid.Empty) continue;
                if (!byTarget.TryGetValue(target, out var owners)) byTarget[target] = owners = [];
                owners.Add(parentSet.KeyOf(parent));
            }
            foreach (var chunk in byTarget.Keys.Chunk(500))
            {
                foreach (var row in await baseQuery.Where(In(Key, chunk)).ToListAsync(rc.Aborted))
                {
                    foreach (var owner in byTarget[KeyOf(row)]) result[owner] = [row];
                    all.Add(row);
                }
            }
        }
        var nested = item.Child.Expands.Count == 0 ? null : await LoadExpansionsAsync(rc, companyId, all, item.Child);
        return (result, nested);
    }

    // ---- query building ----
    // Parsed options are shared between requests (QueryOptions.Parse), and a clause is only ever read on the surface it
    // was parsed for, so what it binds to is kept with it.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<FilterClause, Expression<Func<T, bool>>> _boundFilters = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<OrderByClause, List<OrderKey>> _boundOrders = new();

    private IQueryable<T> ApplyFilter(IQueryable<T> q, FilterClause? filter, Surfaces surface) =>
        filter is null ? q : q.Where(BoundFilter(filter, surface));

    private Expression<Func<T, bool>> BoundFilter(FilterClause filter, Surfaces surface) =>
        _boundFilters.GetValue(filter, f => QueryBinder.BindFilter<T>(f, name => FindField(name, surface)));

    private sealed record OrderKey(LambdaExpression Selector, bool Descending);

    private List<OrderKey> OrderKeys(OrderByClause? orderBy, Surfaces surface) =>
        orderBy is null ? BindOrderKeys(null, surface) : _boundOrders.GetValue(orderBy, _ => BindOrderKeys(orderBy, surface));

    private List<OrderKey> BindOrderKeys(OrderByClause? orderBy, Surfaces surface)
    {
        var keys = new List<OrderKey>();
        for (var o = orderBy; o is not null; o = o.ThenBy)
            keys.Add(new OrderKey(QueryBinder.BindOrderKey<T>(o.Expression, name => FindField(name, surface)), o.Direction == OrderByDirection.Descending));
        if (orderBy is null) keys.AddRange(DefaultOrder.Select(d => new OrderKey(d, false)));
        keys.Add(new OrderKey(Key, false));
        return keys;
    }

    private static readonly MethodInfo OrderByMethod = QueryableMethod(nameof(Queryable.OrderBy));
    private static readonly MethodInfo OrderByDescMethod = QueryableMethod(nameof(Queryable.OrderByDescending));
    private static readonly MethodInfo ThenByMethod = QueryableMethod(nameof(Queryable.ThenBy));
    private static readonly MethodInfo ThenByDescMethod = QueryableMethod(nameof(Queryable.ThenByDescending));

    private static MethodInfo QueryableMethod(string name) =>
        typeof(Queryable).GetMethods().Single(m => m.Name == name && m.GetParameters().Length == 2);

    private static IQueryable<T> ApplyOrder(IQueryable<T> q, List<OrderKey> keys)
    {
        var expr = q.Expression;
        for (var i = 0; i < keys.Count; i++)
        {
            var k = keys[i];
            var method = i == 0 ? (k.Descending ? OrderByDescMethod : OrderByMethod) : (k.Descending ? ThenByDescMethod : ThenByMethod);
            expr = Expression.Call(method.MakeGenericMethod(typeof(T), k.Selector.ReturnType), expr, Expression.Quote(k.Selector));
        }
        return q.Provider.CreateQuery<T>(expr);
    }

    private int PageSize(RequestContext rc, ResponseBuilder response)
    {
        var size = rc.Limits.MaxPageSize;
        var prefer = rc.Header("Prefer");
        if (prefer is null) return size;
        foreach (var part in prefer.Split(',', StringSplitOptions.TrimEntries))
        {
            const string name = "odata.maxpagesize=";
            if (part.StartsWith(name, StringComparison.OrdinalIgnoreCase) &&
                int.TryParse(part.AsSpan(name.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                size = Math.Min(n, size);
                response.Headers["Preference-Applied"] = "odata.maxpagesize=" + size.ToString(CultureInfo.InvariantCulture);
            }
        }
        return size;
    }

    // ---- keyset paging: the skiptoken carries the order-key values of the last row of the page ----
    private static string Signature(QueryOptions q)
    {
        q.Raw.TryGetValue("$filter", out var f);
        q.Raw.TryGetValue("$orderby", out var o);
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes((f ?? "") + "\n" + (o ?? "")));
        return Convert.ToHexString(hash, 0, 6);
    }

    private string NextLink(RequestContext rc, QueryOptions query, List<OrderKey> order, T last, string signature, long remaining)
    {
        var values = new List<string>();
        foreach (var k in order) values.Add(TokenValue(k.Selector.Compile().DynamicInvoke(last)));
        var token = signature + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(values, TokenJson.Default.ListString));
        var sb = new StringBuilder();
        foreach (var (name, value) in query.Raw)
        {
            if (name is "$skip" or "$skiptoken" or "$top") continue;
            sb.Append(sb.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name).Replace("%24", "$", StringComparison.Ordinal)).Append('=').Append(Uri.EscapeDataString(value));
        }
        if (query.Top is not null) sb.Append(sb.Length == 0 ? '?' : '&').Append("$top=").Append(remaining.ToString(CultureInfo.InvariantCulture));
        sb.Append(sb.Length == 0 ? '?' : '&').Append("$skiptoken=").Append(token);
        return rc.ServiceRoot + rc.RelativePath + sb;
    }

    private static string TokenValue(object? v) => v switch
    {
        Guid g => g.ToString("D"),
        string s => s,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.Ticks.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "1" : "0",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };

    private static Expression<Func<T, bool>> AfterToken(List<OrderKey> order, string token, string signature)
    {
        List<string>? values = null;
        var dot = token.IndexOf('.');
        if (dot > 0 && token[..dot] == signature)
        {
            try { values = JsonSerializer.Deserialize(FromBase64Url(token[(dot + 1)..]), TokenJson.Default.ListString); }
            catch (Exception e) when (e is FormatException or JsonException) { values = null; }
        }
        if (values is null || values.Count != order.Count)
            throw ApiErrors.QueryOption("The $skiptoken is not valid for this query; start again from the first page.");

        var p = Expression.Parameter(typeof(T), "x");
        Expression? result = null;
        Expression? prefix = null;
        for (var i = 0; i < order.Count; i++)
        {
            var column = Rebind(order[i].Selector, p);
            var constant = Parse(values[i], column.Type);
            var after = order[i].Descending ? QueryBinder.GreaterThan(constant, column) : QueryBinder.GreaterThan(column, constant);
            var term = prefix is null ? after : Expression.AndAlso(prefix, after);
            result = result is null ? term : Expression.OrElse(result, term);
            var eq = Expression.Equal(column, constant);
            prefix = prefix is null ? eq : Expression.AndAlso(prefix, eq);
        }
        return Expression.Lambda<Func<T, bool>>(result!, p);
    }

    private static Expression Parse(string value, Type type)
    {
        object parsed;
        try
        {
            parsed = type == typeof(Guid) ? Guid.Parse(value)
                : type == typeof(string) ? value
                : type == typeof(DateOnly) ? DateOnly.ParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture)
                : type == typeof(DateTime) ? new DateTime(long.Parse(value, CultureInfo.InvariantCulture), DateTimeKind.Utc)
                : type == typeof(long) ? long.Parse(value, CultureInfo.InvariantCulture)
                : type == typeof(int) ? int.Parse(value, CultureInfo.InvariantCulture)
                : type == typeof(bool) ? value == "1"
                : throw ApiErrors.QueryOption("The $skiptoken is not valid for this query.");
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw ApiErrors.QueryOption("The $skiptoken is not valid for this query; start again from the first page.");
        }
        // A captured variable becomes a SQL parameter, so the token can never change the shape of the query.
        return Capture(parsed, type);
    }

    private static Expression Capture(object value, Type type)
    {
        var holder = Activator.CreateInstance(typeof(ValueHolder<>).MakeGenericType(type), value)!;
        return Expression.Field(Expression.Constant(holder), "Value");
    }

    private static Expression Rebind(LambdaExpression lambda, ParameterExpression p) =>
        new ParameterReplacer(lambda.Parameters[0], p).Visit(lambda.Body);

    private sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }

    protected static Expression<Func<T, bool>> Equal(Expression<Func<T, Guid>> column, Guid value)
    {
        var body = Expression.Equal(column.Body, Capture(value, typeof(Guid)));
        return Expression.Lambda<Func<T, bool>>(body, column.Parameters);
    }

    private static Expression<Func<T, bool>> In(Expression<Func<T, Guid>> column, Guid[] values)
    {
        var contains = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(Guid)], Capture(values, typeof(Guid[])), column.Body);
        return Expression.Lambda<Func<T, bool>>(contains, column.Parameters);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}

/// <summary>Holds a value captured into a LINQ expression, so that EF Core sends it as a SQL parameter.</summary>
internal sealed class ValueHolder<TValue>(TValue value)
{
    public readonly TValue Value = value;
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class TokenJson : System.Text.Json.Serialization.JsonSerializerContext;
