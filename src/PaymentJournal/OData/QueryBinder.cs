using System.Linq.Expressions;
using Microsoft.OData.UriParser;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

// Placeholder until the binder lands.
public static class QueryBinder
{
    public static Expression<Func<T, bool>> BindFilter<T>(FilterClause filter, Func<string, FieldDef?> resolveField) =>
        throw ApiErrors.NotSupported("$filter");
    public static LambdaExpression BindOrderKey<T>(SingleValueNode node, Func<string, FieldDef?> resolveField) =>
        throw ApiErrors.NotSupported("$orderby");
    public static Expression GreaterThan(Expression left, Expression right) => Expression.GreaterThan(left, right);
    public static int CountNodes(QueryNode node) => 1;
}
