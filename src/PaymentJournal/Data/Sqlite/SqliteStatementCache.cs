using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PaymentJournal.Data.Sqlite;

/// <summary>
/// Keeps EF Core's queries prepared on each SQLite connection. EF Core makes a new command for every execution, and
/// Microsoft.Data.Sqlite compiles a new command's SQL on its first run: 5-20 µs a query here, more than running it.
/// Every context keeps its connection open (see <see cref="AppDb"/>), so a command prepared once on it can serve every
/// later execution of the same SQL: this interceptor runs EF Core's query on that command, with EF Core's parameters and
/// transaction, and hands EF Core its reader. Only LINQ queries are served so (one statement each; SaveChanges keeps its
/// own batches). Up to <see cref="MaxPerConnection"/> texts are kept per connection (the
/// first ones seen: the service's own query shapes); others, and a text whose previous reader is still open, run as usual.
/// </summary>
public sealed class SqliteStatementCache : DbCommandInterceptor
{
    public static readonly SqliteStatementCache Instance = new();
    public const int MaxPerConnection = 64;

    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, Entry>> Caches = [];

    private sealed class Entry(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;
        public SqliteDataReader? Reader { get; set; }
    }

    private SqliteStatementCache()
    {
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        !result.HasResult && eventData.CommandSource == CommandSource.LinqQuery && TryExecute(command) is { } reader ? InterceptionResult<DbDataReader>.SuppressWithResult(reader) : result;

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        // Microsoft.Data.Sqlite runs every command synchronously anyway.
        ValueTask.FromResult(ReaderExecuting(command, eventData, result));

    /// <summary>How many prepared texts the connection holds (for tests).</summary>
    public static int CountFor(SqliteConnection connection) => Caches.TryGetValue(connection, out var cache) ? cache.Count : 0;

    /// <summary>Runs <paramref name="command"/> on the connection's prepared statement for its text; null when it cannot.</summary>
    internal static SqliteDataReader? TryExecute(DbCommand command)
    {
        if (command is not SqliteCommand { Connection: { State: System.Data.ConnectionState.Open } connection } source) return null;
        var cache = Caches.GetValue(connection, _ => new Dictionary<string, Entry>(StringComparer.Ordinal));
        var text = source.CommandText;
        if (!cache.TryGetValue(text, out var entry))
        {
            if (cache.Count >= MaxPerConnection) return null;
            entry = new Entry(new SqliteCommand(text, connection));
            cache.Add(text, entry);
        }
        // The same text again while its last reader is still being read (a nested query): run it the usual way.
        if (entry.Reader is { IsClosed: false }) return null;

        var cached = entry.Command;
        cached.Transaction = source.Transaction;
        cached.CommandTimeout = source.CommandTimeout;
        CopyParameters(source.Parameters, cached.Parameters);
        entry.Reader = cached.ExecuteReader();
        return entry.Reader;
    }

    /// <summary>The source's own parameter objects, so they bind exactly as they would have on the source command.</summary>
    private static void CopyParameters(SqliteParameterCollection from, SqliteParameterCollection to)
    {
        to.Clear();
        foreach (SqliteParameter p in from) to.Add(p);
    }
}
