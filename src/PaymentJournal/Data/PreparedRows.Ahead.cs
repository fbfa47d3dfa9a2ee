using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Data;

/// <summary>
/// A read a write unit is about to make, made ahead (<see cref="PreparedRows.ReadAheadAsync"/>): the statement, its
/// parameters, how its answer is read, and the key under which the call that makes the same read finds it.
/// </summary>
public sealed class ReadAhead
{
    internal ReadAhead(string key, string sql, DbParameter[] parameters, Func<DbDataReader, Task<object?>> read)
    {
        Key = key;
        Sql = sql;
        Parameters = parameters;
        Read = read;
    }

    internal string Key { get; }
    internal string Sql { get; }
    internal DbParameter[] Parameters { get; }
    /// <summary>Reads the statement's answer from the reader positioned on its result (the row not yet read).</summary>
    internal Func<DbDataReader, Task<object?>> Read { get; }

    /// <summary>The key of a read: its kind, its name and its values, in order.</summary>
    internal static string KeyOf(string kind, Type type, string name, IEnumerable<object> values) =>
        kind + "|" + type.FullName + "|" + name + "|" + string.Join("|", values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
}

public static partial class PreparedRows
{
    /// <summary>The answers of the reads made ahead in a unit, valid in the transaction they were read in.</summary>
    private sealed class AheadAnswers(object transaction)
    {
        public object Transaction { get; } = transaction;
        public Dictionary<string, object?> Answers { get; } = new(StringComparer.Ordinal);
    }

    private static readonly ConditionalWeakTable<AppDb, AheadAnswers> Ahead = new();

    /// <summary>
    /// Makes the given reads now (null ones left out), in the order given, so that the calls that make the same reads next in the unit
    /// (<see cref="FindAsync{T}"/>, <see cref="ExistsAsync{T}"/>, <see cref="RowLocks"/>) take their answers instead of
    /// a round trip each: on PostgreSQL they go to the server as one batch (a lock among them is taken before the
    /// reads after it, as when they run one by one). Each answer is taken once, in the same transaction, and the caller
    /// makes its reads next, before any write that could change them. Nothing on SQLite, where a statement is no round
    /// trip, or outside a transaction (a read made ahead there could be stale by the time it is used).
    /// </summary>
    public static async Task ReadAheadAsync(AppDb db, IReadOnlyList<ReadAhead?> reads, CancellationToken ct)
    {
        if (!CanReadAhead(db) || db.Database.CurrentTransaction is not { } tx) return;
        if (!Ahead.TryGetValue(db, out var answers) || !ReferenceEquals(answers.Transaction, tx))
        {
            answers = new AheadAnswers(tx);
            Ahead.AddOrUpdate(db, answers);
        }
        // A read whose answer is waiting already (made ahead earlier in the unit) is not made again.
        var list = reads.OfType<ReadAhead>().Where(r => !answers.Answers.ContainsKey(r.Key)).ToList();
        if (list.Count == 0) return;
        await Postgres.PostgresBatch.ReadAsync(db, list, answers.Answers, ct);
    }

    /// <summary>Drops the answers of reads made ahead that are still waiting: a write may have changed them.</summary>
    internal static void ForgetAhead(AppDb db) => Ahead.Remove(db);

    /// <summary>Whether reads made ahead save round trips here (PostgreSQL, in a write unit); the *Ahead methods give null where not.</summary>
    public static bool CanReadAhead(AppDb db) => db.IsPostgres && db.Database.CurrentTransaction is not null;

    /// <summary>Takes the answer of a read made ahead in the current transaction (its kind, name and values), if there is one.</summary>
    internal static bool TryTakeAhead(AppDb db, string kind, Type type, string name, IEnumerable<object> values, out object? answer)
    {
        answer = null;
        if (!Ahead.TryGetValue(db, out var answers)) return false;
        var key = ReadAhead.KeyOf(kind, type, name, values);
        if (!ReferenceEquals(answers.Transaction, db.Database.CurrentTransaction))
        {
            Ahead.Remove(db);
            return false;
        }
        if (!answers.Answers.Remove(key, out answer)) return false;
        if (answers.Answers.Count == 0) Ahead.Remove(db);
        return true;
    }

    /// <summary>The read <see cref="FindAsync{T}"/> makes, to make ahead.</summary>
    public static ReadAhead? FindAhead<T>(AppDb db, string queryName, (string Property, object Value)[] where) where T : class
    {
        if (!CanReadAhead(db)) return null;
        var plan = PlanFor(db.Model, typeof(T));
        var filters = where.Select(w => plan.ByName[w.Property]).ToArray();
        var sql = $"SELECT {string.Join(", ", plan.Columns.Select(c => c.Name))} FROM {plan.Table} WHERE {Condition(db, plan, filters)} LIMIT 1";
        var reader = RowReaderFor(db, plan);
        return new ReadAhead(ReadAhead.KeyOf("find", typeof(T), queryName, where.Select(w => w.Value)), sql, AheadParameters(db, filters, where),
            async r =>
            {
                if (!await r.ReadAsync()) return null;
                var entity = Activator.CreateInstance<T>();
                reader(entity, r, IntPtr.Zero);
                return entity;
            });
    }

    /// <summary>The read <see cref="ExistsAsync{T}"/> makes, to make ahead.</summary>
    public static ReadAhead? ExistsAhead<T>(AppDb db, string queryName, (string Property, object Value)[] where) where T : class
    {
        if (!CanReadAhead(db)) return null;
        var plan = PlanFor(db.Model, typeof(T));
        var filters = where.Select(w => plan.ByName[w.Property]).ToArray();
        var sql = $"SELECT EXISTS (SELECT 1 FROM {plan.Table} WHERE {Condition(db, plan, filters)})";
        return new ReadAhead(ReadAhead.KeyOf("exists", typeof(T), queryName, where.Select(w => w.Value)), sql, AheadParameters(db, filters, where),
            async r => await r.ReadAsync() && Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) == 1);
    }

    private static string Condition(AppDb db, Plan plan, Column[] filters) =>
        string.Join(" AND ", filters.Select((c, i) => c.Name + " = " + Placeholder(db, i))) + plan.OfKind;

    private static DbParameter[] AheadParameters(AppDb db, Column[] filters, (string Property, object Value)[] where)
    {
        // A command only to make the provider's parameters from; they are moved to the batch.
        using var scratch = db.Database.GetDbConnection().CreateCommand();
        var parameters = new DbParameter[filters.Length];
        for (var i = 0; i < filters.Length; i++)
        {
            parameters[i] = filters[i].Mapping.CreateParameter(scratch, "", null, filters[i].Property.IsNullable);
            parameters[i].Value = Value(filters[i], where[i].Value);
        }
        return parameters;
    }
}
