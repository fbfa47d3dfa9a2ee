using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Webhooks;

/// <summary>
/// Writes the pending notifications of a change inside the change's own write unit (same transaction), so a change and
/// its notification commit together or not at all. Costs one dictionary lookup when no subscription matches.
/// </summary>
public sealed class WebhookOutbox(SubscriptionRegistry registry, WebhookOptions options, WebhookStore store) : IEntityChangeHandler
{
    public const string Created = "created", Updated = "updated", Deleted = "deleted", Collection = "collection";

    /// <summary>A change the Dispatcher made (create, update or delete of one entity through the API).</summary>
    Task IEntityChangeHandler.ChangedAsync(AppDb db, Guid companyId, EntitySetDef set, object entity, EntityChange change, CancellationToken ct) =>
        RecordAsync(db, companyId, set, entity, change switch
        {
            EntityChange.Created => Created,
            EntityChange.Updated => Updated,
            _ => Deleted,
        }, ct);

    /// <summary>Set when a notification was written, so the delivery loop looks sooner.</summary>
    public event Action? Written;

    /// <summary>One entity of a set created, updated or deleted.</summary>
    public async Task RecordAsync(AppDb db, Guid company, EntitySetDef set, object entity, string changeType, CancellationToken ct)
    {
        var subs = registry.For(company, set.Name);
        if (subs.Length == 0) return;
        var now = store.Now();
        var key = set.KeyText(entity);
        foreach (var s in subs)
        {
            if (s.ExpiresAt <= now) continue;
            if (s.ParentOf is not null && s.ParentOf(entity) != s.ParentId) continue;
            await InsertAsync(db, s.Id, s.Resource + "(" + key + ")", changeType, now, ct);
        }
    }

    /// <summary>
    /// Many entities of a set by key (posting): one notification each, or one "collection" per subscription when there are
    /// more than Webhooks:MaxNotifications. <paramref name="parentId"/>: the parent every entity is under, for sub-page subscriptions.
    /// </summary>
    public async Task RecordKeysAsync(AppDb db, Guid company, string set, int count, Func<Task<IReadOnlyList<Guid>>> keys, string changeType, Guid parentId, CancellationToken ct)
    {
        var subs = registry.For(company, set);
        if (subs.Length == 0 || count == 0) return;
        var now = store.Now();
        var live = subs.Where(s => s.ExpiresAt > now && (s.ParentOf is null || s.ParentId == parentId)).ToList();
        if (live.Count == 0) return;
        if (count > options.MaxNotifications)
        {
            foreach (var s in live) await InsertAsync(db, s.Id, s.Resource, Collection, now, ct);
            return;
        }
        var ids = await keys();
        foreach (var s in live)
        foreach (var id in ids)
            await InsertAsync(db, s.Id, s.Resource + "(" + id.ToString("D") + ")", changeType, now, ct);
    }

    /// <summary>Whether any subscription watches the set in the company (so a caller can skip reading keys).</summary>
    public bool Watches(Guid company, string set) => registry.For(company, set).Length != 0;

    private async Task InsertAsync(AppDb db, string subscription, string resource, string changeType, long now, CancellationToken ct)
    {
        await RawSql.ExecuteInUnitAsync(db,
            "INSERT INTO webhook_outbox (subscription_id, resource, change_type, last_modified, created_at) VALUES (@p0, @p1, @p2, @p3, @p4)",
            ct, subscription, resource, changeType, now, now);
        Written?.Invoke();
    }
}
