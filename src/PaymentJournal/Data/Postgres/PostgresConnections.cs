using System.Data.Common;

namespace PaymentJournal.Data.Postgres;

/// <summary>
/// The Npgsql settings the service runs with unless the connection string sets them itself (docs/postgres.md):
/// statements prepared on the server once they repeat, and no session reset when a connection goes back to the pool.
/// </summary>
public static class PostgresConnections
{
    /// <summary>Distinct statements each connection keeps prepared (least recently used ones make room).</summary>
    public const int MaxAutoPrepare = 128;
    /// <summary>A statement is prepared on its second run.</summary>
    public const int AutoPrepareMinUsages = 2;

    private static readonly (string[] Names, string Value)[] Defaults =
    [
        // Parsing and planning cost more on the server than running the service's short statements: once prepared, a
        // read by key is a Bind/Execute of a plan kept on the connection.
        (["Max Auto Prepare", "MaxAutoPrepare"], MaxAutoPrepare.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        (["Auto Prepare Min Usages", "AutoPrepareMinUsages"], AutoPrepareMinUsages.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        // The service leaves no session state on a connection (no SET, no LISTEN, advisory locks released, every
        // transaction ended), so the reset Npgsql sends with the next use of a pooled connection is work for nothing.
        (["No Reset On Close", "NoResetOnClose"], "true"),
    ];

    /// <summary>The connection string with the defaults above added for every option it does not set.</summary>
    public static string WithDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var result = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (var (names, value) in Defaults)
            if (!names.Any(given.ContainsKey)) result[names[0]] = value;
        return result.ConnectionString;
    }
}
