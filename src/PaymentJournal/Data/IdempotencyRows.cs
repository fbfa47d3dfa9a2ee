using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace PaymentJournal.Data;

/// <summary>A key as stored: who sent it, for which company (empty when the URL names none), and the client's value.</summary>
public readonly record struct IdempotencyKey(string Principal, string Company, string Key);

/// <summary>A stored key: the hash of its request, and once done the answer to replay.</summary>
public sealed record IdempotencyRow(byte[] RequestHash, bool Done, int Status, string Headers, byte[] Body, long CreatedAt, long ExpiresAt);

/// <summary>
/// The rows of idempotency_keys. On PostgreSQL the key's unique index finds a row and makes a second claim of a key
/// wait for the transaction of the first, on any node. On SQLite one process owns the file and its one writer claims
/// keys one after another, so the table has no index on the key (a random B-tree page written per keyed request):
/// the process keeps one in memory instead, from the key's hash to rowids, read from the table on first use and kept
/// up by the claims. Every candidate row is checked against the key, so an entry that a rolled-back claim left behind
/// (its rowid gone, or reused by another key) is only skipped.
/// </summary>
public sealed class IdempotencyRows(DatabaseOptions options)
{
    private readonly MemoryIndex? _memory = options.Provider == DatabaseProvider.Sqlite ? new() : null;

    /// <summary>Drops what the process keeps of the table, to be read again at the next use: call with no request in flight.</summary>
    public void Forget() => _memory?.Forget();

    private const string Columns = "request_hash, state, status, headers, body, created_at, expires_at";

    /// <summary>
    /// Inserts a running row for the key in the write unit, or takes over an expired one; answers the row's handle (what
    /// <see cref="AnswerAsync"/> needs), or null when the key is taken.
    /// </summary>
    public async Task<long?> ClaimAsync(AppDb unit, IdempotencyKey key, byte[] requestHash, long createdAt, long expiresAt, CancellationToken ct)
    {
        if (_memory is null)
            return await RawSql.ExecuteInUnitAsync(unit,
                "INSERT INTO idempotency_keys (principal, company, idem_key, request_hash, state, status, headers, body, created_at, expires_at) " +
                "VALUES (@p0, @p1, @p2, @p3, 0, 0, '', @p6, @p4, @p5) " +
                "ON CONFLICT (principal, company, idem_key) DO UPDATE SET request_hash = excluded.request_hash, state = 0, status = 0, " +
                "headers = '', body = excluded.body, created_at = excluded.created_at, expires_at = excluded.expires_at " +
                "WHERE idempotency_keys.expires_at <= @p4", ct,
                key.Principal, key.Company, key.Key, requestHash, createdAt, expiresAt, Array.Empty<byte>()) == 1 ? 0 : null;

        await _memory.LoadAsync(unit, ct);
        long? expired = null;
        foreach (var rowid in _memory.Candidates(key))
        {
            if (await RawSql.ScalarInUnitAsync(unit, "SELECT expires_at FROM idempotency_keys WHERE rowid = @p0 AND principal = @p1 AND company = @p2 AND idem_key = @p3",
                    ct, rowid, key.Principal, key.Company, key.Key) is not { } expires)
                continue;
            if (Convert.ToInt64(expires, System.Globalization.CultureInfo.InvariantCulture) > createdAt) return null;
            expired ??= rowid;
        }
        if (expired is { } old)
        {
            await RawSql.ExecuteInUnitAsync(unit,
                "UPDATE idempotency_keys SET request_hash = @p1, state = 0, status = 0, headers = '', body = @p2, created_at = @p3, expires_at = @p4 WHERE rowid = @p0",
                ct, old, requestHash, Array.Empty<byte>(), createdAt, expiresAt);
            return old;
        }
        var inserted = Convert.ToInt64(await RawSql.ScalarInUnitAsync(unit,
            "INSERT INTO idempotency_keys (principal, company, idem_key, request_hash, state, status, headers, body, created_at, expires_at) " +
            "VALUES (@p0, @p1, @p2, @p3, 0, 0, '', @p6, @p4, @p5) RETURNING rowid", ct,
            key.Principal, key.Company, key.Key, requestHash, createdAt, expiresAt, Array.Empty<byte>()), System.Globalization.CultureInfo.InvariantCulture);
        _memory.Add(key, inserted);
        return inserted;
    }

    /// <summary>Marks a claimed key done with its answer; a key claimed anew since (it had expired) has another created_at and is left alone.</summary>
    public Task AnswerAsync(AppDb unit, IdempotencyKey key, long handle, long claimedAt, int status, string headers, byte[] body, CancellationToken ct) =>
        _memory is null
            ? RawSql.ExecuteInUnitAsync(unit, "UPDATE idempotency_keys SET state = 1, status = @p4, headers = @p5, body = @p6 " +
                "WHERE principal = @p0 AND company = @p1 AND idem_key = @p2 AND state = 0 AND created_at = @p3", ct,
                key.Principal, key.Company, key.Key, claimedAt, status, headers, body)
            : RawSql.ExecuteInUnitAsync(unit, "UPDATE idempotency_keys SET state = 1, status = @p3, headers = @p4, body = @p5 " +
                "WHERE rowid = @p0 AND idem_key = @p1 AND state = 0 AND created_at = @p2", ct,
                handle, key.Key, claimedAt, status, headers, body);

    /// <summary>The key's row (on SQLite the latest of its rows), read outside any write unit.</summary>
    public async Task<IdempotencyRow?> FindAsync(AppDb db, IdempotencyKey key, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var conn = db.Database.GetDbConnection();
            if (_memory is null)
                return await ReadAsync(conn, $"SELECT {Columns} FROM idempotency_keys WHERE principal = @p0 AND company = @p1 AND idem_key = @p2", ct,
                    key.Principal, key.Company, key.Key);
            await _memory.LoadAsync(db, ct);
            IdempotencyRow? latest = null;
            foreach (var rowid in _memory.Candidates(key))
                if (await ReadAsync(conn, $"SELECT {Columns} FROM idempotency_keys WHERE rowid = @p3 AND principal = @p0 AND company = @p1 AND idem_key = @p2", ct,
                        key.Principal, key.Company, key.Key, rowid) is { } row && (latest is null || row.ExpiresAt > latest.ExpiresAt))
                    latest = row;
            return latest;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Deletes every key expired at <paramref name="now"/> in the write unit; returns how many.</summary>
    public async Task<int> PurgeAsync(AppDb unit, long now, CancellationToken ct)
    {
        if (_memory is null) return await RawSql.ExecuteInUnitAsync(unit, "DELETE FROM idempotency_keys WHERE expires_at <= @p0", ct, now);
        await _memory.LoadAsync(unit, ct);
        var deleted = 0;
        await using var cmd = new RawSql(unit).Command("DELETE FROM idempotency_keys WHERE expires_at <= @p0 RETURNING rowid, principal, company, idem_key", now);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        for (; await r.ReadAsync(ct); deleted++) _memory.Remove(new IdempotencyKey(r.GetString(1), r.GetString(2), r.GetString(3)), r.GetInt64(0));
        return deleted;
    }

    private static async Task<IdempotencyRow?> ReadAsync(DbConnection conn, string sql, CancellationToken ct, params object[] values)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            p.Value = values[i];
            cmd.Parameters.Add(p);
        }
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return new IdempotencyRow((byte[])r.GetValue(0), Convert.ToInt32(r.GetValue(1), inv) == 1, Convert.ToInt32(r.GetValue(2), inv), r.GetString(3),
            (byte[])r.GetValue(4), r.GetInt64(5), r.GetInt64(6));
    }

    /// <summary>
    /// The key's hash to the rowids of its rows. Written only by the SQLite writer's claims and purges (one at a time) once
    /// loaded; read by any request.
    /// </summary>
    private sealed class MemoryIndex
    {
        private readonly ConcurrentDictionary<int, long[]> _rows = new();
        private readonly SemaphoreSlim _loading = new(1, 1);
        private volatile bool _loaded;

        private static int Hash(IdempotencyKey key) => HashCode.Combine(key.Principal, key.Company, key.Key);

        /// <summary>The rows of every key with the same hash as <paramref name="key"/>.</summary>
        public long[] Candidates(IdempotencyKey key) => _rows.TryGetValue(Hash(key), out var rows) ? rows : [];

        /// <summary>Adds a row of the key (the writer's claims, one at a time).</summary>
        public void Add(IdempotencyKey key, long rowid)
        {
            var hash = Hash(key);
            if (!_rows.TryGetValue(hash, out var rows)) _rows[hash] = [rowid];
            else if (!rows.Contains(rowid)) _rows[hash] = [.. rows, rowid];
        }

        /// <summary>Drops a deleted row of the key.</summary>
        public void Remove(IdempotencyKey key, long rowid)
        {
            var hash = Hash(key);
            if (!_rows.TryGetValue(hash, out var rows)) return;
            long[] kept = [.. rows.Where(r => r != rowid)];
            if (kept.Length == 0) _rows.TryRemove(hash, out _);
            else _rows[hash] = kept;
        }

        public void Forget()
        {
            _loaded = false;
            _rows.Clear();
        }

        public async Task LoadAsync(AppDb db, CancellationToken ct)
        {
            if (_loaded) return;
            await _loading.WaitAsync(ct);
            try
            {
                if (_loaded) return;
                var conn = db.Database.GetDbConnection();
                await using var cmd = conn.CreateCommand();
                cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                cmd.CommandText = "SELECT rowid, principal, company, idem_key FROM idempotency_keys";
                var byHash = new Dictionary<int, List<long>>();
                await using (var r = await cmd.ExecuteReaderAsync(ct))
                    while (await r.ReadAsync(ct))
                    {
                        var hash = Hash(new IdempotencyKey(r.GetString(1), r.GetString(2), r.GetString(3)));
                        if (!byHash.TryGetValue(hash, out var list)) byHash[hash] = list = [];
                        list.Add(r.GetInt64(0));
                    }
                foreach (var (hash, list) in byHash) _rows[hash] = [.. list];
                _loaded = true;
            }
            finally
            {
                _loading.Release();
            }
        }
    }
}
