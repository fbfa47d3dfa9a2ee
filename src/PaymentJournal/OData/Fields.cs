using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json;

namespace PaymentJournal.OData;

/// <summary>How a property looks on the wire and how it is stored.</summary>
public enum FieldKind
{
    Guid,
    String,
    Date,
    DateTimeOffset,
    /// <summary>Edm.Decimal on the wire, a scaled integer (<see cref="FieldDef.Scale"/> digits) in the database.</summary>
    Decimal,
    Int32,
    /// <summary>Edm.Int64: ledger entry and transaction numbers.</summary>
    Int64,
    Boolean,
    /// <summary>A string holding an option caption, an Edm enum type in $metadata.</summary>
    Enum,
}

[Flags]
public enum Surfaces
{
    V2 = 1,
    Graph = 2,
    Both = V2 | Graph,
}

public enum Access
{
    ReadWrite,
    /// <summary>May be supplied on create (for example a client-chosen id); never changed afterwards.</summary>
    CreateOnly,
    ReadOnly,
}

/// <summary>
/// One property of an entity type. The same definition drives $metadata, JSON output, body validation,
/// $select and the $filter/$orderby binder (through <see cref="Column"/>), so the four can never disagree.
/// </summary>
public abstract class FieldDef
{
    public required string Name { get; init; }
    public required FieldKind Kind { get; init; }
    public int MaxLength { get; init; }
    public Access Access { get; init; }
    public Surfaces Surfaces { get; init; } = Surfaces.Both;
    /// <summary>Digits after the decimal point of a <see cref="FieldKind.Decimal"/> stored as a scaled long.</summary>
    public int Scale { get; init; } = 2;
    public string[]? EnumMembers { get; init; }
    public string? EnumTypeName { get; init; }
    /// <summary>The entity member that stores the value, as a lambda for LINQ (entity => entity.Member).</summary>
    public abstract LambdaExpression Column { get; }
    public bool IsKey { get; init; }
    /// <summary>A Code field: Business Central stores it in upper case.</summary>
    public bool Upper { get; init; }
    /// <summary>
    /// How $metadata describes a property that the set's rules hold rather than the body parser: a write of the value
    /// it has is accepted (as Business Central's page accepts it), any change refused. Null: as <see cref="Access"/>.
    /// </summary>
    public Access? HeldAs { get; internal set; }
    /// <summary>The access $metadata states (Core.Computed for read-only, Core.Immutable for create-only).</summary>
    public Access AdvertisedAccess => HeldAs ?? Access;

    public bool On(Surfaces surface) => (Surfaces & surface) != 0;

    /// <summary>The @odata.type a property carries in full metadata; null for the types JSON itself tells (string, boolean, Int32).</summary>
    public static string? EdmTypeAnnotation(FieldKind kind) => kind switch
    {
        FieldKind.Guid => "#Guid",
        FieldKind.Date => "#Date",
        FieldKind.DateTimeOffset => "#DateTimeOffset",
        FieldKind.Decimal => "#Decimal",
        FieldKind.Int64 => "#Int64",
        _ => null,
    };
}

public sealed class FieldDef<T> : FieldDef
{
    public required LambdaExpression ColumnExpression { get; init; }
    public required Action<Utf8JsonWriter, T> Write { get; init; }
    /// <summary>For Edm.Decimal and Edm.Int64: the value as a JSON string, as IEEE754Compatible=true asks.</summary>
    public Action<Utf8JsonWriter, T>? WriteAsString { get; init; }
    public override LambdaExpression Column => ColumnExpression;
}

/// <summary>Writes stored values in the wire format (lowercase GUIDs, YYYY-MM-DD dates, UTC timestamps with Z).</summary>
public static class Wire
{
    public static string Guid(Guid g) => g.ToString("D");
    public static string Date(DateOnly d)
    {
        Span<byte> text = stackalloc byte[10];
        Date(d, text);
        return System.Text.Encoding.ASCII.GetString(text);
    }

    public static string Timestamp(DateTime utc)
    {
        Span<byte> text = stackalloc byte[24];
        Timestamp(utc, text);
        return System.Text.Encoding.ASCII.GetString(text);
    }

    /// <summary><see cref="Date"/> as UTF-8, for the JSON writer without a string in between: yyyy-MM-dd, 10 bytes.</summary>
    public static void Date(DateOnly d, Span<byte> to)
    {
        Digits(to[..4], d.Year);
        to[4] = (byte)'-';
        Digits(to.Slice(5, 2), d.Month);
        to[7] = (byte)'-';
        Digits(to.Slice(8, 2), d.Day);
    }

    /// <summary><see cref="Timestamp"/> as UTF-8: yyyy-MM-ddTHH:mm:ss.fffZ, 24 bytes (milliseconds cut, not rounded, as "fff" does).</summary>
    public static void Timestamp(DateTime utc, Span<byte> to)
    {
        Date(DateOnly.FromDateTime(utc), to);
        to[10] = (byte)'T';
        Digits(to.Slice(11, 2), utc.Hour);
        to[13] = (byte)':';
        Digits(to.Slice(14, 2), utc.Minute);
        to[16] = (byte)':';
        Digits(to.Slice(17, 2), utc.Second);
        to[19] = (byte)'.';
        Digits(to.Slice(20, 3), utc.Millisecond);
        to[23] = (byte)'Z';
    }

    private static void Digits(Span<byte> to, int value)
    {
        for (var i = to.Length - 1; i >= 0; i--, value /= 10) to[i] = (byte)('0' + value % 10);
    }

    public static decimal FromScaled(long value, int scale)
    {
        var magnitude = value == long.MinValue ? 9223372036854775808UL : (ulong)Math.Abs(value);
        // Trailing zeros are dropped, so 1500.00 is written as 1500 and 12.50 as 12.5.
        while (scale > 0 && magnitude % 10 == 0) { magnitude /= 10; scale--; }
        return new decimal((int)(magnitude & 0xFFFFFFFF), (int)(magnitude >> 32), 0, value < 0, (byte)scale);
    }

    /// <summary>Scales a decimal to a long with <paramref name="scale"/> digits, rounding half away from zero
    /// as Business Central's Round does for amounts; null when the value does not fit.</summary>
    public static long? ToScaled(decimal value, int scale)
    {
        var rounded = Math.Round(value, scale, MidpointRounding.AwayFromZero);
        decimal factor = scale switch { 0 => 1m, 2 => 100m, 5 => 100000m, _ => (decimal)Math.Pow(10, scale) };
        var scaled = rounded * factor;
        if (scaled > long.MaxValue / 1000 || scaled < long.MinValue / 1000) return null;
        return (long)scaled;
    }
}

/// <summary>Column expressions for entity types that share their columns through an interface or an unmapped base class.</summary>
public static class ColumnOf<T>
{
    /// <summary>
    /// A column named through an interface <typeparamref name="T"/> implements or a base class (x => x.Amount), rebuilt on
    /// <typeparamref name="T"/> itself, so that it reads as if written against the entity and EF Core maps it.
    /// </summary>
    public static Expression<Func<T, TValue>> Via<TInterface, TValue>(Expression<Func<TInterface, TValue>> column)
    {
        var x = Expression.Parameter(typeof(T), "x");
        return Expression.Lambda<Func<T, TValue>>(Expression.Property(x, ((MemberExpression)column.Body).Member.Name), x);
    }
}

/// <summary>Builds the field list of one entity type.</summary>
public sealed class FieldsBuilder<T>
{
    private readonly List<FieldDef<T>> _fields = [];
    public IReadOnlyList<FieldDef<T>> Fields => _fields;

    /// <summary>The last field is held by the set's rules as <paramref name="access"/> (see <see cref="FieldDef.HeldAs"/>).</summary>
    public FieldsBuilder<T> HeldAs(Access access)
    {
        _fields[^1].HeldAs = access;
        return this;
    }

    public FieldsBuilder<T> Key(string name, Expression<Func<T, Guid>> column, Access access = Access.ReadOnly)
        => AddGuid(name, column, access, Surfaces.Both, isKey: true);

    public FieldsBuilder<T> Guid(string name, Expression<Func<T, Guid>> column, Access access = Access.ReadWrite, Surfaces surfaces = Surfaces.Both)
        => AddGuid(name, column, access, surfaces, isKey: false);

    private FieldsBuilder<T> AddGuid(string name, Expression<Func<T, Guid>> column, Access access, Surfaces surfaces, bool isKey)
    {
        var get = column.Compile();
        var key = JsonEncodedText.Encode(name);
        _fields.Add(new FieldDef<T>
        {
            Name = name, Kind = FieldKind.Guid, Access = access, Surfaces = surfaces, IsKey = isKey, ColumnExpression = column,
            Write = (w, e) => w.WriteString(key, get(e)),
        });
        return this;
    }

    public FieldsBuilder<T> String(string name, Expression<Func<T, string>> column, int maxLength, Access access = Access.ReadWrite, Surfaces surfaces = Surfaces.Both)
        => AddString(name, column, maxLength, access, surfaces, upper: false);

    /// <summary>A Code field (Business Central's Code[n]): stored in upper case.</summary>
    public FieldsBuilder<T> Code(string name, Expression<Func<T, string>> column, int maxLength, Access access = Access.ReadWrite, Surfaces surfaces = Surfaces.Both)
        => AddString(name, column, maxLength, access, surfaces, upper: true);

    private FieldsBuilder<T> AddString(string name, Expression<Func<T, string>> column, int maxLength, Access access, Surfaces surfaces, bool upper)
    {
        var get = column.Compile();
        var key = JsonEncodedText.Encode(name);
        _fields.Add(new FieldDef<T>
        {
            Name = name, Kind = FieldKind.String, MaxLength = maxLength, Access = access, Surfaces = surfaces, ColumnExpression = column, Upper = upper,
            Write = (w, e) => w.WriteString(key, get(e)),
        });
        return this;
    }

    public FieldsBuilder<T> Enum(string name, string enumTypeName, string[] members, Expression<Func<T, string>> column, Access access = Access.ReadWrite, Surfaces surfaces = Surfaces.Both)
    {
        var get = column.Compile();
        var key = JsonEncodedText.Encode(name);
        _fields.Add(new FieldDef<T>
        {
            Name = name, Kind = FieldKind.Enum, EnumMembers = members, EnumTypeName = enumTypeName, Access = access, Surfaces = surfaces,
            ColumnExpression = column, MaxLength = 30,
            Write = (w, e) => w.WriteString(key, get(e)),
        });
        return this;
    }

    public FieldsBuilder<T> Date(string name, Expression<Func<T, DateOnly>> column, Access access = Access.ReadWrite, Surfaces surfaces = Surfaces.Both)
    {
        var get = column.Compile();
        var key = JsonEncodedText.Encode(name);
        _fields.Add(new FieldDef<T>
        {
            Name = name, Kind = FieldKind.Date, Access = access, Surfaces = surfaces, ColumnExpression = column,
            Write = (w, e) =>
            {
                Span<byte> text = stackalloc byte[10];
                Wire.Date(get(e), text);
                w.WriteString(key, text);
            },
        });
        return this;
    }

    public FieldsBuilder<T> Timestamp(string name, Expression<Func<T, DateTime>> column, Access access = Access.ReadOnly, Surfaces surfaces = Surfaces.Both)
    {
        var get = column.Compile();
        var key = JsonEncodedText.Encode(name);
        _fields.Add(new FieldDef<T>
        {
            Name = name, Kind = FieldKind.DateTimeOffset, Access = access, Surfaces = surfaces, ColumnExpression = column,
            Write = (w, e) =>
            {
                Span<byte> text = stackalloc byte[24];
                Wire.Timestamp(get(e), text);
                w.WriteString(key, text);
            },
        });
        return this;
    }

    /// <summary>A decimal stored as a long scaled by 10^scale (exact, and comparable and sortable in SQL on SQLite).</summary>
    public FieldsBuilder<T> Decimal(string name, Expression<Func<T, long>> column, Access access = Access.ReadWrite, int scale = 2, Surfaces surfaces = Surfaces.Both)
    {
        var get = column.Compile();
        var key = JsonEncodedText.Encode(name);
        _fields.Add(new FieldDef<T>
        {
            Name = name, Kind = FieldKind.Decimal, Scale = scale, Access = access, Surfaces = surfaces, ColumnExpression = column,
            Write = (w, e) => w.WriteNumber(key, Wire.FromScaled(get(e), scale)),
            WriteAsString = (w, e) => w.WriteString(key, Wire.FromScaled(get(e), scale).ToString(CultureInfo.InvariantCulture)),
        });
        return this;
    }

    public FieldsBuilder<T> Int32(string name, Expression<Func<T, int>> column, Access access = Access.ReadWrite, Surfaces surfaces = Surfaces.Both)
    {
        var get = column.Compile();
        var key = JsonEncodedText.Encode(name);
        _fields.Add(new FieldDef<T>
        {
            Name = name, Kind = FieldKind.Int32, Access = access, Surfaces = surfaces, ColumnExpression = column,
            Write = (w, e) => w.WriteNumber(key, get(e)),
        });
        return this;
    }

    public FieldsBuilder<T> Int64(string name, Expression<Func<T, long>> column, Access access = Access.ReadOnly, Surfaces surfaces = Surfaces.Both)
    {
        var get = column.Compile();
        var key = JsonEncodedText.Encode(name);
        _fields.Add(new FieldDef<T>
        {
            Name = name, Kind = FieldKind.Int64, Access = access, Surfaces = surfaces, ColumnExpression = column,
            Write = (w, e) => w.WriteNumber(key, get(e)),
            WriteAsString = (w, e) => w.WriteString(key, get(e).ToString(CultureInfo.InvariantCulture)),
        });
        return this;
    }

    public FieldsBuilder<T> Boolean(string name, Expression<Func<T, bool>> column, Access access = Access.ReadWrite, Surfaces surfaces = Surfaces.Both)
    {
        var get = column.Compile();
        var key = JsonEncodedText.Encode(name);
        _fields.Add(new FieldDef<T>
        {
            Name = name, Kind = FieldKind.Boolean, Access = access, Surfaces = surfaces, ColumnExpression = column,
            Write = (w, e) => w.WriteBoolean(key, get(e)),
        });
        return this;
    }
}
