using System.Globalization;
using System.Text.Json;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Webhooks;

/// <summary>
/// Sends the outbox. A subscription's notifications are due once Webhooks:Delay has passed since the first of them
/// (the window opens with the first change) and its retry time has come. A node claims a due subscription by writing
/// its lease (one UPDATE that only one node can win), posts everything pending as one {"value":[...]} body, and on
/// success deletes what it sent. A node that dies mid-send leaves the lease to run out; another node, or this one
/// restarted, takes the notifications then. Failures retry on Business Central's schedule and then drop the
/// subscription; an answer that is not worth retrying (410 Gone, 4xx) drops every subscription on that URL at once.
/// </summary>
public sealed class WebhookDelivery(WebhookStore store, SubscriptionRegistry registry, NotificationClient client, WebhookOptions options,
    WebhookOutbox outbox, Catalog catalog, ILogger<WebhookDelivery> log) : BackgroundService
{
    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _wake = new(0, 1);
    /// <summary>How many rows one send reads at most (beyond Webhooks:MaxNotifications they become one collection item anyway).</summary>
    private const int MaxRowsPerSend = 200_000;
    private const int Parallel = 8;
    private static readonly TimeSpan RecheckAfterWrite = TimeSpan.FromMilliseconds(25);

    /// <summary>When the loop next means to look (Unix ms), or long.MaxValue when it knows of nothing pending.</summary>
    private long _nextLook = long.MaxValue;
    /// <summary>When a change last wrote a notification (its commit may not be visible yet when the loop looks).</summary>
    private long _lastWritten;

    /// <summary>A change wrote a notification: unless the loop means to look before the new window ends anyway, it looks
    /// at once (and again shortly until the change's commit shows), so that it can sleep until that window ends.</summary>
    private void Wake()
    {
        var now = store.Now();
        Interlocked.Exchange(ref _lastWritten, now);
        if (Interlocked.Read(ref _nextLook) <= now + (long)options.Delay.TotalMilliseconds) return;
        try { if (_wake.CurrentCount == 0) _wake.Release(); }
        catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        outbox.Written += Wake;
        long lastRefresh = 0;
        while (!stop.IsCancellationRequested)
        {
            var wait = options.PollInterval;
            try
            {
                var now = store.Now();
                if (now - lastRefresh >= (long)options.RefreshInterval.TotalMilliseconds)
                {
                    await PurgeAsync(stop);
                    await registry.ReloadAsync(stop);
                    lastRefresh = now;
                }
                if (options.Deliver)
                {
                    var next = await DeliverDueAsync(stop);
                    if (next is { } due)
                    {
                        var until = TimeSpan.FromMilliseconds(Math.Max(0, due - store.Now()));
                        if (until < wait) wait = until;
                    }
                    else if (store.Now() - Interlocked.Read(ref _lastWritten) < 2000 && wait > RecheckAfterWrite)
                        wait = RecheckAfterWrite;
                    Interlocked.Exchange(ref _nextLook, next ?? long.MaxValue);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Webhook delivery round failed; trying again");
            }
            try { await _wake.WaitAsync(wait, stop); }
            catch (OperationCanceledException) { return; }
        }
    }

    private sealed record Pending(string Id, long FirstAt, long NextAttemptAt, long LeaseUntil);

    /// <summary>Sends what is due; returns when the next pending notification falls due (null: nothing pending).</summary>
    private async Task<long?> DeliverDueAsync(CancellationToken ct)
    {
        // Each subscription's first pending notification through the outbox's (subscription_id, id) index: the loop runs
        // every second, and a scan of the whole outbox would cost more the more is pending.
        var pending = await store.ReadAsync(db => WebhookStore.QueryAsync(db,
            "SELECT id, first_at, next_attempt_at, lease_until FROM (SELECT s.id, s.next_attempt_at, s.lease_until, " +
            "(SELECT o.created_at FROM webhook_outbox o WHERE o.subscription_id = s.id ORDER BY o.id LIMIT 1) AS first_at " +
            "FROM webhook_subscriptions s) p WHERE first_at IS NOT NULL",
            r => new Pending(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)), ct));
        if (pending.Count == 0) return null;
        var now = store.Now();
        long? next = null;
        var due = new List<string>();
        foreach (var p in pending)
        {
            var at = Math.Max(Math.Max(p.FirstAt + (long)options.Delay.TotalMilliseconds, p.NextAttemptAt), p.LeaseUntil);
            if (at <= now) due.Add(p.Id);
            else next = next is null ? at : Math.Min(next.Value, at);
        }
        await System.Threading.Tasks.Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct },
            async (id, token) => await SendAsync(id, token));
        // Something sent may have been followed by more changes: look again soon.
        return due.Count > 0 ? store.Now() : next;
    }

    private async Task SendAsync(string id, CancellationToken ct)
    {
        var now = store.Now();
        var claimed = await store.WriteAsync(db => WebhookStore.ExecuteAsync(db,
            "UPDATE webhook_subscriptions SET lease_owner = @p0, lease_until = @p1 WHERE id = @p2 AND lease_until <= @p3 AND next_attempt_at <= @p3 AND expires_at > @p3",
            ct, _node, now + (long)options.Lease.TotalMilliseconds, id, now), ct);
        if (claimed == 0) return; // another node has it, or it is gone
        var sub = await store.FindAsync(id, ct);
        if (sub is null) return;
        var rows = await store.ReadAsync(db => WebhookStore.QueryAsync(db,
            "SELECT id, resource, change_type, last_modified FROM webhook_outbox WHERE subscription_id = @p0 ORDER BY id LIMIT " +
            MaxRowsPerSend.ToString(CultureInfo.InvariantCulture),
            r => new Row(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3)), ct, id));
        if (rows.Count == 0)
        {
            await ReleaseAsync(id, ct);
            return;
        }
        var body = Body(sub, rows);
        var (outcome, status) = await client.SendAsync(sub.NotificationUrl, body, ct);
        switch (outcome)
        {
            case NotificationClient.Outcome.Delivered:
                await store.WriteAsync(async db =>
                {
                    await DeleteRowsAsync(db, id, rows, ct);
                    return await WebhookStore.ExecuteAsync(db,
                        "UPDATE webhook_subscriptions SET attempts = 0, next_attempt_at = 0, lease_owner = '', lease_until = 0 WHERE id = @p0 AND lease_owner = @p1",
                        ct, id, _node);
                }, ct);
                break;
            case NotificationClient.Outcome.Retry:
                var failures = sub.Attempts + 1;
                if (failures > options.MaxAttempts)
                {
                    log.LogWarning("Subscription {SubscriptionId} deleted: its notifications to {NotificationUrl} failed {Attempts} times (last answer {Status})",
                        id, NotificationClient.ForLog(sub.NotificationUrl), failures, status);
                    await DeleteSubscriptionsAsync("id = @p0", id, ct);
                    break;
                }
                var retryAt = store.Now() + (long)options.RetryDelay((int)failures).TotalMilliseconds;
                log.LogInformation("Notifications of subscription {SubscriptionId} to {NotificationUrl} failed (answer {Status}); attempt {Attempts}, next at {RetryAt}",
                    id, NotificationClient.ForLog(sub.NotificationUrl), status, failures, SubscriptionsEndpoint.Time(retryAt));
                await store.WriteAsync(db => WebhookStore.ExecuteAsync(db,
                    "UPDATE webhook_subscriptions SET attempts = @p0, next_attempt_at = @p1, lease_owner = '', lease_until = 0 WHERE id = @p2",
                    ct, failures, retryAt, id), ct);
                break;
            default:
                // As Business Central: an answer not worth retrying ends every subscription that uses the URL.
                log.LogWarning("{NotificationUrl} answered {Status}: its subscriptions are deleted", NotificationClient.ForLog(sub.NotificationUrl), status);
                await DeleteSubscriptionsAsync("notification_url = @p0", sub.NotificationUrl, ct);
                break;
        }
    }

    private sealed record Row(long Id, string Resource, string ChangeType, long LastModified);

    private Task ReleaseAsync(string id, CancellationToken ct) => store.WriteAsync(db => WebhookStore.ExecuteAsync(db,
        "UPDATE webhook_subscriptions SET lease_owner = '', lease_until = 0 WHERE id = @p0 AND lease_owner = @p1", ct, id, _node), ct);

    private async Task DeleteRowsAsync(Data.AppDb db, string id, List<Row> rows, CancellationToken ct)
    {
        if (store.CommitsInIdOrder)
        {
            // Nothing below the last id sent can appear later.
            await WebhookStore.ExecuteAsync(db, "DELETE FROM webhook_outbox WHERE subscription_id = @p0 AND id <= @p1", ct, id, rows[^1].Id);
            return;
        }
        // On PostgreSQL a lower id may still commit after a higher one: delete exactly what was sent.
        await WebhookStore.ExecuteAsync(db, "DELETE FROM webhook_outbox WHERE id = ANY(@p0)", ct, rows.Select(r => r.Id).ToArray());
    }

    private async Task DeleteSubscriptionsAsync(string where, string value, CancellationToken ct)
    {
        await store.WriteAsync(async db =>
        {
            await WebhookStore.ExecuteAsync(db, "DELETE FROM webhook_outbox WHERE subscription_id IN (SELECT id FROM webhook_subscriptions WHERE " + where + ")", ct, value);
            return await WebhookStore.ExecuteAsync(db, "DELETE FROM webhook_subscriptions WHERE " + where, ct, value);
        }, ct);
        await registry.ReloadAsync(ct);
    }

    /// <summary>Deletes expired subscriptions with their pending notifications, and notifications left by deleted ones.</summary>
    private async Task PurgeAsync(CancellationToken ct)
    {
        var now = store.Now();
        // The outbox's subscriptions are found by stepping through its index from one to the next, not by reading every row.
        var stale = await store.ReadAsync(db => WebhookStore.QueryAsync(db,
            "WITH RECURSIVE subs(id) AS (SELECT MIN(subscription_id) FROM webhook_outbox UNION ALL " +
            "SELECT (SELECT MIN(o.subscription_id) FROM webhook_outbox o WHERE o.subscription_id > subs.id) FROM subs WHERE subs.id IS NOT NULL) " +
            "SELECT (SELECT COUNT(*) FROM webhook_subscriptions WHERE expires_at <= @p0) + " +
            "(SELECT COUNT(*) FROM subs WHERE subs.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = subs.id))",
            r => r.GetInt64(0), ct, now));
        if (stale[0] == 0) return;
        await store.WriteAsync(async db =>
        {
            await WebhookStore.ExecuteAsync(db, "DELETE FROM webhook_subscriptions WHERE expires_at <= @p0", ct, now);
            return await WebhookStore.ExecuteAsync(db,
                "DELETE FROM webhook_outbox WHERE NOT EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = webhook_outbox.subscription_id)", ct);
        }, ct);
    }

    /// <summary>
    /// The notification body. Repeated updates of one entity collapse into one; more than Webhooks:MaxNotifications
    /// become one "collection" item for the subscribed collection (with a lastModifiedDateTime filter from the first
    /// change when the set has that field and nothing was deleted).
    /// </summary>
    private byte[] Body(Subscription sub, List<Row> rows)
    {
        var items = new List<Row>(rows.Count);
        var updated = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.ChangeType == WebhookOutbox.Updated && updated.TryGetValue(row.Resource, out var at))
            {
                items[at] = row;
                continue;
            }
            if (row.ChangeType == WebhookOutbox.Updated) updated[row.Resource] = items.Count;
            items.Add(row);
        }
        if (items.Count > options.MaxNotifications || items.Any(i => i.ChangeType == WebhookOutbox.Collection))
        {
            var first = rows.Min(r => r.LastModified);
            var filtered = catalog.Sets.FirstOrDefault(s => s.Name == sub.EntitySet)?.FindField("lastModifiedDateTime", Surfaces.V2) is not null
                           && rows.All(r => r.ChangeType is WebhookOutbox.Created or WebhookOutbox.Updated);
            var resource = sub.Resource + (filtered ? "?$filter=lastModifiedDateTime%20gt%20" + SubscriptionsEndpoint.Time(first - 50) : "");
            items = [new Row(0, resource, WebhookOutbox.Collection, rows.Max(r => r.LastModified))];
        }
        else
        {
            items = items.OrderBy(i => i.LastModified).ThenBy(i => i.ChangeType, StringComparer.Ordinal).ToList();
        }
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartArray("value");
            var expires = SubscriptionsEndpoint.Time(sub.ExpiresAt);
            foreach (var item in items)
            {
                w.WriteStartObject();
                w.WriteString("subscriptionId", sub.Id);
                w.WriteString("clientState", sub.ClientState);
                w.WriteString("expirationDateTime", expires);
                w.WriteString("resource", item.Resource);
                w.WriteString("changeType", item.ChangeType);
                w.WriteString("lastModifiedDateTime", SubscriptionsEndpoint.Time(item.LastModified));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }
}
