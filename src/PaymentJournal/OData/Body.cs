using System.Globalization;
using System.Text.Json;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// A validated request body: every property is known to the entity type on this surface, writable, of the
/// right JSON type and within its length. Values are already converted (Guid, string, DateOnly, long scaled, int, bool).
/// </summary>
public sealed class Body
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonElement> _nested = new(StringComparer.Ordinal);

    public IEnumerable<string> Names => _values.Keys;
    public bool Has(string name) => _values.ContainsKey(name);
    public bool TryGet<TValue>(string name, out TValue value)
    {
        if (_values.TryGetValue(name, out var v) && v is TValue t) { value = t; return true; }
        value = default!;
        return false;
    }
    public TValue? Get<TValue>(string name) => _values.TryGetValue(name, out var v) && v is TValue t ? t : default;
    public bool TryGetNested(string name, out JsonElement value) => _nested.TryGetValue(name, out value);
    public int Count => _values.Count;

    internal void Set(string name, object? value) => _values[name] = value;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// The body as a JSON value, when it is one within the size limit; otherwise null, and <see cref="Parse"/> reports
    /// the fault later, in its place among the request's checks.
    /// </summary>
    public static JsonElement? TryParseJson(ReadOnlyMemory<byte> json, Limits limits)
    {
        if (json.IsEmpty || json.Length > limits.MaxBodyBytes || WellFormed.CheckJson(json.Span) is not null) return null;
        if (json.Span.StartsWith(WellFormed.Bom)) json = json[3..];
        try
        {
            using var doc = JsonDocument.Parse(json, JsonOptions);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Parses and validates a JSON object body against <paramref name="set"/>'s fields on <paramref name="surface"/>.</summary>
    /// <param name="nestedAllowed">navigation properties that may carry a deep insert (arrays of objects)</param>
    /// <param name="numbersAsStrings">IEEE754Compatible=true: Edm.Decimal and Edm.Int64 may come as JSON strings</param>
    public static Body Parse(ReadOnlyMemory<byte> json, EntitySetDef set, Surfaces surface, bool isCreate, IReadOnlyCollection<string>? nestedAllowed = null,
        bool numbersAsStrings = false, Func<NavigationDef, bool>? serves = null)
    {
        if (json.IsEmpty) throw ApiErrors.BadRequest("The request body is empty; a JSON object is required.");
        using var doc = WellFormed.ParseJson(json, JsonOptions);
        return FromElement(doc.RootElement.Clone(), set, surface, isCreate, nestedAllowed, numbersAsStrings, serves);
    }

    /// <param name="serves">whether the root serves a navigation (one it does not is an unknown property, as it is not in its $metadata)</param>
    public static Body FromElement(JsonElement root, EntitySetDef set, Surfaces surface, bool isCreate, IReadOnlyCollection<string>? nestedAllowed = null,
        bool numbersAsStrings = false, Func<NavigationDef, bool>? serves = null)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw ApiErrors.BadRequest("The request body must be a JSON object.");
        var body = new Body();
        foreach (var p in root.EnumerateObject())
        {
            var name = p.Name;
            if (body._values.ContainsKey(name) || body._nested.ContainsKey(name))
                throw ApiErrors.BadRequest($"The property '{ApiErrors.Echo(name)}' appears more than once in the request body.");
            if (name.StartsWith("@odata.", StringComparison.Ordinal) || name.StartsWith("odata.", StringComparison.Ordinal))
                continue; // control information such as @odata.etag or @odata.type that clients round-trip
            var field = set.FindField(name, surface);
            if (field is null)
            {
                if (nestedAllowed is not null && nestedAllowed.Contains(name) && isCreate)
                {
                    if (p.Value.ValueKind != JsonValueKind.Array)
                        throw ApiErrors.BadRequest($"The navigation property '{name}' must be a JSON array for a deep insert.");
                    body._nested[name] = p.Value.Clone();
                    continue;
                }
                if (set.FindNavigation(name, surface) is { } nav && (serves is null || serves(nav)))
                    throw ApiErrors.NotSupported($"Writing the navigation property '{name}' in this request");
                throw ApiErrors.UnknownProperty(ApiErrors.Echo(name), set.TypeName);
            }
            if (field.Access == Access.ReadOnly || (field.Access == Access.CreateOnly && !isCreate))
                throw ApiErrors.ReadOnly(name);
            body._values[name] = Convert(field, p.Value, numbersAsStrings);
        }
        return body;
    }

    private static object? Convert(FieldDef field, JsonElement v, bool numbersAsStrings)
    {
        var name = field.Name;
        if (v.ValueKind == JsonValueKind.Null)
        {
            return field.Kind switch
            {
                FieldKind.Guid => Guid.Empty,
                FieldKind.String => "",
                _ => throw ApiErrors.BadRequest($"The property '{name}' cannot be null."),
            };
        }
        switch (field.Kind)
        {
            case FieldKind.Guid:
                if (v.ValueKind != JsonValueKind.String) throw ApiErrors.WrongType(name, "Edm.Guid");
                var gs = v.GetString()!;
                if (!Guid.TryParseExact(gs, "D", out var g) && !Guid.TryParseExact(gs, "B", out g))
                    throw ApiErrors.InvalidGuid(name, gs);
                return g;
            case FieldKind.String:
                if (v.ValueKind != JsonValueKind.String) throw ApiErrors.WrongType(name, "Edm.String");
                var s = v.GetString()!;
                if (s.Length > field.MaxLength) throw ApiErrors.StringTooLong(name, s.Length, field.MaxLength);
                if (s.Contains('\0')) throw ApiErrors.BadRequest($"The property '{name}' contains a NUL character.");
                return field.Upper ? s.ToUpperInvariant() : s;
            case FieldKind.Enum:
                if (v.ValueKind != JsonValueKind.String) throw ApiErrors.WrongType(name, "Edm.String");
                var es = v.GetString()!;
                var member = EnumCaption(field, es);
                return member ?? throw ApiErrors.InvalidOption(name, es, string.Join(", ", field.EnumMembers!.Select(m => "'" + Caption(m) + "'")));
            case FieldKind.Date:
                if (v.ValueKind != JsonValueKind.String
                    || !DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                    throw ApiErrors.BadRequest($"Cannot convert the value of '{name}' to Date: use the format YYYY-MM-DD.");
                return d;
            case FieldKind.Decimal:
                if (!(v.ValueKind == JsonValueKind.Number ? v.TryGetDecimal(out var m) : numbersAsStrings && NumberText(v, out m)))
                    throw ApiErrors.WrongType(name, "Edm.Decimal");
                long? scaled;
                try { scaled = Wire.ToScaled(m, field.Scale); }
                catch (OverflowException) { scaled = null; } // near decimal.MaxValue the scaling itself overflows
                return scaled ?? throw ApiErrors.FieldValidation($"The value of '{name}' is out of range.");
            case FieldKind.Int32:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i))
                    throw ApiErrors.WrongType(name, "Edm.Int32");
                return i;
            case FieldKind.Int64:
                if (!(v.ValueKind == JsonValueKind.Number ? v.TryGetInt64(out var l)
                        : numbersAsStrings && v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l)))
                    throw ApiErrors.WrongType(name, "Edm.Int64");
                return l;
            case FieldKind.Boolean:
                if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw ApiErrors.WrongType(name, "Edm.Boolean");
                return v.GetBoolean();
            case FieldKind.DateTimeOffset:
                if (v.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto))
                    throw ApiErrors.BadRequest($"Cannot convert the value of '{name}' to DateTimeOffset.");
                return dto.UtcDateTime;
            default:
                throw ApiErrors.NotSupported($"Writing '{name}'");
        }
    }

    /// <summary>An Edm.Decimal written as a JSON string (IEEE754Compatible=true): a JSON number's syntax, nothing else.</summary>
    private static bool NumberText(JsonElement v, out decimal value)
    {
        value = 0;
        if (v.ValueKind != JsonValueKind.String) return false;
        var text = v.GetString()!;
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.BytesConsumed == System.Text.Encoding.UTF8.GetByteCount(text)
                && reader.TryGetDecimal(out value);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The stored caption for an enum value sent as its caption (" ") or its EDM member name ("_x0020_").</summary>
    public static string? EnumCaption(FieldDef field, string value)
    {
        foreach (var member in field.EnumMembers!)
        {
            var caption = Caption(member);
            if (string.Equals(caption, value, StringComparison.OrdinalIgnoreCase) || string.Equals(member, value, StringComparison.OrdinalIgnoreCase))
                return caption;
        }
        return null;
    }

    /// <summary>EDM member names encode spaces as _x0020_, as Business Central's $metadata does.</summary>
    public static string Caption(string member) => member.Replace("_x0020_", " ", StringComparison.Ordinal);
}
