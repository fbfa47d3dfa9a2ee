using System.Text;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>What a resource path ends in.</summary>
public enum PathTarget { Collection, Entity, SingleNavigation, Action, Count }

/// <summary>How a step reaches its set: the companies root, a set under the company, or a navigation from the step before.</summary>
public enum StepKind { Companies, CompanySet, Navigation, SingleNavigation }

/// <summary>
/// One entity set on a resource path, with its key when the segment has one.
/// </summary>
/// <param name="Via">the navigation of a <see cref="StepKind.Navigation"/> or <see cref="StepKind.SingleNavigation"/> step</param>
/// <param name="KeyParent">the parent half of a two-part key (<see cref="EntitySetDef.ParentKey"/>)</param>
/// <param name="Next">the name of the segment that follows, null at the end of the path</param>
public sealed record PathStep(StepKind Kind, EntitySetDef Set, NavigationDef? Via, Guid? Key, Guid? KeyParent, string? Next);

/// <summary>
/// A resource path read against the catalog before anything is loaded. The grammar:
/// <code>
/// companies[(key)]                                      the companies, or one company
///   /set[(key)]                                         a set the surface serves under the company
///   ( /navigation[(key)] | /singleNavigation )*         from an entity: a contained or linked collection, or one entity
///   [ /$count | /Microsoft.NAV.action ]                 $count of a collection, or an action bound to an entity
/// </code>
/// A key is (guid), (id=guid), ('guid'), or on Graph a segment of its own (companies/guid); a set with a two-part key
/// takes (parentProperty=guid,id=guid). A path that breaks the grammar keeps the steps before the bad segment in
/// <see cref="Steps"/> and its error in <see cref="Error"/>: those steps are checked first (a missing company is a
/// 404 for the company whatever follows), then the error is raised.
/// </summary>
public sealed class ResourcePath
{
    private readonly List<PathStep> _steps = new(4);
    private readonly List<string> _edmPath = new(4);

    public IReadOnlyList<PathStep> Steps => _steps;
    public PathTarget Target { get; private set; } = PathTarget.Collection;
    /// <summary>The action's name without its namespace (post), for <see cref="PathTarget.Action"/>.</summary>
    public string? Action { get; private set; }
    /// <summary>The path as @odata.context and Location name it: companies(id)/set(key)/navigation..., keys as read.</summary>
    public string Context { get; private set; } = "";
    /// <summary>The set names of the path without keys, as the EDM model knows them (the query options' cache key).</summary>
    public IReadOnlyList<string> EdmPath => _edmPath;
    public string EdmPathText => string.Join("/", _edmPath);
    /// <summary>Where the path breaks the grammar; null for a path that keeps it.</summary>
    public ApiException? Error { get; private set; }

    /// <summary>The set the path ends in (or before its $count or action).</summary>
    public EntitySetDef Set => _steps[^1].Set;

    /// <summary><see cref="Context"/> without the last key: the collection of an entity the path ends in.</summary>
    public string CollectionContext
    {
        get
        {
            var i = Context.LastIndexOf('(');
            return i > Context.LastIndexOf('/') ? Context[..i] : Context;
        }
    }

    private ResourcePath() { }

    /// <summary>Reads a path (below the surface's root, still URL-encoded); never throws: an error goes to <see cref="Error"/>.</summary>
    public static ResourcePath Parse(Catalog catalog, Surface surface, string path)
    {
        var result = new ResourcePath();
        try
        {
            result.Read(catalog, surface, path);
        }
        catch (ApiException e)
        {
            result.Error = e;
        }
        return result;
    }

    private void Read(Catalog catalog, Surface surface, string path)
    {
        var segments = Split(path, surface);
        if (segments.Count == 0) throw ApiErrors.ResourceNotFound("");
        if (segments[0].Name != catalog.Companies.Name) throw ApiErrors.ResourceNotFound(segments[0].Name);

        EntitySetDef set = catalog.Companies;
        var context = new StringBuilder(catalog.Companies.Name);
        _edmPath.Add(catalog.Companies.Name);
        try
        {
            for (var i = 0; i < segments.Count; i++)
            {
                var seg = segments[i];
                var next = i + 1 < segments.Count ? segments[i + 1].Name : null;
                var kind = StepKind.Companies;
                NavigationDef? via = null;
                if (i > 0)
                {
                    if (Target is PathTarget.Action or PathTarget.Count) throw ApiErrors.ResourceNotFound(seg.Name);
                    if (Target == PathTarget.Collection)
                    {
                        if (seg.Name == "$count" && seg.Key is null) { Target = PathTarget.Count; continue; }
                        throw ApiErrors.ResourceNotFound(seg.Name);
                    }
                    // From an entity: an action, a company-level set, or a navigation.
                    if (seg.Key is null && ActionOf(seg.Name, set, surface) is { } named)
                    {
                        Target = PathTarget.Action;
                        Action = named;
                        continue;
                    }
                    if (set == catalog.Companies)
                    {
                        set = catalog.CompanySet(seg.Name, surface) ?? throw catalog.NotUnderCompany(seg.Name, surface);
                        kind = StepKind.CompanySet;
                    }
                    else
                    {
                        via = set.FindNavigation(seg.Name, surface.Kind) is { } found && surface.Serves(found) ? found : throw ApiErrors.ResourceNotFound(seg.Name);
                        set = catalog.Set(via.TargetSet);
                        kind = via.IsCollection ? StepKind.Navigation : StepKind.SingleNavigation;
                        if (!via.IsCollection && seg.Key is not null) throw ApiErrors.ResourceNotFound(seg.Name);
                    }
                    context.Append('/').Append(seg.Name);
                    _edmPath.Add(seg.Name);
                    if (kind == StepKind.SingleNavigation)
                    {
                        _steps.Add(new PathStep(kind, set, via, null, null, next));
                        Target = PathTarget.SingleNavigation;
                        continue;
                    }
                }
                Target = PathTarget.Collection;
                Guid? key = null, keyParent = null;
                if (seg.Key is not null)
                {
                    if (set.ParentKey is { } pk)
                    {
                        var (parentId, id) = ParseParentKey(seg, pk.Property);
                        (keyParent, key) = (parentId, id);
                        context.Append('(').Append(pk.Property).Append('=').Append(parentId.ToString("D")).Append(",id=").Append(id.ToString("D")).Append(')');
                    }
                    else
                    {
                        key = ParseKey(seg);
                        context.Append('(').Append(key.Value.ToString("D")).Append(')');
                    }
                    Target = PathTarget.Entity;
                }
                _steps.Add(new PathStep(kind, set, via, key, keyParent, next));
            }
        }
        finally
        {
            Context = context.ToString();
        }
    }

    /// <summary>A segment of the path: its name and what stood between its parentheses (or after it, on Graph).</summary>
    public sealed record Segment(string Name, string? Key);

    /// <summary>Splits a resource path into segments; on Graph a bare GUID after a collection is its key (companies/{id}).</summary>
    public static List<Segment> Split(string path, Surface surface)
    {
        var result = new List<Segment>();
        foreach (var raw in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = WellFormed.Unescape(raw, "URL path");
            var open = part.IndexOf('(');
            if (open > 0 && part[^1] == ')')
            {
                result.Add(new Segment(part[..open], part[(open + 1)..^1]));
                continue;
            }
            if (open >= 0) throw ApiErrors.ResourceNotFound(ApiErrors.Echo(part));
            if (surface.KeyAsSegment && result.Count > 0 && result[^1].Key is null && LooksLikeKey(part) && !part.StartsWith('$'))
            {
                result[^1] = result[^1] with { Key = part };
                continue;
            }
            result.Add(new Segment(part, null));
        }
        return result;
    }

    private static bool LooksLikeKey(string s) => s.Length >= 32 && s.Length <= 40 && s.All(c => char.IsAsciiHexDigit(c) || c == '-' || c == '{' || c == '}');

    /// <summary>The key of a one-part segment: set(guid), set(id=guid) or set('guid').</summary>
    public static Guid ParseKey(Segment seg)
    {
        var k = seg.Key!;
        if (k.StartsWith("id=", StringComparison.Ordinal)) k = k[3..];
        return ParseGuid(seg.Name + " key", k);
    }

    /// <summary>A two-part key, name=value pairs in either order: set(parentId={pid},id={id}).</summary>
    private static (Guid Parent, Guid Id) ParseParentKey(Segment seg, string parentProperty)
    {
        Guid? parent = null, id = null;
        var parts = seg.Key!.Split(',');
        foreach (var part in parts.Length == 2 ? parts : [])
        {
            var eq = part.IndexOf('=');
            var name = eq > 0 ? part[..eq].Trim() : "";
            if (name == parentProperty && parent is null) parent = ParseGuid(seg.Name + " " + name, part[(eq + 1)..].Trim());
            else if (name == "id" && id is null) id = ParseGuid(seg.Name + " id", part[(eq + 1)..].Trim());
        }
        if (parent is null || id is null)
            throw ApiErrors.BadRequest($"The key of {seg.Name} has two parts: write {seg.Name}({parentProperty}={{{parentProperty}}},id={{id}}).");
        return (parent.Value, id.Value);
    }

    private static Guid ParseGuid(string what, string k)
    {
        if (k.Length >= 2 && k[0] == '\'' && k[^1] == '\'') k = k[1..^1];
        if (!Guid.TryParseExact(k, "D", out var g)) throw ApiErrors.InvalidGuid(what, k);
        return g;
    }

    /// <summary>
    /// The bound action a path segment names on this set and surface (Microsoft.NAV.{name}; on Graph also a bare "post"),
    /// or null. The actions are the set's <see cref="EntitySetDef.Actions"/> that the surface serves.
    /// </summary>
    private static string? ActionOf(string segment, EntitySetDef set, Surface surface)
    {
        string name;
        if (segment.StartsWith(Catalog.ActionNamespace + ".", StringComparison.Ordinal)) name = segment[(Catalog.ActionNamespace.Length + 1)..];
        else if (surface.IsGraph && segment == "post") name = "post";
        else return null;
        return surface.Accepts(set, name) ? name : null;
    }
}
