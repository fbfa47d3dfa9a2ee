using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Data;

public static partial class PreparedRows
{
    /// <summary>How many list statements a connection keeps prepared; past it, the kept ones are dropped and prepared anew.</summary>
    public const int MaxListStatements = 64;

    // Keyed by the statement's text: the same text always has the same parameters, of the same columns, in the same order.
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> ListCommands = new();

    /// <summary>
    /// A page of <typeparamref name="T"/>, untracked, read with a statement of our own kept prepared on the connection:
    /// rows whose <paramref name="equal"/> properties hold the given values (the company, the parent) and that match every
    /// predicate, in the given order, <paramref name="skip"/> left out, at most <paramref name="take"/>.
    /// The predicates and order keys are the LINQ expressions EF Core would otherwise translate; this reads only the shapes
    /// whose SQL is plain (comparisons of non-null columns with values or columns, AND, OR, NOT, order by columns) and
    /// writes for them the SQL EF Core writes on the database (the same on both but for parameters and boolean literals). Null, having run nothing, for any other shape: the caller then
    /// runs the query through EF Core.
    /// </summary>
    public static async Task<List<T>?> ListAsync<T>(AppDb db, (string Property, object Value)[] equal, IReadOnlyList<LambdaExpression> where,
        IReadOnlyList<(LambdaExpression Selector, bool Descending)> order, int skip, int take, CancellationToken ct) where T : class
    {
        var plan = PlanFor(db.Model, typeof(T));
        var sql = new SqlWriter(plan, db);
        if (!sql.TryWrite(equal, where, order)) return null;
        sql.Text.Append(" LIMIT ").Append(Placeholder(db, sql.Values.Count)).Append(" OFFSET ").Append(Placeholder(db, sql.Values.Count + 1));
        var text = sql.Text.ToString();

        var connection = db.Database.GetDbConnection();
        var commands = ListCommands.GetValue(connection, _ => new());
        if (!commands.TryGetValue(text, out var cmd))
        {
            if (commands.Count >= MaxListStatements)
            {
                foreach (var old in commands.Values) old.Dispose();
                commands.Clear();
            }
            cmd = NewCommand(connection, text, sql.Values.ConvertAll(v => v.Column), db.IsPostgres);
            foreach (var name in new[] { "@p" + sql.Values.Count, "@p" + (sql.Values.Count + 1) })
            {
                var p = cmd.CreateParameter();
                p.ParameterName = db.IsPostgres ? "" : name;
                p.DbType = System.Data.DbType.Int64;
                cmd.Parameters.Add(p);
            }
            commands[text] = cmd;
        }
        for (var i = 0; i < sql.Values.Count; i++) cmd.Parameters[i].Value = sql.Values[i].Value;
        cmd.Parameters[sql.Values.Count].Value = (long)take;
        cmd.Parameters[sql.Values.Count + 1].Value = (long)skip;
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();

        var rows = new List<T>(Math.Min(take, 256));
        var read = RowReaderFor(db, plan);
        await using var open = await OpenAsync(db, ct);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var entity = Activator.CreateInstance<T>();
            read(entity, reader, SqliteColumns.StatementOf(reader));
            rows.Add(entity);
        }
        return rows;
    }

    /// <summary>
    /// Writes SELECT ... WHERE ... ORDER BY for the plain shapes of <see cref="ListAsync{T}"/>. Every value becomes a
    /// parameter, converted as its column stores it. Only columns that cannot hold NULL are read, so every comparison is
    /// true or false and SQL's AND, OR and NOT mean what C#'s do (EF Core writes extra NULL checks for nullable columns).
    /// </summary>
    private sealed class SqlWriter(Plan plan, AppDb db)
    {
        public StringBuilder Text { get; } = new(512);
        public List<(Column Column, object Value)> Values { get; } = [];
        private ParameterExpression _row = null!;

        public bool TryWrite((string Property, object Value)[] equal, IReadOnlyList<LambdaExpression> where,
            IReadOnlyList<(LambdaExpression Selector, bool Descending)> order)
        {
            Text.Append(plan.SelectAll ??= "SELECT " + string.Join(", ", plan.Columns.Select(c => Quote(c.Name))) + " FROM " + Quote(plan.Table));
            var conditions = 0;
            for (var i = 0; i < equal.Length; i++)
            {
                if (!plan.ByName.TryGetValue(equal[i].Property, out var column) || column.Property.IsNullable) return false;
                Text.Append(conditions++ == 0 ? " WHERE " : " AND ").Append(Quote(column.Name)).Append(" = ").Append(Parameter(column, Value(column, equal[i].Value)));
            }
            if (plan.OfKind.Length > 0) Text.Append(conditions++ == 0 ? " WHERE " + plan.OfKind[5..] : plan.OfKind);
            for (var i = 0; i < where.Count; i++)
            {
                Text.Append(conditions++ == 0 ? " WHERE " : " AND ");
                _row = where[i].Parameters[0];
                if (!Predicate(where[i].Body)) return false;
            }
            for (var i = 0; i < order.Count; i++)
            {
                _row = order[i].Selector.Parameters[0];
                if (ColumnOf(order[i].Selector.Body) is not { } column) return false;
                Text.Append(i == 0 ? " ORDER BY " : ", ").Append(Quote(column.Name));
                if (order[i].Descending) Text.Append(" DESC");
            }
            return true;
        }

        private bool Predicate(Expression e)
        {
            switch (e)
            {
                case ConstantExpression { Value: bool b }:
                    Text.Append(db.IsPostgres ? (b ? "TRUE" : "FALSE") : (b ? "1" : "0"));
                    return true;
                case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse } logical:
                    Text.Append('(');
                    if (!Predicate(logical.Left)) return false;
                    Text.Append(logical.NodeType == ExpressionType.AndAlso ? " AND " : " OR ");
                    if (!Predicate(logical.Right)) return false;
                    Text.Append(')');
                    return true;
                case UnaryExpression { NodeType: ExpressionType.Not } not when not.Type == typeof(bool):
                    Text.Append("NOT (");
                    if (!Predicate(not.Operand)) return false;
                    Text.Append(')');
                    return true;
                case BinaryExpression binary when Operator(binary.NodeType) is { } op:
                    return Comparison(binary.Left, op, binary.Right);
                default:
                    // A bool column on its own (stored as 0 or 1 on SQLite, a boolean on PostgreSQL).
                    if (ColumnOf(e) is not { } flag || flag.Property.ClrType != typeof(bool)) return false;
                    Text.Append(Quote(flag.Name));
                    return true;
            }
        }

        private bool Comparison(Expression left, string op, Expression right)
        {
            // string.Compare(a, b) op 0 and a.CompareTo(b) op 0: EF Core writes a op b.
            if (right is ConstantExpression { Value: 0 } && Compared(left) is { } compared) (left, right) = compared;
            else if (left is ConstantExpression { Value: 0 } && Compared(right) is { } mirrored) (left, right, op) = (mirrored.Item1, mirrored.Item2, Mirror(op));

            left = Unwrap(left);
            right = Unwrap(right);
            var leftColumn = ColumnOf(left);
            var rightColumn = ColumnOf(right);
            if (leftColumn is null && rightColumn is null) return false;
            if (leftColumn is not null && rightColumn is not null)
            {
                // Two columns: only of one stored type, without conversions, so SQLite compares what EF Core's SQL compares.
                if (leftColumn.Mapping.GetType() != rightColumn.Mapping.GetType() || leftColumn.Mapping.Converter is not null
                    || rightColumn.Mapping.Converter is not null) return false;
                Text.Append(Quote(leftColumn.Name)).Append(' ').Append(op).Append(' ').Append(Quote(rightColumn.Name));
                return true;
            }
            var column = leftColumn ?? rightColumn!;
            if (!TryValue(leftColumn is null ? left : right, column, out var value)) return false;
            var parameter = Parameter(column, value);
            if (leftColumn is not null) Text.Append(Quote(column.Name)).Append(' ').Append(op).Append(' ').Append(parameter);
            else Text.Append(parameter).Append(' ').Append(op).Append(' ').Append(Quote(column.Name));
            return true;
        }

        /// <summary>The next parameter's name, for a value already converted as the column stores it.</summary>
        private string Parameter(Column column, object value)
        {
            var name = Placeholder(db, Values.Count);
            Values.Add((column, value));
            return name;
        }

        private static (Expression, Expression)? Compared(Expression e) => e switch
        {
            MethodCallExpression { Method: { Name: nameof(string.Compare), DeclaringType: var t }, Object: null, Arguments: [var a, var b] }
                when t == typeof(string) => (a, b),
            MethodCallExpression { Method.Name: nameof(IComparable.CompareTo), Object: { } a, Arguments: [var b] }
                when a.Type == b.Type && (a.Type == typeof(Guid) || a.Type == typeof(string)) => (a, b),
            _ => null,
        };

        /// <summary>
        /// Conversions that change nothing SQLite stores: to the nullable form of a type, between integer types (every
        /// integer is a 64-bit INTEGER), and a bool as 1 or 0 (how the binder orders booleans).
        /// </summary>
        private static Expression Unwrap(Expression e)
        {
            while (true)
            {
                switch (e)
                {
                    case UnaryExpression { NodeType: ExpressionType.Convert } convert
                        when Nullable.GetUnderlyingType(convert.Type) == convert.Operand.Type || (IsInteger(convert.Type) && IsInteger(convert.Operand.Type)):
                        e = convert.Operand;
                        continue;
                    case ConditionalExpression { IfTrue: ConstantExpression { Value: 1 }, IfFalse: ConstantExpression { Value: 0 } } flag
                        when flag.Test.Type == typeof(bool) && flag.Test is MemberExpression:
                        e = flag.Test;
                        continue;
                    default:
                        return e;
                }
            }
        }

        private static bool IsInteger(Type t) => t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte);

        /// <summary>The column a member access on the row reads: a mapped property that cannot hold NULL.</summary>
        private Column? ColumnOf(Expression e)
        {
            if (e is not MemberExpression { Expression: ParameterExpression p, Member: var member } || p != _row) return null;
            // By name: a property declared on a base class comes as a different PropertyInfo (its reflected type differs).
            if (!plan.ByName.TryGetValue(member.Name, out var c)
                || (c.Property.PropertyInfo ?? (MemberInfo?)c.Property.FieldInfo)?.DeclaringType != member.DeclaringType) return null;
            return c.Property.IsNullable ? null : c;
        }

        /// <summary>
        /// The value of a captured variable (what EF Core sends as a parameter) or a constant, as the column stores it
        /// (its value converter applied); false for NULL and for anything that needs computing.
        /// </summary>
        private static bool TryValue(Expression e, Column column, out object value)
        {
            value = null!;
            object? v;
            switch (e)
            {
                case ConstantExpression constant:
                    v = constant.Value;
                    break;
                case MemberExpression { Expression: ConstantExpression { Value: { } holder }, Member: FieldInfo field }:
                    v = field.GetValue(holder);
                    break;
                case MemberExpression { Expression: ConstantExpression { Value: { } holder }, Member: PropertyInfo property }:
                    v = property.GetValue(holder);
                    break;
                default:
                    return false;
            }
            if (v is null) return false;
            var type = column.Property.ClrType;
            if (v.GetType() != type)
            {
                if (!IsInteger(type) || !IsInteger(v.GetType())) return false;
                try
                {
                    v = Convert.ChangeType(v, type, System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (OverflowException)
                {
                    return false;
                }
            }
            value = Value(column, v);
            return true;
        }

        private static string? Operator(ExpressionType type) => type switch
        {
            ExpressionType.Equal => "=",
            ExpressionType.NotEqual => "<>",
            ExpressionType.LessThan => "<",
            ExpressionType.LessThanOrEqual => "<=",
            ExpressionType.GreaterThan => ">",
            ExpressionType.GreaterThanOrEqual => ">=",
            _ => null,
        };

        private static string Mirror(string op) => op switch { "<" => ">", "<=" => ">=", ">" => "<", ">=" => "<=", _ => op };

        private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
