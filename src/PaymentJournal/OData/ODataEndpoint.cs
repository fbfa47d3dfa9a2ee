using System.Text;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// The HTTP face of a surface: reads the request into a <see cref="RequestContext"/>, serves the service document,
/// $metadata and $batch, hands resource paths to the <see cref="Dispatcher"/>, and renders every error the same way.
/// </summary>
public sealed class ODataEndpoint(Catalog catalog, Dispatcher dispatcher, BatchHandler batch, Limits limits, ReadReplica replica, DatabaseHealth health,
    IEnumerable<IRootResource> rootResources, ILogger<ODataEndpoint> log)
{
    private readonly IRootResource[] _rootResources = rootResources.ToArray();

    /// <summary>Serves one request; <paramref name="serviceRootPath"/> checks the path segments it echoes (a 400 if they are not valid).</summary>
    public async Task HandleAsync(HttpContext http, Surface surface, Func<string> serviceRootPath, string rest)
    {
        // Set by the request telemetry step; the log line of the request carries the same id.
        var correlationId = http.TraceIdentifier;
        var response = new ResponseBuilder();
        // HEAD is answered wherever GET is, as GET without the body (the same status and headers).
        var head = HttpMethods.IsHead(http.Request.Method);
        // Reads that ask for it go to the read replica (when one is configured); writes and $batch never do.
        await using var replicaDb = (head || HttpMethods.IsGet(http.Request.Method)) && ReadReplica.WantsReadOnly(http.Request.Headers["Data-Access-Intent"])
            ? replica.Create() : null;
        var db = replicaDb ?? http.RequestServices.GetRequiredService<AppDb>();
        try
        {
            var request = http.Request;
            if (WellFormed.CheckHeaders(request.Headers) is { } malformed) throw malformed;
            var rootPath = serviceRootPath();
            if (request.Path.Value!.Length + request.QueryString.Value!.Length > limits.MaxUrlLength)
                throw new ApiException(414, "BadRequest_UriTooLong", $"The request URL is longer than {limits.MaxUrlLength} characters.");
            var body = await ReadBodyAsync(http, rest == "$batch" ? limits.MaxBatchBodyBytes
                : rest.EndsWith("/bankStatementImports", StringComparison.Ordinal) ? limits.MaxImportBodyBytes : limits.MaxBodyBytes);
            var rc = new RequestContext
            {
                Db = db, Surface = surface, Method = head ? "GET" : request.Method.ToUpperInvariant(),
                ServiceRoot = request.Scheme + "://" + request.Host.Value + request.PathBase.Value + rootPath,
                Headers = new HeaderView(request.Headers), Body = body, CorrelationId = correlationId, Limits = limits, Catalog = catalog,
                Access = http.Items.TryGetValue(typeof(CompanyAccess), out var a) && a is CompanyAccess access ? access : CompanyAccess.All,
                Aborted = http.RequestAborted, RelativePath = rest,
                // Set by a middleware on a change that adds to its write units (an idempotency key's claim).
                Step = head || HttpMethods.IsGet(request.Method) ? null
                    : http.Items.TryGetValue(typeof(IUnitStep), out var step) ? step as IUnitStep : null,
            };
            var query = QueryOptions.SplitQuery(request.QueryString.Value);
            await RouteAsync(rc, rest, query, response);
        }
        catch (ApiException e)
        {
            ErrorWriter.Write(response, e, correlationId);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away; nothing to answer
        }
        catch (Exception e) when (DbFaults.Classify(e) is { } kind)
        {
            var fault = health.Report(kind);
            log.LogWarning(e, "Database fault, answered {Status}, correlation id {CorrelationId}", fault.Status, correlationId);
            ErrorWriter.Write(response, fault, correlationId);
        }
        catch (Exception e)
        {
            log.LogError(e, "Unhandled error, correlation id {CorrelationId}", correlationId);
            ErrorWriter.Write(response, ErrorWriter.Unexpected(), correlationId);
        }
        await WriteAsync(http, response, head);
    }

    /// <summary>Routes a request of a surface; also used for the parts of a $batch.</summary>
    public async Task RouteAsync(RequestContext rc, string rest, IReadOnlyDictionary<string, string> query, ResponseBuilder response)
    {
        // What the answer will be, before anything runs: a format the client cannot take is a 406 and changes nothing.
        query.TryGetValue("$format", out var format);
        var kind = rest == "$metadata" ? ResponseKind.Xml : rest == "$count" || rest.EndsWith("/$count", StringComparison.Ordinal) ? ResponseKind.Text : ResponseKind.Json;
        if (rest == "$batch")
        {
            // A $batch answers in its own format; its JSON parts inherit the JSON parameters it asks for, if any.
            try { rc.Format = JsonFormat.Negotiate(ResponseKind.Json, rc.Header("Accept"), null, null); }
            catch (ApiException) { rc.Format = JsonFormat.Default; }
        }
        else
        {
            rc.Format = JsonFormat.Negotiate(kind, rc.Header("Accept"), format, rc.Header("Content-Type"), rc.Format);
        }
        response.Format = rc.Format;
        switch (rest)
        {
            case "":
                if (rc.Method != "GET") throw ApiErrors.MethodNotAllowed(rc.Method, "the service document", "GET, HEAD");
                WriteServiceDocument(rc, response);
                return;
            case "$metadata":
                if (rc.Method != "GET") throw ApiErrors.MethodNotAllowed(rc.Method, "$metadata", "GET, HEAD");
                System.Buffers.BuffersExtensions.Write(response.Body, Encoding.UTF8.GetBytes(rc.Surface.MetadataXml));
                response.ContentType = "application/xml";
                response.Headers["OData-Version"] = "4.0";
                return;
            case "$batch":
                if (rc.Method != "POST") throw ApiErrors.MethodNotAllowed(rc.Method, "$batch", "POST");
                await batch.HandleAsync(rc, query, response, this);
                return;
            default:
                foreach (var resource in _rootResources)
                {
                    if (!resource.Handles(rc.Surface, rest)) continue;
                    await resource.HandleAsync(rc, rest, query, response);
                    return;
                }
                await dispatcher.HandleAsync(rc, rest, query, response);
                return;
        }
    }

    private void WriteServiceDocument(RequestContext rc, ResponseBuilder response)
    {
        using var w = response.StartJson();
        w.WriteStartObject();
        if (rc.Format.Metadata != MetadataLevel.None) w.WriteString("@odata.context", rc.ServiceRoot + "$metadata");
        w.WriteStartArray("value");
        foreach (var element in rc.Surface.Model.EntityContainer.Elements)
        {
            w.WriteStartObject();
            w.WriteString("name", element.Name);
            w.WriteString("kind", element.ContainerElementKind == Microsoft.OData.Edm.EdmContainerElementKind.Singleton ? "Singleton" : "EntitySet");
            // Graph's singleton is the service root itself: its URL is absolute.
            w.WriteString("url", rc.Surface.IsGraph ? rc.ServiceRoot.TrimEnd('/') : element.Name);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The request body, at most <paramref name="max"/> bytes (413 beyond); unreadable framing is a 400.</summary>
    internal static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext http, long max)
    {
        var request = http.Request;
        if (request.ContentLength is 0) return ReadOnlyMemory<byte>.Empty;
        // Without Content-Length or Transfer-Encoding an HTTP/1.1 request has no body: nothing to read (most GETs).
        if (request.ContentLength is null && string.IsNullOrEmpty(request.Headers.TransferEncoding)) return ReadOnlyMemory<byte>.Empty;
        if (request.ContentLength > max) throw ApiErrors.PayloadTooLarge(max);
        // Already read by a middleware (an idempotency key's): its bytes, unread so far.
        if (request.Body is MemoryStream { Position: 0 } buffered && buffered.TryGetBuffer(out var bytes) && bytes.Count == request.ContentLength) return bytes.AsMemory();
        try
        {
            if (request.ContentLength is { } length)
            {
                // The common case: read exactly the announced bytes into one array.
                var exact = new byte[length];
                var filled = 0;
                while (filled < exact.Length)
                {
                    var n = await request.Body.ReadAsync(exact.AsMemory(filled), http.RequestAborted);
                    if (n == 0) break;
                    filled += n;
                }
                return exact.AsMemory(0, filled);
            }
            using var ms = new MemoryStream(4096);
            var buffer = new byte[16384];
            int read;
            while ((read = await request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                if (ms.Length + read > max) throw ApiErrors.PayloadTooLarge(max);
                ms.Write(buffer, 0, read);
            }
            return ms.ToArray();
        }
        catch (BadHttpRequestException e)
        {
            throw new ApiException(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, "BadRequest", "The request body could not be read.");
        }
        catch (IOException)
        {
            // Kestrel reports some broken framing (a chunk size that overflows) as a plain IOException.
            throw new ApiException(400, "BadRequest", "The request body could not be read.");
        }
    }

    internal static async Task WriteAsync(HttpContext http, ResponseBuilder response, bool head = false)
    {
        var r = http.Response;
        r.StatusCode = response.Status;
        // Kestrel refuses a header value with a control or non-ASCII character by throwing: it must not get one.
        foreach (var (k, v) in response.Headers) r.Headers[k] = UrlParts.SafeHeader(v);
        if (response.ContentType is not null) r.ContentType = response.ContentType;
        if (response.Body.WrittenCount > 0)
        {
            r.ContentLength = response.Body.WrittenCount;
            if (!head) await r.Body.WriteAsync(response.Body.WrittenMemory, http.RequestAborted);
        }
    }

    /// <summary>Request headers as a case-insensitive dictionary without copying them.</summary>
    private sealed class HeaderView(IHeaderDictionary headers) : IReadOnlyDictionary<string, string>
    {
        public string this[string key] => headers[key].ToString();
        public IEnumerable<string> Keys => headers.Keys;
        public IEnumerable<string> Values => headers.Values.Select(v => v.ToString());
        public int Count => headers.Count;
        public bool ContainsKey(string key) => headers.ContainsKey(key);
        public bool TryGetValue(string key, out string value)
        {
            if (headers.TryGetValue(key, out var v)) { value = v.ToString(); return true; }
            value = "";
            return false;
        }
        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
            headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString())).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
