using System.Data.Common;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace PaymentJournal.Data.Sqlite;

/// <summary>
/// Reads a column of the current row straight from SQLite's statement, for the prepared reads (<see cref="PreparedRows"/>).
/// Through Microsoft.Data.Sqlite every column costs two to four calls into the native library, each of which takes and
/// releases the statement's SafeHandle, and the profile of a page of 20 payments had a quarter of its CPU there. Here a
/// column costs one call for its storage class and one or two for its value, on the raw statement pointer, without the
/// GC transition (each is a few instructions in SQLite that neither blocks nor calls back).
/// Only the storage class a column of that kind is written with is read here: TEXT for strings, GUIDs and dates (in the
/// forms EF Core writes), INTEGER for integers and booleans, REAL for doubles. Any other value (NULL in a value-type
/// column, a GUID stored as a BLOB, a date in another form, an integer out of range) is read by Microsoft.Data.Sqlite's
/// own method instead, so every value comes out as it would have through the reader, errors included.
/// </summary>
public static unsafe class SqliteColumns
{
    private const string Library = "e_sqlite3";
    private const int Integer = 1, Real = 2, Text = 3, Null = 5;

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern int sqlite3_column_type(IntPtr stmt, int column);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern long sqlite3_column_int64(IntPtr stmt, int column);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern double sqlite3_column_double(IntPtr stmt, int column);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern byte* sqlite3_column_text(IntPtr stmt, int column);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern int sqlite3_column_bytes(IntPtr stmt, int column);

    /// <summary>The statement under the reader's current row; zero (read everything through the reader) for another reader.</summary>
    public static IntPtr StatementOf(DbDataReader reader) =>
        reader is SqliteDataReader { Handle: { IsInvalid: false } handle } ? handle.DangerousGetHandle() : IntPtr.Zero;

    /// <summary>
    /// The method of this class that reads what <paramref name="readerMethod"/> (a DbDataReader method a type mapping names)
    /// reads, taking (reader, statement, ordinal); null when there is none, and the caller calls the reader's method.
    /// </summary>
    public static MethodInfo? For(MethodInfo readerMethod)
    {
        var name = readerMethod.IsGenericMethod && readerMethod.Name == nameof(DbDataReader.GetFieldValue)
            ? readerMethod.GetGenericArguments()[0] == typeof(DateOnly) ? nameof(GetDateOnly) : null
            : readerMethod.Name;
        if (name is null) return null;
        var method = typeof(SqliteColumns).GetMethod(name, BindingFlags.Public | BindingFlags.Static, [typeof(DbDataReader), typeof(IntPtr), typeof(int)]);
        return method is not null && method.ReturnType == readerMethod.ReturnType ? method : null;
    }

    public static bool IsDBNull(DbDataReader reader, IntPtr stmt, int i) =>
        stmt != IntPtr.Zero ? sqlite3_column_type(stmt, i) == Null : reader.IsDBNull(i);

    /// <summary>Text with a NUL in it goes to the reader, which ends it there.</summary>
    public static string GetString(DbDataReader reader, IntPtr stmt, int i) =>
        TypeOf(stmt, i) == Text && TextOf(stmt, i) is var text && !text.Contains((byte)0)
            ? Encoding.UTF8.GetString(text) : reader.GetString(i);

    public static long GetInt64(DbDataReader reader, IntPtr stmt, int i) =>
        TypeOf(stmt, i) == Integer ? sqlite3_column_int64(stmt, i) : reader.GetInt64(i);

    public static int GetInt32(DbDataReader reader, IntPtr stmt, int i) =>
        IntegerOf(stmt, i) is { } v && v is >= int.MinValue and <= int.MaxValue ? (int)v : reader.GetInt32(i);

    public static short GetInt16(DbDataReader reader, IntPtr stmt, int i) =>
        IntegerOf(stmt, i) is { } v && v is >= short.MinValue and <= short.MaxValue ? (short)v : reader.GetInt16(i);

    public static byte GetByte(DbDataReader reader, IntPtr stmt, int i) =>
        IntegerOf(stmt, i) is { } v && v is >= byte.MinValue and <= byte.MaxValue ? (byte)v : reader.GetByte(i);

    public static bool GetBoolean(DbDataReader reader, IntPtr stmt, int i) =>
        IntegerOf(stmt, i) is { } v ? v != 0 : reader.GetBoolean(i);

    public static double GetDouble(DbDataReader reader, IntPtr stmt, int i) =>
        TypeOf(stmt, i) == Real ? sqlite3_column_double(stmt, i) : reader.GetDouble(i);

    /// <summary>A GUID as EF Core stores it on SQLite: TEXT of 36 characters (upper case).</summary>
    public static Guid GetGuid(DbDataReader reader, IntPtr stmt, int i)
    {
        if (TypeOf(stmt, i) == Text && TextOf(stmt, i) is { Length: 36 } text && TryGuid(text, out var g)) return g;
        return reader.GetGuid(i);
    }

    /// <summary>A timestamp as EF Core writes it: yyyy-MM-dd HH:mm:ss with up to seven digits of fraction (of unspecified kind, as the reader gives it).</summary>
    public static DateTime GetDateTime(DbDataReader reader, IntPtr stmt, int i) =>
        TypeOf(stmt, i) == Text && TryDateTime(TextOf(stmt, i), out var value) ? value : reader.GetDateTime(i);

    /// <summary>A date as EF Core writes it: yyyy-MM-dd.</summary>
    public static DateOnly GetDateOnly(DbDataReader reader, IntPtr stmt, int i) =>
        TypeOf(stmt, i) == Text && TextOf(stmt, i) is { Length: 10 } text && TryDate(text, out var date)
            ? date : reader.GetFieldValue<DateOnly>(i);

    /// <summary>The column's storage class; none (0) without a statement, so every read goes to the reader.</summary>
    private static int TypeOf(IntPtr stmt, int i) => stmt != IntPtr.Zero ? sqlite3_column_type(stmt, i) : 0;

    private static long? IntegerOf(IntPtr stmt, int i) =>
        TypeOf(stmt, i) == Integer ? sqlite3_column_int64(stmt, i) : null;

    /// <summary>The column's UTF-8 text, valid until the row moves on. (The type is asked first: this is only called for TEXT.)</summary>
    private static ReadOnlySpan<byte> TextOf(IntPtr stmt, int i)
    {
        var text = sqlite3_column_text(stmt, i);
        return text is null ? default : new ReadOnlySpan<byte>(text, sqlite3_column_bytes(stmt, i));
    }

    /// <summary>32 hex digits in groups of 8-4-4-4-12 (Guid's "D" form, either case); anything else is left to the reader.</summary>
    internal static bool TryGuid(ReadOnlySpan<byte> s, out Guid value)
    {
        value = default;
        if (s.Length != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
        Span<byte> bytes = stackalloc byte[16];
        var n = 0;
        // Every group has an even number of digits, so a byte's two digits never straddle a dash.
        for (var k = 0; k < 36; k += 2)
        {
            if (k is 8 or 13 or 18 or 23) k++;
            var high = Hex(s[k]);
            var low = Hex(s[k + 1]);
            if ((high | low) < 0) return false;
            bytes[n++] = (byte)(high << 4 | low);
        }
        value = new Guid(bytes, bigEndian: true);
        return true;
    }

    private static int Hex(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    internal static bool TryDate(ReadOnlySpan<byte> s, out DateOnly date)
    {
        date = default;
        if (s.Length != 10 || s[4] != '-' || s[7] != '-' || !Digits(s, 0, 4, out var y) || !Digits(s, 5, 2, out var m) || !Digits(s, 8, 2, out var d)
            || y < 1 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m)) return false;
        date = new DateOnly(y, m, d);
        return true;
    }

    internal static bool TryDateTime(ReadOnlySpan<byte> s, out DateTime value)
    {
        value = default;
        // yyyy-MM-dd HH:mm:ss, then nothing or a dot and 1 to 7 digits.
        if (s.Length < 19 || s.Length == 20 || s.Length > 27 || s[10] != ' ' || s[13] != ':' || s[16] != ':' || !TryDate(s[..10], out var date)
            || !Digits(s, 11, 2, out var hh) || !Digits(s, 14, 2, out var mm) || !Digits(s, 17, 2, out var ss) || hh > 23 || mm > 59 || ss > 59) return false;
        long fraction = 0;
        if (s.Length > 19)
        {
            if (s[19] != '.' || !Digits(s, 20, s.Length - 20, out var f)) return false;
            fraction = f;
            for (var k = s.Length - 20; k < 7; k++) fraction *= 10;
        }
        value = new DateTime(date, new TimeOnly(hh, mm, ss), DateTimeKind.Unspecified).AddTicks(fraction);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var k = start; k < start + count; k++)
        {
            var digit = s[k] - '0';
            if ((uint)digit > 9) return false;
            value = value * 10 + digit;
        }
        return true;
    }
}
