using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Features.Idempotency;

/// <summary>A key as stored: who sent it, for which company (empty when the URL names none), and the client's value.</summary>
public readonly record struct IdempotencyKey(string Principal, string Company, string Key);

/// <summary>A stored key: the hash of its request, and once done the answer to replay.</summary>
public sealed record IdempotencyRow(byte[] RequestHash, bool Done, int Status, string Headers, byte[] Body, long CreatedAt, long ExpiresAt);

/// <summary>
/// The idempotency_keys table. Each change is a short transaction of its own: on SQLite through the group committer
/// (the one writer), on PostgreSQL on the request's context outside any transaction, where the primary key makes a
/// concurrent claim of the same key, from any node, wait for the first and then find it taken.
/// </summary>
public sealed class IdempotencyStore(DatabaseOptions database, GroupCommitter committer, IServiceScopeFactory scopes)
{
    /// <summary>The clock of claims and expiry; tests may move it.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    private bool IsSqlite => database.Provider == DatabaseProvider.Sqlite;

    public long Now() => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Inserts a running row for the key; false when the key is taken already.</summary>
    public async Task<bool> TryClaimAsync(AppDb db, IdempotencyKey key, byte[] requestHash, TimeSpan retention, CancellationToken ct)
    {
        var now = Now();
        var expires = now + (long)retention.TotalMilliseconds;
        var inserted = await WriteAsync(db,
            "INSERT INTO idempotency_keys (principal, company, idem_key, request_hash, state, status, headers, body, created_at, expires_at) " +
            "VALUES ({0}, {1}, {2}, {3}, 0, 0, '', {4}, {5}, {6}) ON CONFLICT DO NOTHING",
            [key.Principal, key.Company, key.Key, requestHash, Array.Empty<byte>(), now, expires], ct);
        return inserted == 1;
    }

    /// <summary>Stores the answer of a claimed key.</summary>
    public Task StoreAsync(AppDb db, IdempotencyKey key, int status, string headers, byte[] body, CancellationToken ct) =>
        WriteAsync(db,
            "UPDATE idempotency_keys SET state = 1, status = {3}, headers = {4}, body = {5} " +
            "WHERE principal = {0} AND company = {1} AND idem_key = {2} AND state = 0",
            [key.Principal, key.Company, key.Key, status, headers, body], ct);

    /// <summary>Gives a claimed key up (nothing of its request was committed): a retry runs again.</summary>
    public Task ReleaseAsync(AppDb db, IdempotencyKey key, CancellationToken ct) =>
        WriteAsync(db, "DELETE FROM idempotency_keys WHERE principal = {0} AND company = {1} AND idem_key = {2} AND state = 0",
            [key.Principal, key.Company, key.Key], ct);

    /// <summary>Deletes the key's row if it has expired (so that the key can be claimed again).</summary>
    public Task DeleteIfExpiredAsync(AppDb db, IdempotencyKey key, CancellationToken ct) =>
        WriteAsync(db, "DELETE FROM idempotency_keys WHERE principal = {0} AND company = {1} AND idem_key = {2} AND expires_at <= {3}",
            [key.Principal, key.Company, key.Key, Now()], ct);

    /// <summary>Deletes every expired key; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken ct = default)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        return await WriteAsync(db, "DELETE FROM idempotency_keys WHERE expires_at <= {0}", [Now()], ct);
    }

    public async Task<IdempotencyRow?> FindAsync(AppDb db, IdempotencyKey key, CancellationToken ct)
    {
        var conn = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT request_hash, state, status, headers, body, created_at, expires_at FROM idempotency_keys " +
                              "WHERE principal = @p AND company = @c AND idem_key = @k";
            Add(cmd, "@p", key.Principal);
            Add(cmd, "@c", key.Company);
            Add(cmd, "@k", key.Key);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            return new IdempotencyRow((byte[])r.GetValue(0), Convert.ToInt32(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture) == 1,
                Convert.ToInt32(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture), r.GetString(3), (byte[])r.GetValue(4),
                r.GetInt64(5), r.GetInt64(6));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<int> WriteAsync(AppDb db, string sql, object[] parameters, CancellationToken ct)
    {
        if (!IsSqlite) return await db.Database.ExecuteSqlRawAsync(sql, parameters, ct);
        var count = 0;
        // The writer may run a unit twice (GroupCommitter): the count is that of the run that committed.
        await committer.RunAsync(async writer => count = await writer.Database.ExecuteSqlRawAsync(sql, parameters, ct), ct);
        return count;
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}
