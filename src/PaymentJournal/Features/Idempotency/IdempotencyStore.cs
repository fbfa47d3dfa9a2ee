using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using PaymentJournal.Data;

namespace PaymentJournal.Features.Idempotency;

/// <summary>A key as stored: who sent it, for which company (empty when the URL names none), and the client's value.</summary>
public readonly record struct IdempotencyKey(string Principal, string Company, string Key);

/// <summary>A stored key: the hash of its request, and once done the answer to replay.</summary>
public sealed record IdempotencyRow(byte[] RequestHash, bool Done, int Status, string Headers, byte[] Body, long CreatedAt, long ExpiresAt);

/// <summary>
/// The idempotency_keys table. A key is claimed inside the first write unit of its request (<see cref="ClaimAsync"/>),
/// so the claim commits or rolls back with the request's own changes; the answer is stored afterwards by a background
/// writer (<see cref="Keep"/>) that the client does not wait for: on SQLite through the group committer, on PostgreSQL
/// in a transaction of its own, many answers at a time.
/// </summary>
public sealed class IdempotencyStore(WriteGate gate, ILogger<IdempotencyStore> log) : IAsyncDisposable
{
    private const int MaxAnswersPerWrite = 256;

    /// <summary>The clock of claims and expiry; tests may move it.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public long Now() => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Inserts a running row for the key on the write unit's context, or takes over an expired one; false when the key
    /// is taken. On PostgreSQL a claim of the same key by a transaction still open (on any node) waits for it to end.
    /// </summary>
    public async Task<bool> ClaimAsync(AppDb unit, IdempotencyKey key, byte[] requestHash, long createdAt, long expiresAt, CancellationToken ct) =>
        await RawSql.ExecuteInUnitAsync(unit, ClaimSql, ct, key.Principal, key.Company, key.Key, requestHash, createdAt, expiresAt, Array.Empty<byte>()) == 1;

    private const string ClaimSql =
        "INSERT INTO idempotency_keys (principal, company, idem_key, request_hash, state, status, headers, body, created_at, expires_at) " +
        "VALUES (@p0, @p1, @p2, @p3, 0, 0, '', @p6, @p4, @p5) " +
        "ON CONFLICT (principal, company, idem_key) DO UPDATE SET request_hash = excluded.request_hash, state = 0, status = 0, " +
        "headers = '', body = excluded.body, created_at = excluded.created_at, expires_at = excluded.expires_at " +
        "WHERE idempotency_keys.expires_at <= @p4";

    /// <summary>Marks a key done with its answer; a key claimed anew since (it had expired) has another created_at and is left alone.</summary>
    private const string AnswerSql =
        "UPDATE idempotency_keys SET state = 1, status = @p4, headers = @p5, body = @p6 " +
        "WHERE principal = @p0 AND company = @p1 AND idem_key = @p2 AND state = 0 AND created_at = @p3";

    /// <summary>An answer to store for the claim made at <paramref name="ClaimedAt"/>; or, with only <paramref name="Flushed"/>, a marker.</summary>
    private sealed record Answer(IdempotencyKey Key, long ClaimedAt, int Status, string Headers, byte[] Body, TaskCompletionSource? Flushed = null);

    private readonly Channel<Answer> _answers = Channel.CreateUnbounded<Answer>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _start = new();
    private Task? _writer;

    /// <summary>
    /// Queues the answer of a request whose claim committed; the caller does not wait for it. Until it is stored (or if
    /// the process stops first) the key stays running: a retry waits for it, or gets a 409, never a second run.
    /// </summary>
    public void Keep(IdempotencyKey key, long claimedAt, int status, string headers, byte[] body)
    {
        EnsureWriter();
        if (!_answers.Writer.TryWrite(new Answer(key, claimedAt, status, headers, body)))
            log.LogWarning("The service is stopping: the answer of a request with an idempotency key was not stored; a retry gets a 409");
    }

    /// <summary>Completes once every answer queued before it has been written (or has failed to be).</summary>
    public Task FlushAsync()
    {
        EnsureWriter();
        var marker = new Answer(default, 0, 0, "", [], new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return _answers.Writer.TryWrite(marker) ? marker.Flushed!.Task : Task.CompletedTask;
    }

    private void EnsureWriter()
    {
        if (_writer is not null) return;
        lock (_start) _writer ??= Task.Run(WriteLoopAsync);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Answer>(MaxAnswersPerWrite);
        while (await _answers.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxAnswersPerWrite && _answers.Reader.TryRead(out var answer)) batch.Add(answer);
            try
            {
                if (batch.Exists(a => a.Flushed is null)) await WriteAsync(batch);
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Storing {Count} answers of requests with idempotency keys failed; their keys stay running and a retry gets a 409", batch.Count);
            }
            foreach (var a in batch) a.Flushed?.TrySetResult();
        }
    }

    /// <summary>Marks each key done with its answer, all in one unit.</summary>
    private Task WriteAsync(List<Answer> batch) => gate.RunOwnAsync(async db =>
    {
        foreach (var a in batch)
            if (a.Flushed is null)
                await RawSql.ExecuteInUnitAsync(db, AnswerSql, CancellationToken.None, a.Key.Principal, a.Key.Company, a.Key.Key, a.ClaimedAt, a.Status, a.Headers, a.Body);
        return 0;
    }, CancellationToken.None);

    /// <summary>Deletes every expired key; returns how many.</summary>
    public Task<int> PurgeAsync(CancellationToken ct = default)
    {
        object[] parameters = [Now()];
        return gate.RunOwnAsync(db => db.Database.ExecuteSqlRawAsync("DELETE FROM idempotency_keys WHERE expires_at <= {0}", parameters, ct), ct);
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

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    /// <summary>
    /// At shutdown, after the server has answered its last request: the answers still queued are written before the
    /// group committer (made before this store, so disposed after it) stops.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _answers.Writer.TryComplete();
        Task? writer;
        lock (_start) writer = _writer;
        if (writer is not null) await writer;
    }
}
