using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace PaymentJournal.Data.Sqlite;

/// <summary>
/// Group commit for SQLite. SQLite has one writer at a time and a durable commit costs an fsync, so writes queue here
/// and run one after another on a single connection and thread, in a shared transaction; whatever has queued up meanwhile
/// is committed together with one fsync. A failing write takes nothing else with it (see <see cref="RunBatchAsync"/>);
/// every caller learns its outcome only after the commit that holds its write is durable. On a
/// database file in WAL mode that fsync runs on a thread beside the writer (synchronous=NORMAL on the writer's
/// connection, then one fsync of the WAL for every batch committed since the last one), so the next batch runs while
/// the disk works; Database:SqliteSyncBesideWriter=false keeps it inside each COMMIT (synchronous=FULL). The writer's
/// connection stays open and does not checkpoint the WAL in its commits (a large commit, such as a posted journal,
/// would otherwise answer only after copying its whole WAL into the database): a background loop on a connection of
/// its own checkpoints passively once a second, which never blocks the writer or the readers, and
/// the writer starts the WAL over once it has grown past Database:SqliteWalRestartPages. Before each restart the
/// checkpoint loop catches up with the writer and syncs the database file itself, so the restart, which holds up the
/// writer, has only a few pages left to copy and to sync.
/// </summary>
public sealed class GroupCommitter(DbContextOptions<AppDb> options, DatabaseOptions settings, ILogger<GroupCommitter> log, ICommitObserver? observer = null) : IAsyncDisposable
{
    private readonly ICommitObserver? _observer = CommitObserver.Active(observer);
    private const int MaxBatch = 256;
    /// <summary>A catch-up pass this short leaves the writer's RESTART little to copy.</summary>
    private static readonly TimeSpan CatchUpPass = TimeSpan.FromMilliseconds(3);
    private const int MaxCatchUpPasses = 8;
    private long _walRestarts;
    private readonly SemaphoreSlim _checkpointNow = new(0, 1);
    /// <summary>
    /// The writer's wish to start the WAL over: <see cref="RestartIdle"/>; <see cref="RestartAsked"/> (the WAL is past its
    /// limit and the checkpoint loop is catching up); <see cref="RestartReady"/> (the WAL is copied and the database file
    /// synced, so a restart now is cheap).
    /// </summary>
    private int _restart;
    private const int RestartIdle = 0, RestartAsked = 1, RestartReady = 2;

    /// <summary>How often a faulted writer tries its connection again while no write comes.</summary>
    private const int RecoveryIntervalMs = 500;
    /// <summary>Writes arriving sooner than this after a failed try fail at once instead of trying again.</summary>
    private static readonly TimeSpan RecoveryGap = TimeSpan.FromMilliseconds(100);
    private volatile DbFaultException? _fault;
    private long _lastRecovery;

    /// <summary>
    /// Why the writer cannot write at the moment (the file read-only, the disk full, an I/O error), or null when its last
    /// commit or write check succeeded. While it is set the writer fails writes at once and tries a fresh connection
    /// with a write check every <see cref="RecoveryIntervalMs"/> ms, and before a batch.
    /// </summary>
    public DbFaultException? Fault => _fault;

    /// <summary>How many times the writer has started the WAL over (see <see cref="RestartWal"/>).</summary>
    public long WalRestarts => Interlocked.Read(ref _walRestarts);
    private readonly System.Collections.Concurrent.BlockingCollection<Item> _queue = new();
    /// <summary>Committed batches whose WAL frames are written but not yet synced (see <see cref="SyncLoop"/>).</summary>
    private readonly System.Collections.Concurrent.BlockingCollection<List<Item>> _unsynced = new();
    private Task? _running;
    private Task? _checkpoints;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _start = new();

    private sealed class Item(Func<AppDb, Task> work, CancellationToken ct, bool alone)
    {
        public Func<AppDb, Task> Work { get; } = work;
        public bool Alone { get; } = alone;
        public CancellationToken Cancel { get; } = ct;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Exception? Error { get; set; }
        public long Queued { get; } = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Queues <paramref name="work"/> for the writer, which may run it a second time if another unit of its batch fails
    /// (see <see cref="RunBatchAsync"/>). <paramref name="alone"/>: a unit that changes many rows (posting a journal), or
    /// that must not run twice, runs in a group commit of its own.
    /// </summary>
    public Task RunAsync(Func<AppDb, Task> work, CancellationToken ct, bool alone = false)
    {
        EnsureStarted();
        var item = new Item(work, ct, alone);
        try
        {
            if (_queue.TryAdd(item)) return item.Done.Task;
        }
        catch (InvalidOperationException)
        {
            // adding is complete: shutting down
        }
        throw new InvalidOperationException("The service is shutting down.");
    }

    private void EnsureStarted()
    {
        if (_running is not null) return;
        lock (_start)
        {
            _running ??= StartWriterThread();
            _checkpoints ??= StartCheckpointThread();
        }
    }

    /// <summary>
    /// The checkpoint loop runs on a thread of its own at a lower CPU priority (nice 10 on Linux): a pass copies pages for
    /// tens of milliseconds, and on a busy machine the cores should go to the writer and the requests first. On an idle
    /// machine it runs at full speed all the same.
    /// </summary>
    private Task StartCheckpointThread()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                BackgroundPriority.Lower();
                CheckpointLoop();
            }
            finally
            {
                done.TrySetResult();
            }
        }) { IsBackground = true, Name = "SQLite checkpoints" };
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// Runs the checkpoint passes until the service stops. An exception on this thread would end the process, so what
    /// escapes a pass is logged and the loop starts again with a new connection; a disposed service means shutdown.
    /// </summary>
    private void CheckpointLoop()
    {
        while (true)
        {
            try
            {
                CheckpointPasses();
                return;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return; // shutting down
            }
            catch (Exception e)
            {
                log.LogError(e, "The WAL checkpoint thread failed; it starts again in a second");
                if (Volatile.Read(ref _restart) == RestartAsked) Interlocked.CompareExchange(ref _restart, RestartIdle, RestartAsked);
                try { if (_stop.Token.WaitHandle.WaitOne(1000)) return; }
                catch (ObjectDisposedException) { return; }
            }
        }
    }

    private void CheckpointPasses()
    {
        using var db = new AppDb(options);
        db.Database.OpenConnection();
        while (!_stop.IsCancellationRequested)
        {
            // Once a second, or at once when the writer finds the WAL past its limit.
            _checkpointNow.Wait(1000, _stop.Token);
            var restartAsked = Volatile.Read(ref _restart) == RestartAsked;
            try
            {
                var (took, copiedAll) = Checkpoint(db);
                if (!restartAsked) continue;
                // Catch up with the writer: each pass copies what was committed during the one before, until a pass is
                // short. A passive pass that the writer overtakes does not sync the database file, so the pages all
                // passes wrote would be left for the writer's RESTART to sync: sync them here, beside the writer.
                for (var pass = 1; took > CatchUpPass && pass < MaxCatchUpPasses; pass++)
                    (took, copiedAll) = Checkpoint(db);
                if (copiedAll && db.Database.GetDbConnection() is SqliteConnection connection)
                    SqliteFileSync.TrySync(connection);
                // Not wholly copied (a reader still on old frames): the writer asks again after a later batch.
                Interlocked.CompareExchange(ref _restart, copiedAll ? RestartReady : RestartIdle, RestartAsked);
            }
            catch (SqliteException e)
            {
                log.LogWarning(e, "A WAL checkpoint failed; the next one will try again");
                if (restartAsked) Interlocked.CompareExchange(ref _restart, RestartIdle, RestartAsked);
            }
        }
    }

    /// <summary>One passive checkpoint: how long it took, and whether it found the whole WAL copied.</summary>
    private static (TimeSpan Took, bool CopiedAll) Checkpoint(AppDb db)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = cmd.ExecuteReader();
        // One row: busy, frames in the WAL, frames copied into the database.
        var copiedAll = reader.Read() && reader.GetInt64(1) > 0 && reader.GetInt64(2) >= reader.GetInt64(1);
        return (System.Diagnostics.Stopwatch.GetElapsedTime(start), copiedAll);
    }

    /// <summary>
    /// The writer runs on a thread of its own rather than on the thread pool: when a write arrives it starts at once,
    /// instead of waiting in the pool's queue behind the HTTP work of every other request.
    /// </summary>
    private Task StartWriterThread()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                Loop();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                // The writer's connection could not be opened or set up: no write can run, so none is left waiting.
                log.LogCritical(e, "The SQLite writer stopped");
                _queue.CompleteAdding();
                while (_queue.TryTake(out var item)) item.Done.TrySetException(e);
                done.TrySetException(e);
            }
        }) { IsBackground = true, Name = "SQLite writer" }.Start();
        return done.Task;
    }

    private void Loop()
    {
        AppDb? db = NewContext();
        Savepoints? savepoints = new Savepoints(db);
        var walLimit = 4096L * settings.SqliteWalRestartPages;
        var wal = db.Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection { DataSource: { Length: > 0 } file }
            ? new FileInfo(file + "-wal") : null;
        var walSync = wal is null ? null : OpenWalForSync(db, wal);
        var syncer = walSync is null ? null : StartSyncThread(walSync);
        try
        {
            Item? carried = null; // a unit that runs alone, taken from the queue while a batch was being gathered
            while (true)
            {
                Item? first = carried;
                carried = null;
                if (first is null && !_queue.TryTake(out first, _fault is null ? Timeout.Infinite : RecoveryIntervalMs))
                {
                    if (_queue.IsCompleted) break;
                    TryRecover(ref db, ref savepoints, walSync is not null); // no write came: see whether the fault has passed
                    continue;
                }
                // A new list each time: a committed batch may still be with the sync thread.
                var batch = new List<Item>(MaxBatch) { first };
                while (!first.Alone && batch.Count < MaxBatch && _queue.TryTake(out var next))
                {
                    if (next.Alone)
                    {
                        carried = next;
                        break;
                    }
                    batch.Add(next);
                }
                if (_fault is not null && (System.Diagnostics.Stopwatch.GetElapsedTime(_lastRecovery) < RecoveryGap
                                           || !TryRecover(ref db, ref savepoints, walSync is not null)))
                {
                    // Still faulted: the writes fail at once with what is wrong, rather than wait for a disk that may not come back.
                    var fault = _fault;
                    foreach (var item in batch)
                        item.Done.TrySetException(new DbFaultException(fault?.Kind ?? DbFaultKind.Unavailable,
                            fault?.Message ?? "The database cannot be written.", fault?.InnerException));
                    continue;
                }
                var batchStart = System.Diagnostics.Stopwatch.GetTimestamp();
                if (Telemetry.Instruments.GroupCommitWait.Enabled)
                    foreach (var item in batch)
                        Telemetry.Instruments.GroupCommitWait.Record(System.Diagnostics.Stopwatch.GetElapsedTime(item.Queued, batchStart).TotalSeconds);
                try
                {
                    // The units run on SQLite, whose calls all complete synchronously: this wait does not block.
                    RunBatchAsync(db!, savepoints!, batch).GetAwaiter().GetResult();
                    Telemetry.Instruments.GroupCommitBatchSize.Record(batch.Count);
                    Telemetry.Instruments.GroupCommitDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(batchStart).TotalSeconds);
                }
                catch (Exception e)
                {
                    // The commit itself failed (disk full, I/O error, the file made read-only): none of the batch is durable.
                    log.LogError(e, "A group commit of {Count} writes failed", batch.Count);
                    // A COMMIT whose frames were written but whose fsync failed may come back when the WAL is recovered.
                    var answer = e is SqliteException { SqliteExtendedErrorCode: 1034 } // SQLITE_IOERR_FSYNC
                        ? new DbFaultException(DbFaultKind.InDoubt, "Syncing the commit failed.", e) : e;
                    foreach (var item in batch) item.Done.TrySetException(item.Error ?? answer);
                    Faulted(ref db, ref savepoints, e, walSync is not null);
                    continue;
                }
                foreach (var item in batch)
                    if (item.Error is not null) item.Done.TrySetException(item.Error);
                // The batch's frames are in the WAL: the sync thread makes them durable and tells the callers, while the
                // writer goes on with the next batch. Without it (synchronous=FULL) the COMMIT synced the WAL already.
                if (syncer is null || !TryHandToSyncer(batch))
                    foreach (var item in batch)
                        if (item.Error is null) item.Done.TrySetResult();
                // A unit that failed on the database itself (it went read-only between two commits, say) faults the writer too.
                if (batch.FirstOrDefault(item => DbFaults.Classify(item.Error) is not null) is { Error: { } unitFault })
                {
                    Faulted(ref db, ref savepoints, unitFault, walSync is not null);
                    continue;
                }
                if (wal is not null)
                {
                    wal.Refresh();
                    if (wal.Exists && wal.Length > walLimit)
                    {
                        // The checkpoint loop copies the WAL into the database beside the writer; the restart then only
                        // has the few frames committed since to copy.
                        if (Volatile.Read(ref _restart) == RestartReady) RestartWal(db!);
                        else if (Interlocked.CompareExchange(ref _restart, RestartAsked, RestartIdle) == RestartIdle
                                 && _checkpointNow.CurrentCount == 0) _checkpointNow.Release();
                    }
                }
            }
        }
        finally
        {
            _unsynced.CompleteAdding();
            syncer?.GetAwaiter().GetResult();
            db?.Dispose();
        }
    }

    /// <summary>Drops the writer's connection after a fault and tries a fresh one at once.</summary>
    private void Faulted(ref AppDb? db, ref Savepoints? savepoints, Exception error, bool syncNormal)
    {
        var kind = DbFaults.Classify(error) ?? DbFaultKind.Unavailable;
        _fault = new DbFaultException(kind, "The SQLite writer's last commit failed: " + error.Message, error);
        Discard(db);
        db = null;
        savepoints = null;
        TryRecover(ref db, ref savepoints, syncNormal);
    }

    /// <summary>
    /// A fresh connection for the writer, kept only if it can write: SQLite opens a file it may not write read-only
    /// without a word, so the connection is checked for that and then made to commit a write that changes nothing.
    /// False (and <see cref="Fault"/> says why) when it cannot; the writer tries again later.
    /// </summary>
    private bool TryRecover(ref AppDb? db, ref Savepoints? savepoints, bool syncNormal)
    {
        _lastRecovery = System.Diagnostics.Stopwatch.GetTimestamp();
        AppDb? fresh = null;
        try
        {
            fresh = NewContext();
            if (syncNormal) fresh.Database.ExecuteSqlRaw("PRAGMA synchronous = NORMAL;");
            var connection = (SqliteConnection)fresh.Database.GetDbConnection();
            if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
                throw new DbFaultException(DbFaultKind.ReadOnly, "SQLite could open the database file only read-only: the file, its WAL or its folder cannot be written.");
            ProbeWrite(connection);
        }
        catch (Exception e)
        {
            Discard(fresh);
            var kind = DbFaults.Classify(e) ?? DbFaultKind.Unavailable;
            if (_fault?.Kind != kind) log.LogWarning(e, "The SQLite writer cannot write ({Kind}); it tries again every {Interval} ms", kind, RecoveryIntervalMs);
            _fault = e as DbFaultException ?? new DbFaultException(kind, "The SQLite writer cannot write: " + e.Message, e);
            return false;
        }
        Discard(db);
        db = fresh;
        savepoints = new Savepoints(fresh);
        if (_fault is not null) log.LogWarning("The SQLite writer can write again");
        _fault = null;
        return true;
    }

    /// <summary>
    /// Disposes a writer's context and closes its connection, which the context does not own (see <see cref="AppDb"/>):
    /// a writer that keeps trying during a long fault must not leave a connection open for every try.
    /// </summary>
    private static void Discard(AppDb? db)
    {
        if (db is null) return;
        var connection = db.Database.GetDbConnection();
        db.Dispose();
        connection.Dispose();
    }

    /// <summary>A real write that changes no value: the newest schema_migrations row rewritten as it is.</summary>
    internal const string NoChangeWriteSql = "UPDATE schema_migrations SET name = name WHERE version = (SELECT MAX(version) FROM schema_migrations)";

    /// <summary>Commits <see cref="NoChangeWriteSql"/> on the connection.</summary>
    private static void ProbeWrite(SqliteConnection connection)
    {
        using var tx = connection.BeginTransaction(deferred: false);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = NoChangeWriteSql;
        cmd.ExecuteNonQuery();
        tx.Commit();
    }

    private bool TryHandToSyncer(List<Item> batch)
    {
        try
        {
            return _unsynced.TryAdd(batch);
        }
        catch (InvalidOperationException)
        {
            return false; // shutting down: the sync thread has stopped taking batches
        }
    }

    /// <summary>
    /// The WAL file, opened for fsync only, when the writer's commits leave syncing it to <see cref="SyncLoop"/>
    /// (synchronous=NORMAL on the writer); null for a database that is not a file in WAL mode, whose COMMIT syncs itself.
    /// SQLite holds no lock on the WAL file itself (its locks are on the database and the -shm), so a descriptor of our
    /// own on it cannot drop one of SQLite's locks when it is closed.
    /// </summary>
    private FileStream? OpenWalForSync(AppDb db, FileInfo walFile)
    {
        if (!settings.SqliteSyncBesideWriter) return null;
        using (var mode = db.Database.GetDbConnection().CreateCommand())
        {
            mode.CommandText = "PRAGMA journal_mode";
            if (mode.ExecuteScalar() as string != "wal") return null;
        }
        walFile.Refresh();
        if (!walFile.Exists) return null;
        var wal = new FileStream(walFile.FullName, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        db.Database.ExecuteSqlRaw("PRAGMA synchronous = NORMAL;");
        SyncsBesideWriter = true;
        return wal;
    }

    private Task StartSyncThread(FileStream wal)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try { SyncLoop(wal); }
            finally { wal.Dispose(); done.TrySetResult(); }
        }) { IsBackground = true, Name = "SQLite WAL sync" }.Start();
        return done.Task;
    }

    /// <summary>How many units wait for the writer.</summary>
    public int Waiting => _queue.Count;

    /// <summary>Whether commits leave the WAL fsync to the sync thread (known once the writer has started).</summary>
    public bool SyncsBesideWriter { get; private set; }

    /// <summary>
    /// Makes committed batches durable: one fsync of the WAL covers every batch whose COMMIT returned before it began,
    /// and only then do their callers hear of success, as with synchronous=FULL; the writer meanwhile runs the next
    /// batch instead of waiting for the disk. A power failure can lose only commits no caller was told of, and WAL
    /// frames carry chained checksums, so recovery keeps a prefix of the commits, never a hole.
    /// </summary>
    private void SyncLoop(FileStream wal)
    {
        var pending = new List<List<Item>>();
        foreach (var first in _unsynced.GetConsumingEnumerable())
        {
            pending.Clear();
            pending.Add(first);
            while (_unsynced.TryTake(out var more)) pending.Add(more);
            Exception? error = null;
            try
            {
                _observer?.BeforeWalSync();
                wal.Flush(flushToDisk: true);
            }
            catch (Exception e)
            {
                log.LogError(e, "Syncing the WAL after {Count} group commits failed", pending.Count);
                // The commits are in the WAL, maybe on disk: the callers must not be told they were not saved.
                error = new DbFaultException(DbFaultKind.InDoubt, "Syncing the committed write to disk failed.", e);
            }
            foreach (var batch in pending)
                foreach (var item in batch)
                    if (item.Error is null)
                    {
                        if (error is null) item.Done.TrySetResult();
                        else item.Done.TrySetException(error);
                    }
        }
    }

    /// <summary>
    /// Under a steady stream of writes the passive checkpoints never find the WAL wholly copied at a moment when no reader
    /// uses it, so SQLite never starts it over and it grows without end (hundreds of MB a minute), every new page of it
    /// costing the file system a zeroed block. Once the WAL file has grown past its limit and the checkpoint loop has
    /// copied it, the writer therefore checkpoints with RESTART between two batches: the rest of the WAL is copied,
    /// readers still on it are waited for (at most the busy timeout, then it tries again after the next batch), and the
    /// next commit writes from the WAL's beginning again, which cuts the file back to the limit (journal_size_limit).
    /// </summary>
    private void RestartWal(AppDb db)
    {
        try
        {
            using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(RESTART);";
            using var reader = cmd.ExecuteReader();
            if (reader.Read() && reader.GetInt64(0) == 0) Interlocked.Increment(ref _walRestarts);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            log.LogWarning(e, "Restarting the WAL failed; the writer tries again after a later batch");
        }
        finally
        {
            // Restarted or not (readers still on the WAL past the busy timeout), the next restart catches up anew.
            Volatile.Write(ref _restart, RestartIdle);
        }
    }

    /// <summary>Every unit already runs in a savepoint of its own; SaveChanges need not add another one inside it.</summary>
    private AppDb NewContext()
    {
        var db = new AppDb(options);
        try
        {
            db.Database.AutoSavepointsEnabled = false;
            db.Database.OpenConnection();
            // busy_timeout: how long a RESTART checkpoint waits for readers still on the WAL.
            db.Database.ExecuteSqlRaw("PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -32768; PRAGMA busy_timeout = 100;");
            using var cmd = db.Database.GetDbConnection().CreateCommand();
            // A number from the configuration, not from a request; PRAGMA takes no parameters.
            cmd.CommandText = "PRAGMA journal_size_limit = " + (4096L * settings.SqliteWalRestartPages).ToString(System.Globalization.CultureInfo.InvariantCulture);
            cmd.ExecuteNonQuery();
            return db;
        }
        catch
        {
            Discard(db);
            throw;
        }
    }

    /// <summary>
    /// The savepoint statements on the writer's connection (for a batch run again after a failure), compiled once: EF
    /// Core's savepoint calls make a new command for each, and SQLite compiles it anew.
    /// </summary>
    private sealed class Savepoints(AppDb db)
    {
        private readonly SqliteCommand _create = Command(db, "SAVEPOINT w;");
        private readonly SqliteCommand _release = Command(db, "RELEASE w;");
        private readonly SqliteCommand _rollBack = Command(db, "ROLLBACK TO w;");

        public void Create(IDbContextTransaction tx) => Run(_create, tx);
        public void Release(IDbContextTransaction tx) => Run(_release, tx);
        public void RollBack(IDbContextTransaction tx) => Run(_rollBack, tx);

        private static SqliteCommand Command(AppDb db, string sql) => new(sql, (SqliteConnection)db.Database.GetDbConnection());

        private static void Run(SqliteCommand command, IDbContextTransaction tx)
        {
            command.Transaction = (SqliteTransaction)tx.GetDbTransaction();
            command.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Runs a batch in one transaction. The units run one after another without savepoints: a savepoint makes SQLite copy
    /// every page a unit changes into a statement journal first (a temporary file, written with more bytes than the WAL),
    /// and almost every unit either succeeds or fails in a check before it writes. A unit that fails having changed no
    /// row leaves nothing to undo. Only when a unit fails after changing rows (or SQLite rolled the transaction back) is
    /// the whole transaction rolled back and the batch run again, each unit in a savepoint of its own, without the failed
    /// unit; the units before it run a second time, which is safe, since nothing they did was committed or answered.
    /// </summary>
    private static async Task RunBatchAsync(AppDb db, Savepoints savepoints, List<Item> batch)
    {
        if (batch.Count == 1)
        {
            await RunAloneAsync(db, batch[0]);
            return;
        }
        var tx = await db.Database.BeginTransactionAsync();
        try
        {
            if (!await RunWithoutSavepointsAsync(db, batch))
            {
                await tx.RollbackAsync();
                await tx.DisposeAsync();
                tx = await db.Database.BeginTransactionAsync();
                await RunInSavepointsAsync(db, savepoints, tx, batch);
            }
            await tx.CommitAsync();
        }
        finally
        {
            await tx.DisposeAsync();
        }
    }

    /// <summary>False when a unit failed after changing rows: then the transaction holds part of a failed unit.</summary>
    private static async Task<bool> RunWithoutSavepointsAsync(AppDb db, List<Item> batch)
    {
        var handle = ((SqliteConnection)db.Database.GetDbConnection()).Handle!;
        foreach (var item in batch)
        {
            if (item.Cancel.IsCancellationRequested)
            {
                item.Error = new OperationCanceledException(item.Cancel);
                continue;
            }
            // Rows inserted, updated or deleted on this connection so far (triggers and foreign-key actions included).
            var changes = SQLitePCL.raw.sqlite3_total_changes(handle);
            try
            {
                await item.Work(db);
            }
            catch (Exception e)
            {
                item.Error = e;
                // A failed statement leaves no change behind, but SQLite may have rolled back the whole transaction (a
                // full disk, say): then nothing before this unit is in it any more either.
                if (SQLitePCL.raw.sqlite3_total_changes(handle) != changes || SQLitePCL.raw.sqlite3_get_autocommit(handle) != 0)
                    return false;
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
        return true;
    }

    /// <summary>The batch again, each unit in a savepoint; units that already failed keep their error and do not run.</summary>
    private static async Task RunInSavepointsAsync(AppDb db, Savepoints savepoints, IDbContextTransaction tx, List<Item> batch)
    {
        foreach (var item in batch)
        {
            if (item.Error is not null) continue;
            if (item.Cancel.IsCancellationRequested)
            {
                item.Error = new OperationCanceledException(item.Cancel);
                continue;
            }
            savepoints.Create(tx);
            try
            {
                await item.Work(db);
                savepoints.Release(tx);
            }
            catch (Exception e)
            {
                item.Error = e;
                savepoints.RollBack(tx);
                savepoints.Release(tx);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>A batch of one unit needs no savepoint: if it fails, its whole transaction is rolled back.</summary>
    private static async Task RunAloneAsync(AppDb db, Item item)
    {
        if (item.Cancel.IsCancellationRequested)
        {
            item.Error = new OperationCanceledException(item.Cancel);
            return;
        }
        await using var tx = await db.Database.BeginTransactionAsync();
        try
        {
            await item.Work(db);
        }
        catch (Exception e)
        {
            item.Error = e;
            await tx.RollbackAsync();
            return;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
        await tx.CommitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.CompleteAdding();
        if (_running is not null) await _running;
        await _stop.CancelAsync();
        if (_checkpoints is not null) await _checkpoints;
        _stop.Dispose();
    }
}
