using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace PaymentJournal.Data;

/// <summary>
/// Plain ADO.NET commands on the DbContext's own connection and current transaction, for the bulk work of
/// posting where change tracking hundreds of thousands of rows would cost more than the work itself.
/// Values are written in exactly the form EF Core writes them, so EF Core reads the rows back unchanged:
/// on SQLite GUIDs are upper-case TEXT ('D'), dates 'yyyy-MM-dd', timestamps 'yyyy-MM-dd HH:mm:ss.FFFFFFF',
/// booleans 0/1; on PostgreSQL the native uuid, date, timestamptz and boolean types.
/// </summary>
public sealed class RawSql
{
    private readonly DbConnection _conn;
    private readonly DbTransaction _tx;

    public RawSql(AppDb db)
    {
        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("RawSql runs inside a write transaction.");
        if (db.IsPostgres) Postgres.PostgresHeldWrite.Flush(db); // its statements follow a write held back, if any
        _conn = db.Database.GetDbConnection();
        _tx = tx.GetDbTransaction();
        IsSqlite = db.IsSqlite;
    }

    public bool IsSqlite { get; }

    /// <summary>
    /// Whether a write unit must lock the rows it reads in order to change them: on PostgreSQL writers run side by side;
    /// SQLite's one writer runs the units one after another.
    /// </summary>
    public bool LocksRows => !IsSqlite;

    /// <summary>The column types of temporary tables: a GUID, text, a 64-bit integer, a date.</summary>
    public (string Uuid, string Text, string Integer, string Date) Types =>
        IsSqlite ? ("TEXT", "TEXT", "INTEGER", "TEXT") : ("uuid", "text", "bigint", "date");

    /// <summary>
    /// A GUID made in SQL from a prefix parameter (the first 26 characters of a GUID, 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxx')
    /// and a number below 2^24, written as six upper-case hex digits; in the type the database keeps GUIDs in.
    /// </summary>
    public string HexId(string prefixParameter, string number) => IsSqlite
        ? $"({prefixParameter} || printf('%06X', {number}))"
        : $"CAST({prefixParameter} || lpad(upper(to_hex(CAST({number} AS bigint))), 6, '0') AS uuid)";

    /// <summary>
    /// CREATE TEMPORARY TABLE for one unit: on PostgreSQL dropped at the commit; on SQLite kept on the connection until
    /// <see cref="DropTemporaryAsync"/> (its temporary tables live as long as the connection). A keyed table is one
    /// B-tree on SQLite (WITHOUT ROWID).
    /// </summary>
    public string CreateTemporary(string table, string columns, bool keyed) =>
        $"CREATE TEMPORARY TABLE {table} ({columns}){(IsSqlite ? keyed ? " WITHOUT ROWID" : "" : " ON COMMIT DROP")}";

    /// <summary>Drops temporary tables where the commit does not (SQLite).</summary>
    public async Task DropTemporaryAsync(IEnumerable<string> tables, CancellationToken ct)
    {
        if (!IsSqlite) return;
        foreach (var table in tables) await ExecuteAsync("DROP TABLE " + table, ct);
    }

    /// <summary>
    /// INSERT ... SELECT into a temporary table numbered by its first column rn, in <paramref name="order"/>: on SQLite rn
    /// is the rowid, which the rows take in the order the SELECT gives them (ORDER BY, helped by the index named in
    /// <paramref name="index"/>); on PostgreSQL row_number() gives it. The parts to splice: the column list's head, the
    /// select list's head, the FROM table's index hint and the tail after WHERE.
    /// </summary>
    public (string Column, string Value, string IndexHint, string Tail) Numbered(string order, string index) => IsSqlite
        ? ("", "", $" INDEXED BY {index}", $" ORDER BY {order}")
        : ("rn, ", $"row_number() OVER (ORDER BY {order}), ", "", "");

    public object Guid(Guid g) => IsSqlite ? g.ToString("D").ToUpperInvariant() : g;
    public object Date(DateOnly d) => IsSqlite ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : d;
    public object Timestamp(DateTime utc) => IsSqlite ? utc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) : utc;
    public object Bool(bool b) => IsSqlite ? (b ? 1L : 0L) : b;

    /// <summary>A command with parameters @p0..@p{count-1}, prepared once and executed many times.</summary>
    public DbCommand Prepare(string sql, int parameterCount)
    {
        var cmd = _conn.CreateCommand();
        cmd.Transaction = _tx;
        cmd.CommandText = sql;
        for (var i = 0; i < parameterCount; i++)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            p.Value = DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params object[] values)
    {
        await using var cmd = Prepare(sql, values.Length);
        for (var i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i];
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Every row of a query, each made by <paramref name="make"/> from the current row. On SQLite the values are read
    /// straight from the statement (<see cref="Sqlite.SqliteColumns"/>) rather than through the data reader's calls.
    /// </summary>
    public async Task<List<T>> ReadAllAsync<T>(string sql, Func<Row, T> make, CancellationToken ct, params object[] values)
    {
        await using var cmd = Command(sql, values);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        var stmt = IntPtr.Zero;
        while (await reader.ReadAsync(ct))
        {
            if (rows.Count == 0) stmt = Sqlite.SqliteColumns.StatementOf(reader);
            rows.Add(make(new Row(reader, stmt)));
        }
        return rows;
    }

    /// <summary>The current row of a query (<see cref="ReadAllAsync"/>), its columns read by ordinal.</summary>
    public readonly struct Row(DbDataReader reader, IntPtr stmt)
    {
        public Guid Guid(int i) => Sqlite.SqliteColumns.GetGuid(reader, stmt, i);
        public string String(int i) => Sqlite.SqliteColumns.GetString(reader, stmt, i);
        public long Int64(int i) => Sqlite.SqliteColumns.GetInt64(reader, stmt, i);
        public DateOnly Date(int i) => Sqlite.SqliteColumns.GetDateOnly(reader, stmt, i);
    }

    /// <summary>A command with its parameter values set, for a query read with a data reader.</summary>
    public DbCommand Command(string sql, params object[] values)
    {
        var cmd = Prepare(sql, values.Length);
        for (var i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i];
        return cmd;
    }

    // A SQLite connection serves one unit at a time and lives as long as its context: statements run on it often are
    // prepared once and kept with it (Microsoft.Data.Sqlite compiles a new command's SQL on its first run).
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> Kept = new();

    /// <summary>
    /// Runs a statement in the unit's open transaction, parameters @p0.. in order; on SQLite the command is prepared once
    /// per connection and kept (on PostgreSQL Npgsql prepares repeated statements itself).
    /// </summary>
    public static async Task<int> ExecuteInUnitAsync(AppDb unit, string sql, CancellationToken ct, params object[] values)
    {
        if (unit.IsPostgres) await Postgres.PostgresHeldWrite.FlushAsync(unit, ct);
        var (cmd, kept) = InUnit(unit, sql, values);
        try { return await cmd.ExecuteNonQueryAsync(ct); }
        finally { if (!kept) await cmd.DisposeAsync(); }
    }

    /// <summary>As <see cref="ExecuteInUnitAsync"/>, for a statement that answers one value (null for no row or NULL).</summary>
    public static async Task<object?> ScalarInUnitAsync(AppDb unit, string sql, CancellationToken ct, params object[] values)
    {
        if (unit.IsPostgres) await Postgres.PostgresHeldWrite.FlushAsync(unit, ct);
        var (cmd, kept) = InUnit(unit, sql, values);
        try { return await cmd.ExecuteScalarAsync(ct) is { } v and not DBNull ? v : null; }
        finally { if (!kept) await cmd.DisposeAsync(); }
    }

    private static (DbCommand Command, bool Kept) InUnit(AppDb unit, string sql, object[] values)
    {
        var connection = unit.Database.GetDbConnection();
        var tx = unit.Database.CurrentTransaction?.GetDbTransaction() ?? throw new InvalidOperationException("Runs inside a write unit.");
        var commands = unit.IsSqlite ? Kept.GetOrCreateValue(connection) : null;
        if (commands is null || !commands.TryGetValue(sql, out var cmd))
        {
            cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            for (var i = 0; i < values.Length; i++)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
                cmd.Parameters.Add(p);
            }
            commands?.Add(sql, cmd);
        }
        cmd.Transaction = tx;
        for (var i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i];
        return (cmd, commands is not null);
    }
}
