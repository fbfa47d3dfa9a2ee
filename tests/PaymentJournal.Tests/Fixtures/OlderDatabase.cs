using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// A database of the test run's provider as an earlier release left it: the migrations before a given one applied
/// and recorded, rows written with plain SQL in that release's columns; then opened with today's model to migrate.
/// </summary>
public sealed class OlderDatabase : IAsyncDisposable
{
    public static readonly DatabaseProvider Provider = TestDatabase.Provider;
    private readonly string _directory;
    public string ConnectionString { get; }

    private OlderDatabase(string directory, string connectionString) => (_directory, ConnectionString) = (directory, connectionString);

    /// <summary>The version of the migration whose name ends with <paramref name="nameEnd"/>.</summary>
    public static int VersionOf(string nameEnd) => Migrator.Scripts(Provider).Single(s => s.Name.EndsWith(nameEnd, StringComparison.Ordinal)).Version;

    /// <summary>A new database with every migration before <paramref name="firstNew"/> applied.</summary>
    public static async Task<OlderDatabase> CreateAsync(int firstNew)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pj-older-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        var old = new OlderDatabase(directory, await TestDatabase.CreateAsync(Provider, directory, "upgrade"));
        await using var conn = old.Open();
        await conn.OpenAsync();
        await Exec(conn, Provider == DatabaseProvider.Sqlite
            ? "CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            : "CREATE TABLE schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)");
        foreach (var script in Migrator.Scripts(Provider).Where(s => s.Version < firstNew))
        {
            await Exec(conn, script.Sql);
            await Exec(conn, $"INSERT INTO schema_migrations VALUES ({script.Version}, '{script.Name}', '2026-01-01')");
        }
        return old;
    }

    public DbConnection Open() => Provider == DatabaseProvider.Sqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);

    /// <summary>Today's context on the database (not migrated yet).</summary>
    public AppDb Context() => new(Provider == DatabaseProvider.Sqlite
        ? new DbContextOptionsBuilder<AppDb>().UseSqlite(ConnectionString).Options
        : new DbContextOptionsBuilder<AppDb>().UseNpgsql(ConnectionString).Options);

    /// <summary>A GUID literal as the provider stores it (SQLite: upper-case text).</summary>
    public static string Id(Guid id) => Provider == DatabaseProvider.Sqlite ? $"'{id.ToString("D").ToUpperInvariant()}'" : $"'{id:D}'";
    public static string False => Provider == DatabaseProvider.Sqlite ? "0" : "false";
    public static string True => Provider == DatabaseProvider.Sqlite ? "1" : "true";

    public static async Task Exec(DbConnection conn, string sql)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        await TestDatabase.DropAsync(Provider, ConnectionString);
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
