using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using PaymentJournal.Data;

namespace PaymentJournal.Features.Webhooks;

/// <summary>A row of webhook_subscriptions. Ids and GUIDs are text; times are Unix milliseconds.</summary>
public sealed record Subscription
{
    public required string Id { get; init; }
    /// <summary>The API the subscription belongs to: v2.0, or paymentjournal/{group}/v1.0.</summary>
    public required string Api { get; init; }
    public required string NotificationUrl { get; init; }
    public required string Resource { get; init; }
    public required string ClientState { get; init; }
    public required Guid CompanyId { get; init; }
    public required string EntitySet { get; init; }
    /// <summary>For a sub-page resource (journal lines under their journal): the parent's navigation and id; else "" and empty.</summary>
    public string ParentNav { get; init; } = "";
    public Guid ParentId { get; init; }
    public required Guid UserId { get; init; }
    public long Version { get; init; }
    public long CreatedAt { get; init; }
    public long ModifiedAt { get; init; }
    public long ExpiresAt { get; init; }
    public long Attempts { get; init; }

    public string ETag => "W/\"" + Version.ToString(CultureInfo.InvariantCulture) + "\"";

    internal const string Columns = "id, api, notification_url, resource, client_state, company_id, entity_set, parent_nav, parent_id, user_id, version, created_at, modified_at, expires_at, attempts";

    internal static Subscription Read(DbDataReader r) => new()
    {
        Id = r.GetString(0), Api = r.GetString(1), NotificationUrl = r.GetString(2), Resource = r.GetString(3), ClientState = r.GetString(4),
        CompanyId = Guid.Parse(r.GetString(5)), EntitySet = r.GetString(6), ParentNav = r.GetString(7),
        ParentId = r.GetString(8).Length == 0 ? Guid.Empty : Guid.Parse(r.GetString(8)), UserId = Guid.Parse(r.GetString(9)),
        Version = r.GetInt64(10), CreatedAt = r.GetInt64(11), ModifiedAt = r.GetInt64(12), ExpiresAt = r.GetInt64(13), Attempts = r.GetInt64(14),
    };
}

/// <summary>
/// SQL on the webhook tables, outside a request's write unit: on SQLite through the group committer (the one writer),
/// on PostgreSQL in a short transaction of its own.
/// </summary>
public sealed class WebhookStore(WriteGate gate, IServiceScopeFactory scopes)
{
    /// <summary>The clock of subscriptions and notifications; tests may move it.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;
    public long Now() => Clock.GetUtcNow().ToUnixTimeMilliseconds();
    /// <summary>See <see cref="WriteGate.CommitsInIdOrder"/>.</summary>
    public bool CommitsInIdOrder => gate.CommitsInIdOrder;

    public Task<T> WriteAsync<T>(Func<AppDb, Task<T>> work, CancellationToken ct) => gate.RunOwnAsync(work, ct);

    public async Task<T> ReadAsync<T>(Func<AppDb, Task<T>> work)
    {
        using var scope = scopes.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDb>());
    }

    public Task<List<Subscription>> AllAsync(CancellationToken ct) =>
        ReadAsync(db => QueryAsync(db, "SELECT " + Subscription.Columns + " FROM webhook_subscriptions ORDER BY created_at, id", Subscription.Read, ct));

    public async Task<Subscription?> FindAsync(string id, CancellationToken ct) =>
        (await ReadAsync(db => QueryAsync(db, "SELECT " + Subscription.Columns + " FROM webhook_subscriptions WHERE id = @p0", Subscription.Read, ct, id))).FirstOrDefault();

    /// <summary>Runs a query on the context's connection (and its transaction, if one is open).</summary>
    public static async Task<List<T>> QueryAsync<T>(AppDb db, string sql, Func<DbDataReader, T> read, CancellationToken ct, params object[] values)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = Command(db, sql, values);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await r.ReadAsync(ct)) rows.Add(read(r));
            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public static async Task<int> ExecuteAsync(AppDb db, string sql, CancellationToken ct, params object[] values)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = Command(db, sql, values);
            return await cmd.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static DbCommand Command(AppDb db, string sql, object[] values)
    {
        var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        cmd.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            p.Value = values[i];
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    public static string Text(Guid g) => g == Guid.Empty ? "" : g.ToString("D");
}
