using System.Text;
using System.Text.Json;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// Malformed Unicode is refused before anything reads it: invalid or overlong UTF-8, lone UTF-16 surrogates (raw, or
/// as \uD800 escapes in JSON), and a byte order mark anywhere but at the very start of a body. Every such request is a
/// 400 in the service's error body, never a 500 from a reader that throws later, and never a value stored altered.
/// </summary>
public static class WellFormed
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private const char ByteOrderMark = '\uFEFF';
    /// <summary>The byte order mark in UTF-8.</summary>
    public static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];
    /// <summary>Stands in for bytes of a header value that are not UTF-8 (a noncharacter: no client sends it).</summary>
    private const char NotUtf8 = '\uFDD0';

    /// <summary>UTF-8 for request header values, marking invalid bytes instead of failing the whole request without a body.</summary>
    public static readonly Encoding HeaderEncoding =
        Encoding.GetEncoding("utf-8", EncoderFallback.ExceptionFallback, new DecoderReplacementFallback(NotUtf8.ToString()));

    /// <summary>A 400 for the first request header whose value is not well-formed UTF-8; null when all are.</summary>
    public static ApiException? CheckHeaders(IHeaderDictionary headers)
    {
        foreach (var (name, values) in headers)
            foreach (var value in values)
                // NUL too: the server's own header reading refuses it, and so does the service with this encoding.
                // Plain ASCII, as nearly every value is, can hold nothing else that is refused.
                if (value is not null && (value.Contains('\0') || !Ascii.IsValid(value) && (value.Contains(NotUtf8) || !IsWellFormed(value))))
                    return Malformed($"value of the header '{name}'");
        return null;
    }

    public static ApiException Malformed(string where) =>
        new(400, "BadRequest", $"The {where} is not well-formed Unicode: it holds invalid or overlong UTF-8, a lone UTF-16 surrogate or a byte order mark inside the text.");

    /// <summary>Null when <paramref name="utf8"/> is well-formed JSON text as far as Unicode goes, else what is wrong.</summary>
    public static ApiException? CheckJson(ReadOnlySpan<byte> utf8, string where = "request body")
    {
        var start = utf8.StartsWith(WellFormed.Bom) ? 3 : 0;
        var text = utf8[start..];
        if (!System.Text.Unicode.Utf8.IsValid(text) || text.IndexOf(WellFormed.Bom) >= 0) return Malformed(where);
        // Escapes: only a \u sequence can name a lone surrogate or a byte order mark; read every escaped string.
        if (text.IndexOf("\\u"u8) < 0 && text.IndexOf("\\U"u8) < 0) return null;
        var reader = new Utf8JsonReader(text, new JsonReaderOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped) continue;
                string value;
                try { value = reader.GetString()!; }
                catch (InvalidOperationException) { return Malformed(where); }
                if (!IsWellFormed(value)) return Malformed(where);
            }
        }
        catch (JsonException)
        {
            // Not JSON at all: the parser that follows says where.
        }
        return null;
    }

    /// <summary>No lone surrogate and no byte order mark.</summary>
    public static bool IsWellFormed(string value)
    {
        if (Ascii.IsValid(value)) return true;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == ByteOrderMark) return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    /// <summary>
    /// Percent-decodes a URL part as UTF-8, strictly: a sequence that is not valid UTF-8 (or decodes to a byte order mark)
    /// is a 400. A '%' not followed by two hex digits stays as it is.
    /// </summary>
    public static string Unescape(string value, string where)
    {
        if (value.IndexOf('%') < 0)
            return IsWellFormed(value) ? value : throw Malformed(where);
        if (!IsWellFormed(value)) throw Malformed(where);
        // Every character is at most 3 UTF-8 bytes (a surrogate pair 4 for 2 characters), a %XX escape 1 byte for 3.
        Span<byte> bytes = value.Length <= 256 ? stackalloc byte[value.Length * 3] : new byte[value.Length * 3];
        var n = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && char.IsAsciiHexDigit(value[i + 1]) && char.IsAsciiHexDigit(value[i + 2]))
            {
                bytes[n++] = (byte)(HexValue(value[i + 1]) * 16 + HexValue(value[i + 2]));
                i += 2;
            }
            else if (c < 0x80) bytes[n++] = (byte)c;
            else
            {
                var length = char.IsHighSurrogate(c) ? 2 : 1;
                n += Encoding.UTF8.GetBytes(value.AsSpan(i, length), bytes[n..]);
                i += length - 1;
            }
        }
        string decoded;
        try { decoded = Strict.GetString(bytes[..n]); }
        catch (DecoderFallbackException) { throw Malformed(where); }
        return decoded.Contains(ByteOrderMark) ? throw Malformed(where) : decoded;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Lone surrogates replaced by U+FFFD, so that text quoting a malformed request can still be written.</summary>
    public static string Scrub(string value)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var lone = char.IsHighSurrogate(c) ? i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]) : char.IsLowSurrogate(c);
            if (lone)
            {
                sb ??= new StringBuilder(value, 0, i, value.Length);
                sb.Append('\uFFFD');
                continue;
            }
            if (char.IsHighSurrogate(c))
            {
                sb?.Append(c).Append(value[i + 1]);
                i++;
                continue;
            }
            sb?.Append(c);
        }
        return sb?.ToString() ?? value;
    }

    /// <summary>Parses a JSON body after checking its Unicode; a 400 for either fault, with the parser's whole message.</summary>
    public static JsonDocument ParseJson(ReadOnlyMemory<byte> json, JsonDocumentOptions options, string where = "request body")
    {
        if (CheckJson(json.Span, where) is { } malformed) throw malformed;
        if (json.Span.StartsWith(WellFormed.Bom)) json = json[3..];
        try { return JsonDocument.Parse(json, options); }
        catch (JsonException e) { throw ApiErrors.InvalidJson(e.Message); }
    }
}
