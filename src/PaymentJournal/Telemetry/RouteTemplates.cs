using System.Collections.Concurrent;
using PaymentJournal.OData;

namespace PaymentJournal.Telemetry;

/// <summary>
/// A request path as its route template, for logs and metrics: keys and ids become {id}, the online form's tenant and
/// environment {tenant}/{environment}, and any name the service does not know {other}, so the set of templates stays
/// small whatever clients send. The company id, when the path names one, comes out beside it.
/// </summary>
public sealed class RouteTemplates
{
    private const int MaxTemplates = 2000;
    private readonly HashSet<string> _names;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _nameLookup;
    private readonly ConcurrentDictionary<string, string> _templates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public RouteTemplates(Catalog catalog)
    {
        _names = new HashSet<string>(StringComparer.Ordinal)
        {
            "api", "v2.0", "beta", "financials", "health", "live", "ready", "metrics", "$metadata", "$batch", "$count", "post",
        };
        foreach (var set in catalog.Sets)
        {
            _names.Add(set.Name);
            foreach (var nav in set.Navigations) _names.Add(nav.Name);
            foreach (var action in set.Actions) _names.Add(Catalog.ActionNamespace + "." + action);
        }
        _nameLookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
        _lookup = _templates.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The template of <paramref name="path"/>, and the company id it names (or null).</summary>
    public string Of(string path, out Guid? company)
    {
        company = UrlParts.CompanyOf(path);
        Span<char> buffer = stackalloc char[256];
        var length = 0;
        var rest = path.AsSpan();
        var index = 0;
        while (rest.Length > 0)
        {
            if (rest[0] == '/') { rest = rest[1..]; continue; }
            var end = rest.IndexOf('/');
            var segment = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[end..];
            ReadOnlySpan<char> part;
            ReadOnlySpan<char> key = default;
            var open = segment.IndexOf('(');
            if (open > 0 && segment[^1] == ')') { key = segment[(open + 1)..^1]; segment = segment[..open]; }
            if (index is 1 or 2 && path.StartsWith("/v2.0/", StringComparison.Ordinal)) part = index == 1 ? "{tenant}" : "{environment}";
            else if (segment.Length == 36 && Guid.TryParse(segment, out _)) part = "{id}";
            else part = _nameLookup.Contains(segment) ? segment : "{other}";
            var needed = 1 + part.Length + (key.IsEmpty ? 0 : 6);
            if (length + needed > buffer.Length) return "{other}";
            buffer[length++] = '/';
            part.CopyTo(buffer[length..]);
            length += part.Length;
            if (!key.IsEmpty) { "({id})".CopyTo(buffer[length..]); length += 6; }
            index++;
        }
        if (length == 0) return "/";
        var template = buffer[..length];
        if (_lookup.TryGetValue(template, out var known)) return known;
        if (_templates.Count >= MaxTemplates) return "{other}";
        var text = template.ToString();
        return _templates.GetOrAdd(text, text);
    }
}
