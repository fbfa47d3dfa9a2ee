using Microsoft.OData.Edm;
using PaymentJournal.Data;

namespace PaymentJournal.OData;

// Where a feature plugs into the protocol without OData/ naming it: the feature implements one of these interfaces and
// registers it in DI; the protocol calls every registered one.

/// <summary>What a change did to an entity.</summary>
public enum EntityChange { Created, Updated, Deleted }

/// <summary>
/// Told of each entity the Dispatcher creates, updates or deletes, inside the change's write unit once the change is
/// saved: what it writes on <paramref name="db"/> commits with the change or not at all.
/// </summary>
public interface IEntityChangeHandler
{
    Task ChangedAsync(AppDb db, Guid companyId, EntitySetDef set, object entity, EntityChange change, CancellationToken ct);
}

/// <summary>Adds entity types and sets of its own to a surface's EDM model (so to its $metadata and service document).</summary>
public interface IModelAddition
{
    /// <summary>Called once per surface, after the catalog's own sets are in <paramref name="container"/>.</summary>
    void AddTo(EdmModel model, EdmEntityContainer container, Surface surface);
}

/// <summary>Serves resource paths of its own at a surface's root; asked before the Dispatcher.</summary>
public interface IRootResource
{
    bool Handles(Surface surface, string path);
    Task HandleAsync(RequestContext rc, string path, IReadOnlyDictionary<string, string> query, ResponseBuilder response);
}
