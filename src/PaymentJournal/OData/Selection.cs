using Microsoft.OData.UriParser;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>What to write of each entity: the $select-ed fields (null = all) and the $expand-ed navigations.</summary>
public sealed class Selection
{
    public static readonly Selection All = new();
    public IReadOnlyList<FieldDef>? Fields { get; init; }
    public IReadOnlyList<ExpandItem> Expands { get; init; } = [];

    public static Selection From(SelectExpandClause? clause, EntitySetDef set, Catalog catalog, Surfaces surface)
    {
        if (clause is null) return All;
        List<FieldDef>? fields = null;
        var expands = new List<ExpandItem>();
        foreach (var item in clause.SelectedItems)
        {
            switch (item)
            {
                case PathSelectItem { SelectedPath.LastSegment: PropertySegment ps }:
                    fields ??= [];
                    var f = set.FindField(ps.Property.Name, surface) ?? throw ApiErrors.QueryOption($"Unknown property '{ps.Property.Name}' in $select.");
                    if (!fields.Contains(f)) fields.Add(f);
                    break;
                case PathSelectItem { SelectedPath.LastSegment: NavigationPropertySegment }:
                    break; // selecting a navigation link writes nothing in odata.metadata=minimal
                case WildcardSelectItem:
                    fields = null;
                    break;
                case ExpandedNavigationSelectItem ex:
                    var navName = ex.PathToNavigationProperty.LastSegment.Identifier;
                    var nav = set.FindNavigation(navName, surface) ?? throw ApiErrors.QueryOption($"Unknown navigation '{navName}' in $expand.");
                    var target = catalog.Set(nav.TargetSet);
                    if (ex.LevelsOption is not null || ex.SearchOption is not null || ex.ComputeOption is not null || ex.ApplyOption is not null)
                        throw ApiErrors.NotSupported("$levels, $search, $compute and $apply inside $expand");
                    if (!nav.IsCollection && (ex.FilterOption is not null || ex.OrderByOption is not null || ex.TopOption is not null || ex.SkipOption is not null))
                        throw ApiErrors.QueryOption($"$filter, $orderby, $top and $skip cannot be applied to the single-valued navigation '{navName}'.");
                    if (ex.CountOption == true) throw ApiErrors.NotSupported("$count inside $expand");
                    expands.Add(new ExpandItem
                    {
                        Nav = nav, Target = target, Filter = ex.FilterOption, OrderBy = ex.OrderByOption, Top = ex.TopOption, Skip = ex.SkipOption,
                        Child = From(ex.SelectAndExpand, target, catalog, surface),
                    });
                    break;
                default:
                    throw ApiErrors.NotSupported($"The select item '{item.GetType().Name}'");
            }
        }
        // Only what was selected: Business Central adds @odata.etag but not the key (full metadata's links still carry it).
        return new Selection { Fields = fields, Expands = expands };
    }

    /// <summary>The $select part of a context URL, e.g. (id,amount); empty when everything is selected.</summary>
    public string ContextSuffix()
    {
        if (Fields is null && Expands.Count == 0) return "";
        var parts = new List<string>();
        if (Fields is not null) parts.AddRange(Fields.Select(f => f.Name));
        else if (Expands.Count > 0) parts.Add("*");
        parts.AddRange(Expands.Select(e => e.Nav.Name + "(" + (e.Child.ContextSuffix() is { Length: > 0 } s ? s[1..^1] : "") + ")"));
        return "(" + string.Join(",", parts) + ")";
    }
}

public sealed class ExpandItem
{
    public required NavigationDef Nav { get; init; }
    public required EntitySetDef Target { get; init; }
    public FilterClause? Filter { get; init; }
    public OrderByClause? OrderBy { get; init; }
    public long? Top { get; init; }
    public long? Skip { get; init; }
    public required Selection Child { get; init; }
}

/// <summary>Entities loaded for $expand: per navigation, the targets of every parent (by parent key), and their own expansions.</summary>
public sealed class ExpansionData
{
    public Dictionary<string, (Dictionary<Guid, List<object>> Items, ExpansionData? Nested)> ByNavigation { get; } = new(StringComparer.Ordinal);
}
