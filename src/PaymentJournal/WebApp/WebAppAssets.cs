using System.Reflection;
using System.Security.Cryptography;

namespace PaymentJournal.WebApp;

/// <summary>
/// The browser app: plain HTML, CSS and JavaScript modules embedded in the assembly (WebApp/assets), so a published
/// build serves it with nothing else on disk. GET / from a browser (Accept: text/html) answers the app's page; every
/// other request to / goes on as before. Its files are under /ui/. The app is a client of the public API only.
/// </summary>
public sealed class WebAppAssets
{
    public const string Prefix = "/ui/";
    private const string ResourcePrefix = "webapp/";

    // The page loads only its own files, and nothing may frame it.
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
                                  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    /// <summary>The relative names of the embedded files, without reading them.</summary>
    public static IEnumerable<string> FileNames() =>
        typeof(WebAppAssets).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(RelativeName);

    private static string RelativeName(string resource) => resource[ResourcePrefix.Length..].Replace('\\', '/');

    /// <param name="credentialFree">The service needs no credential (Auth:Mode None): the page says so, and then starts
    /// its first reads before the app has loaded (elsewhere each refused read would count as a failed authentication).</param>
    public WebAppAssets(bool credentialFree = false)
    {
        var assembly = typeof(WebAppAssets).Assembly;
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            if (credentialFree && RelativeName(name) == "index.html")
                bytes = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(bytes)
                    .Replace("<html lang=\"en\">", "<html lang=\"en\" data-auth=\"none\">", StringComparison.Ordinal));
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
            _assets[RelativeName(name)] = new Asset(bytes, ContentTypeOf(name), etag);
        }
    }

    /// <summary>The relative names of the embedded files (for tests and the start-up check).</summary>
    public IReadOnlyCollection<string> Names => _assets.Keys;

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".txt" or ".md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };

    /// <summary>Serves the app ahead of authentication: its files are public, its data comes from the API with the user's credential.</summary>
    public static void Use(WebApplication app)
    {
        var assets = new WebAppAssets(app.Services.GetRequiredService<Auth.AuthSettings>().Mode == Auth.AuthMode.None);
        app.Use((http, next) =>
        {
            var request = http.Request;
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)) return next(http);
            var path = request.Path.Value ?? "";
            if (path == "/")
            {
                http.Response.Headers.Vary = "Accept";
                return WantsHtml(request) ? assets.WriteAsync(http, "index.html") : next(http);
            }
            if (!path.StartsWith(Prefix, StringComparison.Ordinal)) return next(http);
            return assets.WriteAsync(http, path[Prefix.Length..]);
        });
    }

    /// <summary>A browser navigating asks for text/html; API clients ask for JSON or anything.</summary>
    private static bool WantsHtml(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && (a.Quality ?? 1) > 0);
    }

    private Task WriteAsync(HttpContext http, string name)
    {
        var response = http.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        if (!_assets.TryGetValue(name, out var asset) || name == "index.html" && http.Request.Path != "/")
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.ContentType = "text/plain; charset=utf-8";
            return response.WriteAsync("Not found");
        }
        response.Headers.ContentSecurityPolicy = Policy;
        response.Headers["Referrer-Policy"] = "no-referrer";
        // Revalidated on every load, so a new build is picked up at once; unchanged files answer 304.
        response.Headers.CacheControl = "no-cache";
        response.Headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Bytes).AsTask();
    }
}
