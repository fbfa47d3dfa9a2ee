using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using PaymentJournal.Data;
using Xunit;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Tests.Unit;

/// <summary>
/// The prepared reads take column values from SQLite's statement directly (<see cref="SqliteColumns"/>). Whatever is
/// stored, each of its reads must give what Microsoft.Data.Sqlite's reader gives for the same value, or throw what the
/// reader throws; and every column of the model must have such a read, or the fast path quietly serves none of it.
/// </summary>
public sealed class SqliteColumnsTests(QueryBinderDatabase database) : IClassFixture<QueryBinderDatabase>
{
    /// <summary>Stored values, as SQL literals, of every storage class, in the forms EF Core writes and in others.</summary>
    private static readonly string[] Stored =
    [
        "NULL", "0", "1", "-1", "42", "2147483647", "2147483648", "-2147483649", "32767", "32768", "255", "256", "9223372036854775807",
        "1.5", "-0.25", "2460857.5", "1e300",
        "''", "'text'", "'Zürich – 東京 😀'", "'a' || char(0) || 'b'", "'12'", "' 12'",
        "'B0000000-0000-4000-8000-000000000001'", "'b0000000-0000-4000-8000-00000000000a'", "'{B0000000-0000-4000-8000-000000000001}'",
        "'B0000000000040008000000000000001'", "'B0000000-0000-4000-8000-00000000000G'", "'B0000000-0000-4000-8000-0000000000é'",
        "x'000102030405060708090A0B0C0D0E0F'", "x'0102'",
        "'2025-06-30'", "'2025-6-30'", "'2025-02-29'", "'2024-02-29'", "'0001-01-01'", "'9999-12-31'", "'2025-13-01'", "'2025-06-31'",
        "'2025-06-30 00:00:00'", "'2025-06-30 23:59:59'", "'2025-06-30 12:34:56.1'", "'2025-06-30 12:34:56.1234567'",
        "'2025-06-30 12:34:56.12345678'", "'2025-06-30 12:34:56.'", "'2025-06-30T12:34:56'", "'2025-06-30 12:34:56Z'",
        "'2025-06-30 12:34:56+02:00'", "'2025-06-30 24:00:00'", "'2025-06-30 12:60:00'", "'2025-06-30 1:02:03'",
        "'9999-12-31 23:59:59.9999999'", "'2025-06-30 12:34'",
    ];

    private static readonly string[] Reads =
    [
        nameof(DbDataReader.GetString), nameof(DbDataReader.GetInt64), nameof(DbDataReader.GetInt32), nameof(DbDataReader.GetInt16),
        nameof(DbDataReader.GetByte), nameof(DbDataReader.GetBoolean), nameof(DbDataReader.GetDouble), nameof(DbDataReader.GetGuid),
        nameof(DbDataReader.GetDateTime), nameof(SqliteColumns.GetDateOnly),
    ];

    [Fact]
    public void Every_read_gives_what_the_reader_gives_for_every_stored_value()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT " + string.Join(", ", Stored);
        using var reader = cmd.ExecuteReader();
        Assert.True(reader.Read());
        var stmt = SqliteColumns.StatementOf(reader);
        Assert.NotEqual(IntPtr.Zero, stmt);

        var compared = 0;
        var servedNatively = 0;
        for (var i = 0; i < Stored.Length; i++)
        {
            Assert.Equal(reader.IsDBNull(i), SqliteColumns.IsDBNull(reader, stmt, i));
            foreach (var name in Reads)
            {
                var native = typeof(SqliteColumns).GetMethod(name)!;
                var expected = Outcome(() => name == nameof(SqliteColumns.GetDateOnly) ? reader.GetFieldValue<DateOnly>(i)
                    : typeof(DbDataReader).GetMethod(name, [typeof(int)])!.Invoke(reader, [i]));
                var actual = Outcome(() => native.Invoke(null, [reader, stmt, i]));
                Assert.True(Same(expected, actual), $"{name} of {Stored[i]}: the reader gives {expected}, the native read {actual}");
                // Without a statement, everything goes through the reader.
                Assert.True(Same(expected, Outcome(() => native.Invoke(null, [reader, IntPtr.Zero, i]))), $"{name} of {Stored[i]} without a statement");
                compared++;
                if (expected is not Type) servedNatively++;
            }
        }
        Assert.Equal(Stored.Length * Reads.Length, compared);
        Assert.True(servedNatively > 150, $"only {servedNatively} reads gave a value");
    }

    [Fact]
    public void Every_column_of_the_model_has_a_native_read()
    {
        using var db = database.Open();
        var missing = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
            {
                var method = ((RelationalTypeMapping)property.GetTypeMapping()).GetDataReaderMethod();
                if (SqliteColumns.For(method) is null) missing.Add($"{entity.ClrType.Name}.{property.Name} ({method.Name})");
            }
        Assert.Empty(missing);
    }

    [Fact]
    public void A_reader_method_of_another_return_type_or_name_has_no_native_read()
    {
        Assert.Null(SqliteColumns.For(typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetDecimal))!));
        Assert.Null(SqliteColumns.For(typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetFieldValue))!.MakeGenericMethod(typeof(TimeOnly))));
        Assert.NotNull(SqliteColumns.For(typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetFieldValue))!.MakeGenericMethod(typeof(DateOnly))));
    }

    [Fact]
    public void Guids_dates_and_timestamps_in_EF_Core_s_forms_parse_as_dotnet_parses_them()
    {
        var random = new Random(7);
        Span<byte> raw = stackalloc byte[16];
        for (var n = 0; n < 2000; n++)
        {
            random.NextBytes(raw);
            var guid = new Guid(raw);
            foreach (var text in new[] { guid.ToString("D").ToUpperInvariant(), guid.ToString("D") })
            {
                Assert.True(SqliteColumns.TryGuid(System.Text.Encoding.ASCII.GetBytes(text), out var parsed), text);
                Assert.Equal(guid, parsed);
            }
            var at = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Unspecified);
            foreach (var text in new[] { at.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture),
                         at.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) })
            {
                Assert.True(SqliteColumns.TryDateTime(System.Text.Encoding.ASCII.GetBytes(text), out var parsed), text);
                Assert.Equal(DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture), parsed);
                Assert.Equal(DateTimeKind.Unspecified, parsed.Kind);
            }
            var day = DateOnly.FromDateTime(at);
            Assert.True(SqliteColumns.TryDate(System.Text.Encoding.ASCII.GetBytes(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), out var date));
            Assert.Equal(day, date);
        }
        Assert.False(SqliteColumns.TryGuid("B0000000-0000-4000-8000-00000000000G"u8, out _));
        Assert.False(SqliteColumns.TryGuid("B0000000-0000-4000-8000_000000000001"u8, out _));
        Assert.False(SqliteColumns.TryGuid("B0000000-0000-4000-8000-0000000001"u8, out _));
    }

    /// <summary>The value read, or the type of the exception thrown (unwrapped from reflection's).</summary>
    private static object? Outcome(Func<object?> read)
    {
        try
        {
            return read();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            return e.InnerException.GetType();
        }
        catch (Exception e)
        {
            return e.GetType();
        }
    }

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (DateTime x, DateTime y) => x.Ticks == y.Ticks && x.Kind == y.Kind,
        (double x, double y) => x.Equals(y),
        _ => Equals(a, b),
    };
}
