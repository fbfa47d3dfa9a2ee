using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Data;

/// <summary>
/// What /health and /health/ready say about the database. Reading is not enough: a database that answers reads may
/// refuse writes (a read-only file, a full disk), so the SQLite writer's own state counts, and a write fault met by a
/// request makes /health check writing until a write succeeds again.
/// </summary>
public sealed class DatabaseHealth(DatabaseOptions options, GroupCommitter committer, ILogger<DatabaseHealth> log)
{
    /// <summary>How long a write check may take before the database counts as unavailable.</summary>
    private static readonly TimeSpan WriteCheckTimeout = TimeSpan.FromSeconds(5);
    private readonly int _latestMigration = Migrator.Scripts(options.Provider).Max(s => s.Version);
    private volatile string? _reportedFault;

    /// <summary>
    /// A request met a database fault: its answer (503 or 507), and /health stays unhealthy until a write check succeeds.
    /// </summary>
    public Errors.ApiException Report(DbFaultKind kind)
    {
        _reportedFault = Describe(kind);
        return kind switch
        {
            DbFaultKind.DiskFull => Errors.ApiErrors.DatabaseFull(),
            DbFaultKind.ReadOnly => Errors.ApiErrors.DatabaseReadOnly(),
            DbFaultKind.InDoubt => Errors.ApiErrors.DatabaseCommitUnknown(),
            _ => Errors.ApiErrors.DatabaseUnavailable(),
        };
    }

    /// <summary>/health: null when the database answers and nothing says it cannot be written, else what is wrong.</summary>
    public async Task<string?> ProblemAsync(AppDb db, CancellationToken ct)
    {
        if (!await CanConnectAsync(db, ct)) return Describe(DbFaultKind.Unavailable);
        if (committer.Fault is { } writer) return Describe(writer.Kind);
        return _reportedFault is null ? null : await WriteProblemAsync(db, ct);
    }

    /// <summary>/health/ready: the migrations ran, the database answers and a write commits.</summary>
    public async Task<string?> ReadinessProblemAsync(AppDb db, CancellationToken ct)
    {
        if (!await CanConnectAsync(db, ct)) return Describe(DbFaultKind.Unavailable);
        try
        {
            var applied = await db.Database.SqlQueryRaw<int>("SELECT COALESCE(MAX(version), 0) AS \"Value\" FROM schema_migrations").ToListAsync(ct);
            if (applied.Count == 0 || applied[0] < _latestMigration) return "the database schema is not up to date (migrations have not run)";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return DbFaults.Classify(e) is { } kind ? Describe(kind) : "the database schema is not there (migrations have not run)";
        }
        return await WriteProblemAsync(db, ct);
    }

    private static async Task<bool> CanConnectAsync(AppDb db, CancellationToken ct)
    {
        try
        {
            return await db.Database.CanConnectAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Commits a write that changes no value, through the writer on SQLite; null when it committed.</summary>
    private async Task<string?> WriteProblemAsync(AppDb db, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(WriteCheckTimeout);
        try
        {
            if (options.Provider == DatabaseProvider.Sqlite)
            {
                await committer.RunAsync(unit => unit.Database.ExecuteSqlRawAsync(GroupCommitter.NoChangeWriteSql, timeout.Token), timeout.Token).WaitAsync(timeout.Token);
            }
            else
            {
                await using var tx = await db.Database.BeginTransactionAsync(timeout.Token);
                await db.Database.ExecuteSqlRawAsync(GroupCommitter.NoChangeWriteSql, timeout.Token);
                await tx.CommitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return "a write to the database did not complete within " + WriteCheckTimeout.TotalSeconds + " seconds";
        }
        catch (Exception e) when (e is not OperationCanceledException && (DbFaults.Classify(e) is not null || e is SqliteException or System.Data.Common.DbException))
        {
            log.LogWarning(e, "The health write check failed");
            return Describe(DbFaults.Classify(e) ?? DbFaultKind.Unavailable);
        }
        _reportedFault = null;
        return null;
    }

    private static string Describe(DbFaultKind kind) => kind switch
    {
        DbFaultKind.DiskFull => "the database's disk is full",
        DbFaultKind.ReadOnly => "the database can be read but not written",
        _ => "the database cannot be reached",
    };
}
