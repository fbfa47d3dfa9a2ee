using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace PaymentJournal.Data.Postgres;

/// <summary>
/// Reads made ahead (<see cref="PreparedRows.ReadAheadAsync"/>) as one <see cref="NpgsqlBatch"/> in the unit's
/// transaction: one round trip for all of them. The server runs the statements in order, each with a snapshot of its
/// own (READ COMMITTED), so a read after a row lock in the batch sees what the lock's previous holder committed; the
/// statement texts are those the reads run on their own, prepared once per connection.
/// </summary>
internal static class PostgresBatch
{
    public static async Task ReadAsync(AppDb db, IReadOnlyList<ReadAhead> reads, Dictionary<string, object?> answers, CancellationToken ct)
    {
        await PostgresHeldWrite.FlushAsync(db, ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        foreach (var read in reads)
        {
            var command = new NpgsqlBatchCommand(read.Sql);
            foreach (var parameter in read.Parameters) command.Parameters.Add((NpgsqlParameter)parameter);
            batch.BatchCommands.Add(command);
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        for (var i = 0; i < reads.Count; i++)
        {
            if (i > 0 && !await reader.NextResultAsync(ct)) throw new InvalidOperationException("A read made ahead returned no result.");
            answers[reads[i].Key] = await reads[i].Read(reader);
        }
    }
}
