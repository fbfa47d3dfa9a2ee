using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PaymentJournal.Data.Sqlite;

/// <summary>
/// Inserts many rows through SQLite's C API: one statement prepared for the call, each row's values bound by position.
/// Microsoft.Data.Sqlite binds every parameter of a command by its name on each run (the name looked up in the
/// statement, the value converted and copied), which in a bulk insert of many columns cost more than the insert itself.
/// Values are stored as Microsoft.Data.Sqlite stores them for the column's type mapping: text as UTF-8, integers and
/// booleans as integers, GUIDs (in a TEXT column) as upper-case text, dates and times as ISO text. A column of any other
/// kind cannot be bound here (<see cref="KindOf"/> answers <see cref="Kind.None"/>), and the caller inserts as before.
/// </summary>
public static class SqliteRowInserter
{
    public enum Kind { None, Text, Integer, Real, Blob, GuidText, DateText, DateTimeText }

    /// <summary>How a column whose values reach the database as <paramref name="providerType"/> is bound.</summary>
    public static Kind KindOf(Type providerType, string storeType)
    {
        var type = Nullable.GetUnderlyingType(providerType) ?? providerType;
        var text = storeType.Equals("TEXT", StringComparison.OrdinalIgnoreCase);
        return type switch
        {
            _ when type == typeof(string) => Kind.Text,
            _ when type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(bool) => Kind.Integer,
            _ when type == typeof(double) => Kind.Real,
            _ when type == typeof(byte[]) => Kind.Blob,
            _ when type == typeof(Guid) && text => Kind.GuidText,
            _ when type == typeof(DateOnly) && text => Kind.DateText,
            _ when type == typeof(DateTime) && text => Kind.DateTimeText,
            _ => Kind.None,
        };
    }

    /// <summary>
    /// Runs <paramref name="sql"/> (an INSERT with one positional parameter per column, in <paramref name="kinds"/>' order)
    /// once per row, in the connection's open transaction; <paramref name="valueOf"/> gives a row's value of a column
    /// (null or <see cref="DBNull"/> for NULL). A failing row throws the <see cref="SqliteException"/> Microsoft.Data.Sqlite would.
    /// </summary>
    public static void InsertAll<T>(SqliteConnection connection, string sql, Kind[] kinds, IReadOnlyList<T> rows, Func<T, int, object?> valueOf)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(db, sql, out var stmt), db);
        var buffer = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            using (stmt)
            {
                foreach (var row in rows)
                {
                    for (var i = 0; i < kinds.Length; i++)
                    {
                        var rc = Bind(stmt, i + 1, kinds[i], valueOf(row, i), ref buffer);
                        if (rc != raw.SQLITE_OK) Fail(db, stmt, rc);
                    }
                    var step = raw.sqlite3_step(stmt);
                    if (step != raw.SQLITE_DONE) Fail(db, stmt, step);
                    raw.sqlite3_reset(stmt);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Bind(sqlite3_stmt stmt, int index, Kind kind, object? value, ref byte[] buffer)
    {
        if (value is null or DBNull) return raw.sqlite3_bind_null(stmt, index);
        switch (kind)
        {
            case Kind.Text:
                var s = (string)value;
                // An empty span would reach SQLite as a null pointer, which it stores as NULL.
                if (s.Length == 0) return raw.sqlite3_bind_text(stmt, index, "");
                var max = Encoding.UTF8.GetMaxByteCount(s.Length);
                if (buffer.Length < max)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(max);
                }
                return raw.sqlite3_bind_text(stmt, index, buffer.AsSpan(0, Encoding.UTF8.GetBytes(s, buffer)));
            case Kind.Integer:
                return raw.sqlite3_bind_int64(stmt, index, value is bool b ? (b ? 1 : 0) : Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case Kind.Real:
                return raw.sqlite3_bind_double(stmt, index, (double)value);
            case Kind.Blob:
                return raw.sqlite3_bind_blob(stmt, index, (byte[])value);
            default:
                Span<byte> text = stackalloc byte[40];
                return raw.sqlite3_bind_text(stmt, index, text[..Format(kind, value, text)]);
        }
    }

    /// <summary>The UTF-8 text Microsoft.Data.Sqlite writes for a GUID, a date or a date and time; its length in <paramref name="text"/>.</summary>
    private static int Format(Kind kind, object value, Span<byte> text)
    {
        int n;
        var ok = kind switch
        {
            Kind.GuidText => ((Guid)value).TryFormat(text, out n),
            Kind.DateText => ((DateOnly)value).TryFormat(text, out n, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => ((DateTime)value).TryFormat(text, out n, "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        };
        if (!ok) throw new FormatException("A value could not be written as text.");
        if (kind == Kind.GuidText)
            for (var i = 0; i < n; i++)
                if (text[i] is >= (byte)'a' and <= (byte)'f') text[i] -= 32;
        return n;
    }

    /// <summary>Resets the statement for the next row after a failed bind or step, and throws Microsoft.Data.Sqlite's error for it.</summary>
    private static void Fail(sqlite3 db, sqlite3_stmt stmt, int rc)
    {
        try
        {
            SqliteException.ThrowExceptionForRC(rc, db);
            // Not an error code (a row from a statement that was to return none).
            throw new InvalidOperationException($"SQLite answered {rc} where the statement was to be done.");
        }
        finally
        {
            raw.sqlite3_reset(stmt);
        }
    }
}
