using Microsoft.Data.Sqlite;
using PaymentJournal.Data.Sqlite;
using Xunit;

namespace PaymentJournal.Tests.Unit;

/// <summary>
/// Values bound through SQLite's C API (<see cref="SqliteRowInserter"/>) must be stored exactly as Microsoft.Data.Sqlite
/// stores the same value through a parameter of the type EF Core's mapping gives it: the same storage class and bytes.
/// </summary>
public sealed class SqliteRowInserterTests
{
    public static TheoryData<string, object?> Values() => new()
    {
        { "text", "plain" }, { "text", "" }, { "text", "ünïcødé ✓ 𝄞 o'neil \"q\"" }, { "text", "lone \ud800 surrogate" }, { "text", new string('x', 5000) },
        { "integer", 0L }, { "integer", long.MinValue }, { "integer", 42 }, { "integer", (short)-7 }, { "integer", (byte)200 },
        { "integer", true }, { "integer", false },
        { "real", 1.5 }, { "real", -0.000123 },
        { "blob", new byte[] { 0, 1, 255 } }, { "blob", Array.Empty<byte>() },
        { "guid", Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301") }, { "guid", Guid.Empty },
        { "date", new DateOnly(2026, 12, 7) }, { "date", new DateOnly(1, 1, 1) },
        { "datetime", new DateTime(2026, 12, 7, 13, 5, 9, DateTimeKind.Utc) }, { "datetime", new DateTime(2026, 12, 7, 13, 5, 9, 120, DateTimeKind.Utc).AddTicks(3) },
        { "datetime", DateTime.MaxValue }, { "text", null },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void A_value_is_stored_as_Microsoft_Data_Sqlite_stores_it(string kind, object? value)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE t (n INTEGER, v)";
            create.ExecuteNonQuery();
        }
        // Microsoft.Data.Sqlite, with the parameter type EF Core's SQLite mappings set (GUIDs, dates and times as TEXT).
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO t VALUES (1, @v)";
            var parameterType = kind switch { "integer" => SqliteType.Integer, "real" => SqliteType.Real, "blob" => SqliteType.Blob, _ => SqliteType.Text };
            insert.Parameters.Add("@v", parameterType).Value = value ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
        var providerType = value?.GetType() ?? typeof(string);
        var bound = SqliteRowInserter.KindOf(providerType, "TEXT");
        Assert.NotEqual(SqliteRowInserter.Kind.None, bound);
        using (var tx = connection.BeginTransaction())
        {
            SqliteRowInserter.InsertAll(connection, "INSERT INTO t VALUES (@p0, @p1)", [SqliteRowInserter.Kind.Integer, bound], [value],
                (row, i) => i == 0 ? 2L : row);
            tx.Commit();
        }
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT n, typeof(v), quote(v) FROM t ORDER BY n";
        using var r = read.ExecuteReader();
        Assert.True(r.Read());
        var (type, quoted) = (r.GetString(1), r.GetString(2));
        Assert.True(r.Read());
        Assert.Equal(2L, r.GetInt64(0));
        Assert.Equal(type, r.GetString(1));
        Assert.Equal(quoted, r.GetString(2));
        Assert.False(r.Read());
    }

    [Fact]
    public void Types_it_cannot_bind_are_left_to_the_caller()
    {
        Assert.Equal(SqliteRowInserter.Kind.None, SqliteRowInserter.KindOf(typeof(decimal), "TEXT"));
        Assert.Equal(SqliteRowInserter.Kind.None, SqliteRowInserter.KindOf(typeof(DateTimeOffset), "TEXT"));
        Assert.Equal(SqliteRowInserter.Kind.None, SqliteRowInserter.KindOf(typeof(Guid), "BLOB"));
        Assert.Equal(SqliteRowInserter.Kind.Integer, SqliteRowInserter.KindOf(typeof(int?), "INTEGER"));
    }

    [Fact]
    public void A_failing_row_throws_SQLites_error_and_leaves_the_rows_before_it_in_the_transaction()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE t (id TEXT NOT NULL PRIMARY KEY, v TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }
        using var tx = connection.BeginTransaction();
        var e = Assert.Throws<SqliteException>(() => SqliteRowInserter.InsertAll(connection, "INSERT INTO t VALUES (@p0, @p1)",
            [SqliteRowInserter.Kind.Text, SqliteRowInserter.Kind.Text], ["a", "b", "a"], (row, i) => i == 0 ? row : "x"));
        Assert.Equal(19, e.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal(1555, e.SqliteExtendedErrorCode); // SQLITE_CONSTRAINT_PRIMARYKEY
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM t";
        Assert.Equal(2L, count.ExecuteScalar());
    }
}
