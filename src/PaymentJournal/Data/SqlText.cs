using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;

namespace PaymentJournal.Data;

/// <summary>
/// String functions whose SQL differs by provider, so that filters give the same answer on SQLite and PostgreSQL.
/// Strings compare and sort in code-point order: SQLite's BINARY collation, and on PostgreSQL the "C" collation every
/// text column is declared with (migration 0004). Case mapping is Unicode's, character by character: on SQLite
/// through functions of our own registered on each connection, on PostgreSQL through the collation pj_case.
/// These methods stand for SQL only; they are never run in memory.
/// </summary>
public static class SqlText
{
    /// <summary>The characters Unicode's White_Space property holds, which OData's trim removes at both ends.</summary>
    public static readonly char[] Whitespace =
    [
        '\u0009', '\u000A', '\u000B', '\u000C', '\u000D', '\u0020', '\u0085', '\u00A0', '\u1680',
        '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200A',
        '\u2028', '\u2029', '\u202F', '\u205F', '\u3000',
    ];

    public static string Lower(string value) => throw new InvalidOperationException("SQL only.");
    public static string Upper(string value) => throw new InvalidOperationException("SQL only.");

    /// <summary>The value compared and sorted in code-point order (on PostgreSQL: COLLATE "C").</summary>
    public static string Ordinal(string value) => throw new InvalidOperationException("SQL only.");

    /// <summary>Maps the functions above for the context's provider.</summary>
    public static void Map(ModelBuilder b, bool postgres)
    {
        b.HasDbFunction(typeof(SqlText).GetMethod(nameof(Lower))!).HasTranslation(a => Case(a[0], postgres ? "lower" : "pj_lower", postgres));
        b.HasDbFunction(typeof(SqlText).GetMethod(nameof(Upper))!).HasTranslation(a => Case(a[0], postgres ? "upper" : "pj_upper", postgres));
        b.HasDbFunction(typeof(SqlText).GetMethod(nameof(Ordinal))!).HasTranslation(a => postgres ? new CollateExpression(a[0], "C") : a[0]);
    }

    private static SqlExpression Case(SqlExpression arg, string function, bool postgres)
    {
        if (!postgres) return new SqlFunctionExpression(function, [arg], true, [true], typeof(string), arg.TypeMapping);
        // The "C" collation of the columns maps only A-Z; pj_case maps Unicode, and the result sorts as "C" again.
        var mapped = new SqlFunctionExpression(function, [new CollateExpression(arg, "pj_case")], true, [true], typeof(string), arg.TypeMapping);
        return new CollateExpression(mapped, "C");
    }

    /// <summary>Registers pj_lower and pj_upper on a SQLite connection.</summary>
    public static void Register(SqliteConnection connection)
    {
        connection.CreateFunction("pj_lower", (string? s) => s is null ? null : ToLower(s), isDeterministic: true);
        connection.CreateFunction("pj_upper", (string? s) => s is null ? null : ToUpper(s), isDeterministic: true);
    }

    /// <summary>Unicode lower case, character by character (as PostgreSQL's lower with a libc UTF-8 collation).</summary>
    public static string ToLower(string s) => s.ToLowerInvariant();

    /// <summary>Unicode upper case, character by character.</summary>
    public static string ToUpper(string s) => s.ToUpperInvariant();
}
