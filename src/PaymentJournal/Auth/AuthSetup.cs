using System.Net;
using PaymentJournal.OData;

namespace PaymentJournal.Auth;

/// <summary>Composition of authentication, throttling and the server's own limits.</summary>
public static class AuthSetup
{
    public static void AddAuth(WebApplicationBuilder builder, Limits limits)
    {
        var settings = AuthSettings.Read(builder.Configuration);
        if (settings.Mode == AuthMode.None)
        {
            var open = ListenAddresses(builder.Configuration).Where(a => !IsLoopback(a)).ToList();
            if (open.Count > 0)
                throw new InvalidOperationException(
                    $"Auth:Mode is None (no authentication), which is allowed only while the service listens on loopback addresses, " +
                    $"but it is configured to listen on {string.Join(", ", open)}. Set Auth:Mode to ApiKey or Jwt (see docs/auth.md), " +
                    $"or listen on localhost/127.0.0.1/[::1] only.");
        }
        var throttle = builder.Configuration.GetSection("Throttling").Get<ThrottleSettings>() ?? new ThrottleSettings();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(new Throttle(throttle));
        var failureLimit = builder.Configuration.GetSection("Auth:FailureLimit").Get<FailedAuthSettings>() ?? new FailedAuthSettings();
        failureLimit.Validate();
        builder.Services.AddSingleton(new FailedAuthLimit(failureLimit));
        var proxies = ForwardedHeadersSetup.Read(builder.Configuration);
        if (proxies is not null) builder.Services.AddSingleton(proxies);
        if (settings.Mode == AuthMode.ApiKey) builder.Services.AddSingleton(new ApiKeyStore(settings.ApiKeys));
        if (settings.Mode == AuthMode.Jwt)
        {
            builder.Services.AddAuthentication().AddJwtBearer(JwtAuthenticator.Scheme, o => JwtAuthenticator.Configure(o, settings.Jwt));
            builder.Services.AddSingleton<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider, ExplicitSchemeProvider>();
            builder.Services.AddSingleton(new JwtAuthenticator(settings.Jwt));
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestHeadersTotalSize = limits.MaxHeaderBytes;
            k.Limits.MaxRequestHeaderCount = limits.MaxHeaderCount;
            // A little above the service's URL limit, so that a URL just over it gets the service's 414 error body.
            k.Limits.MaxRequestLineSize = limits.MaxUrlLength + 2048;
            k.Limits.MaxRequestBodySize = Math.Max(Math.Max(limits.MaxBodyBytes, limits.MaxBatchBodyBytes), limits.MaxImportBodyBytes);
        });
    }

    public static void UseAuth(WebApplication app)
    {
        // Behind trusted proxies, the client's address, scheme and host come from X-Forwarded-* before anything uses them.
        if (app.Services.GetService<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>() is { } forwarded) app.UseForwardedHeaders(forwarded);
        app.UseMiddleware<AuthMiddleware>();
    }

    /// <summary>
    /// Every address the configuration asks Kestrel to listen on: urls (App.Build always sets it, so http_ports never
    /// applies) and Kestrel:Endpoints, which would override it.
    /// </summary>
    internal static IEnumerable<string> ListenAddresses(IConfiguration config)
    {
        foreach (var url in (config[WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            yield return url;
        foreach (var endpoint in config.GetSection("Kestrel:Endpoints").GetChildren())
            if (endpoint["Url"] is { Length: > 0 } url) yield return url;
    }

    internal static bool IsLoopback(string url)
    {
        var rest = url;
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) rest = rest[(scheme + 3)..];
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("pipe:", StringComparison.OrdinalIgnoreCase))
            return true; // a local socket or pipe is reachable from this machine only
        string host;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']');
            if (close < 0) return false;
            host = rest[1..close];
        }
        else
        {
            var end = rest.IndexOfAny([':', '/']);
            host = end < 0 ? rest : rest[..end];
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}
