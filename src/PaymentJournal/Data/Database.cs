using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Configuration section "Database".</summary>
public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    /// <summary>An optional read-only replica; GETs with Data-Access-Intent: ReadOnly are served from it.</summary>
    public string? ReadOnlyConnectionString { get; set; }
    /// <summary>SQLite: the WAL size, in units of 4 KiB, after which the writer checkpoints and starts the WAL file over.</summary>
    public int SqliteWalRestartPages { get; set; } = 65536;
    /// <summary>SQLite: the WAL fsync that makes a group commit durable runs on a thread beside the writer.</summary>
    public bool SqliteSyncBesideWriter { get; set; } = true;
    /// <summary>
    /// SQLite: the page size of a new database file, a power of two from 512 to 65536 (an existing file keeps its own).
    /// </summary>
    public int SqlitePageSize { get; set; } = DefaultSqlitePageSize;
    /// <summary>SQLite's own default page size, and ours.</summary>
    public const int DefaultSqlitePageSize = 4096;

    /// <summary>Throws on a setting SQLite would ignore without a word.</summary>
    public void Validate()
    {
        if (SqlitePageSize is < 512 or > 65536 || (SqlitePageSize & (SqlitePageSize - 1)) != 0)
            throw new InvalidOperationException($"Database:SqlitePageSize must be a power of two from 512 to 65536, not {SqlitePageSize}.");
    }
}

/// <summary>
/// The optional read replica (Database:ReadOnlyConnectionString). GETs that carry Data-Access-Intent: ReadOnly, as
/// Business Central's API accepts, are served from it; everything else uses the primary. A replica lags the primary,
/// so such a read may not yet see the client's own latest write: that is the bargain the header asks for.
/// </summary>
public sealed class ReadReplica
{
    private readonly Lazy<IDbContextFactory<AppDb>>? _factory;

    /// <param name="configure">Sets up the provider for a connection string, as for the primary.</param>
    public ReadReplica(IServiceProvider services, DatabaseOptions options, Action<DbContextOptionsBuilder, string> configure)
    {
        var connectionString = options.ReadOnlyConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString)) return;
        _factory = new(() =>
        {
            // The replica's contexts share the primary's model: compiled queries are bound to the model instance they
            // were compiled against, and a second model would make every one of them throw.
            Microsoft.EntityFrameworkCore.Metadata.IModel model;
            using (var scope = services.CreateScope()) model = scope.ServiceProvider.GetRequiredService<AppDb>().Model;
            var builder = new DbContextOptionsBuilder<AppDb>();
            configure(builder, connectionString);
            builder.UseModel(model);
            return new Microsoft.EntityFrameworkCore.Infrastructure.PooledDbContextFactory<AppDb>(builder.Options, poolSize: 256);
        });
    }

    public bool Configured => _factory is not null;

    /// <summary>A context on the replica, or null when none is configured; the caller disposes it.</summary>
    public AppDb? Create() => _factory?.Value.CreateDbContext();

    /// <summary>True for the header value that asks for the replica (case-insensitive, as Business Central).</summary>
    public static bool WantsReadOnly(string? intent) => string.Equals(intent?.Trim(), "ReadOnly", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// What <see cref="WriteGate"/> needs of the request whose work it runs as a unit: the context it starts on, its
/// cancellation, the same request rebound to the unit's context, and a way to forget what an earlier run of the unit
/// left for after its commit (the SQLite writer may run a unit twice).
/// </summary>
public interface IWriteUnit<TSelf> where TSelf : IWriteUnit<TSelf>
{
    AppDb Db { get; }
    CancellationToken Aborted { get; }
    TSelf InUnit(AppDb db);
    void ResetAfterCommit();
    /// <summary>What the request adds to each of its write units, or null (most requests).</summary>
    IUnitStep? Step { get; }
    /// <summary>
    /// What to throw when the database refuses a write that was held back until the commit (on PostgreSQL, see
    /// <see cref="WriteGate.RunAsync{TUnit}"/>): what the request answers when the same write, made at once, is refused.
    /// </summary>
    Exception WriteRefused(DbUpdateException refused);
}

/// <summary>
/// A step a request adds to every write unit it runs, such as claiming its idempotency key: it runs inside the unit, on
/// the unit's context, before the unit's own work (again whenever the unit runs again), and commits or rolls back with
/// it. Throwing fails the unit.
/// </summary>
public interface IUnitStep
{
    Task BeforeWorkAsync(AppDb db, CancellationToken ct);

    /// <summary>A unit this step ran in has committed (and is durable).</summary>
    void Committed();
}

/// <summary>
/// Thrown by a <see cref="IUnitStep"/> that calls its request off before the unit's work ran (its idempotency key is
/// taken): the step has cancelled the request's token, so the request unwinds as if cancelled, answering nothing.
/// </summary>
public sealed class UnitCalledOffException(CancellationToken token) : OperationCanceledException(token);

/// <summary>
/// Write units. A write request (or an atomic $batch group) runs as one unit: on SQLite through the group committer
/// (one writer; the units of a group share one transaction and one fsync, and a group in which a unit fails after
/// changing rows runs again with a savepoint per unit); on PostgreSQL in a transaction of its own, concurrently with
/// others, kept apart by row locks and unique indexes.
/// </summary>
public sealed class WriteGate(DatabaseOptions options, GroupCommitter committer, DbContextOptions<AppDb> contextOptions)
{
    /// <summary>
    /// Runs <paramref name="work"/> as one all-or-nothing unit; it receives the context to use (its DbContext may differ).
    /// On SQLite the writer may run a unit twice (see <see cref="GroupCommitter"/>): what it leaves for after the commit
    /// starts empty on each run. <paramref name="alone"/>: a unit that changes many rows (posting), or that keeps state
    /// outside its context (an atomic $batch group), runs on its own, once. <paramref name="retry"/>: on PostgreSQL a
    /// unit that the server aborted as a deadlock victim or a serialization failure (nothing of it committed) is rolled
    /// back and run again from the start, up to <see cref="MaxAttempts"/> times in all, instead of answering 500; only
    /// for a unit that keeps no state outside its context (a post). The request's <see cref="IWriteUnit{TSelf}.Step"/>, if
    /// any, runs first in the unit.
    /// </summary>
    public async Task RunAsync<TUnit>(TUnit rc, Func<TUnit, Task> work, bool alone = false, bool retry = false) where TUnit : IWriteUnit<TUnit>
    {
        var step = rc.Step;
        if (IsSqlite)
        {
            await committer.RunAsync(step is null
                ? db =>
                {
                    rc.ResetAfterCommit();
                    return work(rc.InUnit(db));
                }
                : async db =>
                {
                    rc.ResetAfterCommit();
                    await step.BeforeWorkAsync(db, rc.Aborted);
                    await work(rc.InUnit(db));
                }, rc.Aborted, alone);
            step?.Committed();
            return;
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var tx = await BeginAsync(rc.Db, rc.Aborted);
                // A unit of one request may send its last write with the COMMIT; not a post or an atomic group.
                if (!alone) Postgres.PostgresHeldWrite.Allow(rc.Db);
                if (step is not null) await step.BeforeWorkAsync(rc.Db, rc.Aborted);
                await work(rc.InUnit(rc.Db));
                try
                {
                    await tx.CommitAsync(rc.Aborted);
                }
                catch (DbUpdateException e)
                {
                    throw rc.WriteRefused(e);
                }
                step?.Committed();
                return;
            }
            catch (Exception e) when (retry && attempt < MaxAttempts && DbErrors.IsRetryableConflict(e) && !rc.Aborted.IsCancellationRequested)
            {
                // Rolled back (and the context cleared) as the transaction was disposed; what was queued for after the
                // commit belonged to the failed attempt. A short random pause keeps the two from meeting again at once.
                rc.ResetAfterCommit();
                await Task.Delay(Random.Shared.Next(1, 10 * attempt), rc.Aborted);
            }
        }
    }

    /// <summary>
    /// Runs work that belongs to no request (a background writer, a purge) as one all-or-nothing unit and returns its
    /// result: on SQLite through the group committer, the one writer (the result is that of the run that committed); on
    /// PostgreSQL in a READ COMMITTED transaction on a context of its own.
    /// </summary>
    public async Task<T> RunOwnAsync<T>(Func<AppDb, Task<T>> work, CancellationToken ct)
    {
        T result = default!;
        if (IsSqlite)
        {
            await committer.RunAsync(async db => result = await work(db), ct);
            return result;
        }
        await using var db = new AppDb(contextOptions);
        await using var tx = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        result = await work(db);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>How often a retried unit runs at most (<see cref="RunAsync"/>).</summary>
    public const int MaxAttempts = 5;

    public DatabaseProvider Provider => options.Provider;
    public bool IsSqlite => options.Provider == DatabaseProvider.Sqlite;

    /// <summary>
    /// Whether rows numbered by an increasing id commit in id order: on SQLite the one writer runs the units one after
    /// another, so no lower id can commit after a higher one; on PostgreSQL writers run side by side and can.
    /// </summary>
    public bool CommitsInIdOrder => IsSqlite;

    /// <summary>READ COMMITTED whatever the server's default: posting's row locks are built on it (docs/posting.md).</summary>
    private static async Task<WriteTransaction> BeginAsync(AppDb db, CancellationToken ct)
    {
        // No savepoint around each SaveChanges (two more round trips per write): a unit whose SaveChanges fails is
        // rolled back as a whole, never carried on.
        db.Database.AutoSavepointsEnabled = false;
        return new(db, await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct));
    }
}

public sealed class WriteTransaction(AppDb db, IDbContextTransaction tx) : IAsyncDisposable
{
    private bool _done;

    /// <summary>
    /// Commits; a write held back in the unit goes with the COMMIT, and its refusal comes back as the
    /// <see cref="DbUpdateException"/> the write would have thrown (nothing committed).
    /// </summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        if (Postgres.PostgresHeldWrite.Holds(db))
        {
            await Postgres.PostgresHeldWrite.CommitAsync(db, ct);
            _done = true;
            return;
        }
        try
        {
            await tx.CommitAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Lost on the way to or from the server, the COMMIT may have been carried out: say so rather than "not saved".
            throw DbFaults.InDoubt(e);
        }
        _done = true;
    }

    public async ValueTask DisposeAsync()
    {
        Postgres.PostgresHeldWrite.Forget(db);
        if (!_done)
        {
            try { await tx.RollbackAsync(); }
            catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException) { } // connection already gone
            db.ChangeTracker.Clear();
        }
        await tx.DisposeAsync();
    }
}

public static class DbErrors
{
    /// <summary>A unique index said no: the same key exists already.</summary>
    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>
    /// PostgreSQL aborted the transaction as a deadlock victim or for a serialization failure: nothing of it is
    /// committed, and running it again may succeed. EF Core may wrap the server's error.
    /// </summary>
    public static bool IsRetryableConflict(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure })
                return true;
        return false;
    }

    public static bool IsForeignKeyViolation(DbUpdateException e) => e.InnerException switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode == 787,
        PostgresException p => p.SqlState == PostgresErrorCodes.ForeignKeyViolation,
        _ => false,
    };
}

/// <summary>
/// Row locks for work that reads and then writes on the strength of what it read (the next line number of a
/// journal, say). On PostgreSQL concurrent transactions, possibly on other nodes, wait on the row until the holder
/// commits; on SQLite the <see cref="WriteGate"/> already runs one writer at a time, so there is nothing to take.
/// </summary>
public static class RowLocks
{
    /// <summary>Locks a journal batch for the rest of the transaction; false when the journal is gone.</summary>
    public static async Task<bool> JournalAsync(AppDb db, Guid journalId, CancellationToken ct)
    {
        if (!db.IsPostgres) return true;
        if (Postgres.PostgresLocks.InTransaction(db))
            return await Postgres.PostgresLocks.LockAsync(db, "journal_batches", "id", null, journalId, ct) is not null;
        // NO KEY UPDATE: creates queue behind each other (and behind a post, which takes FOR UPDATE), while the
        // foreign-key checks of inserts elsewhere, which take KEY SHARE, are not blocked.
        var rows = await db.Database
            .SqlQuery<int>($"SELECT 1 AS \"Value\" FROM journal_batches WHERE id = {journalId} FOR NO KEY UPDATE")
            .ToListAsync(ct);
        return rows.Count > 0;
    }

    /// <summary>The lock <see cref="JournalAsync"/> takes, to take ahead with the reads after it; null where there is no lock to take.</summary>
    public static ReadAhead? JournalAhead(AppDb db, Guid journalId) =>
        PreparedRows.CanReadAhead(db) ? Postgres.PostgresLocks.LockAhead("journal_batches", "id", null, journalId) : null;

    /// <summary>
    /// The lock <see cref="VersionAsync"/> takes on the <typeparamref name="T"/> row with the given key, to take ahead
    /// with the read of that row; null where there is no lock to take or the row's key is not a single column.
    /// </summary>
    public static ReadAhead? VersionAhead<T>(AppDb db, object key)
    {
        if (!PreparedRows.CanReadAhead(db)) return null;
        var type = db.Model.FindEntityType(typeof(T));
        if (type?.FindPrimaryKey()?.Properties is not [{ } only] || type.FindProperty(nameof(Versioned.Version)) is null) return null;
        return Postgres.PostgresLocks.LockAhead(PreparedRows.TableOf(type)!, only.GetColumnName(), "version", key);
    }

    /// <summary>
    /// Locks a versioned row for the rest of the transaction and returns its committed version (0 when it is gone);
    /// null on SQLite, where the write unit already holds the only write lock from its first read to its commit.
    /// </summary>
    public static async Task<long?> VersionAsync(AppDb db, object entity, CancellationToken ct)
    {
        if (!db.IsPostgres) return null;
        var type = db.Model.FindEntityType(entity.GetType()) ?? throw new InvalidOperationException($"{entity.GetType()} is not mapped.");
        var key = type.FindPrimaryKey()!.Properties;
        var entry = db.Entry(entity);
        if (key is [{ } only] && Postgres.PostgresLocks.InTransaction(db))
            return await Postgres.PostgresLocks.LockAsync(db, PreparedRows.TableOf(type)!, only.GetColumnName(), "version", entry.Property(only.Name).CurrentValue!, ct) ?? 0;
        var where = string.Join(" AND ", key.Select((p, i) => $"{p.GetColumnName()} = {{{i}}}"));
        var values = key.Select(p => entry.Property(p.Name).CurrentValue!).ToArray();
        // Table and column names come from the model, never from the request; the key values are parameters.
        var sql = "SELECT version AS \"Value\" FROM " + PreparedRows.TableOf(type) + " WHERE " + where + " FOR NO KEY UPDATE";
        var rows = await db.Database.SqlQueryRaw<long>(sql, values).ToListAsync(ct);
        return rows.Count > 0 ? rows[0] : 0;
    }
}
