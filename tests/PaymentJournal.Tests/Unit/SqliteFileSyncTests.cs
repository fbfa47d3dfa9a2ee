using Microsoft.Data.Sqlite;
using PaymentJournal.Data;
using Xunit;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Tests.Unit;

/// <summary>
/// The checkpoint loop syncs the database file through SQLite's own file handle (the VFS's xSync). Calling a wrong slot
/// of SQLite's method table would not pass unnoticed: xTruncate would cut the file, xRead or xWrite would fail or crash.
/// </summary>
public sealed class SqliteFileSyncTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"pj-sync-{Guid.NewGuid():N}.db");

    [Fact]
    public void Syncs_a_database_file_and_leaves_it_whole()
    {
        using var connection = new SqliteConnection($"Data Source={_file};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);");
        Execute(connection, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO t SELECT i, printf('row %d', i) FROM n;");
        Execute(connection, "PRAGMA wal_checkpoint(PASSIVE);");
        var size = new FileInfo(_file).Length;
        Assert.True(size > 8192, $"the file holds {size} bytes");

        Assert.True(SqliteFileSync.TrySync(connection));
        Assert.True(SqliteFileSync.TrySync(connection));

        Assert.Equal(size, new FileInfo(_file).Length);
        Assert.Equal("ok", Scalar(connection, "PRAGMA integrity_check;"));
        Assert.Equal(2000L, Scalar(connection, "SELECT COUNT(*) FROM t;"));
        Assert.Equal("row 1234", Scalar(connection, "SELECT v FROM t WHERE id = 1234;"));
        // Still usable for writes afterwards.
        Execute(connection, "INSERT INTO t VALUES (2001, 'after');");
        Assert.Equal(2001L, Scalar(connection, "SELECT COUNT(*) FROM t;"));
    }

    [Fact]
    public void Says_no_for_a_database_without_a_file()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Execute(connection, "CREATE TABLE t (id INTEGER PRIMARY KEY);");
        Assert.False(SqliteFileSync.TrySync(connection));
        Assert.Equal(0L, Scalar(connection, "SELECT COUNT(*) FROM t;"));
    }

    [Fact]
    public void Says_no_for_a_closed_connection()
    {
        using var connection = new SqliteConnection($"Data Source={_file};Pooling=False");
        Assert.False(SqliteFileSync.TrySync(connection));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    public void Dispose()
    {
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
            if (File.Exists(f)) File.Delete(f);
    }
}

/// <summary>The checkpoint thread lowers its own CPU priority, and only its own.</summary>
public sealed class BackgroundPriorityTests
{
    [LinuxFact]
    public void Lowers_the_calling_thread_only()
    {
        var before = BackgroundPriority.Current();
        int? inside = null;
        var lowered = false;
        var thread = new Thread(() =>
        {
            lowered = BackgroundPriority.Lower();
            inside = BackgroundPriority.Current();
        });
        thread.Start();
        thread.Join();
        Assert.True(lowered);
        Assert.Equal(BackgroundPriority.Nice, inside);
        Assert.Equal(before, BackgroundPriority.Current());
    }
}
