using System.Globalization;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// The system query options of one request, parsed with Microsoft.OData.Core against the surface's EDM model
/// and checked against the limits before any query reaches the database.
/// </summary>
public sealed class QueryOptions
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "$filter", "$orderby", "$select", "$expand", "$top", "$skip", "$count", "$skiptoken", "$format", "$schemaversion",
    };

    public static readonly QueryOptions Empty = new() { Raw = new Dictionary<string, string>() };

    public required IReadOnlyDictionary<string, string> Raw { get; init; }
    public FilterClause? Filter { get; init; }
    public OrderByClause? OrderBy { get; init; }
    public SelectExpandClause? SelectExpand { get; init; }
    public long? Top { get; init; }
    public long? Skip { get; init; }
    public bool Count { get; init; }
    public string? SkipToken { get; init; }
    public IEdmNavigationSource? Source { get; init; }
    public bool IsEmpty => Raw.Count == 0;

    /// <summary>Splits a raw query string ("?a=b&amp;c=d") into decoded options; a repeated option is a 400.</summary>
    public static Dictionary<string, string> SplitQuery(string? queryString)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(queryString) || queryString == "?") return result;
        var q = queryString[0] == '?' ? queryString[1..] : queryString;
        foreach (var part in q.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            string name, value;
            try
            {
                name = WellFormed.Unescape((eq < 0 ? part : part[..eq]).Replace('+', ' '), "query string");
                value = eq < 0 ? "" : WellFormed.Unescape(part[(eq + 1)..].Replace('+', ' '), "query string");
            }
            catch (UriFormatException)
            {
                throw ApiErrors.QueryOption("The query string is not correctly percent-encoded.");
            }
            if (!result.TryAdd(name.Trim(), value))
                throw ApiErrors.QueryOption($"The query option '{ApiErrors.Echo(name)}' is given more than once.");
        }
        return result;
    }

    private const int MaxParsedQueries = 4096;

    /// <summary>
    /// Parses the options for a request addressing <paramref name="set"/> (a collection or one entity) through the EDM
    /// path <paramref name="edmPath"/>. A client repeats the same few queries (page after page), so the parsed options
    /// are kept per surface, path and options, $skiptoken aside; the parsed trees are only read afterwards.
    /// </summary>
    public static QueryOptions Parse(IReadOnlyDictionary<string, string> raw, Surface surface, EntitySetDef set, string edmPath,
        Func<IEdmNavigationSource> sourceOf, Limits limits, bool collection)
    {
        if (raw.Count == 0) return new QueryOptions { Raw = raw };
        raw.TryGetValue("$skiptoken", out var token);
        var key = new System.Text.StringBuilder(edmPath).Append(collection ? "|c" : "|e").Append(string.IsNullOrEmpty(token) ? "|-" : "|t");
        foreach (var (name, value) in raw.OrderBy(o => o.Key, StringComparer.Ordinal))
            // Custom options (no '$') are ignored by the parse, so they do not make an entry of their own.
            if (name.StartsWith('$') && name != "$skiptoken") key.Append('|').Append(name).Append('=').Append(value);
        var cacheKey = key.ToString();
        if (!surface.ParsedQueries.TryGetValue(cacheKey, out var parsed))
        {
            parsed = ParseCore(raw, surface, set, sourceOf, limits, collection);
            if (surface.ParsedQueries.Count < MaxParsedQueries) surface.ParsedQueries.TryAdd(cacheKey, parsed);
        }
        // Only the token differs between requests that share an entry (and whether there is one is part of the key).
        return new QueryOptions
        {
            Raw = raw, Filter = parsed.Filter, OrderBy = parsed.OrderBy, SelectExpand = parsed.SelectExpand, Top = parsed.Top, Skip = parsed.Skip,
            Count = parsed.Count, SkipToken = parsed.SkipToken is null ? null : token, Source = parsed.Source,
        };
    }

    private static QueryOptions ParseCore(IReadOnlyDictionary<string, string> raw, Surface surface, EntitySetDef set, Func<IEdmNavigationSource> sourceOf,
        Limits limits, bool collection)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in raw)
        {
            if (!name.StartsWith('$')) continue; // custom query options are ignored, as OData allows
            if (!Known.Contains(name))
                throw ApiErrors.NotSupported($"The query option '{ApiErrors.Echo(name)}'");
            if (name is "$format")
            {
                if (!value.StartsWith("json", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                    throw ApiErrors.NotSupported($"The format '{ApiErrors.Echo(value)}'");
                continue;
            }
            if (name is "$schemaversion") continue;
            if (!collection && name is "$filter" or "$orderby" or "$top" or "$skip" or "$count" or "$skiptoken")
                throw ApiErrors.QueryOption($"The query option '{name}' is only allowed on a collection.");
            options[name] = name is "$filter" or "$expand" ? InLists.Rewrite(value) : value;
        }
        if (options.Count == 0) return new QueryOptions { Raw = raw };
        var source = sourceOf();

        var entityType = (IEdmEntityType)source.EntityType;
        var parser = new ODataQueryOptionParser(surface.Model, entityType, source, options)
        {
            Resolver = new StringAsEnumResolver { EnableCaseInsensitive = false },
        };
        parser.Settings.MaximumExpansionDepth = limits.MaxExpandDepth;
        parser.Settings.MaximumExpansionCount = 10;
        try
        {
            var filter = parser.ParseFilter();
            if (filter is not null && QueryBinder.CountNodes(filter.Expression) > limits.MaxFilterNodes)
                throw ApiErrors.QueryOption($"The $filter has more than {limits.MaxFilterNodes} nodes.");
            var orderBy = parser.ParseOrderBy();
            var keys = 0;
            for (var o = orderBy; o is not null; o = o.ThenBy) keys++;
            if (keys > limits.MaxOrderByKeys)
                throw ApiErrors.QueryOption($"The $orderby has more than {limits.MaxOrderByKeys} keys.");
            var selectExpand = parser.ParseSelectAndExpand();
            var top = parser.ParseTop();
            var skip = parser.ParseSkip();
            if (top is < 0 || skip is < 0) throw ApiErrors.QueryOption("$top and $skip must not be negative.");
            if (top > limits.MaxTop) throw ApiErrors.QueryOption($"$top must not exceed {limits.MaxTop}.");
            if (skip > limits.MaxSkip) throw ApiErrors.QueryOption($"$skip must not exceed {limits.MaxSkip}.");
            var count = parser.ParseCount() ?? false;
            options.TryGetValue("$skiptoken", out var skipToken);
            return new QueryOptions
            {
                Raw = raw, Filter = filter, OrderBy = orderBy, SelectExpand = selectExpand, Top = top, Skip = skip, Count = count,
                SkipToken = string.IsNullOrEmpty(skipToken) ? null : skipToken, Source = source,
            };
        }
        catch (ODataException ex)
        {
            throw ApiErrors.QueryOption(ex.Message);
        }
        catch (FormatException ex)
        {
            throw ApiErrors.QueryOption(ex.Message);
        }
        catch (OverflowException)
        {
            throw ApiErrors.QueryOption("A number in the query is out of range.");
        }
    }

}
