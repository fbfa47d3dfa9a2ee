using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace PaymentJournal.Data;

/// <summary>What is wrong with the database, as far as a client needs to know.</summary>
public enum DbFaultKind
{
    /// <summary>The database cannot be reached or no connection can be had.</summary>
    Unavailable,
    /// <summary>The database (or its file) can be read but not written.</summary>
    ReadOnly,
    /// <summary>The disk under the database is full.</summary>
    DiskFull,
    /// <summary>The commit was sent but its outcome is unknown: the write may have been saved.</summary>
    InDoubt,
}

/// <summary>A database fault the service found itself (the SQLite writer's state, an interrupted commit).</summary>
public sealed class DbFaultException(DbFaultKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public DbFaultKind Kind { get; } = kind;
}

/// <summary>
/// Sorts the exceptions of the database drivers into the faults of the database itself (down, read-only, full), which
/// pass and deserve a 503 or 507, and everything else, which stays an unexpected error.
/// </summary>
public static class DbFaults
{
    public static DbFaultKind? Classify(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 8; depth++, e = e.InnerException)
        {
            switch (e)
            {
                case DbFaultException f:
                    return f.Kind;
                case SqliteException s:
                    return (s.SqliteErrorCode & 0xff) switch
                    {
                        13 => DbFaultKind.DiskFull,                // SQLITE_FULL
                        8 or 23 => DbFaultKind.ReadOnly,           // SQLITE_READONLY, SQLITE_AUTH
                        5 or 6 or 10 or 14 or 15 => DbFaultKind.Unavailable, // BUSY, LOCKED, IOERR, CANTOPEN, PROTOCOL
                        _ => null,
                    };
                case PostgresException p:
                    return p.SqlState switch
                    {
                        PostgresErrorCodes.DiskFull => DbFaultKind.DiskFull,
                        PostgresErrorCodes.ReadOnlySqlTransaction => DbFaultKind.ReadOnly,
                        PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                            or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.InsufficientResources
                            or PostgresErrorCodes.OutOfMemory or PostgresErrorCodes.IdleSessionTimeout => DbFaultKind.Unavailable,
                        _ when p.SqlState.StartsWith("08", StringComparison.Ordinal) => DbFaultKind.Unavailable, // connection exceptions
                        _ => null,
                    };
                case NpgsqlException n when n.InnerException is null or IOException or SocketException or TimeoutException:
                    // No server answer at all: refused, broken or timed out (waiting for a pooled connection too).
                    return DbFaultKind.Unavailable;
            }
        }
        return null;
    }

    /// <summary>
    /// A commit that failed on the way (the connection or the server went away during COMMIT) may have been saved all
    /// the same: the answer must not claim it was not.
    /// </summary>
    public static Exception InDoubt(Exception commitError) =>
        Classify(commitError) is DbFaultKind.Unavailable
            ? new DbFaultException(DbFaultKind.InDoubt, "The commit's outcome is unknown.", commitError)
            : commitError;
}
