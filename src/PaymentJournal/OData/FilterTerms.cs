using Microsoft.OData.UriParser;

namespace PaymentJournal.OData;

/// <summary>Reads what a $filter pins down, for sets whose reads must name a parent (journalId, parentId).</summary>
public static class FilterTerms
{
    /// <summary>
    /// The constant of a term `property eq constant` that every matching row satisfies: the term itself or one side
    /// of an `and`, at any depth. Null when the filter holds no such term (an `or` or a `not` pins nothing down).
    /// </summary>
    public static object? EqualTo(FilterClause? filter, string property) => filter is null ? null : EqualTo(filter.Expression, property);

    private static object? EqualTo(SingleValueNode node, string property) => node switch
    {
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } and => EqualTo(and.Left, property) ?? EqualTo(and.Right, property),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Equal } eq =>
            IsProperty(eq.Left, property) ? ConstantOf(eq.Right) : IsProperty(eq.Right, property) ? ConstantOf(eq.Left) : null,
        ConvertNode c => EqualTo(c.Source, property),
        _ => null,
    };

    private static bool IsProperty(SingleValueNode n, string property) => Unwrap(n) is SingleValuePropertyAccessNode p && p.Property.Name == property;
    private static object? ConstantOf(SingleValueNode n) => Unwrap(n) is ConstantNode c ? c.Value : null;
    private static SingleValueNode Unwrap(SingleValueNode n) => n is ConvertNode c ? Unwrap(c.Source) : n;
}
