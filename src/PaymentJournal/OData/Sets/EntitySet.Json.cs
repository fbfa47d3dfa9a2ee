using System.Globalization;
using System.Text.Json;

namespace PaymentJournal.OData;

/// <summary>The JSON of entities: a single entity, a page of a collection, and each entity's fields, links and expansions.</summary>
public abstract partial class EntitySet<T> where T : class
{
    public override async Task GetAsync(RequestContext rc, Scope scope, object entity, QueryOptions query, ResponseBuilder response, string contextPath)
    {
        var selection = query.SelectExpand is null ? Selection.All : Selection.From(query.SelectExpand, this, rc.Catalog, rc.Surface.Kind);
        var data = selection.Expands.Count == 0 ? null : await LoadExpansionsAsync(rc, scope.CompanyId, [(T)entity], selection);
        using var w = response.StartJson();
        WriteSingle(w, rc, (T)entity, selection, data, contextPath, scope.CompanyId);
        response.Headers["ETag"] = ETagOf(entity);
    }

    private void WriteSingle(Utf8JsonWriter w, RequestContext rc, T entity, Selection selection, ExpansionData? data, string contextPath, Guid companyId)
    {
        w.WriteStartObject();
        if (rc.Format.Metadata != MetadataLevel.None)
            w.WriteString("@odata.context", rc.ServiceRoot + "$metadata#" + rc.Surface.ContextPrefix + contextPath + selection.ContextSuffix() + "/$entity");
        WriteBody(w, entity, selection, data, WriteOptions.Of(rc, companyId), contextPath);
        w.WriteEndObject();
    }

    internal override void WriteEntity(Utf8JsonWriter w, object entity, Selection selection, ExpansionData? data, WriteOptions options, string? collectionPath)
    {
        w.WriteStartObject();
        WriteBody(w, (T)entity, selection, data, options, collectionPath);
        w.WriteEndObject();
    }

    private void WriteBody(Utf8JsonWriter w, T entity, Selection selection, ExpansionData? data, WriteOptions options, string? collectionPath)
    {
        var format = options.Format;
        string? id = null;
        if (options.Full)
        {
            id = IdPath(entity, options, collectionPath);
            w.WriteString("@odata.type", "#" + options.Surface.Namespace + "." + TypeName);
            w.WriteString("@odata.id", options.ServiceRoot + id);
        }
        if (format.Metadata != MetadataLevel.None) w.WriteString("@odata.etag", ETagOf(entity));
        if (id is not null) w.WriteString(CanUpdate || CanDelete ? "@odata.editLink" : "@odata.readLink", options.ServiceRoot + id);
        if (format.Metadata != MetadataLevel.Full && !format.Ieee754)
        {
            // The common case, kept as lean as it was: the fields as they are, no annotations.
            if (selection.Fields is null) foreach (var f in TypedFieldsOn(options.Kind)) f.Write(w, entity);
            else foreach (var f in selection.Fields) ((FieldDef<T>)f).Write(w, entity);
        }
        else
        {
            foreach (var f in selection.Fields ?? TypedFieldsOn(options.Kind))
            {
                if (id is not null && FieldDef.EdmTypeAnnotation(f.Kind) is { } type) w.WriteString(f.Name + "@odata.type", type);
                var field = (FieldDef<T>)f;
                (format.Ieee754 && field.WriteAsString is { } asString ? asString : field.Write)(w, entity);
            }
        }
        if (id is not null && selection.Fields is null)
        {
            // Navigation links, but for the expanded navigations, whose link goes right before their content.
            foreach (var nav in Navigations)
                if (options.Surface.Serves(nav) && !selection.Expands.Any(e => e.Nav == nav))
                    w.WriteString(nav.Name + "@odata.navigationLink", options.ServiceRoot + id + "/" + nav.Name);
        }
        if (selection.Expands.Count > 0 && data is not null)
        {
            var key = KeyOf(entity);
            foreach (var ex in selection.Expands)
            {
                var (items, nested) = data.ByNavigation[ex.Nav.Name];
                items.TryGetValue(key, out var list);
                var childPath = id is null ? null : id + "/" + ex.Nav.Name;
                if (id is not null) w.WriteString(ex.Nav.Name + "@odata.navigationLink", options.ServiceRoot + childPath);
                if (ex.Nav.IsCollection)
                {
                    w.WriteStartArray(ex.Nav.Name);
                    if (list is not null) foreach (var child in list) ex.Target.WriteEntity(w, child, ex.Child, nested, options, childPath);
                    w.WriteEndArray();
                }
                else if (list is { Count: > 0 })
                {
                    w.WritePropertyName(ex.Nav.Name);
                    ex.Target.WriteEntity(w, list[0], ex.Child, nested, options, childPath);
                }
                else
                {
                    w.WriteNull(ex.Nav.Name);
                }
            }
        }
        if (id is not null && selection.Fields is null)
        {
            // Full metadata advertises the bound actions the entity offers.
            foreach (var action in Actions)
            {
                if (!options.Surface.AdvertisedActions.Contains(Name + "/" + action)) continue;
                var name = Catalog.ActionNamespace + "." + action;
                w.WriteStartObject("#" + name);
                w.WriteString("title", name);
                w.WriteString("target", options.ServiceRoot + id + "/" + name);
                w.WriteEndObject();
            }
        }
    }

    /// <summary>Writes one entity as a whole response (after a create or an update).</summary>
    public override void WriteSingleResponse(RequestContext rc, object entity, ResponseBuilder response, string contextPath)
    {
        using var w = response.StartJson();
        WriteSingle(w, rc, (T)entity, Selection.All, null, contextPath, CompanyOf(rc, entity));
        response.Headers["ETag"] = ETagOf(entity);
    }

    /// <summary>The company of an entity written after a change (for its id in full metadata).</summary>
    private Guid CompanyOf(RequestContext rc, object entity) => this == rc.Catalog.Companies ? KeyOf(entity) : (_company ??= CompanyKey.Compile())((T)entity);
    private Func<T, Guid>? _company;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Surfaces, FieldDef<T>[]> _fieldsOn = new();

    private FieldDef<T>[] TypedFieldsOn(Surfaces surface) =>
        _fieldsOn.GetOrAdd(surface, s => Fields.Where(f => f.On(s)).ToArray());

    /// <summary>A page of a collection: its context, count, rows with their expansions, and the link to the next page.</summary>
    private void WritePage(ResponseBuilder response, RequestContext rc, List<T> rows, Selection selection, ExpansionData? data, long? count,
        string? nextLink, string contextPath, Guid companyId)
    {
        var options = WriteOptions.Of(rc, companyId);
        using var w = response.StartJson();
        w.WriteStartObject();
        if (rc.Format.Metadata != MetadataLevel.None)
            w.WriteString("@odata.context", rc.ServiceRoot + "$metadata#" + rc.Surface.ContextPrefix + contextPath + selection.ContextSuffix());
        if (count is not null)
        {
            // Edm.Int64: a string under IEEE754Compatible=true.
            if (rc.Format.Ieee754) w.WriteString("@odata.count", count.Value.ToString(CultureInfo.InvariantCulture));
            else w.WriteNumber("@odata.count", count.Value);
        }
        w.WriteStartArray("value");
        foreach (var row in rows) WriteEntity(w, row, selection, data, options, contextPath);
        w.WriteEndArray();
        if (nextLink is not null) w.WriteString("@odata.nextLink", nextLink);
        w.WriteEndObject();
    }
}
