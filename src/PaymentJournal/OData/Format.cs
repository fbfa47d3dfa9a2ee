using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>How much control information a JSON answer carries (the odata.metadata format parameter).</summary>
public enum MetadataLevel
{
    Minimal,
    /// <summary>No control information but @odata.count and @odata.nextLink.</summary>
    None,
    /// <summary>Minimal, plus every entity's @odata.type, @odata.id, edit (or read) link, navigation links and actions.</summary>
    Full,
}

/// <summary>What a response is: the JSON format parameters the client asked for, or $metadata's XML, or $count's text.</summary>
public enum ResponseKind { Json, Xml, Text }

/// <summary>
/// The JSON format of one request, negotiated from $format, Accept and Content-Type: the metadata level, and whether
/// Edm.Decimal and Edm.Int64 travel as strings (IEEE754Compatible=true, in Accept or Content-Type).
/// </summary>
public sealed record JsonFormat(MetadataLevel Metadata, bool Ieee754)
{
    public static readonly JsonFormat Default = new(MetadataLevel.Minimal, false);

    private static readonly string[] ContentTypes =
    [
        "application/json; odata.metadata=minimal; odata.streaming=true",
        "application/json; odata.metadata=none; odata.streaming=true",
        "application/json; odata.metadata=full; odata.streaming=true",
    ];

    /// <summary>The Content-Type of a JSON answer in this format.</summary>
    public string ContentType => Ieee754 ? ContentTypes[(int)Metadata] + "; IEEE754Compatible=true" : ContentTypes[(int)Metadata];

    /// <summary>
    /// The format of a request whose answer is <paramref name="kind"/>, or a 406 when nothing the client accepts can be
    /// produced. <paramref name="format"/> is the $format query option, which takes the place of Accept.
    /// </summary>
    public static JsonFormat Negotiate(ResponseKind kind, string? accept, string? format, string? contentType, JsonFormat? inherited = null)
    {
        var readAsStrings = contentType is not null && Ieee754In(contentType);
        if (!string.IsNullOrEmpty(format))
            accept = format.Equals("json", StringComparison.OrdinalIgnoreCase) ? "application/json" : format.Equals("xml", StringComparison.OrdinalIgnoreCase) ? "application/xml" : format;
        if (string.IsNullOrWhiteSpace(accept))
        {
            var basis = inherited ?? Default;
            return readAsStrings && !basis.Ieee754 ? basis with { Ieee754 = true } : basis;
        }

        // Clients send the same few Accept values: what one negotiated is remembered.
        JsonFormat? best = null;
        if (Negotiated.TryGetValue((kind, accept, inherited), out var known)) best = known;
        else
        {
            var bestQ = -1.0;
            foreach (var range in SplitRanges(accept))
            {
                var (media, parameters, q) = ParseRange(range);
                if (q <= 0 || q <= bestQ) continue;
                var candidate = Match(kind, media, parameters, inherited);
                if (candidate is null) continue;
                best = candidate;
                bestQ = q;
            }
            if (best is not null && accept.Length <= MaxRememberedLength
                && Volatile.Read(ref _remembered) < MaxRemembered && Interlocked.Increment(ref _remembered) <= MaxRemembered)
                Negotiated.TryAdd((kind, accept, inherited), best);
        }
        if (best is null)
            throw new ApiException(406, "BadRequest_NotAcceptable",
                $"The service cannot produce any of the media types the request accepts ('{ApiErrors.Echo(accept)}'). " + kind switch
                {
                    ResponseKind.Xml => "$metadata is answered as application/xml.",
                    ResponseKind.Text => "$count is answered as text/plain.",
                    _ => "Use application/json, with odata.metadata=minimal, none or full, odata.streaming=true or false and IEEE754Compatible=true or false.",
                });
        return readAsStrings && !best.Ieee754 ? best with { Ieee754 = true } : best;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(ResponseKind Kind, string Accept, JsonFormat? Inherited), JsonFormat> Negotiated = new();
    /// <summary>How many Accept values are remembered, and how long one may be, so that odd clients cannot grow the table.</summary>
    private const int MaxRemembered = 256, MaxRememberedLength = 256;
    private static int _remembered;

    /// <summary>The format a media range asks for when <paramref name="kind"/> can satisfy it; null when it cannot.</summary>
    private static JsonFormat? Match(ResponseKind kind, string media, List<(string Name, string Value)> parameters, JsonFormat? inherited)
    {
        var wildcard = media is "*/*" or "*";
        switch (kind)
        {
            case ResponseKind.Xml:
                return wildcard || media is "application/*" or "application/xml" or "text/xml" or "text/*" ? Default : null;
            case ResponseKind.Text:
                // Clients that ask for JSON everywhere get $count's plain number too, as Business Central answers them.
                return wildcard || media is "text/*" or "text/plain" or "application/*" or "application/json" ? Default : null;
        }
        if (!(wildcard || media is "application/*" or "application/json")) return null;
        var level = inherited?.Metadata ?? MetadataLevel.Minimal;
        var ieee = inherited?.Ieee754 ?? false;
        foreach (var (name, value) in parameters)
        {
            switch (name)
            {
                case "odata.metadata" or "metadata":
                    if (value.Equals("minimal", StringComparison.OrdinalIgnoreCase)) level = MetadataLevel.Minimal;
                    else if (value.Equals("none", StringComparison.OrdinalIgnoreCase)) level = MetadataLevel.None;
                    else if (value.Equals("full", StringComparison.OrdinalIgnoreCase)) level = MetadataLevel.Full;
                    else return null;
                    break;
                case "odata.streaming" or "streaming" or "odata.exponential-decimals" or "exponential-decimals":
                    if (!IsBoolean(value)) return null;
                    break;
                case "ieee754compatible":
                    if (!IsBoolean(value)) return null;
                    ieee = value.Equals("true", StringComparison.OrdinalIgnoreCase);
                    break;
                case "charset":
                    if (!value.Equals("utf-8", StringComparison.OrdinalIgnoreCase)) return null;
                    break;
                // Other parameters mean nothing to JSON and are ignored.
            }
        }
        return level == MetadataLevel.Minimal && !ieee ? Default : new JsonFormat(level, ieee);
    }

    private static bool IsBoolean(string value) =>
        value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a Content-Type (or one media range) carries IEEE754Compatible=true.</summary>
    public static bool Ieee754In(string header)
    {
        if (!header.Contains("ieee754compatible", StringComparison.OrdinalIgnoreCase)) return false;
        var (_, parameters, _) = ParseRange(header);
        return parameters.Any(p => p.Name == "ieee754compatible" && p.Value.Equals("true", StringComparison.OrdinalIgnoreCase));
    }

    private static IEnumerable<string> SplitRanges(string accept)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < accept.Length; i++)
        {
            if (accept[i] == '"') quoted = !quoted;
            else if (accept[i] == ',' && !quoted)
            {
                if (i > start) yield return accept[start..i];
                start = i + 1;
            }
        }
        if (start < accept.Length) yield return accept[start..];
    }

    /// <summary>A media range's type (lower case), its parameters (names lower case, values unquoted) and its q.</summary>
    private static (string Media, List<(string Name, string Value)> Parameters, double Q) ParseRange(string range)
    {
        var pieces = range.Split(';');
        var media = pieces[0].Trim().ToLowerInvariant();
        var parameters = new List<(string, string)>();
        var q = 1.0;
        foreach (var piece in pieces.Skip(1))
        {
            var eq = piece.IndexOf('=');
            if (eq <= 0) continue;
            var name = piece[..eq].Trim().ToLowerInvariant();
            var value = piece[(eq + 1)..].Trim().Trim('"');
            if (name == "q")
            {
                if (!double.TryParse(value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out q)) q = 0;
                continue;
            }
            parameters.Add((name, value));
        }
        return (media, parameters, q);
    }
}
