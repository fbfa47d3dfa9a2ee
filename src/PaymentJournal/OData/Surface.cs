using Microsoft.OData.Edm;

namespace PaymentJournal.OData;

/// <summary>One URL shape of the API: Business Central API v2.0 or Microsoft Graph beta financials.</summary>
public sealed class Surface
{
    public required Surfaces Kind { get; init; }
    public required string Namespace { get; init; }
    /// <summary>Graph addresses keys as path segments (companies/{id}) as well as in parentheses.</summary>
    public required bool KeyAsSegment { get; init; }
    public IEdmModel Model { get; set; } = null!;
    public string MetadataXml { get; set; } = "";

    /// <summary>Parsed query options by resource path and options (see <see cref="QueryOptions.Parse"/>).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<string, QueryOptions> ParsedQueries { get; } = new(StringComparer.Ordinal);

    public bool IsV2 => Kind == Surfaces.V2;
    public bool IsGraph => Kind == Surfaces.Graph;
}
