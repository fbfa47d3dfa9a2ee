using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace PaymentJournal.Data.Postgres;

/// <summary>
/// The row locks of <see cref="RowLocks"/> on PostgreSQL, as plain Npgsql commands on the unit's connection and
/// transaction: one statement text per table (prepared on the server like any other), without EF Core's raw-SQL query
/// pipeline, whose set-up cost more than the lock itself.
/// </summary>
internal static class PostgresLocks
{
    /// <summary>Whether the context is in a transaction (a write unit), where these locks mean something and its connection is open.</summary>
    public static bool InTransaction(AppDb db) => db.Database.CurrentTransaction is not null;

    /// <summary>Locks the row with the given id FOR NO KEY UPDATE; its version (0 when it has none), or null when it is gone.</summary>
    public static async Task<long?> LockAsync(AppDb db, string table, string keyColumn, string? versionColumn, object key, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        // Table and column names come from the model, never from a request; the key is a parameter.
        await using var cmd = new NpgsqlCommand(
            $"SELECT {versionColumn ?? "0::bigint"} FROM {table} WHERE {keyColumn} = $1 FOR NO KEY UPDATE",
            connection, (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        cmd.Parameters.Add(key is Guid g ? new NpgsqlParameter<Guid> { TypedValue = g, NpgsqlDbType = NpgsqlDbType.Uuid } : new NpgsqlParameter { Value = key });
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, ct);
        if (!await reader.ReadAsync(ct)) return null;
        return reader.GetInt64(0);
    }
}
