using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Data.Sqlite;
using Npgsql;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Data;

public static partial class PreparedRows
{
    /// <summary>
    /// Inserts many new rows of one table in the unit's transaction, outside the change tracker: on SQLite with the
    /// one-row statement prepared once and run for each row, its values bound by position through SQLite's C API
    /// (<see cref="SqliteRowInserter"/>) where every column allows it, on PostgreSQL with a binary COPY. The caller has stamped versioned
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
        if (NativeKinds(plan) is { } kinds)
        {
            await using var open = await OpenAsync(db, ct);
            try
            {
                SqliteRowInserter.InsertAll((SqliteConnection)db.Database.GetDbConnection(), InsertSql(db, plan), kinds, rows,
                    (row, i) => Value(plan.Columns[i], getters[i].GetClrValue(row)));
            }
            catch (SqliteException e)
            {
                throw new DbUpdateException("The row could not be written: " + e.Message, e);
            }
            return;
        }
        var cmd = InsertCommand(db, plan, typeof(T));
        foreach (var row in rows)
        {
            for (var i = 0; i < getters.Length; i++) cmd.Parameters[i].Value = Value(plan.Columns[i], getters[i].GetClrValue(row));
            await ExecuteAsync(cmd, expectRow: false, ct);
        }
    }

    /// <summary>How SQLite's C API binds each column of the table, or null when a column is of a kind it cannot bind.</summary>
    private static SqliteRowInserter.Kind[]? NativeKinds(Plan plan)
    {
        var kinds = plan.Columns.Select(c => SqliteRowInserter.KindOf(c.Mapping.Converter?.ProviderClrType ?? c.Mapping.ClrType, c.Mapping.StoreType)).ToArray();
        return kinds.Contains(SqliteRowInserter.Kind.None) ? null : kinds;
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
