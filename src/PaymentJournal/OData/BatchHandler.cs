using System.Globalization;
using System.Text;
using System.Text.Json;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// $batch in the JSON format (requests/responses, id, dependsOn, atomicityGroup) and as multipart/mixed with change
/// sets. Requests run in order through the same routing as single requests. An atomicity group (or change set, or the
/// whole batch under "Isolation: snapshot") runs in one database transaction: if one of its requests fails, the group
/// is rolled back and every other request of the group answers 424, naming the request that failed. Outside a group
/// every request gets an answer of its own whatever goes wrong in it (a database fault a 503 or 507, anything else a
/// 500), and the requests after it still run.
/// </summary>
public sealed class BatchHandler(WriteGate gate, DatabaseHealth health, ILogger<BatchHandler> log)
{
    private sealed class Part
    {
        public required string Id { get; init; }
        public required string Method { get; init; }
        public required string Url { get; init; }
        public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
        public ReadOnlyMemory<byte> Body { get; set; }
        public string? Group { get; init; }
        public List<string> DependsOn { get; } = [];
        public ResponseBuilder? Response { get; set; }
    }

    public async Task HandleAsync(RequestContext rc, IReadOnlyDictionary<string, string> query, ResponseBuilder response, ODataEndpoint endpoint)
    {
        var contentType = rc.Header("Content-Type") ?? "";
        var media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        var snapshot = string.Equals(rc.Header("Isolation"), "snapshot", StringComparison.OrdinalIgnoreCase);
        if (media == "application/json")
        {
            var parts = ParseJson(rc);
            await RunAsync(rc, parts, snapshot, endpoint);
            WriteJson(response, parts);
        }
        else if (media == "multipart/mixed")
        {
            var boundary = Boundary(contentType) ?? throw ApiErrors.BadRequest("The multipart/mixed $batch request has no boundary.");
            // Read as UTF-8 text: bytes that are not would be replaced silently, and reach the database altered.
            if (!System.Text.Unicode.Utf8.IsValid(rc.Body.Span) || (rc.Body.Length > 1 && rc.Body.Span[1..].IndexOf(WellFormed.Bom) >= 0)) throw WellFormed.Malformed("$batch body");
            var parts = Multipart.Parse(rc.Body.Span, boundary, rc.Limits.MaxBatchRequests);
            await RunAsync(rc, parts.Select(p => p.Part).ToList(), snapshot, endpoint);
            Multipart.Write(response, parts);
        }
        else
        {
            throw ApiErrors.UnsupportedMediaType(media);
        }
    }

    private static List<Part> ParseJson(RequestContext rc)
    {
        using var doc = WellFormed.ParseJson(rc.Body, new JsonDocumentOptions { MaxDepth = 32 }, "$batch body");
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("requests", out var requests) || requests.ValueKind != JsonValueKind.Array)
            throw ApiErrors.BadRequest("A JSON $batch body is an object with a 'requests' array.");
        if (requests.GetArrayLength() > rc.Limits.MaxBatchRequests)
            throw ApiErrors.BadRequest($"A $batch may hold at most {rc.Limits.MaxBatchRequests} requests.");
        var parts = new List<Part>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in requests.EnumerateArray())
        {
            if (r.ValueKind != JsonValueKind.Object) throw ApiErrors.BadRequest("Each $batch request is a JSON object.");
            var id = Text(r, "id") ?? throw ApiErrors.BadRequest("Each $batch request needs an 'id'.");
            if (!ids.Add(id)) throw ApiErrors.BadRequest($"The $batch request id '{ApiErrors.Echo(id)}' is used twice.");
            var method = (Text(r, "method") ?? throw ApiErrors.BadRequest($"The $batch request '{id}' needs a 'method'.")).ToUpperInvariant();
            var url = Text(r, "url") ?? throw ApiErrors.BadRequest($"The $batch request '{id}' needs a 'url'.");
            var part = new Part { Id = id, Method = method, Url = url, Group = Text(r, "atomicityGroup") };
            if (r.TryGetProperty("headers", out var headers))
            {
                if (headers.ValueKind != JsonValueKind.Object) throw ApiErrors.BadRequest($"The headers of $batch request '{id}' must be an object.");
                foreach (var h in headers.EnumerateObject())
                    part.Headers[h.Name] = h.Value.ValueKind == JsonValueKind.String ? h.Value.GetString()! : h.Value.GetRawText();
            }
            if (r.TryGetProperty("body", out var body) && body.ValueKind != JsonValueKind.Null)
                part.Body = Encoding.UTF8.GetBytes(body.ValueKind == JsonValueKind.String && !IsJson(part) ? body.GetString()! : body.GetRawText());
            if (r.TryGetProperty("dependsOn", out var deps))
            {
                if (deps.ValueKind != JsonValueKind.Array) throw ApiErrors.BadRequest($"'dependsOn' of $batch request '{id}' must be an array.");
                foreach (var d in deps.EnumerateArray())
                {
                    var dep = d.ValueKind == JsonValueKind.String ? d.GetString()! : throw ApiErrors.BadRequest("'dependsOn' holds request ids.");
                    if (!ids.Contains(dep) && !parts.Any(p => p.Group == dep))
                        throw ApiErrors.BadRequest($"The $batch request '{id}' depends on '{ApiErrors.Echo(dep)}', which does not come before it.");
                    part.DependsOn.Add(dep);
                }
            }
            parts.Add(part);
        }
        // Requests of one atomicity group must be adjacent (OData JSON batch format).
        var seenGroups = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parts.Count; i++)
        {
            var g = parts[i].Group;
            if (g is null) continue;
            if (i > 0 && parts[i - 1].Group == g) continue;
            if (!seenGroups.Add(g)) throw ApiErrors.BadRequest($"The requests of atomicity group '{ApiErrors.Echo(g)}' must be adjacent.");
        }
        return parts;
    }

    private static bool IsJson(Part p) =>
        !p.Headers.TryGetValue("Content-Type", out var ct) || ct.Contains("json", StringComparison.OrdinalIgnoreCase);

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => throw ApiErrors.BadRequest($"The $batch property '{name}' must be a string."),
        } : null;

    private async Task RunAsync(RequestContext rc, List<Part> parts, bool snapshot, ODataEndpoint endpoint)
    {
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var locations = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < parts.Count)
        {
            var group = snapshot ? "$all" : parts[i].Group;
            if (group is null)
            {
                await RunOneAsync(rc, parts[i], failed, locations, endpoint, inGroup: false);
                if (IsFailure(parts[i].Response!)) failed.Add(parts[i].Id);
                i++;
                continue;
            }
            var members = new List<Part>();
            while (i < parts.Count && (snapshot || parts[i].Group == group)) members.Add(parts[i++]);
            await RunGroupAsync(rc, members, group, failed, locations, endpoint);
        }
    }

    private async Task RunGroupAsync(RequestContext rc, List<Part> members, string group, HashSet<string> failed,
        Dictionary<string, string> locations, ODataEndpoint endpoint)
    {
        Part? culprit = null;
        try
        {
            await gate.RunAsync(rc, async unit =>
            {
                foreach (var m in members)
                {
                    await RunOneAsync(unit, m, failed, locations, endpoint, inGroup: true);
                    if (IsFailure(m.Response!)) { culprit = m; throw new GroupFailed(); }
                }
            }, alone: true); // the group's answers and Content-IDs are kept outside its context: it must run once
        }
        catch (GroupFailed)
        {
            // rolled back; the members' answers are set below
        }
        catch (Exception e) when (!IsAbort(e, rc))
        {
            // The commit or the rollback itself failed: the group is not saved (or, in doubt, the answer says it may be).
            var error = Fault(e, rc.CorrelationId);
            foreach (var m in members)
                if (m != culprit) m.Response = Error(error, rc.CorrelationId);
            failed.Add(group);
            foreach (var m in members) failed.Add(m.Id);
            foreach (var m in members) locations.Remove(m.Id);
            return;
        }
        if (culprit is null) return;
        // All or nothing: the group was rolled back, so no member succeeded.
        foreach (var m in members)
        {
            if (m == culprit) continue;
            m.Response = Error(new ApiException(424, "BadRequest_FailedDependency",
                $"The request was rolled back because request '{culprit.Id}' of the same atomic group failed with {culprit.Response!.Status}."), rc.CorrelationId);
        }
        failed.Add(group);
        foreach (var m in members) failed.Add(m.Id);
        foreach (var m in members) locations.Remove(m.Id);
    }

    private async Task RunOneAsync(RequestContext outer, Part part, HashSet<string> failed, Dictionary<string, string> locations,
        ODataEndpoint endpoint, bool inGroup)
    {
        var response = new ResponseBuilder();
        part.Response = response;
        var failedDependency = part.DependsOn.FirstOrDefault(failed.Contains);
        if (failedDependency is not null)
        {
            ErrorWriter.Write(response, new ApiException(424, "BadRequest_FailedDependency",
                $"The request was not run because request '{failedDependency}' it depends on failed."), outer.CorrelationId);
            return;
        }
        try
        {
            var (path, query) = Resolve(outer, part.Url, locations);
            if (path == "$batch") throw ApiErrors.BadRequest("A $batch cannot contain another $batch.");
            var rc = new RequestContext
            {
                Db = outer.Db, Surface = outer.Surface, Method = part.Method, ServiceRoot = outer.ServiceRoot,
                Headers = part.Headers, Body = part.Body, CorrelationId = outer.CorrelationId, Limits = outer.Limits,
                Catalog = outer.Catalog, Access = outer.Access, Aborted = outer.Aborted, InWriteUnit = inGroup, RelativePath = path,
                Format = outer.Format, Step = outer.Step,
            };
            await endpoint.RouteAsync(rc, path, QueryOptions.SplitQuery(query), response);
            if (response.Headers.TryGetValue("Location", out var location)) locations[part.Id] = location;
        }
        catch (ApiException e)
        {
            if (!inGroup) outer.Db.ChangeTracker.Clear();
            ErrorWriter.Write(response, e, outer.CorrelationId);
        }
        catch (Exception e) when (!IsAbort(e, outer))
        {
            // This request's own answer; the batch goes on (a group, seeing it failed, rolls back as a whole).
            if (!inGroup) outer.Db.ChangeTracker.Clear();
            ErrorWriter.Write(response, Fault(e, outer.CorrelationId), outer.CorrelationId);
        }
    }

    /// <summary>The client went away or the request ran out of time: the whole batch stops.</summary>
    private static bool IsAbort(Exception e, RequestContext rc) => e is OperationCanceledException && rc.Aborted.IsCancellationRequested;

    /// <summary>The answer for an exception that is no <see cref="ApiException"/>: a database fault's 503/507, else a 500.</summary>
    private ApiException Fault(Exception e, string correlationId)
    {
        if (e is ApiException api) return api;
        if (DbFaults.Classify(e) is { } kind)
        {
            var fault = health.Report(kind);
            log.LogWarning(e, "Database fault in a $batch request, answered {Status}, correlation id {CorrelationId}", fault.Status, correlationId);
            return fault;
        }
        log.LogError(e, "Unhandled error in a $batch request, correlation id {CorrelationId}", correlationId);
        return ErrorWriter.Unexpected();
    }

    /// <summary>The path below the service root and the query of an inner URL: relative, absolute path, absolute URL, or $id/... (content id).</summary>
    private static (string Path, string Query) Resolve(RequestContext rc, string url, Dictionary<string, string> locations)
    {
        if (url.StartsWith('$') && !url.StartsWith("$metadata", StringComparison.Ordinal) && !url.StartsWith("$batch", StringComparison.Ordinal))
        {
            var end = url.IndexOfAny(['/', '?']);
            var id = end < 0 ? url[1..] : url[1..end];
            if (!locations.TryGetValue(id, out var location))
                throw ApiErrors.BadRequest($"The URL '{ApiErrors.Echo(url)}' refers to request '{ApiErrors.Echo(id)}', which created nothing.");
            url = location + (end < 0 ? "" : url[end..]);
        }
        var root = new Uri(rc.ServiceRoot);
        Uri absolute;
        try
        {
            absolute = url.StartsWith('/') ? new Uri(root, url)
                : Uri.TryCreate(url, UriKind.Absolute, out var abs) && abs.Scheme.StartsWith("http", StringComparison.Ordinal) ? abs
                : new Uri(root, url);
        }
        catch (UriFormatException)
        {
            throw ApiErrors.BadRequest($"The $batch URL '{ApiErrors.Echo(url)}' is not valid.");
        }
        var rootPath = root.AbsolutePath;
        if (!absolute.AbsolutePath.StartsWith(rootPath, StringComparison.Ordinal))
            throw ApiErrors.BadRequest($"The $batch URL '{ApiErrors.Echo(url)}' is not under this service root ({rootPath}).");
        return (absolute.AbsolutePath[rootPath.Length..], absolute.Query);
    }

    private static bool IsFailure(ResponseBuilder r) => r.Status >= 400;

    /// <summary>Thrown inside a group's write unit to roll it back after a member failed.</summary>
    private sealed class GroupFailed : Exception;

    private static ResponseBuilder Error(ApiException e, string correlationId)
    {
        var r = new ResponseBuilder();
        ErrorWriter.Write(r, e, correlationId);
        return r;
    }

    private static void WriteJson(ResponseBuilder response, List<Part> parts)
    {
        using var w = response.StartJson();
        w.WriteStartObject();
        w.WriteStartArray("responses");
        foreach (var p in parts)
        {
            var r = p.Response!;
            w.WriteStartObject();
            w.WriteString("id", p.Id);
            if (p.Group is not null) w.WriteString("atomicityGroup", p.Group);
            w.WriteNumber("status", r.Status);
            w.WriteStartObject("headers");
            if (r.ContentType is not null) w.WriteString("content-type", r.ContentType);
            foreach (var (k, v) in r.Headers) w.WriteString(k.ToLowerInvariant(), v);
            w.WriteEndObject();
            if (r.Body.WrittenCount > 0)
            {
                w.WritePropertyName("body");
                if (r.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true) w.WriteRawValue(r.Body.WrittenSpan, skipInputValidation: true);
                else w.WriteStringValue(Encoding.UTF8.GetString(r.Body.WrittenSpan));
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static string? Boundary(string contentType)
    {
        foreach (var p in contentType.Split(';').Skip(1))
        {
            var kv = p.Trim();
            if (kv.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase)) return kv[9..].Trim('"');
        }
        return null;
    }

    /// <summary>multipart/mixed batches (the OData 4.0 protocol, section 11.7): parts of application/http, change sets as nested multiparts.</summary>
    private static class Multipart
    {
        public sealed record Item(Part Part, string? ChangeSet, string? ContentId);

        public static List<Item> Parse(ReadOnlySpan<byte> body, string boundary, int max)
        {
            var text = Encoding.UTF8.GetString(body);
            var items = new List<Item>();
            var changeSetNo = 0;
            foreach (var section in Sections(text, boundary))
            {
                var (headers, content) = SplitHeaders(section);
                var ct = headers.GetValueOrDefault("Content-Type") ?? "";
                if (ct.StartsWith("multipart/mixed", StringComparison.OrdinalIgnoreCase))
                {
                    var inner = Boundary(ct) ?? throw ApiErrors.BadRequest("A change set has no boundary.");
                    var changeSet = "changeset" + (++changeSetNo).ToString(CultureInfo.InvariantCulture);
                    foreach (var sub in Sections(content, inner))
                    {
                        var (subHeaders, subContent) = SplitHeaders(sub);
                        items.Add(ParseHttp(subContent, subHeaders, changeSet, items.Count));
                    }
                }
                else
                {
                    items.Add(ParseHttp(content, headers, null, items.Count));
                }
                if (items.Count > max) throw ApiErrors.BadRequest($"A $batch may hold at most {max} requests.");
            }
            return items;
        }

        private static Item ParseHttp(string content, Dictionary<string, string> partHeaders, string? changeSet, int index)
        {
            var contentId = partHeaders.GetValueOrDefault("Content-ID");
            var (requestLineAndHeaders, body) = SplitAtBlankLine(content);
            var lines = requestLineAndHeaders.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var requestLine = lines[0].Split(' ');
            if (requestLine.Length < 2) throw ApiErrors.BadRequest("A $batch part does not start with an HTTP request line.");
            var part = new Part
            {
                Id = contentId ?? (index + 1).ToString(CultureInfo.InvariantCulture), Method = requestLine[0].ToUpperInvariant(), Url = requestLine[1],
                Group = changeSet,
            };
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon > 0) part.Headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            var trimmed = body.TrimEnd('\r', '\n');
            if (trimmed.Length > 0) part.Body = Encoding.UTF8.GetBytes(trimmed);
            return new Item(part, changeSet, contentId);
        }

        private static IEnumerable<string> Sections(string text, string boundary)
        {
            var delimiter = "--" + boundary;
            var pieces = text.Split(delimiter);
            for (var i = 1; i < pieces.Length; i++)
            {
                var piece = pieces[i];
                if (piece.StartsWith("--", StringComparison.Ordinal)) yield break;
                yield return piece.TrimStart('\r', '\n');
            }
        }

        private static (Dictionary<string, string>, string) SplitHeaders(string section)
        {
            var (head, rest) = SplitAtBlankLine(section);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in head.Split('\n'))
            {
                var l = line.TrimEnd('\r');
                var colon = l.IndexOf(':');
                if (colon > 0) headers[l[..colon].Trim()] = l[(colon + 1)..].Trim();
            }
            return (headers, rest);
        }

        private static (string, string) SplitAtBlankLine(string s)
        {
            var i = s.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (i >= 0) return (s[..i], s[(i + 4)..]);
            i = s.IndexOf("\n\n", StringComparison.Ordinal);
            return i >= 0 ? (s[..i], s[(i + 2)..]) : (s, "");
        }

        public static void Write(ResponseBuilder response, List<Item> items)
        {
            var boundary = "batchresponse_" + Guid.NewGuid().ToString("N");
            var sb = new StringBuilder();
            string? openChangeSet = null;
            string? changeSetBoundary = null;
            foreach (var item in items)
            {
                if (item.ChangeSet != openChangeSet)
                {
                    if (openChangeSet is not null) sb.Append("--").Append(changeSetBoundary).Append("--\r\n");
                    openChangeSet = item.ChangeSet;
                    if (openChangeSet is not null)
                    {
                        changeSetBoundary = "changesetresponse_" + Guid.NewGuid().ToString("N");
                        sb.Append("--").Append(boundary).Append("\r\nContent-Type: multipart/mixed; boundary=").Append(changeSetBoundary).Append("\r\n\r\n");
                    }
                }
                sb.Append("--").Append(openChangeSet is null ? boundary : changeSetBoundary).Append("\r\n");
                sb.Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
                // No value may carry CR or LF into the answer: a header line of a part must not split.
                if (item.ContentId is not null) sb.Append("Content-ID: ").Append(UrlParts.SafeHeader(item.ContentId)).Append("\r\n");
                sb.Append("\r\n");
                var r = item.Part.Response!;
                sb.Append("HTTP/1.1 ").Append(r.Status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Reason(r.Status)).Append("\r\n");
                if (r.ContentType is not null) sb.Append("Content-Type: ").Append(r.ContentType).Append("\r\n");
                foreach (var (k, v) in r.Headers) sb.Append(k).Append(": ").Append(UrlParts.SafeHeader(v)).Append("\r\n");
                sb.Append("\r\n");
                if (r.Body.WrittenCount > 0) sb.Append(Encoding.UTF8.GetString(r.Body.WrittenSpan)).Append("\r\n");
            }
            if (openChangeSet is not null) sb.Append("--").Append(changeSetBoundary).Append("--\r\n");
            sb.Append("--").Append(boundary).Append("--\r\n");
            System.Buffers.BuffersExtensions.Write(response.Body, Encoding.UTF8.GetBytes(sb.ToString()));
            response.ContentType = "multipart/mixed; boundary=" + boundary;
            response.Headers["OData-Version"] = "4.0";
        }

        private static string Reason(int status) => status switch
        {
            200 => "OK", 201 => "Created", 204 => "No Content", 400 => "Bad Request", 401 => "Unauthorized", 403 => "Forbidden",
            404 => "Not Found", 405 => "Method Not Allowed", 409 => "Conflict", 412 => "Precondition Failed", 413 => "Payload Too Large",
            415 => "Unsupported Media Type", 424 => "Failed Dependency", 429 => "Too Many Requests", 500 => "Internal Server Error",
            503 => "Service Unavailable", 507 => "Insufficient Storage", _ => "Status",
        };
    }
}
