using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Data;

/// <summary>
/// Group commit for SQLite. SQLite has one writer at a time and a durable commit costs an fsync, so writes queue here
/// and run one after another on a single connection, each inside a savepoint of a shared transaction; whatever has
/// queued up meanwhile is committed together. A failing write rolls back to its savepoint and takes nothing else with
/// it; every caller learns its outcome only after the commit that holds its write is durable.
/// The fsync of the WAL that makes commits durable runs beside the writer (<see cref="SyncLoopAsync"/>), so the next
/// batch does not wait for the disk. The writer's connection stays open and does not checkpoint the WAL in its commits
/// (a large commit, such as a posted journal, would otherwise answer only after copying its whole WAL into the
/// database): a background loop on a connection of its own checkpoints passively, which never blocks the writer or the
/// readers, and the writer starts the WAL over once it has grown past Database:SqliteWalRestartPages.
/// </summary>
public sealed class GroupCommitter(DbContextOptions<AppDb> options, DatabaseOptions settings, ILogger<GroupCommitter> log) : IAsyncDisposable
{
    private const int MaxBatch = 256;
    /// <summary>Frames in the WAL at the last passive checkpoint.</summary>
    private long _walFrames;
    private long _walRestarts;

    /// <summary>How many times the writer has started the WAL over (see <see cref="RestartWal"/>).</summary>
    public long WalRestarts => Interlocked.Read(ref _walRestarts);
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<List<Item>> _synced = Channel.CreateUnbounded<List<Item>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
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
                await Task.Delay(200, _stop.Token);
                try
                {
                    // One row: busy, frames in the WAL, frames checkpointed.
                    await using var cmd = db.Database.GetDbConnection().CreateCommand();
                    cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    await using var reader = await cmd.ExecuteReaderAsync(_stop.Token);
                    if (await reader.ReadAsync(_stop.Token)) Volatile.Write(ref _walFrames, reader.GetInt64(1));
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
        var wal = OpenWal(db);
        var batch = new List<Item>(MaxBatch);
        var syncer = wal is null ? null : Task.Run(() => SyncLoopAsync(wal));
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
                try
                {
                    await RunBatchAsync(db, batch);
                }
                catch (Exception e)
                {
                    // The commit itself failed (disk full, I/O error): none of the batch is durable.
                    log.LogError(e, "A group commit of {Count} writes failed", batch.Count);
                    foreach (var item in batch) item.Done.TrySetException(item.Error ?? e);
                    await db.DisposeAsync();
                    db = NewContext();
                    if (wal is not null) db.Database.ExecuteSqlRaw("PRAGMA synchronous = NORMAL;");
                    continue;
                }
                var committed = new List<Item>(batch.Count);
                foreach (var item in batch)
                {
                    if (item.Error is not null) item.Done.TrySetException(item.Error);
                    else committed.Add(item);
                }
                // With synchronous=FULL the COMMIT itself synced the WAL; otherwise the syncer makes the batch durable
                // and the writer goes on with the next batch meanwhile.
                if (wal is null || !_synced.Writer.TryWrite(committed))
                    foreach (var item in committed) item.Done.TrySetResult();
                if (Volatile.Read(ref _walFrames) >= settings.SqliteWalRestartPages) RestartWal(db);
            }
        }
        finally
        {
            _synced.Writer.TryComplete();
            if (syncer is not null) await syncer;
            await db.DisposeAsync();
        }
    }

    /// <summary>
    /// Makes committed batches durable: one fsync of the WAL file covers every batch committed before it, and only then
    /// do their callers hear of success. It is the sync that synchronous=FULL does inside each COMMIT, moved off the
    /// writer, so the next batch runs while the disk works. A power failure can lose only commits no caller was told
    /// of; WAL frames carry chained checksums, so recovery keeps a prefix of the commits, never a hole.
    /// </summary>
    private async Task SyncLoopAsync(FileStream wal)
    {
        var pending = new List<Item>();
        while (await _synced.Reader.WaitToReadAsync())
        {
            pending.Clear();
            while (_synced.Reader.TryRead(out var committed)) pending.AddRange(committed);
            try
            {
                wal.Flush(flushToDisk: true);
                foreach (var item in pending) item.Done.TrySetResult();
            }
            catch (Exception e)
            {
                log.LogError(e, "Syncing the WAL after a group commit of {Count} writes failed", pending.Count);
                foreach (var item in pending) item.Done.TrySetException(e);
            }
        }
        await wal.DisposeAsync();
    }

    /// <summary>
    /// Under a steady stream of writes the passive checkpoints never find the WAL wholly copied at a moment when no reader
    /// uses it, so SQLite never starts it over and it grows without end (hundreds of MB a minute), every new page of it
    /// costing the file system a zeroed block. Between two batches the writer therefore checkpoints with RESTART: the
    /// rest of the WAL is copied, readers still on it are waited for (at most the busy timeout, then it tries again
    /// later), and the next commit writes from the WAL's beginning again.
    /// </summary>
    private void RestartWal(AppDb db)
    {
        try
        {
            using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(RESTART);";
            using var reader = cmd.ExecuteReader();
            if (reader.Read() && reader.GetInt64(0) == 0)
            {
                Volatile.Write(ref _walFrames, 0);
                Interlocked.Increment(ref _walRestarts);
            }
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            log.LogWarning(e, "Restarting the WAL failed; the writer tries again after a later batch");
        }
    }

    /// <summary>Every unit already runs in a savepoint of its own; SaveChanges need not add another one inside it.</summary>
    private AppDb NewContext()
    {
        var db = new AppDb(options);
        db.Database.AutoSavepointsEnabled = false;
        db.Database.OpenConnection();
        // busy_timeout: how long a RESTART checkpoint waits for readers still on the WAL.
        db.Database.ExecuteSqlRaw("PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -32768; PRAGMA busy_timeout = 100;");
        return db;
    }

    /// <summary>
    /// The WAL file, when the writer leaves syncing it to <see cref="SyncLoopAsync"/> (synchronous=NORMAL on the writer,
    /// for a database file in WAL mode); null when every COMMIT syncs itself (synchronous=FULL, the default).
    /// </summary>
    private static FileStream? OpenWal(AppDb db)
    {
        var connection = (Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection();
        var walPath = string.IsNullOrEmpty(connection.DataSource) ? null : connection.DataSource + "-wal";
        using (var mode = connection.CreateCommand())
        {
            mode.CommandText = "PRAGMA journal_mode";
            if (walPath is null || !File.Exists(walPath) || mode.ExecuteScalar() as string != "wal") return null;
        }
        // Opened for fsync only, never written through, and open as long as the writer: closing a descriptor of a
        // file drops this process's POSIX locks on that file (SQLite locks the database and its -shm, not the WAL).
        var wal = new FileStream(walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        db.Database.ExecuteSqlRaw("PRAGMA synchronous = NORMAL;");
        return wal;
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
