using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace PaymentJournal.Data;

public static partial class PreparedRows
{
    /// <summary>
    /// Inserts many new rows of one table in the unit's transaction, outside the change tracker: on SQLite with the
    /// one-row statement prepared once and run for each row (a statement of many rows binds its parameters by name,
    /// which costs more than running it per row), on PostgreSQL with a binary COPY. The caller has stamped versioned
    /// rows (<see cref="AppDb.StampNew"/>), made every check and saved their parents first.
    /// </summary>
    public static async Task InsertManyAsync<T>(AppDb db, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return;
        ForgetAhead(db);
        var plan = PlanFor(db.Model, typeof(T));
        var getters = plan.Columns.Select(c => c.Property.GetGetter()).ToArray();
        if (db.IsPostgres)
        {
            await CopyAsync(db, plan, getters, rows, ct);
            return;
        }
        var cmd = InsertCommand(db, plan, typeof(T));
        foreach (var row in rows)
        {
            for (var i = 0; i < getters.Length; i++) cmd.Parameters[i].Value = Value(plan.Columns[i], getters[i].GetClrValue(row));
            await ExecuteAsync(cmd, expectRow: false, ct);
        }
    }

    private static async Task CopyAsync<T>(AppDb db, Plan plan, IClrPropertyGetter[] getters, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        await Postgres.PostgresHeldWrite.FlushAsync(db, ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var types = plan.Columns.Select(c => c.Mapping.StoreTypeNameBase).ToArray();
        try
        {
            await using var writer = await connection.BeginBinaryImportAsync(
                $"COPY {plan.Table} ({string.Join(", ", plan.Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var row in rows)
            {
                await writer.StartRowAsync(ct);
                for (var i = 0; i < plan.Columns.Length; i++)
                {
                    var value = Value(plan.Columns[i], getters[i].GetClrValue(row));
                    if (value is DBNull) await writer.WriteNullAsync(ct);
                    else await writer.WriteAsync(value, types[i], ct);
                }
            }
            await writer.CompleteAsync(ct);
        }
        catch (PostgresException e)
        {
            throw new DbUpdateException("The rows could not be written: " + e.Message, e);
        }
    }
}
