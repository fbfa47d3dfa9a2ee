using Microsoft.OData.Edm;

namespace PaymentJournal.OData;

/// <summary>
/// One API root: Business Central API v2.0, Microsoft Graph beta financials, or one of our own API groups (which
/// have v2.0's shapes). Says which entity sets and actions it serves, and holds its EDM model and $metadata.
/// </summary>
public sealed class Surface
{
    /// <summary>The field set and URL conventions: v2.0's (the API groups too) or Graph's.</summary>
    public required Surfaces Kind { get; init; }
    public required string Namespace { get; init; }
    /// <summary>Graph addresses keys as path segments (companies/{id}) as well as in parentheses.</summary>
    public required bool KeyAsSegment { get; init; }
    /// <summary>Set for one of our own API groups; null on the standard roots.</summary>
    public ApiGroup? Group { get; init; }
    /// <summary>What a context URL's fragment starts with before companies(...): Graph reaches companies through its financials singleton.</summary>
    public string ContextPrefix { get; init; } = "";
    public IEdmModel Model { get; set; } = null!;
    public string MetadataXml { get; set; } = "";

    /// <summary>Sets reachable directly under a company.</summary>
    internal HashSet<string> CompanySets { get; } = new(StringComparer.Ordinal);
    /// <summary>Every set served: the company-level ones and the sub-pages reached through them.</summary>
    internal HashSet<string> AllSets { get; } = new(StringComparer.Ordinal);
    /// <summary>Bound actions in $metadata, as "set/action".</summary>
    internal HashSet<string> AdvertisedActions { get; } = new(StringComparer.Ordinal);
    /// <summary>Bound actions accepted though not in $metadata (kept for clients that depend on them).</summary>
    internal HashSet<string> AliasActions { get; } = new(StringComparer.Ordinal);

    /// <summary>Parsed query options by resource path and options (see <see cref="QueryOptions.Parse"/>).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<string, QueryOptions> ParsedQueries { get; } = new(StringComparer.Ordinal);

    public bool IsV2 => Kind == Surfaces.V2;
    public bool IsGraph => Kind == Surfaces.Graph;

    public bool Serves(EntitySetDef set) => AllSets.Contains(set.Name);
    public bool Serves(NavigationDef nav) => nav.On(Kind) && AllSets.Contains(nav.TargetSet);
    public bool Accepts(EntitySetDef set, string action) =>
        AdvertisedActions.Contains(set.Name + "/" + action) || AliasActions.Contains(set.Name + "/" + action);
}
