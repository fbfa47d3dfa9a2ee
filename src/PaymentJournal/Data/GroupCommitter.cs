using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Data;

/// <summary>
/// Group commit for SQLite. SQLite has one writer at a time and a durable commit costs an fsync, so writes queue here
/// and run one after another on a single connection, each inside a savepoint of a shared transaction; whatever has
/// queued up meanwhile is committed together with one fsync. A failing write rolls back to its savepoint and takes
/// nothing else with it; every caller learns its outcome only after the commit that holds its write is durable.
/// The writer's connection stays open, and it does not checkpoint the WAL itself (a large commit, such as a posted
/// journal, would otherwise answer only after copying its whole WAL into the database): a background loop on a
/// connection of its own checkpoints passively, which never blocks the writer or the readers.
/// </summary>
public sealed class GroupCommitter(DbContextOptions<AppDb> options, ILogger<GroupCommitter> log) : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _running;
    private Task? _checkpoints;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _start = new();

    private sealed class Item(Func<AppDb, Task> work, CancellationToken ct)
    {
        public Func<AppDb, Task> Work { get; } = work;
        public CancellationToken Cancel { get; } = ct;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Exception? Error { get; set; }
    }

    public Task RunAsync(Func<AppDb, Task> work, CancellationToken ct)
    {
        EnsureStarted();
        var item = new Item(work, ct);
        if (!_queue.Writer.TryWrite(item)) throw new InvalidOperationException("The service is shutting down.");
        return item.Done.Task;
    }

    private void EnsureStarted()
    {
        if (_running is not null) return;
        lock (_start)
        {
            _running ??= Task.Run(LoopAsync);
            _checkpoints ??= Task.Run(CheckpointLoopAsync);
        }
    }

    private async Task CheckpointLoopAsync()
    {
        try
        {
            await using var db = new AppDb(options);
            await db.Database.OpenConnectionAsync(_stop.Token);
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(500, _stop.Token);
                try
                {
                    await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE);", _stop.Token);
                }
                catch (Microsoft.Data.Sqlite.SqliteException e)
                {
                    log.LogWarning(e, "A WAL checkpoint failed; the next one will try again");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // shutting down
        }
    }

    private async Task LoopAsync()
    {
        var db = NewContext();
        var batch = new List<Item>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
                try
                {
                    await RunBatchAsync(db, batch);
                    foreach (var item in batch)
                    {
                        if (item.Error is null) item.Done.TrySetResult();
                        else item.Done.TrySetException(item.Error);
                    }
                }
                catch (Exception e)
                {
                    // The commit itself failed (disk full, I/O error): none of the batch is durable.
                    log.LogError(e, "A group commit of {Count} writes failed", batch.Count);
                    foreach (var item in batch) item.Done.TrySetException(item.Error ?? e);
                    await db.DisposeAsync();
                    db = NewContext();
                }
            }
        }
        finally
        {
            await db.DisposeAsync();
        }
    }

    /// <summary>Every unit already runs in a savepoint of its own; SaveChanges need not add another one inside it.</summary>
    private AppDb NewContext()
    {
        var db = new AppDb(options);
        db.Database.AutoSavepointsEnabled = false;
        db.Database.OpenConnection();
        db.Database.ExecuteSqlRaw("PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -32768;");
        return db;
    }

    private static async Task RunBatchAsync(AppDb db, List<Item> batch)
    {
        await using var tx = await db.Database.BeginTransactionAsync();
        foreach (var item in batch)
        {
            if (item.Cancel.IsCancellationRequested)
            {
                item.Error = new OperationCanceledException(item.Cancel);
                continue;
            }
            await tx.CreateSavepointAsync("w");
            try
            {
                await item.Work(db);
                await tx.ReleaseSavepointAsync("w");
            }
            catch (Exception e)
            {
                item.Error = e;
                await tx.RollbackToSavepointAsync("w");
                await tx.ReleaseSavepointAsync("w");
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
        await tx.CommitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_running is not null) await _running;
        await _stop.CancelAsync();
        if (_checkpoints is not null) await _checkpoints;
        _stop.Dispose();
    }
}
