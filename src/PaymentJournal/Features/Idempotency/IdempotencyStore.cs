using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using PaymentJournal.Data;

namespace PaymentJournal.Features.Idempotency;

/// <summary>
/// Idempotency keys (their rows: <see cref="IdempotencyRows"/>). A key is claimed inside the first write unit of its request (<see cref="ClaimAsync"/>),
/// so the claim commits or rolls back with the request's own changes; the answer is stored afterwards by a background
/// writer (<see cref="Keep"/>) that the client does not wait for: on SQLite through the group committer, on PostgreSQL
/// in a transaction of its own, many answers at a time.
/// </summary>
public sealed class IdempotencyStore(WriteGate gate, IdempotencyRows rows, ILogger<IdempotencyStore> log) : IAsyncDisposable
{
    private const int MaxAnswersPerWrite = 256;

    /// <summary>The clock of claims and expiry; tests may move it.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public long Now() => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Inserts a running row for the key on the write unit's context, or takes over an expired one; the row's handle, or
    /// null when the key is taken. On PostgreSQL a claim of the same key by a transaction still open (on any node) waits for it to end.
    /// </summary>
    public Task<long?> ClaimAsync(AppDb unit, IdempotencyKey key, byte[] requestHash, long createdAt, long expiresAt, CancellationToken ct) =>
        rows.ClaimAsync(unit, key, requestHash, createdAt, expiresAt, ct);

    /// <summary>An answer to store for the claim made at <paramref name="ClaimedAt"/>; or, with only <paramref name="Flushed"/>, a marker.</summary>
    private sealed record Answer(IdempotencyKey Key, long Handle, long ClaimedAt, int Status, string Headers, byte[] Body, TaskCompletionSource? Flushed = null);

    private readonly Channel<Answer> _answers = Channel.CreateUnbounded<Answer>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _start = new();
    private Task? _writer;

    /// <summary>
    /// Queues the answer of a request whose claim committed; the caller does not wait for it. Until it is stored (or if
    /// the process stops first) the key stays running: a retry waits for it, or gets a 409, never a second run.
    /// </summary>
    public void Keep(IdempotencyKey key, long handle, long claimedAt, int status, string headers, byte[] body)
    {
        EnsureWriter();
        if (!_answers.Writer.TryWrite(new Answer(key, handle, claimedAt, status, headers, body)))
            log.LogWarning("The service is stopping: the answer of a request with an idempotency key was not stored; a retry gets a 409");
    }

    /// <summary>Completes once every answer queued before it has been written (or has failed to be).</summary>
    public Task FlushAsync()
    {
        EnsureWriter();
        var marker = new Answer(default, 0, 0, 0, "", [], new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
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
                await rows.AnswerAsync(db, a.Key, a.Handle, a.ClaimedAt, a.Status, a.Headers, a.Body, CancellationToken.None);
        return 0;
    }, CancellationToken.None);

    /// <summary>Deletes every expired key; returns how many.</summary>
    public Task<int> PurgeAsync(CancellationToken ct = default)
    {
        var now = Now();
        return gate.RunOwnAsync(db => rows.PurgeAsync(db, now, ct), ct);
    }

    public Task<IdempotencyRow?> FindAsync(AppDb db, IdempotencyKey key, CancellationToken ct) => rows.FindAsync(db, key, ct);

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
