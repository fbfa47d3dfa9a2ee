using System.Linq.Expressions;

namespace PaymentJournal.OData;

/// <summary>A navigation property from one entity set's type to another.</summary>
public sealed class NavigationDef
{
    public required string Name { get; init; }
    public required string TargetSet { get; init; }
    public required bool IsCollection { get; init; }
    public Surfaces Surfaces { get; init; } = Surfaces.Both;
    /// <summary>For a collection: the child's foreign key to the parent (child => child.JournalId).</summary>
    public LambdaExpression? ChildForeignKey { get; init; }
    /// <summary>For a single entity: the key of the target, read from the parent (payment => payment.CustomerId).</summary>
    public Func<object, Guid>? TargetKey { get; init; }
    /// <summary>Business Central nests journal lines under their journal (page parts): the target is contained.</summary>
    public bool Contained { get; init; }
    /// <summary>A deep insert may carry this collection in the parent's POST body.</summary>
    public bool DeepInsert { get; init; }

    public bool On(Surfaces surface) => (Surfaces & surface) != 0;
}
