using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.OData;

/// <summary>$expand: the rows of each expanded navigation, loaded for all the parents of a page at once.</summary>
public abstract partial class EntitySet<T> where T : class
{
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
}
