using System.Text.Json;
using PaymentJournal.Errors;

using PaymentJournal.Data;

namespace PaymentJournal.OData;

/// <summary>
/// The parent half of a two-part key: the key property that names the parent, the set the parent belongs to, and
/// the link from the parent to its children (whose foreign key scopes the lookup of the child's own key).
/// </summary>
/// <summary>A parameter of a bound action: Guid, String, Decimal or Int32.</summary>
public sealed record ActionParameter(string Name, FieldKind Kind, int MaxLength = 250);

public sealed record ParentKey(string Property, string ParentSet, NavigationDef Link);

/// <summary>What an entity's JSON depends on beside the entity: the surface, the format, and for full metadata its links.</summary>
public sealed class WriteOptions
{
    public required Surface Surface { get; init; }
    public required JsonFormat Format { get; init; }
    public required string ServiceRoot { get; init; }
    public required Catalog Catalog { get; init; }
    public Guid CompanyId { get; init; }
    public Surfaces Kind => Surface.Kind;
    public bool Full => Format.Metadata == MetadataLevel.Full;

    public static WriteOptions Of(RequestContext rc, Guid companyId) => new()
    {
        Surface = rc.Surface, Format = rc.Format, ServiceRoot = rc.ServiceRoot, Catalog = rc.Catalog, CompanyId = companyId,
    };
}

/// <summary>
/// An entity set as the router, $metadata and the query pipeline see it. <see cref="EntitySet{T}"/> implements the
/// typed parts; each feature folder declares one subclass with its fields, navigations and rules.
/// </summary>
public abstract class EntitySetDef
{
    /// <summary>The entity set name in URLs and $metadata, e.g. customerPayments.</summary>
    public abstract string Name { get; }
    /// <summary>The entity type name, e.g. customerPayment.</summary>
    public abstract string TypeName { get; }
    public virtual Surfaces Surfaces => Surfaces.Both;
    /// <summary>Reachable directly under a company (companies({id})/name); otherwise only through a navigation.</summary>
    public virtual bool CompanyLevel => true;
    /// <summary><see cref="CompanyLevel"/> on one surface (a set may be reached only through its parent on one of them).</summary>
    public virtual bool CompanyLevelOn(Surfaces surface) => CompanyLevel;
    public virtual bool CanCreate => false;
    public virtual bool CanUpdate => false;
    public virtual bool CanDelete => false;
    /// <summary>Bound actions (e.g. Microsoft.NAV.post) by name.</summary>
    public virtual IReadOnlyList<string> Actions => [];
    /// <summary>The JSON parameters of a bound action, all optional (none: the body must be empty or {}).</summary>
    public virtual IReadOnlyList<ActionParameter> ParametersOf(string action) => [];
    public abstract IReadOnlyList<FieldDef> AllFields { get; }
    public List<NavigationDef> Navigations { get; } = [];

    /// <summary>
    /// Set for an entity set keyed by its parent's key and its own, as API v1.0's dimensionLines(parentId={pid},id={id});
    /// the keys of every other set are one GUID.
    /// </summary>
    public virtual ParentKey? ParentKey => null;

    /// <summary>The key as it appears between the parentheses of a URL (Location, @odata.context).</summary>
    public virtual string KeyText(object entity) => KeyOf(entity).ToString("D");

    private Dictionary<string, FieldDef>? _byName;

    public FieldDef? FindField(string name, Surfaces surface)
    {
        _byName ??= AllFields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        return _byName.TryGetValue(name, out var f) && f.On(surface) ? f : null;
    }

    public NavigationDef? FindNavigation(string name, Surfaces surface) =>
        Navigations.FirstOrDefault(n => n.Name == name && n.On(surface));

    public IEnumerable<FieldDef> FieldsOn(Surfaces surface) => AllFields.Where(f => f.On(surface));

    public bool On(Surfaces surface) => (Surfaces & surface) != 0;

    public string AllowedMethodsForCollection => CanCreate ? "GET, HEAD, POST" : "GET, HEAD";
    public string AllowedMethodsForEntity =>
        string.Join(", ", new[] { "GET", "HEAD", CanUpdate ? "PATCH" : null, CanDelete ? "DELETE" : null }.Where(m => m is not null));

    // The typed pipeline, implemented by EntitySet<T>.
    /// <param name="readOnly">the caller only reads the entity (a parent on the way), so it need not be tracked</param>
    /// <param name="lockNext">the caller locks the row next to check its version (an If-Match): where locks are taken,
    /// the lock is taken with the read, in the same round trip</param>
    public abstract Task<object?> FindAsync(RequestContext rc, Scope scope, Guid key, bool readOnly = false, bool lockNext = false);
    /// <summary>The read <see cref="FindAsync"/> makes for the key, to make ahead (<see cref="PreparedRows.ReadAheadAsync"/>); null when it has none to give.</summary>
    public abstract ReadAhead? FindAhead(RequestContext rc, Scope scope, Guid key);
    /// <summary>
    /// The reads a PATCH or DELETE of the row with the key makes first, to make ahead with its parent's read: the row,
    /// and with <paramref name="lockNext"/> its lock for the If-Match check.
    /// </summary>
    public IReadOnlyList<ReadAhead?> ReadsAheadForChange(RequestContext rc, Scope scope, Guid key, bool lockNext) =>
        [FindAhead(rc, scope, key), lockNext ? LockAhead(rc, key) : null];
    /// <summary>The lock an If-Match check takes on the row with the key, to take ahead; null when there is none.</summary>
    protected abstract ReadAhead? LockAhead(RequestContext rc, Guid key);
    /// <summary>
    /// The reads a create in the scope makes first, to make ahead with its parent's read, from the request's JSON body as
    /// sent (the create itself checks the body); none by default. A read made ahead that the create does not make is
    /// left unused.
    /// </summary>
    public virtual IReadOnlyList<ReadAhead?> ReadsAheadForCreate(RequestContext rc, Scope scope) => [];
    /// <returns>the number of entities on the page</returns>
    public abstract Task<int> ListAsync(RequestContext rc, Scope scope, QueryOptions query, ResponseBuilder response, string contextPath);
    public abstract Task<long> CountAsync(RequestContext rc, Scope scope, QueryOptions query, ResponseBuilder response);
    public abstract Task GetAsync(RequestContext rc, Scope scope, object entity, QueryOptions query, ResponseBuilder response, string contextPath);
    public abstract Task<object> CreateAsync(RequestContext rc, Scope scope, Body body);
    public abstract Task UpdateAsync(RequestContext rc, Scope scope, object entity, Body body);
    public abstract Task DeleteAsync(RequestContext rc, Scope scope, object entity);
    public abstract Task InvokeAsync(RequestContext rc, Scope scope, object entity, string action);
    /// <summary>An action with its parameters, checked against <see cref="ParametersOf"/> (absent ones are not in the map).</summary>
    public virtual Task InvokeAsync(RequestContext rc, Scope scope, object entity, string action, IReadOnlyDictionary<string, object> parameters) =>
        InvokeAsync(rc, scope, entity, action);
    public abstract Guid KeyOf(object entity);
    public abstract string ETagOf(object entity);

    /// <summary>
    /// The entity's id below the service root (full metadata): companies({company})/set({key}) for a set under the company,
    /// else the collection it was reached through with its key.
    /// </summary>
    public string IdPath(object entity, WriteOptions options, string? collectionPath)
    {
        if (this == options.Catalog.Companies) return Name + "(" + KeyText(entity) + ")";
        if (options.Surface.CompanySets.Contains(Name) && options.CompanyId != Guid.Empty)
            return options.Catalog.Companies.Name + "(" + options.CompanyId.ToString("D") + ")/" + Name + "(" + KeyText(entity) + ")";
        return (collectionPath ?? Name) + "(" + KeyText(entity) + ")";
    }
    public abstract long? VersionOf(object entity);
    /// <summary>Loads entities for $expand: children of many parents at once (collection) or targets by key (single).</summary>
    internal abstract Task<(Dictionary<Guid, List<object>>, ExpansionData?)> LoadForExpandAsync(RequestContext rc, Guid companyId, NavigationDef nav, IReadOnlyList<object> parents, EntitySetDef parentSet, ExpandItem item);
    public abstract void WriteSingleResponse(RequestContext rc, object entity, ResponseBuilder response, string contextPath);
    /// <param name="collectionPath">in full metadata, the path (below the service root) of the collection the entity is in</param>
    internal abstract void WriteEntity(Utf8JsonWriter w, object entity, Selection selection, ExpansionData? data, WriteOptions options, string? collectionPath);

    /// <summary>Parses a JSON body against this set for a create or an update.</summary>
    public virtual Body ParseBody(RequestContext rc, bool isCreate)
    {
        if (rc.Body.Length > rc.Limits.MaxBodyBytes) throw ApiErrors.PayloadTooLarge(rc.Limits.MaxBodyBytes);
        var deep = Navigations.Where(n => n.DeepInsert && n.On(rc.Surface.Kind)).Select(n => n.Name).ToArray();
        return rc.ParsedBody is { } root
            ? Body.FromElement(root, this, rc.Surface.Kind, isCreate, deep, rc.Format.Ieee754, rc.Surface.Serves)
            : Body.Parse(rc.Body, this, rc.Surface.Kind, isCreate, deep, rc.Format.Ieee754, rc.Surface.Serves);
    }
}
