using PaymentJournal.OData;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// Every route a company has, generated from the catalog: each company-level set, its $count and keyed entity,
/// every navigation (collection or single) to a depth of three, every bound action and an $expand of each navigation.
/// </summary>
public static class CatalogRoutes
{
    public static List<string> For(Catalog catalog, string surfaceRoot, string companyId, Func<string, Guid> keyOf)
    {
        var surface = surfaceRoot == ServiceFixture.Graph ? catalog.Graph : catalog.V2;
        var routes = new List<string>();
        string Keyed(string path, Guid key) => surface.IsGraph ? $"{path}/{key:D}" : $"{path}({key:D})";
        // A two-part key (dimensionLines) names the parent's row too: the row of the parent's set.
        string Key(EntitySetDef set, string path) => set.ParentKey is { } pk
            ? $"{path}({pk.Property}={keyOf(pk.ParentSet):D},id={keyOf(set.Name):D})"
            : Keyed(path, keyOf(set.Name));

        void Collection(EntitySetDef set, string path, int depth)
        {
            routes.Add(path);
            routes.Add(path + "/$count");
            foreach (var nav in set.Navigations.Where(n => n.On(surface.Kind))) routes.Add(path + "?$expand=" + nav.Name);
            Entity(set, Key(set, path), depth);
        }

        void Entity(EntitySetDef set, string path, int depth)
        {
            routes.Add(path);
            foreach (var action in set.Actions)
            {
                routes.Add(path + "/Microsoft.NAV." + action);
                if (surface.IsGraph) routes.Add(path + "/" + action);
            }
            if (depth > 3) return;
            foreach (var nav in set.Navigations.Where(n => n.On(surface.Kind)))
            {
                routes.Add(path + "?$expand=" + nav.Name);
                var target = catalog.Set(nav.TargetSet);
                if (nav.IsCollection) Collection(target, path + "/" + nav.Name, depth + 1);
                else Entity(target, path + "/" + nav.Name, depth + 1);
            }
        }

        var company = ServiceFixture.CompanyPath(surfaceRoot, companyId);
        Entity(catalog.Companies, company, 0);
        foreach (var set in catalog.Sets.Where(s => s.CompanyLevelOn(surface.Kind) && s != catalog.Companies && s.On(surface.Kind)))
            Collection(set, company + "/" + set.Name, 1);
        return routes.Distinct().ToList();
    }
}
