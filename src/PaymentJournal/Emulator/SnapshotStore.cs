using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using PaymentJournal.Data;

namespace PaymentJournal.Emulator;

/// <summary>Emulator:* settings.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The /emulator endpoints (reset, snapshots); off unless set, and answering loopback callers only.</summary>
    public bool Enabled { get; set; }
    public int MaxSnapshots { get; set; } = 32;
}

/// <summary>
/// The emulator's reset and named snapshots of the whole database (every table but schema_migrations). The caller runs
/// each operation with no request in flight (<see cref="RequestGate"/>); each one is atomic.
/// </summary>
public abstract class SnapshotStore(EmulatorOptions options)
{
    public const int MaxNameLength = 40;

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static SnapshotStore For(DatabaseProvider provider, EmulatorOptions options) =>
        provider == DatabaseProvider.Postgres ? new PostgresSnapshotStore(options) : new SqliteSnapshotStore(options);

    protected int MaxSnapshots => options.MaxSnapshots;

    public abstract Task<IReadOnlyList<string>> ListAsync(AppDb db, CancellationToken ct);
    /// <summary>Saves the current state under <paramref name="name"/>, replacing a snapshot of that name.</summary>
    public abstract Task SaveAsync(AppDb db, string name);
    /// <returns>false when there is no snapshot of that name</returns>
    public abstract Task<bool> RestoreAsync(AppDb db, string name);
    /// <returns>false when there is no snapshot of that name</returns>
    public abstract Task<bool> DeleteAsync(AppDb db, string name);

    /// <summary>Empties every table and seeds the demo company, in one transaction.</summary>
    public async Task ResetAsync(AppDb db)
    {
        var tables = await TablesAsync(db);
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await ClearAsync(db, tables);
            await DemoSeed.SeedAsync(db);
            await tx.CommitAsync();
        }
        db.ChangeTracker.Clear();
    }

    protected abstract Task ClearAsync(AppDb db, IReadOnlyList<string> tables);

    /// <summary>The service's tables (schema_migrations excepted) of the connection's current schema.</summary>
    protected abstract string TablesSql { get; }

    protected async Task<IReadOnlyList<string>> TablesAsync(AppDb db) =>
        (await QueryAsync(db, TablesSql)).Select(r => r[0]).ToList();

    /// <summary>Rows of text columns, on the context's connection (opened by the caller) and its transaction.</summary>
    protected static async Task<List<string[]>> QueryAsync(AppDb db, string sql)
    {
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var rows = new List<string[]>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.GetString(i);
            rows.Add(row);
        }
        return rows;
    }

    protected static Task ExecuteAsync(AppDb db, string sql) => db.Database.ExecuteSqlRawAsync(sql);

    protected static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    protected static Errors.ApiException TooMany(int max) =>
        new(409, "Emulator_TooManySnapshots", $"There are {max} snapshots already (Emulator:MaxSnapshots); delete one first.");
}

/// <summary>
/// SQLite: a snapshot is an in-memory copy of the database file made with SQLite's online backup, and a restore copies
/// it back the same way, in one write transaction of the destination, pages and all (so ETags come back exactly).
/// Snapshots live as long as the process.
/// </summary>
public sealed class SqliteSnapshotStore(EmulatorOptions options) : SnapshotStore(options), IDisposable
{
    private readonly Dictionary<string, SqliteConnection> _snapshots = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    protected override string TablesSql =>
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name";

    public override Task<IReadOnlyList<string>> ListAsync(AppDb db, CancellationToken ct)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<string>>(_snapshots.Keys.Order(StringComparer.Ordinal).ToList());
    }

    public override async Task SaveAsync(AppDb db, string name)
    {
        lock (_lock)
            if (!_snapshots.ContainsKey(name) && _snapshots.Count >= MaxSnapshots) throw TooMany(MaxSnapshots);
        var main = await MainAsync(db);
        var copy = new SqliteConnection("Data Source=:memory:;Pooling=False");
        try
        {
            copy.Open();
            // An in-memory destination must have the source's page size before the backup writes to it.
            using (var cmd = main.CreateCommand())
            {
                cmd.CommandText = "PRAGMA page_size";
                var pageSize = Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                using var set = copy.CreateCommand();
                set.CommandText = "PRAGMA page_size = " + pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
                set.ExecuteNonQuery();
            }
            await BackupAsync(main, copy);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
        SqliteConnection? old;
        lock (_lock)
        {
            _snapshots.Remove(name, out old);
            _snapshots[name] = copy;
        }
        old?.Dispose();
    }

    public override async Task<bool> RestoreAsync(AppDb db, string name)
    {
        SqliteConnection? copy;
        lock (_lock)
            if (!_snapshots.TryGetValue(name, out copy)) return false;
        await BackupAsync(copy, await MainAsync(db));
        db.ChangeTracker.Clear();
        return true;
    }

    public override Task<bool> DeleteAsync(AppDb db, string name)
    {
        SqliteConnection? old;
        lock (_lock)
            if (!_snapshots.Remove(name, out old)) return Task.FromResult(false);
        old.Dispose();
        return Task.FromResult(true);
    }

    protected override async Task ClearAsync(AppDb db, IReadOnlyList<string> tables)
    {
        // Foreign keys are checked at the commit, when every table is empty or seeded again.
        await ExecuteAsync(db, "PRAGMA defer_foreign_keys = ON");
        foreach (var table in tables) await ExecuteAsync(db, "DELETE FROM " + Quote(table));
    }

    private static Task<SqliteConnection> MainAsync(AppDb db) => Task.FromResult((SqliteConnection)db.Database.GetDbConnection());

    /// <summary>The whole database from one connection to another; a destination busy with a write is tried again.</summary>
    private static async Task BackupAsync(SqliteConnection source, SqliteConnection destination)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                source.BackupDatabase(destination);
                return;
            }
            catch (SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED && attempt < 100)
            {
                await Task.Delay(20);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var c in _snapshots.Values) c.Dispose();
            _snapshots.Clear();
        }
    }
}

/// <summary>
/// PostgreSQL: a snapshot is a schema of its own (pj_snapshot_{name}) holding a copy of every table; a restore empties
/// the tables and copies the rows back, parents before children, in one transaction. Snapshots live in the database,
/// so they outlast a restart.
/// </summary>
public sealed class PostgresSnapshotStore(EmulatorOptions options) : SnapshotStore(options)
{
    private const string Prefix = "pj_snapshot_";

    protected override string TablesSql =>
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations' ORDER BY 1";

    private static string Schema(string name) => Quote(Prefix + name);

    public override async Task<IReadOnlyList<string>> ListAsync(AppDb db, CancellationToken ct) =>
        (await QueryAsync(db, $"SELECT substr(nspname::text, {Prefix.Length + 1}) FROM pg_namespace WHERE starts_with(nspname::text, '{Prefix}') ORDER BY 1"))
        .Select(r => r[0]).ToList();

    private static async Task<bool> ExistsAsync(AppDb db, string name) =>
        (await QueryAsync(db, $"SELECT nspname::text FROM pg_namespace WHERE nspname = '{Prefix}{name}'")).Count > 0;

    public override async Task SaveAsync(AppDb db, string name)
    {
        if (!await ExistsAsync(db, name) && (await ListAsync(db, default)).Count >= MaxSnapshots) throw TooMany(MaxSnapshots);
        var tables = await TablesAsync(db);
        await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        var schema = Schema(name);
        await ExecuteAsync(db, $"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}");
        foreach (var table in tables) await ExecuteAsync(db, $"CREATE TABLE {schema}.{Quote(table)} AS TABLE {Quote(table)}");
        await tx.CommitAsync();
    }

    public override async Task<bool> RestoreAsync(AppDb db, string name)
    {
        if (!await ExistsAsync(db, name)) return false;
        var schema = Schema(name);
        var saved = (await QueryAsync(db, $"SELECT tablename::text FROM pg_tables WHERE schemaname = '{Prefix}{name}'")).Select(r => r[0]).ToHashSet(StringComparer.Ordinal);
        var tables = await ParentsFirstAsync(db, await TablesAsync(db));
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await ClearAsync(db, tables);
            foreach (var table in tables.Where(saved.Contains))
                await ExecuteAsync(db, $"INSERT INTO {Quote(table)} SELECT * FROM {schema}.{Quote(table)}");
            await tx.CommitAsync();
        }
        db.ChangeTracker.Clear();
        return true;
    }

    public override async Task<bool> DeleteAsync(AppDb db, string name)
    {
        if (!await ExistsAsync(db, name)) return false;
        await ExecuteAsync(db, $"DROP SCHEMA IF EXISTS {Schema(name)} CASCADE");
        return true;
    }

    protected override Task ClearAsync(AppDb db, IReadOnlyList<string> tables) =>
        ExecuteAsync(db, "TRUNCATE " + string.Join(", ", tables.Select(Quote)));

    private static readonly (string Child, string Parent)[] TriggerReferences =
        [("payment_dimensions", "journal_lines"), ("customer_payment_applications", "journal_lines")];

    /// <summary>The tables ordered so that every table comes after the tables its foreign keys point to.</summary>
    private static async Task<IReadOnlyList<string>> ParentsFirstAsync(AppDb db, IReadOnlyList<string> tables)
    {
        var parents = tables.ToDictionary(t => t, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var fk in await QueryAsync(db, """
            SELECT c.relname::text, p.relname::text FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
            WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace AND c.oid <> p.oid
            """))
            if (parents.TryGetValue(fk[0], out var set)) set.Add(fk[1]);
        // References kept by triggers rather than foreign keys (PostgreSQL migration 0009): checked on insert all the same.
        foreach (var (child, parent) in TriggerReferences)
            if (parents.TryGetValue(child, out var set)) set.Add(parent);
        var ordered = new List<string>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        void Place(string t, int depth)
        {
            if (placed.Contains(t) || depth > tables.Count) return;
            foreach (var p in parents[t].Where(parents.ContainsKey)) Place(p, depth + 1);
            if (placed.Add(t)) ordered.Add(t);
        }
        foreach (var t in tables) Place(t, 0);
        return ordered;
    }
}
