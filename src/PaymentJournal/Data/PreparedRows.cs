using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Data;

/// <summary>
/// Writes one row, or reads one by its key, with a statement prepared once per connection, entity type and column set,
/// outside SaveChanges and EF Core's query pipeline. On the SQLite writer, which runs changes one after another,
/// SaveChanges' change detection, command batching and SQL generation, and a query's command set-up, diagnostics and
/// shaper, cost more than the statement itself. Columns and values come from the EF Core model and its type
/// mappings, so rows are stored exactly as SaveChanges stores them; a storage error comes back as the
/// <see cref="DbUpdateException"/> SaveChanges would throw, and a lost concurrency check as a
/// <see cref="DbUpdateConcurrencyException"/>. On PostgreSQL the same statements run with positional parameters on the
/// context's connection (<see cref="Postgres.PostgresRows"/>), prepared on the server by Npgsql, and rows are read
/// with the reader's typed methods; on SQLite columns are read straight from the statement (<see cref="SqliteColumns"/>).
/// </summary>
public static partial class PreparedRows
{
    private sealed record Column(string Name, IProperty Property, RelationalTypeMapping Mapping);

    /// <param name="OfKind">" AND template = 'CASHRCPT'" for a kind of row that shares its table with others
    /// (table-per-hierarchy), appended to every read's condition; "" otherwise.</param>
    private sealed record Plan(string Table, Column[] Columns, Column Key, Column? Token, string OfKind)
    {
        /// <summary>The columns by property name.</summary>
        public Dictionary<string, Column> ByName { get; } = Columns.ToDictionary(c => c.Property.Name);

        /// <summary>Sets every column's value, read from the reader's current row, on an entity (made on first use).</summary>
        public Action<object, DbDataReader, IntPtr>? RowReader { get; set; }
        /// <summary>The same through the reader's own methods only (PostgreSQL's).</summary>
        public Action<object, DbDataReader, IntPtr>? PlainRowReader { get; set; }
        /// <summary>SELECT every column FROM the table (made on first use).</summary>
        public string? SelectAll { get; set; }
    }

    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, Plan>> Plans = new();
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, string?>> Tables = new();

    /// <summary>
    /// The table of an entity type, looked up once: for a kind of row in a shared table EF Core works it out from the
    /// hierarchy on every call, and a PATCH asks for it.
    /// </summary>
    internal static string? TableOf(IEntityType type) => Tables.GetValue(type.Model, _ => new()).GetOrAdd(type.ClrType, _ => type.GetTableName());
    // A connection is used by one caller at a time (the writer's, or a request's own), so its commands are too.
    // Keyed by entity type and either the written columns (a bit mask; every bit for an insert) or a read's name.
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<(Type, ulong, string?), DbCommand>> Commands = new();

    /// <summary>Inserts a new row; the caller has stamped it (<see cref="AppDb.StampNew"/>) and made every check.</summary>
    public static async Task InsertAsync<T>(AppDb db, T entity, CancellationToken ct) where T : class
    {
        ForgetAhead(db);
        await using var open = await OpenAsync(db, ct);
        var plan = PlanFor(db.Model, typeof(T));
        var cmd = InsertCommand(db, plan, typeof(T));
        for (var i = 0; i < plan.Columns.Length; i++) cmd.Parameters[i].Value = Value(plan.Columns[i], plan.Columns[i].Property.GetGetter().GetClrValue(entity));
        if (!HoldForCommit(db, cmd, expectRow: false)) await ExecuteAsync(cmd, expectRow: false, ct);
    }

    /// <summary>
    /// On PostgreSQL, in a unit that allows it, holds the write back to send it with the COMMIT (or before the unit's
    /// next statement); false where it must run now.
    /// </summary>
    private static bool HoldForCommit(AppDb db, DbCommand cmd, bool expectRow)
    {
        if (!db.IsPostgres || !Postgres.PostgresHeldWrite.Allowed(db)) return false;
        Postgres.PostgresHeldWrite.Hold(db, cmd, expectRow);
        return true;
    }

    private static DbCommand InsertCommand(AppDb db, Plan plan, Type type) => CommandFor(db, plan, (type, ulong.MaxValue, null), () => InsertSql(db, plan), plan.Columns);

    private static string InsertSql(AppDb db, Plan plan) =>
        $"INSERT INTO {plan.Table} ({string.Join(", ", plan.Columns.Select(c => c.Name))}) " +
        $"VALUES ({string.Join(", ", plan.Columns.Select((_, i) => Placeholder(db, i)))})";

    /// <summary>
    /// Saves the one change the context tracks when it is an update of a single-table row with one key column (what a
    /// PATCH makes); false, having written nothing, for anything else, which SaveChanges then saves.
    /// </summary>
    public static async Task<bool> TryUpdateAsync(AppDb db, CancellationToken ct)
    {
        var entries = db.ChangeTracker.Entries().Where(e => e.State != EntityState.Unchanged && e.State != EntityState.Detached).Take(2).ToList();
        if (entries is not [{ State: EntityState.Modified } entry]) return false;
        var type = entry.Metadata.ClrType;
        if (TableOf(entry.Metadata) is null || entry.Metadata.FindPrimaryKey()?.Properties.Count != 1) return false;
        var plan = PlanFor(db.Model, type);
        if (plan.Columns.Length >= 64) return false;
        ulong mask = 0;
        var set = new List<Column>();
        for (var i = 0; i < plan.Columns.Length; i++)
        {
            if (!entry.Property(plan.Columns[i].Property).IsModified) continue;
            if (plan.Columns[i] == plan.Key) return false;
            mask |= 1UL << i;
            set.Add(plan.Columns[i]);
        }
        if (set.Count == 0) { entry.State = EntityState.Unchanged; return true; }
        await using var open = await OpenAsync(db, ct);
        var parameters = set.Append(plan.Key).Concat(plan.Token is null ? [] : [plan.Token]).ToArray();
        var cmd = CommandFor(db, plan, (type, mask, null), () =>
            $"UPDATE {plan.Table} SET {string.Join(", ", set.Select((c, i) => c.Name + " = " + Placeholder(db, i)))} WHERE {plan.Key.Name} = {Placeholder(db, set.Count)}" +
            (plan.Token is null ? "" : $" AND {plan.Token.Name} = {Placeholder(db, set.Count + 1)}"), parameters);
        for (var i = 0; i < set.Count; i++) cmd.Parameters[i].Value = Value(set[i], entry.Property(set[i].Property).CurrentValue);
        cmd.Parameters[set.Count].Value = Value(plan.Key, entry.Property(plan.Key.Property).OriginalValue);
        if (plan.Token is not null) cmd.Parameters[set.Count + 1].Value = Value(plan.Token, entry.Property(plan.Token.Property).OriginalValue);
        if (!HoldForCommit(db, cmd, expectRow: true)) await ExecuteAsync(cmd, expectRow: true, ct);
        // Accept the change, as SaveChanges does: the current values become the originals. (Setting the state to
        // Unchanged instead would put the original values back, property by property.) The entry is the only change.
        db.ChangeTracker.AcceptAllChanges();
        return true;
    }

    /// <summary>
    /// The row of <typeparamref name="T"/> whose <paramref name="where"/> properties hold the given values, untracked
    /// (as AsNoTracking would give it), or null. Every column is read as EF Core's type mapping reads it.
    /// <paramref name="queryName"/> names the statement kept for this entity type: one name, one list of properties.
    /// </summary>
    public static async Task<T?> FindAsync<T>(AppDb db, string queryName, (string Property, object Value)[] where, CancellationToken ct) where T : class
    {
        if (TryTakeAhead(db, "find", typeof(T), queryName, where.Select(w => w.Value), out var ahead)) return (T?)ahead;
        var plan = PlanFor(db.Model, typeof(T));
        var cmd = QueryCommand(db, plan, typeof(T), queryName, where,
            condition => $"SELECT {string.Join(", ", plan.Columns.Select(c => c.Name))} FROM {plan.Table} WHERE {condition} LIMIT 1");
        await using var open = await OpenAsync(db, ct);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var entity = Activator.CreateInstance<T>();
        RowReaderFor(db, plan)(entity, reader, SqliteColumns.StatementOf(reader));
        return entity;
    }

    /// <summary>Whether a row of <typeparamref name="T"/> has the given values in the given properties (names as for <see cref="FindAsync{T}"/>).</summary>
    public static async Task<bool> ExistsAsync<T>(AppDb db, string queryName, (string Property, object Value)[] where, CancellationToken ct) where T : class
    {
        if (TryTakeAhead(db, "exists", typeof(T), queryName, where.Select(w => w.Value), out var ahead)) return (bool)ahead!;
        var plan = PlanFor(db.Model, typeof(T));
        var cmd = QueryCommand(db, plan, typeof(T), queryName, where, condition => $"SELECT EXISTS (SELECT 1 FROM {plan.Table} WHERE {condition})");
        await using var open = await OpenAsync(db, ct);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>
    /// Opens the connection for a statement on PostgreSQL when it is closed, having sent a write held back in the unit
    /// first (<see cref="Postgres.PostgresHeldWrite"/>); disposing what this returns closes it again then (and does
    /// nothing otherwise, as on SQLite, where each context keeps its connection open).
    /// </summary>
    private static ValueTask<OpenConnection> OpenAsync(AppDb db, CancellationToken ct) =>
        db.IsPostgres ? OpenPostgresAsync(db, ct) : ValueTask.FromResult(default(OpenConnection));

    private static async ValueTask<OpenConnection> OpenPostgresAsync(AppDb db, CancellationToken ct)
    {
        await Postgres.PostgresHeldWrite.FlushAsync(db, ct);
        return new(await Postgres.PostgresRows.OpenAsync(db, ct) ? db : null);
    }

    /// <summary>The connection <see cref="OpenAsync"/> opened, to close when disposed; a struct, so SQLite's path allocates nothing.</summary>
    private readonly struct OpenConnection(AppDb? opened) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => opened is null ? ValueTask.CompletedTask : new ValueTask(Postgres.PostgresRows.CloseAsync(opened));
    }

    /// <summary>The placeholder of the statement's parameter at <paramref name="index"/>: @p0, @p1, ... or $1, $2, ... on PostgreSQL.</summary>
    private static string Placeholder(AppDb db, int index) =>
        db.IsPostgres ? Postgres.PostgresRows.Parameter(index) : "@p" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Action<object, DbDataReader, IntPtr> RowReaderFor(AppDb db, Plan plan) => db.IsSqlite
        ? plan.RowReader ??= RowReader(plan, native: true)
        : plan.PlainRowReader ??= RowReader(plan, native: false);

    /// <summary>The read's command, its WHERE made of the given properties, with their values set.</summary>
    private static DbCommand QueryCommand(AppDb db, Plan plan, Type type, string queryName, (string Property, object Value)[] where, Func<string, string> sql)
    {
        var filters = where.Select(w => plan.ByName[w.Property]).ToArray();
        var cmd = CommandFor(db, plan, (type, 0, queryName), () => sql(Condition(db, plan, filters)), filters);
        for (var i = 0; i < filters.Length; i++) cmd.Parameters[i].Value = Value(filters[i], where[i].Value);
        return cmd;
    }

    /// <summary>
    /// Reads every column as EF Core does: the type mapping's reader method for its provider type (e.g. GetGuid for a Guid
    /// stored as TEXT), then its value converter, then the property's setter; NULL stays null. The reader methods are
    /// <see cref="SqliteColumns"/>' when it has one and <paramref name="native"/> is set, which read from the statement
    /// itself (given as the third argument; zero sends every column through the reader).
    /// </summary>
    private static Action<object, DbDataReader, IntPtr> RowReader(Plan plan, bool native)
    {
        var entity = Expression.Parameter(typeof(object), "entity");
        var reader = Expression.Parameter(typeof(DbDataReader), "reader");
        var stmt = Expression.Parameter(typeof(IntPtr), "stmt");
        var assigns = new List<Expression>();
        for (var ordinal = 0; ordinal < plan.Columns.Length; ordinal++)
        {
            var column = plan.Columns[ordinal];
            var at = Expression.Constant(ordinal);
            var method = column.Mapping.GetDataReaderMethod();
            Expression value = native && SqliteColumns.For(method) is { } fromStatement ? Expression.Call(fromStatement, reader, stmt, at) : Expression.Call(reader, method, at);
            value = column.Mapping.CustomizeDataReaderExpression(value);
            var providerType = column.Mapping.Converter?.ProviderClrType ?? column.Mapping.ClrType;
            if (value.Type != providerType) value = Expression.Convert(value, providerType);
            if (column.Mapping.Converter is { } converter)
                value = ReplacingExpressionVisitor.Replace(converter.ConvertFromProviderExpression.Parameters[0], value, converter.ConvertFromProviderExpression.Body);
            var propertyType = column.Property.ClrType;
            if (value.Type != propertyType) value = Expression.Convert(value, propertyType);
            if (column.Property.IsNullable || !propertyType.IsValueType)
                value = Expression.Condition(native
                        ? Expression.Call(typeof(SqliteColumns).GetMethod(nameof(SqliteColumns.IsDBNull))!, reader, stmt, at)
                        : Expression.Call(reader, typeof(DbDataReader).GetMethod(nameof(DbDataReader.IsDBNull))!, at),
                    Expression.Default(propertyType), value);
            var member = (System.Reflection.MemberInfo?)column.Property.PropertyInfo ?? column.Property.FieldInfo
                         ?? throw new InvalidOperationException($"{column.Property.Name} has no property or field to set.");
            assigns.Add(Expression.Assign(Expression.MakeMemberAccess(Expression.Convert(entity, column.Property.DeclaringType.ClrType), member), value));
        }
        return Expression.Lambda<Action<object, DbDataReader, IntPtr>>(Expression.Block(assigns), entity, reader, stmt).Compile();
    }

    private static DbCommand CommandFor(AppDb db, Plan plan, (Type, ulong, string?) key, Func<string> sql, Column[] parameters)
    {
        var connection = db.Database.GetDbConnection();
        var commands = Commands.GetValue(connection, _ => new());
        if (!commands.TryGetValue(key, out var cmd)) commands[key] = cmd = NewCommand(connection, sql(), parameters, db.IsPostgres);
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return cmd;
    }

    /// <summary>
    /// A command for the SQL, its parameters @p0, @p1, ... (positional ones, unnamed, on PostgreSQL) typed as the given
    /// columns store their values.
    /// </summary>
    private static DbCommand NewCommand(DbConnection connection, string sql, IReadOnlyList<Column> parameters, bool positional)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        for (var i = 0; i < parameters.Count; i++)
            cmd.Parameters.Add(parameters[i].Mapping.CreateParameter(cmd, positional ? "" : "@p" + i, null, parameters[i].Property.IsNullable));
        return cmd;
    }

    private static object Value(Column column, object? value)
    {
        if (value is not null && column.Mapping.Converter is { } converter) value = converter.ConvertToProvider(value);
        return value ?? DBNull.Value;
    }

    private static async Task ExecuteAsync(DbCommand cmd, bool expectRow, CancellationToken ct)
    {
        int rows;
        try
        {
            rows = await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (DbException e)
        {
            throw new DbUpdateException("The row could not be written: " + e.Message, e);
        }
        if (expectRow && rows != 1) throw new DbUpdateConcurrencyException("The row was changed or deleted since it was read.");
    }

    private static Plan PlanFor(IModel model, Type type) => Plans.GetValue(model, _ => new()).GetOrAdd(type, _ =>
    {
        var entityType = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type} is not mapped.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var columns = entityType.GetProperties()
            .Select(p => new Column(p.GetColumnName(table)!, p, (RelationalTypeMapping)p.GetTypeMapping()))
            .ToArray();
        var key = entityType.FindPrimaryKey()!.Properties;
        // A kind of row in a shared table: its discriminator's value, from the model, never from a request.
        var ofKind = entityType.BaseType is not null && entityType.FindDiscriminatorProperty() is { } kind && entityType.GetDiscriminatorValue() is string value
            ? $" AND {kind.GetColumnName(table)} = '{value.Replace("'", "''", StringComparison.Ordinal)}'"
            : "";
        return new Plan(table.Name, columns, columns.First(c => c.Property == key[0]), columns.FirstOrDefault(c => c.Property.IsConcurrencyToken), ofKind);
    });
}
