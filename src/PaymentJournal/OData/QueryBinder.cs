using System.Globalization;
using System.Linq.Expressions;
using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// Translates the semantic trees of $filter and $orderby (Microsoft.OData.Core) into LINQ expressions over the
/// stored entity, restricted to what EF Core translates to SQL on SQLite and PostgreSQL: nothing is evaluated
/// in memory, and anything that cannot be translated exactly is refused with BadRequest_NotSupported.
/// </summary>
/// <remarks>
/// <para>Numbers are bound exactly. A numeric operand is kept in the linear form <c>Term / Den + Offset</c>, where
/// Term is an integer SQL expression (an Int32 column, or a Decimal column holding the value scaled by 10^Scale),
/// Den a positive integer and Offset an exact rational constant. Arithmetic with constants only changes Den and
/// Offset; a comparison <c>Term / Den + Offset op K</c> becomes <c>Term op (K - Offset) * Den</c>, with the bound
/// rounded up or down so that a constant with more decimals than the column still selects the right rows.</para>
/// <para>Dates and timestamps are bound the same way in ticks: a Date column counts whole days, a timestamp column
/// counts ticks, and added or subtracted durations move the constant side of the comparison.</para>
/// <para>Null: every column is NOT NULL, so <c>x eq null</c> is false and <c>x ne null</c> is true for every row;
/// an ordering comparison with null is false (OData's null propagation).</para>
/// <para>Code fields (<see cref="FieldDef.Upper"/>) are stored in upper case, so a string constant compared with such
/// a column (eq, ne, in, lt..., contains, startswith, endswith) is upper-cased first, as Business Central does.</para>
/// <para>Constants become SQL parameters, never SQL text.</para>
/// </remarks>
public static class QueryBinder
{
    public static Expression<Func<T, bool>> BindFilter<T>(FilterClause filter, Func<string, FieldDef?> resolveField)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var binder = new Binder(Expression.Parameter(typeof(T), "x"), resolveField);
        var body = binder.Predicate(binder.Bind(filter.Expression), "$filter");
        return Expression.Lambda<Func<T, bool>>(body, binder.Entity);
    }

    /// <summary>The key to order by (T => value). Computed numeric keys are reduced to an integer expression that
    /// orders the same way (for example <c>amount mul -1</c> orders by <c>-Amount</c>).</summary>
    public static LambdaExpression BindOrderKey<T>(SingleValueNode node, Func<string, FieldDef?> resolveField)
    {
        ArgumentNullException.ThrowIfNull(node);
        var binder = new Binder(Expression.Parameter(typeof(T), "x"), resolveField);
        var key = binder.Bind(node) switch
        {
            Num { Term: { } term } => term,
            Time { Term: { } term } => term,
            Scalar { Kind: ScalarKind.String } s => Ordinal(s.Expr),
            Scalar s => s.Expr,
            _ => throw ApiErrors.NotSupported("Ordering by a constant expression"),
        };
        return Expression.Lambda(key, binder.Entity);
    }

    /// <summary><c>left &gt; right</c> in a form EF Core translates for every column type we store
    /// (numbers, strings, GUIDs, booleans, dates and timestamps); used for keyset paging.</summary>
    public static Expression GreaterThan(Expression left, Expression right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (right.Type != left.Type) right = Expression.Convert(right, left.Type);
        return Relational(ExpressionType.GreaterThan, left, right);
    }

    /// <summary>Counts the nodes of a filter or order-by tree: operators, operands, function calls and list items.
    /// Implicit conversions inserted by the parser and the range variable ($it) are not counted.</summary>
    public static int CountNodes(QueryNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var count = 0;
        var pending = new Stack<QueryNode>();
        pending.Push(node);
        while (pending.Count > 0)
        {
            var n = pending.Pop();
            if (n is not (ConvertNode or ResourceRangeVariableReferenceNode or NonResourceRangeVariableReferenceNode)) count++;
            foreach (var child in Children(n))
                if (child is not null) pending.Push(child);
        }
        return count;
    }

    private static IEnumerable<QueryNode?> Children(QueryNode node) => node switch
    {
        BinaryOperatorNode b => [b.Left, b.Right],
        UnaryOperatorNode u => [u.Operand],
        ConvertNode c => [c.Source],
        InNode i => [i.Left, i.Right],
        CollectionConstantNode c => c.Collection,
        SingleValueFunctionCallNode f => f.Parameters,
        SingleValuePropertyAccessNode p => [p.Source],
        SingleValueOpenPropertyAccessNode p => [p.Source],
        CollectionPropertyAccessNode p => [p.Source],
        LambdaNode l => [l.Source, l.Body],
        SingleNavigationNode n => [n.Source],
        CollectionNavigationNode n => [n.Source],
        SingleComplexNode c => [c.Source],
        _ => [],
    };

    // ---------------------------------------------------------------- operands

    private abstract class Operand;

    /// <summary>A number: Term / Den + Offset. Term is an int or long expression, or null for a constant.
    /// Integral is true for Edm integer types, whose div and mod truncate.</summary>
    private sealed class Num(Expression? term, BigInteger den, Rational offset, bool integral) : Operand
    {
        public Expression? Term { get; } = term;
        public BigInteger Den { get; } = den;
        public Rational Offset { get; } = offset;
        public bool Integral { get; } = integral;

        public static Num Constant(Rational value, bool integral) => new(null, BigInteger.One, value, integral);
    }

    private enum TimeKind { Date, DateTimeOffset, Duration }

    /// <summary>A point in time or a duration in ticks: Term (a DateOnly or DateTime column) + Offset.
    /// For a constant Term is null and Offset holds the whole value (ticks since 0001-01-01, or of the duration).</summary>
    private sealed class Time(Expression? term, BigInteger offset, TimeKind kind) : Operand
    {
        public Expression? Term { get; } = term;
        public BigInteger Offset { get; } = offset;
        public TimeKind Kind { get; } = kind;
        public long Unit => Term?.Type == typeof(DateOnly) ? TimeSpan.TicksPerDay : 1;
    }

    private enum ScalarKind { String, Guid, Boolean, Enum }

    /// <summary>A non-numeric SQL value: a column, a string function result or a predicate.</summary>
    private sealed class Scalar(Expression expr, ScalarKind kind, FieldDef? field = null) : Operand
    {
        public Expression Expr { get; } = expr;
        public ScalarKind Kind { get; } = kind;
        /// <summary>The column's definition when Expr is the bare column.</summary>
        public FieldDef? Field { get; } = field;
    }

    /// <summary>A non-numeric constant: string, Guid, bool, enum member name, or null.</summary>
    private sealed class Const(object? value) : Operand
    {
        public object? Value { get; } = value;
    }

    // ---------------------------------------------------------------- binder

    private sealed class Binder(ParameterExpression entity, Func<string, FieldDef?> resolveField)
    {
        public ParameterExpression Entity { get; } = entity;

        public Operand Bind(QueryNode node)
        {
            try
            {
                RuntimeHelpers.EnsureSufficientExecutionStack();
            }
            catch (InsufficientExecutionStackException)
            {
                throw ApiErrors.QueryOption("The query expression is nested too deeply.");
            }

            return node switch
            {
                ConstantNode c => BindConstant(c),
                ConvertNode c => BindConvert(c),
                SingleValuePropertyAccessNode p => BindProperty(p),
                BinaryOperatorNode b => BindBinary(b),
                UnaryOperatorNode u => BindUnary(u),
                InNode i => BindIn(i),
                SingleValueFunctionCallNode f => BindFunction(f),
                SingleValueOpenPropertyAccessNode p => throw ApiErrors.BadRequest($"Could not find a property named '{p.Name}'."),
                AnyNode or AllNode => throw ApiErrors.NotSupported("Lambda operators (any, all)"),
                ParameterAliasNode a => throw ApiErrors.NotSupported($"The parameter alias '{a.Alias}'"),
                _ => throw ApiErrors.NotSupported($"The expression '{node.Kind}'"),
            };
        }

        public Expression Predicate(Operand operand, string context) => operand switch
        {
            Scalar { Kind: ScalarKind.Boolean } s => s.Expr,
            Const { Value: bool b } => Expression.Constant(b),
            Const { Value: null } => Expression.Constant(false),
            _ => throw ApiErrors.BadRequest($"The expression in {context} must be a boolean."),
        };

        private static Operand BindConstant(ConstantNode node)
        {
            switch (node.Value)
            {
                case null: return new Const(null);
                case bool or string or Guid: return new Const(node.Value);
                case ODataEnumValue e: return new Const(EnumMemberName(e, node.TypeReference));
                case int or long or short or byte or sbyte:
                    return Num.Constant(new Rational(Convert.ToInt64(node.Value, CultureInfo.InvariantCulture), 1), integral: true);
                // The parser may have gone through double to build the value (1e28 becomes 9999999000000000000000000000),
                // so the literal text, when it is a plain number, is the exact value.
                case decimal m: return Num.Constant(Exact(node.LiteralText) ?? Rational.Parse(m.ToString(CultureInfo.InvariantCulture)), integral: false);
                case double d: return Num.Constant(Exact(node.LiteralText) ?? FromBinary(d, d.ToString("R", CultureInfo.InvariantCulture)), integral: false);
                case float f: return Num.Constant(Exact(node.LiteralText) ?? FromBinary(f, f.ToString("R", CultureInfo.InvariantCulture)), integral: false);
#pragma warning disable CS0618 // ODL 8 still hands out its own Date for Edm.Date literals
                case Date d: return new Time(null, (BigInteger)new DateOnly(d.Year, d.Month, d.Day).DayNumber * TimeSpan.TicksPerDay, TimeKind.Date);
#pragma warning restore CS0618
                case DateOnly d: return new Time(null, (BigInteger)d.DayNumber * TimeSpan.TicksPerDay, TimeKind.Date);
                case DateTimeOffset t: return new Time(null, t.UtcTicks, TimeKind.DateTimeOffset);
                case TimeSpan s: return new Time(null, s.Ticks, TimeKind.Duration);
                default: throw ApiErrors.NotSupported($"A literal of type '{node.TypeReference?.FullName() ?? node.Value.GetType().Name}'");
            }
        }

        private static Rational? Exact(string? literal)
        {
            if (string.IsNullOrEmpty(literal)) return null;
            var text = literal.TrimEnd('m', 'M', 'd', 'D', 'f', 'F');
            return Rational.TryParse(text, out var value) ? value : null;
        }

        private static Rational FromBinary(double value, string text) =>
            double.IsFinite(value) ? Rational.Parse(text) : throw ApiErrors.BadRequest($"The number '{text}' is not a finite value.");

        /// <summary>The member name of an enum literal; the parser gives the member's numeric value for 'All'.</summary>
        private static string EnumMemberName(ODataEnumValue value, IEdmTypeReference? type)
        {
            if (type?.Definition is IEdmEnumType enumType && long.TryParse(value.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                var member = enumType.Members.FirstOrDefault(m => m.Value.Value == n);
                if (member is not null) return member.Name;
            }
            return value.Value;
        }

        // Conversions inserted by the parser for type promotion (Int32 to Decimal, Date to DateTimeOffset, ...)
        // do not change the value; only the integer semantics of div and mod can change.
        private Operand BindConvert(ConvertNode node)
        {
            var source = Bind(node.Source);
            if (source is Num n && n.Integral && node.TypeReference?.Definition is IEdmPrimitiveType p
                && p.PrimitiveKind is EdmPrimitiveTypeKind.Decimal or EdmPrimitiveTypeKind.Double or EdmPrimitiveTypeKind.Single)
                return new Num(n.Term, n.Den, n.Offset, integral: false);
            return source;
        }

        private Operand BindProperty(SingleValuePropertyAccessNode node)
        {
            var name = node.Property.Name;
            if (node.Source is not ResourceRangeVariableReferenceNode)
                throw ApiErrors.NotSupported($"The property path to '{name}'");
            var field = resolveField(name)
                ?? throw ApiErrors.UnknownProperty(name, (node.Property.DeclaringType as IEdmSchemaType)?.Name ?? "entity");
            var column = Column(field);
            return field.Kind switch
            {
                FieldKind.Guid => new Scalar(Expect(column, typeof(Guid)), ScalarKind.Guid, field),
                FieldKind.String => new Scalar(Expect(column, typeof(string)), ScalarKind.String, field),
                FieldKind.Enum => new Scalar(Expect(column, typeof(string)), ScalarKind.Enum, field),
                FieldKind.Boolean => new Scalar(Expect(column, typeof(bool)), ScalarKind.Boolean, field),
                FieldKind.Int32 => new Num(Expect(column, typeof(int)), BigInteger.One, Rational.Zero, integral: true),
                FieldKind.Int64 => new Num(Expect(column, typeof(long)), BigInteger.One, Rational.Zero, integral: true),
                FieldKind.Decimal => new Num(Expect(column, typeof(long)), BigInteger.Pow(10, field.Scale), Rational.Zero, integral: false),
                FieldKind.Date => new Time(Expect(column, typeof(DateOnly)), BigInteger.Zero, TimeKind.Date),
                FieldKind.DateTimeOffset => new Time(Expect(column, typeof(DateTime)), BigInteger.Zero, TimeKind.DateTimeOffset),
                _ => throw ApiErrors.NotSupported($"Filtering on '{name}'"),
            };
        }

        private Expression Column(FieldDef field)
        {
            var lambda = field.Column;
            return new ParameterReplacer(lambda.Parameters[0], Entity).Visit(lambda.Body);
        }

        private static Expression Expect(Expression column, Type type) => column.Type == type
            ? column
            : throw new InvalidOperationException($"The column {column} is {column.Type.Name}, expected {type.Name}.");

        private Operand BindUnary(UnaryOperatorNode node)
        {
            var operand = Bind(node.Operand);
            switch (node.OperatorKind)
            {
                case UnaryOperatorKind.Not:
                    return new Scalar(Not(Predicate(operand, "'not'")), ScalarKind.Boolean);
                case UnaryOperatorKind.Negate:
                    if (operand is Num n) return Negate(n);
                    if (operand is Time { Kind: TimeKind.Duration, Term: null } t) return new Time(null, -t.Offset, TimeKind.Duration);
                    throw ApiErrors.NotSupported("Negating a non-numeric value");
                default:
                    throw ApiErrors.NotSupported($"The operator '{node.OperatorKind}'");
            }
        }

        private Operand BindBinary(BinaryOperatorNode node)
        {
            var op = node.OperatorKind;
            if (op is BinaryOperatorKind.And or BinaryOperatorKind.Or)
            {
                var l = Predicate(Bind(node.Left), OperatorName(op));
                var r = Predicate(Bind(node.Right), OperatorName(op));
                return new Scalar(op == BinaryOperatorKind.And ? And(l, r) : Or(l, r), ScalarKind.Boolean);
            }
            var left = Bind(node.Left);
            var right = Bind(node.Right);
            return op switch
            {
                BinaryOperatorKind.Equal or BinaryOperatorKind.NotEqual or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual
                    or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual
                    => new Scalar(Compare(op, left, right), ScalarKind.Boolean),
                BinaryOperatorKind.Add or BinaryOperatorKind.Subtract or BinaryOperatorKind.Multiply
                    or BinaryOperatorKind.Divide or BinaryOperatorKind.Modulo => Arithmetic(op, left, right),
                _ => throw ApiErrors.NotSupported($"The operator '{OperatorName(op)}'"),
            };
        }

        private Operand BindIn(InNode node)
        {
            if (node.Right is not CollectionConstantNode list)
                throw ApiErrors.NotSupported("The 'in' operator with anything but a list of literals");
            var left = Bind(node.Left);
            Expression result = Expression.Constant(false);
            foreach (var item in list.Collection)
            {
                // String items come with InLists.Marker in front (see there).
                var value = item is ConstantNode { Value: string s } && s.Length > 0 && s[0] == InLists.Marker ? new Const(s[1..]) : Bind(item);
                result = Or(result, Compare(BinaryOperatorKind.Equal, left, value));
            }
            return new Scalar(result, ScalarKind.Boolean);
        }

        // ------------------------------------------------------------ comparisons

        private static Expression Compare(BinaryOperatorKind op, Operand left, Operand right)
        {
            if (left is Const { Value: null } || right is Const { Value: null })
            {
                var bothNull = left is Const { Value: null } && right is Const { Value: null };
                return Expression.Constant(op switch
                {
                    BinaryOperatorKind.Equal => bothNull,
                    BinaryOperatorKind.NotEqual => !bothNull,
                    _ => false,
                });
            }
            return (left, right) switch
            {
                (Num l, Num r) => CompareNumbers(op, l, r),
                (Time l, Time r) => CompareTimes(op, l, r),
                (Scalar l, Scalar r) => CompareScalars(op, l, r),
                (Scalar l, Const r) => CompareWithConstant(op, l, r),
                (Const l, Scalar r) => CompareWithConstant(Mirror(op), r, l),
                (Const l, Const r) => CompareConstants(op, l.Value!, r.Value!),
                _ => throw ApiErrors.BadRequest($"The operator '{OperatorName(op)}' cannot compare these operands."),
            };
        }

        private static Expression CompareNumbers(BinaryOperatorKind op, Num left, Num right)
        {
            var diff = Add(left, Negate(right), subtract: true);
            if (diff.Term is null) return Expression.Constant(Holds(op, diff.Offset.Sign));
            // Term / Den + Offset op 0  <=>  Term op -Offset * Den
            var bound = -diff.Offset * new Rational(diff.Den, BigInteger.One);
            return diff.Term.Type == typeof(int)
                ? CompareInteger(op, diff.Term, bound, int.MinValue, int.MaxValue, b => Param((int)b))
                : CompareInteger(op, diff.Term, bound, long.MinValue, long.MaxValue, b => Param((long)b));
        }

        private static Expression CompareTimes(BinaryOperatorKind op, Time left, Time right)
        {
            if ((left.Kind == TimeKind.Duration) != (right.Kind == TimeKind.Duration))
                throw ApiErrors.BadRequest($"The operator '{OperatorName(op)}' cannot compare a duration with a date.");
            if (left.Term is null && right.Term is null)
                return Expression.Constant(Holds(op, left.Offset.CompareTo(right.Offset)));
            if (left.Term is not null && right.Term is not null)
            {
                if (left.Term.Type != right.Term.Type || left.Offset != right.Offset)
                    throw ApiErrors.NotSupported("Comparing two date columns of different types or with different offsets");
                return Relational(ExpressionTypeOf(op), left.Term, right.Term);
            }
            if (left.Term is null) return CompareTimes(Mirror(op), right, left);

            // Term * Unit + Offset op K  <=>  Term op (K - Offset) / Unit
            var bound = new Rational(right.Offset - left.Offset, left.Unit);
            return left.Term.Type == typeof(DateOnly)
                ? CompareInteger(op, left.Term, bound, DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber, b => Param(DateOnly.FromDayNumber((int)b)))
                : CompareInteger(op, left.Term, bound, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks, b => Param(new DateTime((long)b, DateTimeKind.Utc)));
        }

        /// <summary><c>term op bound</c> for a term taking integer values in [min, max] (numbers, day numbers or ticks):
        /// rounds a fractional bound the right way and folds comparisons that hold for every or no value.</summary>
        private static Expression CompareInteger(BinaryOperatorKind op, Expression term, Rational bound, BigInteger min, BigInteger max,
            Func<BigInteger, Expression> value)
        {
            switch (op)
            {
                case BinaryOperatorKind.Equal or BinaryOperatorKind.NotEqual:
                    var equal = op == BinaryOperatorKind.Equal;
                    if (!bound.IsInteger || bound.Num < min || bound.Num > max) return Expression.Constant(!equal);
                    return equal ? Expression.Equal(term, value(bound.Num)) : Expression.NotEqual(term, value(bound.Num));
                case BinaryOperatorKind.GreaterThan or BinaryOperatorKind.LessThanOrEqual:
                    // term > r  <=>  term > floor(r);  term <= r  <=>  term <= floor(r)
                    var floor = bound.Floor();
                    var greater = op == BinaryOperatorKind.GreaterThan;
                    if (floor < min) return Expression.Constant(greater);
                    if (floor >= max) return Expression.Constant(!greater);
                    return greater ? Expression.GreaterThan(term, value(floor)) : Expression.LessThanOrEqual(term, value(floor));
                case BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.LessThan:
                    // term >= r  <=>  term >= ceiling(r);  term < r  <=>  term < ceiling(r)
                    var ceiling = bound.Ceiling();
                    var atLeast = op == BinaryOperatorKind.GreaterThanOrEqual;
                    if (ceiling <= min) return Expression.Constant(atLeast);
                    if (ceiling > max) return Expression.Constant(!atLeast);
                    return atLeast ? Expression.GreaterThanOrEqual(term, value(ceiling)) : Expression.LessThan(term, value(ceiling));
                default:
                    throw new ArgumentOutOfRangeException(nameof(op));
            }
        }

        private static Expression CompareScalars(BinaryOperatorKind op, Scalar left, Scalar right)
        {
            if (left.Expr.Type != right.Expr.Type)
                throw ApiErrors.BadRequest($"The operator '{OperatorName(op)}' cannot compare these operands.");
            if (op is BinaryOperatorKind.Equal) return Expression.Equal(left.Expr, right.Expr);
            if (op is BinaryOperatorKind.NotEqual) return Expression.NotEqual(left.Expr, right.Expr);
            if (left.Kind == ScalarKind.Enum || right.Kind == ScalarKind.Enum)
                throw ApiErrors.NotSupported($"The operator '{OperatorName(op)}' between two enum columns");
            return Relational(ExpressionTypeOf(op), left.Expr, right.Expr);
        }

        private static Expression CompareWithConstant(BinaryOperatorKind op, Scalar column, Const constant)
        {
            var value = constant.Value!;
            switch (column.Kind)
            {
                case ScalarKind.Enum:
                    return CompareEnum(op, column, value as string ?? throw WrongLiteral(column, value));
                case ScalarKind.String when value is string s:
                    value = column.Field is { Upper: true } ? s.ToUpperInvariant() : s;
                    break;
                case ScalarKind.Guid when value is Guid:
                case ScalarKind.Boolean when value is bool:
                    break;
                default:
                    throw WrongLiteral(column, value);
            }
            var parameter = Param(value);
            return op switch
            {
                BinaryOperatorKind.Equal => Expression.Equal(column.Expr, parameter),
                BinaryOperatorKind.NotEqual => Expression.NotEqual(column.Expr, parameter),
                _ => Relational(ExpressionTypeOf(op), column.Expr, parameter),
            };
        }

        private static ApiException WrongLiteral(Scalar column, object value) =>
            ApiErrors.BadRequest($"The literal '{ApiErrors.Echo(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")}' cannot be compared with "
                + (column.Field is null ? "this expression." : $"'{column.Field.Name}'."));

        /// <summary>Enum columns hold the option caption; ordering comparisons follow the option order.</summary>
        private static Expression CompareEnum(BinaryOperatorKind op, Scalar column, string member)
        {
            var field = column.Field!;
            var caption = Body.EnumCaption(field, member)
                ?? throw ApiErrors.InvalidOption(field.Name, member, string.Join(", ", field.EnumMembers!.Select(m => "'" + Body.Caption(m) + "'")));
            if (op is BinaryOperatorKind.Equal) return Expression.Equal(column.Expr, Param(caption));
            if (op is BinaryOperatorKind.NotEqual) return Expression.NotEqual(column.Expr, Param(caption));
            var captions = field.EnumMembers!.Select(Body.Caption).ToList();
            var index = captions.IndexOf(caption);
            Expression result = Expression.Constant(false);
            for (var i = 0; i < captions.Count; i++)
                if (Holds(op, i.CompareTo(index)))
                    result = Or(result, Expression.Equal(column.Expr, Param(captions[i])));
            return result;
        }

        private static Expression CompareConstants(BinaryOperatorKind op, object left, object right)
        {
            if (left.GetType() != right.GetType())
                throw ApiErrors.BadRequest($"The operator '{OperatorName(op)}' cannot compare these literals.");
            var order = left is string ls ? CompareCodePoints(ls, (string)right) : Comparer<object>.Default.Compare(left, right);
            return Expression.Constant(Holds(op, order));
        }

        // ------------------------------------------------------------ arithmetic

        private static Operand Arithmetic(BinaryOperatorKind op, Operand left, Operand right)
        {
            if (left is Num l && right is Num r)
            {
                return op switch
                {
                    BinaryOperatorKind.Add => Add(l, r, subtract: false),
                    BinaryOperatorKind.Subtract => Add(l, Negate(r), subtract: true),
                    BinaryOperatorKind.Multiply => Multiply(l, r),
                    BinaryOperatorKind.Divide => Divide(l, r),
                    _ => Modulo(l, r),
                };
            }
            if (left is Time lt && right is Time rt && op is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract)
                return AddTimes(op, lt, rt);
            if (left is Const { Value: null } || right is Const { Value: null })
                return new Const(null);
            throw ApiErrors.NotSupported($"The operator '{OperatorName(op)}' on these operands");
        }

        /// <summary>left + right. With <paramref name="subtract"/> the right side was negated by the caller and a
        /// SQL subtraction is emitted instead of adding a negation.</summary>
        private static Num Add(Num left, Num right, bool subtract)
        {
            var integral = left.Integral && right.Integral;
            var offset = left.Offset + right.Offset;
            if (left.Term is null) return new Num(right.Term, right.Den, offset, integral);
            if (right.Term is null) return new Num(left.Term, left.Den, offset, integral);

            var den = left.Den / BigInteger.GreatestCommonDivisor(left.Den, right.Den) * right.Den;
            var l = Scale(left.Term, den / left.Den);
            var subtracted = subtract && right.Term is UnaryExpression { NodeType: ExpressionType.Negate } negated ? negated.Operand : null;
            var r = Scale(subtracted ?? right.Term, den / right.Den);
            // An Int32 and an Int64 term (lineNumber and a negated lineNumber, say) are added as Int64.
            if (l.Type != r.Type) (l, r) = (ToLong(l), ToLong(r));
            return new Num(subtracted is null ? Expression.Add(l, r) : Expression.Subtract(l, r), den, offset, integral);
        }

        private static Num Negate(Num value) => new(
            value.Term is null ? null : value.Term is UnaryExpression { NodeType: ExpressionType.Negate } n ? ToLong(n.Operand) : Expression.Negate(ToLong(value.Term)),
            value.Den, -value.Offset, value.Integral);

        private static Num Multiply(Num left, Num right)
        {
            var integral = left.Integral && right.Integral;
            if (left.Term is null) return MultiplyByConstant(right, left.Offset, integral);
            if (right.Term is null) return MultiplyByConstant(left, right.Offset, integral);

            // (T1/D1 + C1)(T2/D2 + C2) = T1*T2/(D1*D2) + C2*T1/D1 + C1*T2/D2 + C1*C2
            var product = new Num(Expression.Multiply(ToLong(left.Term), ToLong(right.Term)), left.Den * right.Den, Rational.Zero, integral);
            var result = Add(product, MultiplyByConstant(new Num(left.Term, left.Den, Rational.Zero, integral), right.Offset, integral), subtract: false);
            result = Add(result, MultiplyByConstant(new Num(right.Term, right.Den, Rational.Zero, integral), left.Offset, integral), subtract: false);
            return Add(result, Num.Constant(left.Offset * right.Offset, integral), subtract: false);
        }

        private static Num MultiplyByConstant(Num value, Rational factor, bool integral)
        {
            if (value.Term is null || factor.IsZero) return Num.Constant(value.Offset * factor, integral);
            // Term/Den * p/q = Term*(p/g) / (Den*q/g) with g = gcd(p, Den*q)
            var den = value.Den * factor.Den;
            var g = BigInteger.GreatestCommonDivisor(factor.Num, den);
            return new Num(Scale(value.Term, factor.Num / g), den / g, value.Offset * factor, integral);
        }

        private static Num Divide(Num left, Num right)
        {
            if (right.Term is not null) throw ApiErrors.NotSupported("Division by a non-constant value");
            var divisor = right.Offset;
            if (divisor.IsZero) throw ApiErrors.BadRequest("Division by zero.");
            if (!(left.Integral && right.Integral))
                return MultiplyByConstant(left, Rational.One / divisor, integral: false);

            // Integer division truncates toward zero, in C#, SQLite and PostgreSQL alike.
            if (left.Term is null) return Num.Constant(new Rational(BigInteger.Divide(left.Offset.Num, divisor.Num), BigInteger.One), integral: true);
            if (left.Term.Type == typeof(int) && left.Offset.IsZero && divisor.Num >= int.MinValue && divisor.Num <= int.MaxValue)
                return new Num(Expression.Divide(left.Term, Expression.Constant((int)divisor.Num)), BigInteger.One, Rational.Zero, integral: true);
            return new Num(Expression.Divide(Materialize(left), Expression.Constant(ToInt64(divisor.Num))), BigInteger.One, Rational.Zero, integral: true);
        }

        private static Num Modulo(Num left, Num right)
        {
            if (right.Term is not null) throw ApiErrors.NotSupported("The modulo by a non-constant value");
            var modulus = right.Offset;
            if (modulus.IsZero) throw ApiErrors.BadRequest("Division by zero.");
            var integral = left.Integral && right.Integral;
            if (left.Term is null)
            {
                var a = left.Offset;
                var quotient = BigInteger.Divide(a.Num * modulus.Den, a.Den * modulus.Num); // truncated a / m
                return Num.Constant(a - modulus * new Rational(quotient, BigInteger.One), integral);
            }

            // (Term + Offset*Den) / Den mod m = ((Term + Offset*Den) % (m*Den)) / Den, when both are integers;
            // % keeps the sign of the dividend in C#, SQLite and PostgreSQL alike.
            var shift = left.Offset * new Rational(left.Den, BigInteger.One);
            var scaledModulus = modulus * new Rational(left.Den, BigInteger.One);
            if (!shift.IsInteger || !scaledModulus.IsInteger)
                throw ApiErrors.NotSupported("The modulo by a value with more decimals than the column");
            var dividend = shift.IsZero ? ToLong(left.Term) : Expression.Add(ToLong(left.Term), Expression.Constant(ToInt64(shift.Num)));
            var remainder = Expression.Modulo(dividend, Expression.Constant(ToInt64(BigInteger.Abs(scaledModulus.Num))));
            return new Num(remainder, left.Den, Rational.Zero, integral);
        }

        /// <summary>An integer-valued number as one long expression (Den is 1 for integral values).</summary>
        private static Expression Materialize(Num value)
        {
            if (!value.Den.IsOne || !value.Offset.IsInteger) throw ApiErrors.NotSupported("Integer division of this expression");
            return value.Offset.IsZero ? ToLong(value.Term!) : Expression.Add(ToLong(value.Term!), Expression.Constant(ToInt64(value.Offset.Num)));
        }

        private static Time AddTimes(BinaryOperatorKind op, Time left, Time right)
        {
            var subtract = op == BinaryOperatorKind.Subtract;
            if (right.Kind == TimeKind.Duration && right.Term is null)
                return new Time(left.Term, subtract ? left.Offset - right.Offset : left.Offset + right.Offset, left.Kind);
            if (!subtract && left.Kind == TimeKind.Duration && left.Term is null)
                return new Time(right.Term, left.Offset + right.Offset, right.Kind);
            if (subtract && left.Term is null && right.Term is null && left.Kind != TimeKind.Duration && right.Kind != TimeKind.Duration)
                return new Time(null, left.Offset - right.Offset, TimeKind.Duration);
            throw ApiErrors.NotSupported($"The operator '{OperatorName(op)}' on these dates");
        }

        private static Expression Scale(Expression term, BigInteger factor)
        {
            if (factor.IsOne) return term;
            if (factor == BigInteger.MinusOne) return Expression.Negate(ToLong(term));
            return Expression.Multiply(ToLong(term), Expression.Constant(ToInt64(factor)));
        }

        private static long ToInt64(BigInteger value) => value >= long.MinValue && value <= long.MaxValue
            ? (long)value
            : throw ApiErrors.NotSupported("Arithmetic with numbers this large");

        private static Expression ToLong(Expression e) => e.Type == typeof(long) ? e : Expression.Convert(e, typeof(long));

        // ------------------------------------------------------------ functions

        private Operand BindFunction(SingleValueFunctionCallNode node)
        {
            var name = node.Name;
            var args = node.Parameters.Select(Bind).ToList();
            return name switch
            {
                "contains" => StringPredicate(nameof(string.Contains), args, name),
                "startswith" => StringPredicate(nameof(string.StartsWith), args, name),
                "endswith" => StringPredicate(nameof(string.EndsWith), args, name),
                "length" => Count(args, name, s => Expression.Property(s, nameof(string.Length))),
                "indexof" => Count(args, name, s => Expression.Call(s, StringIndexOf, Text(args[1], name, upper: Upper(args[0])))),
                "tolower" => StringFunction(args, name, s => Expression.Call(SqlLower, s)),
                "toupper" => StringFunction(args, name, s => Expression.Call(SqlUpper, s)),
                "trim" => StringFunction(args, name, s => Expression.Call(s, StringTrim, Expression.Constant(SqlText.Whitespace))),
                "concat" => StringFunction(args, name, s => Expression.Call(StringConcat, s, Text(Arg(args, 1, name), name))),
                "substring" => Substring(args, name),
                "year" => DatePart(args, name, nameof(DateTime.Year)),
                "month" => DatePart(args, name, nameof(DateTime.Month)),
                "day" => DatePart(args, name, nameof(DateTime.Day)),
                "hour" => DatePart(args, name, nameof(DateTime.Hour)),
                "minute" => DatePart(args, name, nameof(DateTime.Minute)),
                "second" => DatePart(args, name, nameof(DateTime.Second)),
                "now" => new Time(null, DateTime.UtcNow.Ticks, TimeKind.DateTimeOffset),
                _ => throw ApiErrors.NotSupported($"The function '{ApiErrors.Echo(name)}'"),
            };
        }

        private static Operand Arg(List<Operand> args, int index, string function) =>
            index < args.Count ? args[index] : throw ApiErrors.BadRequest($"The function '{function}' needs {index + 1} arguments.");

        private static bool Upper(Operand operand) => operand is Scalar { Field.Upper: true };

        /// <summary>A string operand as an expression; a constant becomes a parameter.</summary>
        private static Expression Text(Operand operand, string function, bool upper = false) => operand switch
        {
            Scalar { Kind: ScalarKind.String or ScalarKind.Enum } s => s.Expr,
            Const { Value: string s } => Param(upper ? s.ToUpperInvariant() : s),
            Const { Value: null } => throw ApiErrors.NotSupported($"A null argument to '{function}'"),
            _ => throw ApiErrors.BadRequest($"The function '{function}' expects a string argument."),
        };

        private static Operand StringPredicate(string method, List<Operand> args, string function)
        {
            var (target, pattern) = (Arg(args, 0, function), Arg(args, 1, function));
            if (target is Const { Value: string a } && pattern is Const { Value: string b })
            {
                return new Const(method switch
                {
                    nameof(string.Contains) => a.Contains(b, StringComparison.Ordinal),
                    nameof(string.StartsWith) => a.StartsWith(b, StringComparison.Ordinal),
                    _ => a.EndsWith(b, StringComparison.Ordinal),
                });
            }
            var text = Text(target, function);
            var part = Text(pattern, function, Upper(target));
            if (method == nameof(string.Contains))
                return new Scalar(Expression.Call(text, StringContains, part), ScalarKind.Boolean);

            // EF Core uses LIKE for StartsWith/EndsWith, which ignores case on SQLite but not on PostgreSQL;
            // comparing the leading or trailing substring is case-sensitive on both, like contains (instr/strpos).
            // Both databases count characters (code points), not UTF-16 units: '😀' is one.
            Expression length = pattern is Const { Value: string p } ? Expression.Constant(CodePoints(Upper(target) ? p.ToUpperInvariant() : p)) : Expression.Property(part, nameof(string.Length));
            if (method == nameof(string.StartsWith))
                return new Scalar(Expression.Equal(Expression.Call(text, StringSubstring2, Expression.Constant(0), length), part), ScalarKind.Boolean);
            var textLength = Expression.Property(text, nameof(string.Length));
            var tail = Expression.Call(text, StringSubstring1, Expression.Subtract(textLength, length));
            return new Scalar(Expression.AndAlso(Expression.GreaterThanOrEqual(textLength, length), Expression.Equal(tail, part)), ScalarKind.Boolean);
        }

        private static Operand StringFunction(List<Operand> args, string function, Func<Expression, Expression> apply)
        {
            return new Scalar(apply(Text(Arg(args, 0, function), function)), ScalarKind.String);
        }

        private static Num Count(List<Operand> args, string function, Func<Expression, Expression> apply)
        {
            var target = Arg(args, 0, function);
            if (function == "indexof") Arg(args, 1, function);
            if (target is Const { Value: string s } && function == "length") return Num.Constant(new Rational(CodePoints(s), BigInteger.One), integral: true);
            return new Num(apply(Text(target, function)), BigInteger.One, Rational.Zero, integral: true);
        }

        private static Operand Substring(List<Operand> args, string function)
        {
            var target = Text(Arg(args, 0, function), function);
            var start = SmallInteger(Arg(args, 1, function), function);
            if (args.Count == 2) return new Scalar(Expression.Call(target, StringSubstring1, Expression.Constant(start)), ScalarKind.String);
            var length = SmallInteger(args[2], function);
            return new Scalar(Expression.Call(target, StringSubstring2, Expression.Constant(start), Expression.Constant(length)), ScalarKind.String);
        }

        private static int SmallInteger(Operand operand, string function) =>
            operand is Num { Term: null, Offset: { IsInteger: true } v } && v.Num >= 0 && v.Num <= int.MaxValue
                ? (int)v.Num
                : throw ApiErrors.NotSupported($"The function '{function}' with a non-constant or negative position");

        private static Operand DatePart(List<Operand> args, string function, string member)
        {
            var arg = Arg(args, 0, function);
            if (arg is not Time { Kind: not TimeKind.Duration } time)
                throw ApiErrors.BadRequest($"The function '{function}' expects a date or a date-time.");
            if (time.Term is null)
            {
                var instant = new DateTime(ToInt64(time.Offset), DateTimeKind.Utc);
                var part = (int)typeof(DateTime).GetProperty(member)!.GetValue(instant)!;
                return Num.Constant(new Rational(part, BigInteger.One), integral: true);
            }
            if (!time.Offset.IsZero) throw ApiErrors.NotSupported($"The function '{function}' on a shifted date");
            if (time.Term.Type == typeof(DateOnly) && member is not (nameof(DateTime.Year) or nameof(DateTime.Month) or nameof(DateTime.Day)))
                return Num.Constant(Rational.Zero, integral: true); // a date is at midnight
            return new Num(Expression.Property(time.Term, member), BigInteger.One, Rational.Zero, integral: true);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static readonly MethodInfo StringCompare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;
    private static readonly MethodInfo GuidCompareTo = typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!;
    private static readonly MethodInfo StringContains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
    private static readonly MethodInfo StringIndexOf = typeof(string).GetMethod(nameof(string.IndexOf), [typeof(string)])!;
    private static readonly MethodInfo SqlLower = typeof(SqlText).GetMethod(nameof(SqlText.Lower))!;
    private static readonly MethodInfo SqlUpper = typeof(SqlText).GetMethod(nameof(SqlText.Upper))!;
    private static readonly MethodInfo SqlOrdinal = typeof(SqlText).GetMethod(nameof(SqlText.Ordinal))!;
    private static readonly MethodInfo StringTrim = typeof(string).GetMethod(nameof(string.Trim), [typeof(char[])])!;
    private static readonly MethodInfo StringConcat = typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!;
    private static readonly MethodInfo StringSubstring1 = typeof(string).GetMethod(nameof(string.Substring), [typeof(int)])!;
    private static readonly MethodInfo StringSubstring2 = typeof(string).GetMethod(nameof(string.Substring), [typeof(int), typeof(int)])!;

    /// <summary>An ordering comparison EF Core translates to SQL for the type: strings through string.Compare,
    /// GUIDs through CompareTo (uuid order on PostgreSQL, the upper-case text order on SQLite: the same order),
    /// booleans as 0/1; everything else has comparison operators.</summary>
    private static Expression Relational(ExpressionType op, Expression left, Expression right)
    {
        var zero = Expression.Constant(0);
        if (left.Type == typeof(string))
        {
            // A column holds its collation (code-point order); anything else is told to compare in that order.
            if (!(IsColumnOrValue(left) && IsColumnOrValue(right))) (left, right) = (Ordinal(left), Ordinal(right));
            return Expression.MakeBinary(op, Expression.Call(StringCompare, left, right), zero);
        }
        if (left.Type == typeof(Guid)) return Expression.MakeBinary(op, Expression.Call(left, GuidCompareTo, right), zero);
        if (left.Type == typeof(bool))
            return Expression.MakeBinary(op, Expression.Condition(left, Expression.Constant(1), zero), Expression.Condition(right, Expression.Constant(1), zero));
        return Expression.MakeBinary(op, left, right);
    }

    private static bool IsColumn(Expression e) => e is MemberExpression { Expression: ParameterExpression };

    private static bool IsColumnOrValue(Expression e) => IsColumn(e) || e is MemberExpression { Expression: ConstantExpression } or ConstantExpression;

    /// <summary>A string expression compared and sorted in code-point order; a column already is.</summary>
    private static Expression Ordinal(Expression e) => IsColumn(e) || e is MethodCallExpression { Method.Name: nameof(SqlText.Ordinal) }
        ? e : Expression.Call(SqlOrdinal, e);

    /// <summary>Code points of a string (a surrogate pair is one).</summary>
    private static int CodePoints(string s)
    {
        var n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }

    /// <summary>Code-point order, which is UTF-8 byte order (SQLite's BINARY and PostgreSQL's "C"); UTF-16 order
    /// differs from it where a surrogate pair meets a character from U+E000 to U+FFFF.</summary>
    private static int CompareCodePoints(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
            if (a[i] != b[i]) return Fix(a[i]) - Fix(b[i]);
        return a.Length.CompareTo(b.Length);

        static int Fix(char c) => c >= '\uE000' ? c - 0x800 : c >= '\uD800' ? c + 0x2000 : c;
    }

    /// <summary>A constant EF Core sends as a SQL parameter (a captured value, unlike a ConstantExpression).</summary>
    private static MemberExpression Param<TValue>(TValue value) =>
        Expression.Property(Expression.Constant(new Captured<TValue>(value)), nameof(Captured<TValue>.Value));

    private static Expression Param(object value) => value switch
    {
        string s => Param(s),
        Guid g => Param(g),
        bool b => Param(b),
        _ => throw new ArgumentException($"No parameter for {value.GetType().Name}.", nameof(value)),
    };

    private sealed class Captured<TValue>(TValue value)
    {
        public TValue Value { get; } = value;
    }

    private static Expression And(Expression left, Expression right) => (left, right) switch
    {
        (ConstantExpression { Value: false }, _) or (_, ConstantExpression { Value: false }) => Expression.Constant(false),
        (ConstantExpression { Value: true }, _) => right,
        (_, ConstantExpression { Value: true }) => left,
        _ => Expression.AndAlso(left, right),
    };

    private static Expression Or(Expression left, Expression right) => (left, right) switch
    {
        (ConstantExpression { Value: true }, _) or (_, ConstantExpression { Value: true }) => Expression.Constant(true),
        (ConstantExpression { Value: false }, _) => right,
        (_, ConstantExpression { Value: false }) => left,
        _ => Expression.OrElse(left, right),
    };

    private static Expression Not(Expression operand) =>
        operand is ConstantExpression { Value: bool b } ? Expression.Constant(!b) : Expression.Not(operand);

    private static bool Holds(BinaryOperatorKind op, int order) => op switch
    {
        BinaryOperatorKind.Equal => order == 0,
        BinaryOperatorKind.NotEqual => order != 0,
        BinaryOperatorKind.LessThan => order < 0,
        BinaryOperatorKind.LessThanOrEqual => order <= 0,
        BinaryOperatorKind.GreaterThan => order > 0,
        BinaryOperatorKind.GreaterThanOrEqual => order >= 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static BinaryOperatorKind Mirror(BinaryOperatorKind op) => op switch
    {
        BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
        BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
        BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
        BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
        _ => op,
    };

    private static ExpressionType ExpressionTypeOf(BinaryOperatorKind op) => op switch
    {
        BinaryOperatorKind.Equal => ExpressionType.Equal,
        BinaryOperatorKind.NotEqual => ExpressionType.NotEqual,
        BinaryOperatorKind.LessThan => ExpressionType.LessThan,
        BinaryOperatorKind.LessThanOrEqual => ExpressionType.LessThanOrEqual,
        BinaryOperatorKind.GreaterThan => ExpressionType.GreaterThan,
        BinaryOperatorKind.GreaterThanOrEqual => ExpressionType.GreaterThanOrEqual,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static string OperatorName(BinaryOperatorKind op) => op switch
    {
        BinaryOperatorKind.Or => "or",
        BinaryOperatorKind.And => "and",
        BinaryOperatorKind.Equal => "eq",
        BinaryOperatorKind.NotEqual => "ne",
        BinaryOperatorKind.GreaterThan => "gt",
        BinaryOperatorKind.GreaterThanOrEqual => "ge",
        BinaryOperatorKind.LessThan => "lt",
        BinaryOperatorKind.LessThanOrEqual => "le",
        BinaryOperatorKind.Add => "add",
        BinaryOperatorKind.Subtract => "sub",
        BinaryOperatorKind.Multiply => "mul",
        BinaryOperatorKind.Divide => "div",
        BinaryOperatorKind.Modulo => "mod",
        BinaryOperatorKind.Has => "has",
        _ => op.ToString(),
    };

    private sealed class ParameterReplacer(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }

    /// <summary>An exact fraction Num/Den with Den &gt; 0, in lowest terms.</summary>
    private readonly record struct Rational
    {
        public BigInteger Num { get; }
        public BigInteger Den { get; }

        public Rational(BigInteger num, BigInteger den)
        {
            if (den.IsZero) throw new DivideByZeroException();
            if (den.Sign < 0) (num, den) = (-num, -den);
            var g = BigInteger.GreatestCommonDivisor(num, den);
            if (!g.IsOne && !g.IsZero) (num, den) = (num / g, den / g);
            (Num, Den) = (num, den);
        }

        public static Rational Zero => new(BigInteger.Zero, BigInteger.One);
        public static Rational One => new(BigInteger.One, BigInteger.One);
        public bool IsZero => Num.IsZero;
        public bool IsInteger => Den.IsOne;
        public int Sign => Num.Sign;

        public static Rational operator +(Rational a, Rational b) => new(a.Num * b.Den + b.Num * a.Den, a.Den * b.Den);
        public static Rational operator -(Rational a, Rational b) => new(a.Num * b.Den - b.Num * a.Den, a.Den * b.Den);
        public static Rational operator -(Rational a) => new(-a.Num, a.Den);
        public static Rational operator *(Rational a, Rational b) => new(a.Num * b.Num, a.Den * b.Den);
        public static Rational operator /(Rational a, Rational b) => new(a.Num * b.Den, a.Den * b.Num);

        public BigInteger Floor()
        {
            var q = BigInteger.DivRem(Num, Den, out var r);
            return r.Sign < 0 ? q - 1 : q;
        }

        public BigInteger Ceiling() => -(-this).Floor();

        /// <summary>Parses a decimal literal such as -12.50 or 1.5E+20 exactly.</summary>
        public static Rational Parse(string text) =>
            TryParse(text, out var value) ? value : throw ApiErrors.BadRequest($"The number '{ApiErrors.Echo(text)}' is not valid or too large.");

        public static bool TryParse(string text, out Rational value)
        {
            value = Zero;
            var s = text.Trim();
            var exponent = 0;
            var e = s.IndexOfAny(['e', 'E']);
            if (e >= 0)
            {
                // Bounded so that a literal cannot make us build an enormous integer.
                if (!int.TryParse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent) || Math.Abs(exponent) > 400)
                    return false;
                s = s[..e];
            }
            var dot = s.IndexOf('.');
            if (dot >= 0)
            {
                exponent -= s.Length - dot - 1;
                s = s.Remove(dot, 1);
            }
            var unsigned = s.AsSpan(s.Length > 0 && s[0] is '-' or '+' ? 1 : 0);
            if (unsigned.IsEmpty || unsigned.Length > 1000 || unsigned.ContainsAnyExceptInRange('0', '9')
                || !BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var digits))
                return false;
            value = exponent >= 0
                ? new Rational(digits * BigInteger.Pow(10, exponent), BigInteger.One)
                : new Rational(digits, BigInteger.Pow(10, -exponent));
            return true;
        }
    }
}
