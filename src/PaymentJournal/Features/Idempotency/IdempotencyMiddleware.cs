using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Idempotency;

/// <summary>
/// Idempotency-Key on POST and PATCH of the API surfaces. The first request with a key claims it (a running row), runs,
/// and its answer is stored; a retry with the same key and the same request gets that answer again, marked
/// Idempotent-Replayed; the same key with another request is a 422. A retry that finds the key running waits up to
/// Idempotency:WaitSeconds for the answer, then gets a 409. A 5xx that committed nothing gives the key up again.
/// Runs after authentication (keys are per credential and company); a request without the header only costs the lookup.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store, IdempotencyOptions options, Limits limits,
    DatabaseHealth health, ILogger<IdempotencyMiddleware> log)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;

    /// <summary>The answer's headers a client needs, stored and replayed with its status and body.</summary>
    private static readonly string[] KeptHeaders =
        ["ETag", "Location", "OData-EntityId", "OData-Version", "Preference-Applied", "Allow", "Retry-After", ErrorWriter.CorrelationHeader];

    /// <summary>The request headers that change the outcome, part of "the same request".</summary>
    private static readonly string[] HashedHeaders = ["If-Match", "Prefer", "Content-Type", "Accept"];

    public Task InvokeAsync(HttpContext http)
    {
        if (!http.Request.Headers.TryGetValue(Header, out var values)) return next(http);
        var method = http.Request.Method;
        // GET, HEAD and DELETE are idempotent already: the header is ignored on them, as it is outside the API surfaces.
        if (!(HttpMethods.IsPost(method) || HttpMethods.IsPatch(method)) || !IsApiPath(http.Request.Path)) return next(http);
        return RunAsync(http, values);
    }

    private static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/v2.0", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/beta/financials", StringComparison.OrdinalIgnoreCase);

    private async Task RunAsync(HttpContext http, Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count != 1 || values[0] is not { } value || !IsValidKey(value)) throw ApiErrors.InvalidIdempotencyKey();
        var request = http.Request;
        var max = Math.Max(limits.MaxBodyBytes, limits.MaxBatchBodyBytes);
        // Too large to be served at all: the endpoint answers 413 and runs nothing, with or without the key.
        if (request.ContentLength > max)
        {
            await next(http);
            return;
        }
        var body = await ODataEndpoint.ReadBodyAsync(http, max);
        request.Body = MemoryMarshal.TryGetArray(body, out var read)
            ? new MemoryStream(read.Array!, read.Offset, read.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        request.ContentLength = body.Length;

        // The API key's name, or the token's subject and issuer; one anonymous principal under Auth:Mode None.
        var access = http.Items.TryGetValue(typeof(CompanyAccess), out var a) ? a as CompanyAccess : null;
        var principal = access?.Principal is not { } p ? "anonymous" : access.Issuer is { } issuer ? p + " " + issuer : p;
        var key = new IdempotencyKey(principal, CompanyOf(request.Path.Value ?? ""), value);
        var hash = RequestHash(request, body);
        var db = http.RequestServices.GetRequiredService<AppDb>();
        var retention = TimeSpan.FromHours(options.RetentionHours);
        var waited = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                if (await store.TryClaimAsync(db, key, hash, retention, http.RequestAborted))
                {
                    await ExecuteAsync(http, db, key);
                    return;
                }
                // Taken: look at it until it is answered, given up (claim again) or the wait is over.
                for (var delay = 10; ; delay = Math.Min(delay * 2, 200))
                {
                    var row = await store.FindAsync(db, key, http.RequestAborted);
                    if (row is null) break;
                    if (row.ExpiresAt <= store.Now())
                    {
                        await store.DeleteIfExpiredAsync(db, key, http.RequestAborted);
                        break;
                    }
                    if (!CryptographicOperations.FixedTimeEquals(row.RequestHash, hash)) throw ApiErrors.IdempotencyKeyReused(value);
                    if (row.Done)
                    {
                        await ReplayAsync(http, row);
                        return;
                    }
                    // Older than any request may run: its process stopped (or lost the database) before the answer was stored.
                    if (store.Now() - row.CreatedAt > (limits.RequestTimeoutSeconds + 60) * 1000L) throw ApiErrors.IdempotencyOutcomeUnknown(value);
                    if (waited.Elapsed.TotalSeconds >= options.WaitSeconds) throw ApiErrors.IdempotencyKeyInUse(value);
                    await Task.Delay(delay, http.RequestAborted);
                }
            }
        }
        catch (Exception e) when (e is not ApiException && e is not OperationCanceledException && DbFaults.Classify(e) is { } kind)
        {
            log.LogWarning(e, "Database fault on the idempotency key of a request, correlation id {CorrelationId}", http.TraceIdentifier);
            throw health.Report(kind);
        }
    }

    /// <summary>Runs the request on the claimed key, stores its answer (or gives the key up after a 5xx) and sends it.</summary>
    private async Task ExecuteAsync(HttpContext http, AppDb db, IdempotencyKey key)
    {
        var response = http.Response;
        var client = response.Body;
        var clientAborted = http.RequestAborted;
        using var buffer = new MemoryStream();
        // The first attempt runs to its end even if its client goes away (it will retry and wants this answer): only the
        // request time limit stops it.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(limits.RequestTimeoutSeconds));
        response.Body = buffer;
        http.RequestAborted = timeout.Token;
        try
        {
            await next(http);
        }
        catch (ApiException)
        {
            // Refused before it ran (the handler answers its own errors): nothing committed.
            await ForgetAsync(db, key);
            throw;
        }
        finally
        {
            response.Body = client;
            http.RequestAborted = clientAborted;
        }
        if (timeout.IsCancellationRequested && buffer.Length == 0)
        {
            // Cut off by the time limit: whether its write committed is unknown, so the key stays taken (a retry gets a 409).
            throw ApiErrors.RequestTimeout(limits.RequestTimeoutSeconds);
        }
        var status = response.StatusCode;
        var body = buffer.ToArray();
        if (status >= 500)
        {
            // A 5xx committed nothing, except one that says the commit's outcome is unknown: that key stays taken.
            if (body.AsSpan().IndexOf("Internal_DatabaseCommitUnknown"u8) < 0) await ForgetAsync(db, key);
        }
        else
        {
            try
            {
                await store.StoreAsync(db, key, status, KeptHeadersOf(response), body, CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The request's own write stands and is answered; a retry finds the key running and gets a 409.
                log.LogWarning(e, "The answer of a request with an idempotency key could not be stored, correlation id {CorrelationId}", http.TraceIdentifier);
            }
        }
        if (body.Length > 0) await client.WriteAsync(body, clientAborted);
    }

    private async Task ForgetAsync(AppDb db, IdempotencyKey key)
    {
        try
        {
            await store.ReleaseAsync(db, key, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "An idempotency key could not be given up; a retry with it gets a 409 until it expires");
        }
    }

    private static async Task ReplayAsync(HttpContext http, IdempotencyRow row)
    {
        var response = http.Response;
        response.StatusCode = row.Status;
        foreach (var line in row.Headers.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':');
            if (colon > 0) response.Headers[line[..colon]] = line[(colon + 1)..];
        }
        response.Headers[ReplayedHeader] = "true";
        response.ContentLength = row.Body.Length;
        if (row.Body.Length > 0) await response.Body.WriteAsync(row.Body, http.RequestAborted);
    }

    private static string KeptHeadersOf(HttpResponse response)
    {
        var sb = new StringBuilder();
        if (response.ContentType is { Length: > 0 } contentType) sb.Append("Content-Type:").Append(contentType).Append('\n');
        foreach (var name in KeptHeaders)
            if (response.Headers.TryGetValue(name, out var v) && v.Count > 0)
                sb.Append(name).Append(':').Append(v.ToString()).Append('\n');
        return sb.ToString();
    }

    /// <summary>1 to 255 printable ASCII characters.</summary>
    internal static bool IsValidKey(string key)
    {
        if (key.Length is 0 or > MaxKeyLength) return false;
        foreach (var c in key)
            if (c is < ' ' or > '~') return false;
        return true;
    }

    /// <summary>The company the URL names (companies(id) or Graph's companies/id), or empty.</summary>
    internal static string CompanyOf(string path)
    {
        var at = path.IndexOf("/companies", StringComparison.OrdinalIgnoreCase);
        if (at < 0) return "";
        var rest = path.AsSpan(at + "/companies".Length);
        ReadOnlySpan<char> id;
        if (rest.StartsWith("("))
        {
            var close = rest.IndexOf(')');
            if (close < 0) return "";
            id = rest[1..close].Trim('\'');
        }
        else if (rest.StartsWith("/"))
        {
            rest = rest[1..];
            var slash = rest.IndexOf('/');
            id = slash < 0 ? rest : rest[..slash];
        }
        else return "";
        return Guid.TryParse(id, out var guid) ? guid.ToString("D") : id.ToString();
    }

    /// <summary>SHA-256 over the method, path, query, the headers that change the outcome and the body.</summary>
    private static byte[] RequestHash(HttpRequest request, ReadOnlyMemory<byte> body)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Part(string? s)
        {
            var bytes = Encoding.UTF8.GetBytes(s ?? "");
            h.AppendData(BitConverter.GetBytes(bytes.Length));
            h.AppendData(bytes);
        }
        Part(request.Method.ToUpperInvariant());
        Part(request.PathBase.Value + request.Path.Value);
        Part(request.QueryString.Value);
        foreach (var name in HashedHeaders) Part(request.Headers[name].ToString());
        h.AppendData(body.Span);
        return h.GetHashAndReset();
    }
}
