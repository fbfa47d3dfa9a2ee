using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.OData;

/// <summary>The rows a scope sees: the company's, and a parent's when reached through a navigation; and the predicates that filter them.</summary>
public abstract partial class EntitySet<T> where T : class
{
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
}

/// <summary>Holds a value captured into a LINQ expression, so that EF Core sends it as a SQL parameter.</summary>
internal sealed class ValueHolder<TValue>(TValue value)
{
    public readonly TValue Value = value;
}
