using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace PaymentJournal.Data.Postgres;

/// <summary>
/// A request's unit on PostgreSQL usually ends with one write (a create's INSERT, a PATCH's UPDATE) followed by the
/// COMMIT: two round trips, each after the locks of the unit are taken. The write is held back instead and sent with
/// the COMMIT as one batch. The server runs a batch's statements in order and skips the rest after an error, so a
/// refused write never reaches the COMMIT: the unit is then rolled back whole and the refusal answered as the write's
/// own would be (<see cref="IWriteUnit{TSelf}.WriteRefused"/>). Any other statement on the context, ours or EF Core's
/// (<see cref="Interceptor"/>), sends the held write first, so statements keep their order. Only in a unit the
/// <see cref="WriteGate"/> allows it for (a request's own unit, not a post or an atomic group).
/// </summary>
internal static class PostgresHeldWrite
{
    /// <summary>The write held back in a transaction: its statement text and a copy of its parameters.</summary>
    internal sealed class Held(IDbContextTransaction transaction, string sql, NpgsqlParameter[] parameters, bool expectRow)
    {
        public IDbContextTransaction Transaction { get; } = transaction;
        public string Sql { get; } = sql;
        public NpgsqlParameter[] Parameters { get; } = parameters;
        public bool ExpectRow { get; } = expectRow;
    }

    /// <summary>Lets the context hold back a write until the commit of its current transaction.</summary>
    public static void Allow(AppDb db) => db.HoldWritesIn = db.Database.CurrentTransaction;

    /// <summary>Whether a write of this context may be held back now.</summary>
    public static bool Allowed(AppDb db) =>
        db.HoldWritesIn is { } tx && ReferenceEquals(tx, db.Database.CurrentTransaction) && db.HeldWrite is null;

    /// <summary>
    /// Holds back the command's statement with its current parameter values. <paramref name="expectRow"/>: the statement
    /// is an UPDATE that must change exactly one row; it is sent as a statement that fails when it changed none.
    /// </summary>
    public static void Hold(AppDb db, DbCommand command, bool expectRow)
    {
        var parameters = new NpgsqlParameter[command.Parameters.Count];
        for (var i = 0; i < parameters.Length; i++) parameters[i] = ((NpgsqlParameter)command.Parameters[i]).Clone();
        // Counting the rows in SQL and dividing by the count makes an UPDATE that found no row an error, so that it stops
        // the batch before its COMMIT (the row count alone would only be known after it).
        var sql = expectRow ? "WITH changed AS (" + command.CommandText + " RETURNING 1) SELECT 1 / count(*) FROM changed" : command.CommandText;
        db.HeldWrite = new Held(db.Database.CurrentTransaction!, sql, parameters, expectRow);
    }

    /// <summary>Sends the held write, if any, on its own: a statement that depends on it is about to run.</summary>
    public static Task FlushAsync(AppDb db, CancellationToken ct) => db.HeldWrite is null ? Task.CompletedTask : SendAsync(db, commit: false, ct);

    /// <summary>As <see cref="FlushAsync"/>, for the few callers that cannot wait asynchronously.</summary>
    public static void Flush(AppDb db)
    {
        if (db.HeldWrite is not null) SendAsync(db, commit: false, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Whether the context holds a write back for its current transaction's commit.</summary>
    public static bool Holds(AppDb db) => db.HeldWrite is { } held && ReferenceEquals(held.Transaction, db.Database.CurrentTransaction);

    /// <summary>Sends the held write and the COMMIT as one batch; the transaction is over when this returns.</summary>
    public static Task CommitAsync(AppDb db, CancellationToken ct) => SendAsync(db, commit: true, ct);

    /// <summary>Drops what is held, and the leave to hold, as the unit ends (committed or rolled back).</summary>
    public static void Forget(AppDb db)
    {
        db.HeldWrite = null;
        db.HoldWritesIn = null;
    }

    private static async Task SendAsync(AppDb db, bool commit, CancellationToken ct)
    {
        var held = db.HeldWrite!;
        db.HeldWrite = null;
        if (!ReferenceEquals(held.Transaction, db.Database.CurrentTransaction))
            throw new InvalidOperationException("A write was held back in a transaction that is over.");
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction)held.Transaction.GetDbTransaction());
        var write = new NpgsqlBatchCommand(held.Sql);
        write.Parameters.AddRange(held.Parameters);
        batch.BatchCommands.Add(write);
        if (commit) batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        // The reader stops at the write's answer first: an error there is the write's, and the COMMIT was skipped.
        NpgsqlDataReader reader;
        try
        {
            reader = await batch.ExecuteReaderAsync(ct);
        }
        catch (PostgresException e)
        {
            // Nothing is committed; the caller rolls back.
            if (held.ExpectRow && e.SqlState == PostgresErrorCodes.DivisionByZero)
                throw new DbUpdateConcurrencyException("The row was changed or deleted since it was read.");
            throw new DbUpdateException("The row could not be written: " + e.Message, e);
        }
        catch (Exception e) when (commit && e is not OperationCanceledException)
        {
            throw DbFaults.InDoubt(e); // lost on the way: the COMMIT may have been carried out
        }
        try
        {
            await using (reader)
                while (await reader.NextResultAsync(ct)) { }
        }
        catch (Exception e) when (commit && e is not OperationCanceledException)
        {
            // Lost on the way, or refused at the COMMIT itself: as a failed COMMIT, the write may have been committed.
            throw DbFaults.InDoubt(e);
        }
    }

    /// <summary>Sends a held write before any statement EF Core runs on the context (a query, SaveChanges).</summary>
    public static readonly DbCommandInterceptor Interceptor = new FlushFirst();

    private sealed class FlushFirst : DbCommandInterceptor
    {
        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
            Flushed(eventData, result);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) => FlushedAsync(eventData, result, cancellationToken);

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
            Flushed(eventData, result);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default) => FlushedAsync(eventData, result, cancellationToken);

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
            Flushed(eventData, result);

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default) => FlushedAsync(eventData, result, cancellationToken);

        private static T Flushed<T>(CommandEventData eventData, T result)
        {
            if (eventData.Context is AppDb db) Flush(db);
            return result;
        }

        private static async ValueTask<T> FlushedAsync<T>(CommandEventData eventData, T result, CancellationToken ct)
        {
            if (eventData.Context is AppDb db) await FlushAsync(db, ct);
            return result;
        }
    }
}
