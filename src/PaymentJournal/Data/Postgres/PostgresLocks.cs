using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace PaymentJournal.Data.Postgres;

/// <summary>
/// The row locks of <see cref="RowLocks"/> on PostgreSQL, as plain Npgsql commands on the unit's connection and
/// transaction: one statement text per table (prepared on the server like any other), without EF Core's raw-SQL query
/// pipeline, whose set-up cost more than the lock itself. A lock can also be taken ahead, in a batch with the reads
/// that follow it (<see cref="LockAhead"/>).
/// </summary>
internal static class PostgresLocks
{
    /// <summary>Whether the context is in a transaction (a write unit), where these locks mean something and its connection is open.</summary>
    public static bool InTransaction(AppDb db) => db.Database.CurrentTransaction is not null;

    /// <summary>Locks the row with the given id FOR NO KEY UPDATE; its version (0 when it has none), or null when it is gone.</summary>
    public static async Task<long?> LockAsync(AppDb db, string table, string keyColumn, string? versionColumn, object key, CancellationToken ct)
    {
        if (PreparedRows.TryTakeAhead(db, "lock", typeof(PostgresLocks), table + "." + keyColumn + "." + versionColumn, [key], out var ahead)) return (long?)ahead;
        await PostgresHeldWrite.FlushAsync(db, ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var cmd = new NpgsqlCommand(Sql(table, keyColumn, versionColumn), connection, (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        cmd.Parameters.Add(Parameter(key));
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, ct);
        if (!await reader.ReadAsync(ct)) return null;
        return reader.GetInt64(0);
    }

    /// <summary>The lock <see cref="LockAsync"/> takes, to take ahead (its answer: the version, or null when the row is gone).</summary>
    public static ReadAhead LockAhead(string table, string keyColumn, string? versionColumn, object key) =>
        new(ReadAhead.KeyOf("lock", typeof(PostgresLocks), table + "." + keyColumn + "." + versionColumn, [key]), Sql(table, keyColumn, versionColumn),
            [Parameter(key)], async r => await r.ReadAsync() ? r.GetInt64(0) : (object?)null);

    // Table and column names come from the model, never from a request; the key is a parameter.
    private static string Sql(string table, string keyColumn, string? versionColumn) =>
        $"SELECT {versionColumn ?? "0::bigint"} FROM {table} WHERE {keyColumn} = $1 FOR NO KEY UPDATE";

    private static DbParameter Parameter(object key) =>
        key is Guid g ? new NpgsqlParameter<Guid> { TypedValue = g, NpgsqlDbType = NpgsqlDbType.Uuid } : new NpgsqlParameter { Value = key };
}
