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
/// Write transactions. SQLite allows one writer at a time: an in-process gate queues writers before they
/// take the database lock (BEGIN IMMEDIATE), so they wait in order instead of spinning on SQLITE_BUSY.
/// PostgreSQL runs writers concurrently; row locks and unique indexes keep them apart.
/// </summary>
public sealed class WriteGate(DatabaseOptions options)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    public DatabaseProvider Provider => options.Provider;
    public bool IsSqlite => options.Provider == DatabaseProvider.Sqlite;

    public async Task<WriteTransaction> BeginAsync(AppDb db, CancellationToken ct)
    {
        if (IsSqlite) await _gate.WaitAsync(ct);
        try
        {
            var tx = await db.Database.BeginTransactionAsync(ct);
            return new WriteTransaction(db, tx, IsSqlite ? _gate : null);
        }
        catch
        {
            if (IsSqlite) _gate.Release();
            throw;
        }
    }
}

public sealed class WriteTransaction(AppDb db, IDbContextTransaction tx, SemaphoreSlim? gate) : IAsyncDisposable
{
    private bool _done;

    public async Task CommitAsync(CancellationToken ct)
    {
        await tx.CommitAsync(ct);
        _done = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_done)
            {
                try { await tx.RollbackAsync(); } catch (InvalidOperationException) { } // connection already gone
                db.ChangeTracker.Clear();
            }
            await tx.DisposeAsync();
        }
        finally
        {
            gate?.Release();
        }
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
