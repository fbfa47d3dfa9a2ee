using System.Net;
using System.Text;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Auth;

/// <summary>
/// The front door of every request but /health and its probes: the request timeout, the failed-authentication limit,
/// the credential (by Auth:Mode), the per-credential throttle, and a last guard that turns anything unforeseen into
/// the standard 500 error body. It also puts nosniff and no-store on every answer.
/// The <see cref="CompanyAccess"/> it settles on goes into HttpContext.Items, where the OData endpoint picks it up.
/// </summary>
public sealed class AuthMiddleware(RequestDelegate next, AuthSettings settings, Throttle throttle, FailedAuthLimit failures, Limits limits, ILogger<AuthMiddleware> log,
    ApiKeyStore? keys = null, JwtAuthenticator? jwt = null)
{
    private const string BasicChallenge = "Basic realm=\"PaymentJournal\"";
    private const string BearerChallenge = "Bearer realm=\"PaymentJournal\"";

    public async Task InvokeAsync(HttpContext http)
    {
        // On every answer, errors included (they clear the response first): never sniffed, never cached.
        http.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }, http.Response);
        var clientAborted = http.RequestAborted;
        Task Fail(ApiException error, string? correlationId = null)
        {
            // The linked token may be the one that fired: the answer goes out on the client's own token.
            http.RequestAborted = clientAborted;
            return WriteErrorAsync(http, error, correlationId);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(limits.RequestTimeoutSeconds));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientAborted, timeout.Token);
        http.RequestAborted = linked.Token;
        try
        {
            if (IsHealth(http.Request.Path))
            {
                await next(http);
            }
            else
            {
                // A client past the limit of refused credentials is turned away before its credential is looked at.
                var client = settings.Mode == AuthMode.None ? null : FailedAuthLimit.ClientOf(http);
                if (client is not null && failures.RetryAfter(client) is { } wait)
                {
                    log.LogInformation("Request refused with 429 (too many refused credentials, retry after {RetryAfter} s) from {Remote}", wait, client);
                    await Fail(ApiErrors.TooManyFailedAuthentications(wait));
                    return;
                }
                var outcome = await AuthenticateAsync(http);
                if (outcome.Error is not null)
                {
                    // The reason names the check that failed, never the key or token.
                    log.LogInformation("Request refused with {Status} ({Reason}) from {Remote}", outcome.Error.Status, outcome.LogReason, http.Connection.RemoteIpAddress);
                    if (client is not null && outcome.Error.Status == 401 && failures.Failed(client))
                        log.LogWarning("{Remote} sent too many refused credentials: its requests are refused with 429 until the window ends", client);
                    await Fail(outcome.Error);
                    return;
                }
                var access = outcome.Access!;
                http.Items[typeof(CompanyAccess)] = access;
                if (throttle.Enabled)
                {
                    using var slot = await throttle.AcquireAsync(access.Principal ?? "anonymous", http.RequestAborted);
                    await next(http);
                }
                else await next(http);
            }
            if (timeout.IsCancellationRequested && !clientAborted.IsCancellationRequested && !http.Response.HasStarted)
                await Fail(ApiErrors.RequestTimeout(limits.RequestTimeoutSeconds));
        }
        catch (ApiException e) when (!http.Response.HasStarted)
        {
            await Fail(e);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !clientAborted.IsCancellationRequested && !http.Response.HasStarted)
        {
            await Fail(ApiErrors.RequestTimeout(limits.RequestTimeoutSeconds));
        }
        catch (OperationCanceledException) when (clientAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception e) when (!http.Response.HasStarted)
        {
            var correlationId = http.TraceIdentifier;
            log.LogError(e, "Unhandled error outside the OData endpoint, correlation id {CorrelationId}", correlationId);
            await Fail(ErrorWriter.Unexpected(), correlationId);
        }
        finally
        {
            http.RequestAborted = clientAborted;
        }
    }

    // The probes, and the API's description (/openapi documents, the /docs page): no data, so no credential.
    private static bool IsHealth(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(OpenApi.DocsEndpoints.OpenApiPath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(OpenApi.DocsEndpoints.DocsPath, StringComparison.OrdinalIgnoreCase);

    private async Task<AuthOutcome> AuthenticateAsync(HttpContext http)
    {
        switch (settings.Mode)
        {
            case AuthMode.None:
                // Start-up refuses a non-loopback address in this mode; this catches a connection that arrives anyway.
                var local = http.Connection.LocalIpAddress;
                if (local is not null && !IPAddress.IsLoopback(local))
                    return new AuthOutcome(null, ApiErrors.Forbidden("Auth:Mode None serves loopback connections only."), "non-loopback connection in mode None");
                return AuthOutcome.Allow(CompanyAccess.All);

            case AuthMode.ApiKey:
            {
                var presented = ApiKeyFrom(http.Request);
                if (presented is null) return AuthOutcome.Deny("An API key is required: send it in the X-Api-Key header or as the password of Basic authentication.", "no credential", BasicChallenge);
                var access = keys!.Find(presented);
                return access is null ? AuthOutcome.Deny("The API key is not valid.", "unknown API key", BasicChallenge) : AuthOutcome.Allow(access);
            }

            case AuthMode.Jwt:
            {
                var authorization = http.Request.Headers.Authorization;
                if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                    return AuthOutcome.Deny("A bearer token is required in the Authorization header.", "no credential", BearerChallenge);
                // The JwtBearer handler reads the token from the same header.
                if (value.AsSpan("Bearer ".Length).Trim().IsEmpty) return AuthOutcome.Deny("A bearer token is required in the Authorization header.", "no credential", BearerChallenge);
                return await jwt!.AuthenticateAsync(http);
            }

            default:
                throw new InvalidOperationException(settings.Mode.ToString());
        }
    }

    /// <summary>X-Api-Key, or the password of Basic authentication (Business Central's web service access keys were sent so).</summary>
    private static string? ApiKeyFrom(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var header))
            return header.Count == 1 && !string.IsNullOrEmpty(header[0]) ? header[0] : null;
        var authorization = request.Headers.Authorization;
        if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        var encoded = value["Basic ".Length..].Trim();
        if (encoded.Length > 4 * ApiKeyStore.MaxKeyLength) return null;
        Span<byte> buffer = stackalloc byte[3 * ApiKeyStore.MaxKeyLength + 3];
        if (!Convert.TryFromBase64String(encoded, buffer, out var written)) return null;
        string pair;
        try { pair = new UTF8Encoding(false, true).GetString(buffer[..written]); }
        catch (DecoderFallbackException) { return null; }
        var colon = pair.IndexOf(':');
        return colon < 0 ? null : pair[(colon + 1)..];
    }

    private static Task WriteErrorAsync(HttpContext http, ApiException error, string? correlationId = null)
    {
        var response = new ResponseBuilder();
        ErrorWriter.Write(response, error, correlationId ?? http.TraceIdentifier);
        http.Response.Clear();
        return ODataEndpoint.WriteAsync(http, response, HttpMethods.IsHead(http.Request.Method));
    }
}
