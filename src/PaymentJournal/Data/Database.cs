using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

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
}

/// <summary>
/// Write units. A write request (or an atomic $batch group) runs as one unit: on SQLite through the group committer
/// (one writer, savepoint per unit, one fsync per group); on PostgreSQL in a transaction of its own, concurrently with
/// others, kept apart by row locks and unique indexes.
/// </summary>
public sealed class WriteGate(DatabaseOptions options, GroupCommitter committer)
{
    /// <summary>Runs <paramref name="work"/> as one all-or-nothing unit; it receives the context to use (its DbContext may differ).</summary>
    public async Task RunAsync(OData.RequestContext rc, Func<OData.RequestContext, Task> work)
    {
        if (IsSqlite)
        {
            await committer.RunAsync(db => work(rc.InUnit(db)), rc.Aborted);
            return;
        }
        await using var tx = await BeginAsync(rc.Db, rc.Aborted);
        await work(rc.InUnit(rc.Db));
        await tx.CommitAsync(rc.Aborted);
    }

    public DatabaseProvider Provider => options.Provider;
    public bool IsSqlite => options.Provider == DatabaseProvider.Sqlite;

    private static async Task<WriteTransaction> BeginAsync(AppDb db, CancellationToken ct) =>
        new(db, await db.Database.BeginTransactionAsync(ct));
}

public sealed class WriteTransaction(AppDb db, IDbContextTransaction tx) : IAsyncDisposable
{
    private bool _done;

    public async Task CommitAsync(CancellationToken ct)
    {
        await tx.CommitAsync(ct);
        _done = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_done)
        {
            try { await tx.RollbackAsync(); } catch (InvalidOperationException) { } // connection already gone
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

    public static bool IsForeignKeyViolation(DbUpdateException e) => e.InnerException switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode == 787,
        PostgresException p => p.SqlState == PostgresErrorCodes.ForeignKeyViolation,
        _ => false,
    };
}
