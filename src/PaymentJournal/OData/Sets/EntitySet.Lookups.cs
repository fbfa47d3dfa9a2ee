using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.OData;

/// <summary>Reads by key: a statement kept prepared where the set allows it, else a query EF Core compiled once per shape.</summary>
public abstract partial class EntitySet<T> where T : class
{
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
}
