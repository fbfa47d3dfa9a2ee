using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Idempotency;

/// <summary>
/// Idempotency-Key on POST and PATCH of the API surfaces. The key is claimed inside the request's first write unit (a
/// running row, committed with the request's own changes or rolled back with them; see <see cref="IdempotencyClaim"/>),
/// and the answer is stored after the client has it, by a write it does not wait for. A retry with the same key and the
/// same request gets that answer again, marked Idempotent-Replayed; the same key with another request is a 422. A
/// request whose claim finds the key taken is called off before its unit's work and waits up to
/// Idempotency:WaitSeconds for the first answer, then gets a 409. A request that committed nothing (a 4xx, a 5xx) leaves
/// no key behind: a retry runs again. Runs after authentication (keys are per credential and company); a request
/// without the header only costs the lookup.
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
        var max = Math.Max(Math.Max(limits.MaxBodyBytes, limits.MaxBatchBodyBytes), limits.MaxImportBodyBytes);
        // Too large to be served at all: the endpoint answers 413 and runs nothing, with or without the key.
        if (request.ContentLength > max)
        {
            await next(http);
            return;
        }
        var body = await ODataEndpoint.ReadBodyAsync(http, max);
        // Visible, so that the endpoint takes these bytes as the body instead of copying them again.
        request.Body = MemoryMarshal.TryGetArray(body, out var read)
            ? new MemoryStream(read.Array!, read.Offset, read.Count, writable: false, publiclyVisible: true)
            : new MemoryStream(body.ToArray(), 0, body.Length, writable: false, publiclyVisible: true);
        request.ContentLength = body.Length;

        // The API key's name, or the token's subject and issuer; one anonymous principal under Auth:Mode None.
        var access = http.Items.TryGetValue(typeof(CompanyAccess), out var a) ? a as CompanyAccess : null;
        var principal = access?.Principal is not { } p ? "anonymous" : access.Issuer is { } issuer ? p + " " + issuer : p;
        var key = new IdempotencyKey(principal, UrlParts.CompanyOf(request.Path.Value) is { } company ? company.ToString("D") : "", value);
        var hash = RequestHash(request, body);
        var waited = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                request.Body.Position = 0;
                if (await ExecuteAsync(http, key, hash)) return;
                // Taken: look at it until it is answered, given up or expired (run again), or the wait is over.
                var db = http.RequestServices.GetRequiredService<AppDb>();
                for (var delay = 10; ; delay = Math.Min(delay * 2, 200))
                {
                    var row = await store.FindAsync(db, key, http.RequestAborted);
                    if (row is null || row.ExpiresAt <= store.Now()) break;
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

    /// <summary>
    /// Runs the request with the key's claim in its write units, queues its answer to be stored if the claim committed,
    /// and sends the answer. False, having sent nothing, when the claim found the key taken.
    /// </summary>
    private async Task<bool> ExecuteAsync(HttpContext http, IdempotencyKey key, byte[] hash)
    {
        var response = http.Response;
        var client = response.Body;
        var clientAborted = http.RequestAborted;
        using var buffer = new MemoryStream(4096);
        // The first attempt runs to its end even if its client goes away (it will retry and wants this answer): only the
        // request time limit stops it, or the claim calling it off.
        using var run = new CancellationTokenSource(TimeSpan.FromSeconds(limits.RequestTimeoutSeconds));
        var now = store.Now();
        var claim = new IdempotencyClaim(store, key, hash, now, now + (long)TimeSpan.FromHours(options.RetentionHours).TotalMilliseconds, run);
        response.Body = buffer;
        http.RequestAborted = run.Token;
        http.Items[typeof(IUnitStep)] = claim;
        try
        {
            await next(http);
        }
        finally
        {
            http.Items.Remove(typeof(IUnitStep));
            response.Body = client;
            http.RequestAborted = clientAborted;
        }
        if (claim.Taken) return false;
        if (run.IsCancellationRequested && buffer.Length == 0)
        {
            // Cut off by the time limit: if its claim committed, so did its write, and the key stays running (a retry gets a 409).
            throw ApiErrors.RequestTimeout(limits.RequestTimeoutSeconds);
        }
        var body = buffer.ToArray();
        // A request that committed nothing leaves no key: running it again cannot do anything twice.
        if (claim.IsCommitted) store.Keep(key, claim.Handle, claim.CreatedAt, response.StatusCode, KeptHeadersOf(response), body);
        if (body.Length > 0) await client.WriteAsync(body, clientAborted);
        return true;
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

    /// <summary>SHA-256 over the method, path, query, the headers that change the outcome and the body.</summary>
    private static byte[] RequestHash(HttpRequest request, ReadOnlyMemory<byte> body)
    {
        Span<string?> parts =
        [
            request.Method.ToUpperInvariant(), request.PathBase.Value + request.Path.Value, request.QueryString.Value,
            request.Headers[HashedHeaders[0]].ToString(), request.Headers[HashedHeaders[1]].ToString(),
            request.Headers[HashedHeaders[2]].ToString(), request.Headers[HashedHeaders[3]].ToString(),
        ];
        // Each part as its UTF-8 length and bytes, then the body: one buffer, hashed at once.
        var size = body.Length;
        foreach (var part in parts) size += 4 + Encoding.UTF8.GetMaxByteCount(part?.Length ?? 0);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var at = 0;
            foreach (var part in parts)
            {
                var n = Encoding.UTF8.GetBytes(part ?? "", buffer.AsSpan(at + 4));
                BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), n);
                at += 4 + n;
            }
            body.Span.CopyTo(buffer.AsSpan(at));
            return SHA256.HashData(buffer.AsSpan(0, at + body.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// The claim of a request's idempotency key, run first in each of the request's write units until one commits: inserts
/// the running row (or takes over an expired one). When the key is taken the unit fails before its own work and the
/// request is called off: on SQLite the one writer ran the other claim before this one; on PostgreSQL the key's unique
/// index made this transaction wait for the one that holds it, on any node, to commit.
/// </summary>
internal sealed class IdempotencyClaim(IdempotencyStore store, IdempotencyKey key, byte[] hash, long createdAt, long expiresAt,
    CancellationTokenSource run) : IUnitStep
{
    private volatile bool _committed;
    private volatile bool _taken;
    private long _handle;

    /// <summary>The claimed row's handle, for storing its answer.</summary>
    public long Handle => Interlocked.Read(ref _handle);

    /// <summary>When the claim was made: the running row's created_at, which its answer is stored against.</summary>
    public long CreatedAt => createdAt;
    /// <summary>A unit holding the claim has committed: the key is this request's.</summary>
    public bool IsCommitted => _committed;
    /// <summary>The key was taken by another request: this one was called off before any of its work ran.</summary>
    public bool Taken => _taken;

    public async Task BeforeWorkAsync(AppDb db, CancellationToken ct)
    {
        if (_committed) return;
        if (await store.ClaimAsync(db, key, hash, createdAt, expiresAt, ct) is { } handle)
        {
            Interlocked.Exchange(ref _handle, handle);
            return;
        }
        _taken = true;
        // The request's own token, so that it unwinds (a $batch too) answering nothing. Nothing else waits on it: the
        // request itself is waiting for this unit.
        run.Cancel();
        throw new UnitCalledOffException(run.Token);
    }

    public void Committed() => _committed = true;
}
