using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Data;

/// <summary>
/// Applies the versioned SQL scripts of the provider (Data/Migrations/{Sqlite|Postgres}/NNNN_name.sql) that the
/// database has not seen yet, each in its own transaction, recording them in schema_migrations. Existing data stays.
/// On PostgreSQL an advisory lock makes nodes that start together migrate once; on SQLite the write lock does.
/// </summary>
public static class Migrator
{
    private const long AdvisoryLockKey = 0x5041594A4E4C; // "PAYJNL"

    public sealed record Script(int Version, string Name, string Sql);

    public static IReadOnlyList<Script> Scripts(DatabaseProvider provider)
    {
        var asm = typeof(Migrator).Assembly;
        var prefix = "migrations/" + provider + "/";
        return asm.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..^4];
                var version = int.Parse(file[..4], System.Globalization.CultureInfo.InvariantCulture);
                using var s = asm.GetManifestResourceStream(n)!;
                using var r = new StreamReader(s);
                return new Script(version, file, r.ReadToEnd());
            })
            .OrderBy(s => s.Version)
            .ToList();
    }

    /// <summary>
    /// Holds the startup lock until disposed, so that the nodes starting together migrate and seed one after the
    /// other (the second finds the work done). PostgreSQL advisory locks are per session and re-entrant, so
    /// <see cref="MigrateAsync"/> may take it again on the same connection. SQLite needs none: one process owns the file.
    /// </summary>
    public static async Task<IAsyncDisposable> StartupLockAsync(AppDb db, DatabaseProvider provider, CancellationToken ct = default)
    {
        await db.Database.OpenConnectionAsync(ct);
        if (provider == DatabaseProvider.Postgres)
            await WaitForLock(db.Database.GetDbConnection(), ct);
        return new StartupLock(db, provider);
    }

    private sealed class StartupLock(AppDb db, DatabaseProvider provider) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (provider == DatabaseProvider.Postgres)
                    await Exec(db.Database.GetDbConnection(), null, $"SELECT pg_advisory_unlock({AdvisoryLockKey});", CancellationToken.None);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    public static async Task<int> MigrateAsync(AppDb db, DatabaseProvider provider, ILogger log,
        int sqlitePageSize = DatabaseOptions.DefaultSqlitePageSize, CancellationToken ct = default)
    {
        var conn = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (provider == DatabaseProvider.Sqlite)
            {
                // A new database gets Database:SqlitePageSize pages (4 KiB, SQLite's own default, unless set). Small pages
                // keep the many small writes cheap: every changed B-tree page goes to the WAL whole. Large ones make the
                // bulk writes of posting cheaper (bench/RESULTS.md, run 2026-12-04 19:52). It only takes effect before the first
                // table exists; an existing database keeps its page size (VACUUM outside WAL mode changes it).
                await Exec(conn, null, "PRAGMA page_size = " + sqlitePageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";", ct);
                // WAL lets readers run beside the writer; synchronous stays FULL (the default) on every connection but the group
                // committer's, which syncs the WAL itself before any caller hears of a commit.
                await Exec(conn, null, "PRAGMA journal_mode=WAL;", ct);
            }
            else
            {
                await WaitForLock(conn, ct);
            }
            try
            {
                await Exec(conn, null, provider == DatabaseProvider.Sqlite
                    ? "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"
                    : "CREATE TABLE IF NOT EXISTS schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);", ct);
                var applied = 0;
                foreach (var script in Scripts(provider))
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var seen = await Scalar(conn, tx, $"SELECT COUNT(*) FROM schema_migrations WHERE version = {script.Version};", ct);
                    if (seen > 0) { await tx.RollbackAsync(ct); continue; }
                    await Exec(conn, tx, script.Sql, ct);
                    await using (var cmd = conn.CreateCommand())
                    {
                        cmd.Transaction = tx;
                        cmd.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t);";
                        Add(cmd, "@v", script.Version);
                        Add(cmd, "@n", script.Name);
                        Add(cmd, "@t", provider == DatabaseProvider.Sqlite ? DateTime.UtcNow.ToString("O") : DateTime.UtcNow);
                        await cmd.ExecuteNonQueryAsync(ct);
                    }
                    await tx.CommitAsync(ct);
                    log.LogInformation("Applied migration {Version} {Name}", script.Version, script.Name);
                    applied++;
                }
                return applied;
            }
            finally
            {
                if (provider == DatabaseProvider.Postgres)
                    await Exec(conn, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey});", ct);
            }
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
    /// Waits for the startup lock as long as the node that holds it migrates and seeds (no command timeout: on a busy
    /// machine that can take longer than a statement may); the lock goes with its holder's session if that node dies.
    /// </summary>
    private static async Task WaitForLock(DbConnection conn, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT pg_advisory_lock({AdvisoryLockKey});";
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task Exec(DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> Scalar(DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
