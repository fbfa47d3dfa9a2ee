using System.Reflection;
using System.Security.Cryptography;

namespace PaymentJournal.WebApp;

/// <summary>
/// The browser app: plain HTML, CSS and JavaScript modules embedded in the assembly (WebApp/assets), so a published
/// build serves it with nothing else on disk. GET / from a browser (Accept: text/html) answers the app's page; every
/// other request to / goes on as before. Its files are under /ui/. The app is a client of the public API only.
/// </summary>
public sealed partial class WebAppAssets
{
    public const string Prefix = "/ui/";
    private const string ResourcePrefix = "webapp/";

    // The page loads only its own files, and nothing may frame it; the page's own inline script runs by its hash.
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
                                  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The app's modules (js/) joined into one script (<see cref="ModuleBundle"/>), which the page loads.</summary>
    public const string BundleName = "app.js";
    private const string BundleEntry = "js/main.js";
    /// <summary>The files the page names under a name of their own content (app.1a2b3c4d5e6f7a8b.js), cached for good.</summary>
    private static readonly string[] Versioned = [BundleName, "app.css"];
    public const string ImmutableCaching = "public, max-age=31536000, immutable";

    /// <param name="Gzip">The file gzip-compressed once at start (text files), sent to a browser that accepts gzip.</param>
    private sealed record Asset(byte[] Bytes, string ContentType, string ETag, string Policy, byte[]? Gzip, bool Immutable = false);

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Asset> _versioned = new(StringComparer.Ordinal);

    /// <summary>The relative names of the app's files (the embedded ones and the bundle), without reading them.</summary>
    public static IEnumerable<string> FileNames() =>
        typeof(WebAppAssets).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(RelativeName)
            .Append(BundleName);

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
            Add(RelativeName(name), copy.ToArray());
        }
        var modules = _assets.Where(a => a.Key.StartsWith("js/", StringComparison.Ordinal) && a.Key.EndsWith(".js", StringComparison.Ordinal))
            .ToDictionary(a => a.Key, a => System.Text.Encoding.UTF8.GetString(a.Value.Bytes), StringComparer.Ordinal);
        Add(BundleName, System.Text.Encoding.UTF8.GetBytes(ModuleBundle.Build(modules, BundleEntry)));
        // The page names the bundle and the stylesheet by their content, so a browser keeps them until a build changes them.
        var page = System.Text.Encoding.UTF8.GetString(_assets["index.html"].Bytes);
        foreach (var file in Versioned)
        {
            var asset = _assets[file];
            var versioned = $"{Path.GetFileNameWithoutExtension(file)}.{asset.ETag.Trim('"')}{Path.GetExtension(file)}";
            _versioned[versioned] = asset with { Immutable = true };
            page = page.Replace($"\"{Prefix}{file}\"", $"\"{Prefix}{versioned}\"", StringComparison.Ordinal);
        }
        if (credentialFree) page = page.Replace("<html lang=\"en\">", "<html lang=\"en\" data-auth=\"none\">", StringComparison.Ordinal);
        Add("index.html", System.Text.Encoding.UTF8.GetBytes(page));
    }

    private void Add(string name, byte[] bytes)
    {
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
        var policy = name.EndsWith(".html", StringComparison.Ordinal) ? PolicyFor(System.Text.Encoding.UTF8.GetString(bytes)) : Policy;
        var type = ContentTypeOf(name);
        _assets[name] = new Asset(bytes, type, etag, policy, type.StartsWith("text/", StringComparison.Ordinal) || name.EndsWith(".svg", StringComparison.Ordinal) ? Gzipped(bytes) : null);
    }

    private static byte[]? Gzipped(byte[] bytes)
    {
        using var packed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(bytes);
        return packed.Length < bytes.Length ? packed.ToArray() : null;
    }

    /// <summary>Whether the request accepts gzip (Accept-Encoding, a quality above 0).</summary>
    private static bool AcceptsGzip(HttpRequest request) =>
        request.GetTypedHeaders().AcceptEncoding.Any(e => e.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && (e.Quality ?? 1) > 0);

    /// <summary>The policy of a page: each of its inline scripts (a script element without src) is allowed by its SHA-256.</summary>
    public static string PolicyFor(string html)
    {
        var hashes = InlineScripts().Matches(html)
            .Select(m => $" 'sha256-{Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'");
        return Policy.Replace("script-src 'self'", "script-src 'self'" + string.Concat(hashes), StringComparison.Ordinal);
    }

    [System.Text.RegularExpressions.GeneratedRegex("<script>(.*?)</script>", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex InlineScripts();

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
        if (!(_assets.TryGetValue(name, out var asset) || _versioned.TryGetValue(name, out asset)) || name == "index.html" && http.Request.Path != "/")
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.ContentType = "text/plain; charset=utf-8";
            return response.WriteAsync("Not found");
        }
        response.Headers.ContentSecurityPolicy = asset.Policy;
        response.Headers["Referrer-Policy"] = "no-referrer";
        // Revalidated on every load, so a new build is picked up at once (unchanged files answer 304); a file named by
        // its content never changes.
        response.Headers.CacheControl = asset.Immutable ? ImmutableCaching : "no-cache";
        // Compressed at start, not per request; each encoding is a representation with an ETag of its own.
        var gzip = asset.Gzip is not null && AcceptsGzip(http.Request);
        if (asset.Gzip is not null) response.Headers.Append("Vary", "Accept-Encoding");
        var etag = gzip ? asset.ETag.Insert(asset.ETag.Length - 1, "-gzip") : asset.ETag;
        response.Headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.Contains(etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        var body = gzip ? asset.Gzip! : asset.Bytes;
        if (gzip) response.Headers.ContentEncoding = "gzip";
        response.ContentType = asset.ContentType;
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }
}
