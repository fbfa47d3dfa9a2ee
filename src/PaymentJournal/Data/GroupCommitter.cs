using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Data;

/// <summary>
/// Group commit for SQLite. SQLite has one writer at a time and a durable commit costs an fsync, so writes queue here
/// and run one after another on a single connection, each inside a savepoint of a shared transaction; whatever has
/// queued up meanwhile is committed together with one fsync. A failing write rolls back to its savepoint and takes
/// nothing else with it; every caller learns its outcome only after the commit that holds its write is durable.
/// </summary>
public sealed class GroupCommitter(DbContextOptions<AppDb> options, ILogger<GroupCommitter> log) : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _running;
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
        lock (_start) _running ??= Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        var db = new AppDb(options);
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
                    db = new AppDb(options);
                }
            }
        }
        finally
        {
            await db.DisposeAsync();
        }
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
    }
}
