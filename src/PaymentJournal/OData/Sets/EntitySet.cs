using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// The typed pipeline of one entity set, one part per file: the set's definition and the hooks features override
/// (here), the rows a scope sees (EntitySet.Scope.cs), reads by key (EntitySet.Lookups.cs), lists, $count and keyset
/// paging (EntitySet.Lists.cs), $expand (EntitySet.Expand.cs) and the JSON writer driven by the field definitions
/// (EntitySet.Json.cs). Features override the Create/Update/Delete/Invoke hooks with their rules.
/// </summary>
public abstract partial class EntitySet<T> : EntitySetDef where T : class
{
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
}
