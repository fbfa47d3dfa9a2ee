using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using PaymentJournal.WebApp;

namespace PaymentJournal.Tests.Api;

/// <summary>The browser app: served at / to a browser and under /ui/ from the assembly; every other answer unchanged.</summary>
public sealed partial class WebAppTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private async Task<HttpResponseMessage> GetAsync(string url, string? accept = null, string? ifNoneMatch = null)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null) req.Headers.TryAddWithoutValidation("Accept", accept);
        if (ifNoneMatch is not null) req.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await f.Http.SendAsync(req);
    }

    [Fact]
    public async Task A_browser_asking_for_html_at_the_root_gets_the_app_page()
    {
        var resp = await GetAsync("/", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("text/html", resp.Content.Headers.ContentType?.MediaType);
        var html = await resp.Content.ReadAsStringAsync();
        Assert.Matches("<script type=\"module\" src=\"/ui/app\\.[0-9a-f]{16}\\.js\"></script>", html);
        Assert.Contains("script-src 'self'", resp.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", resp.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("Accept", resp.Headers.Vary);
        Assert.Equal("nosniff", resp.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task The_page_says_when_the_service_needs_no_credential_so_the_first_reads_may_start_before_the_app_has_loaded()
    {
        // This fixture runs under Auth:Mode None; under ApiKey (SignInTests) the page says nothing and reads wait for the key.
        var html = await (await GetAsync("/", "text/html")).Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"en\" data-auth=\"none\">", html, StringComparison.Ordinal);
        Assert.Contains("dataset.auth === 'none'", InlineScript(html), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_allows_its_own_inline_script_by_its_hash_and_no_other()
    {
        var resp = await GetAsync("/", "text/html");
        var html = await resp.Content.ReadAsStringAsync();
        var script = InlineScript(html);
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(script)));
        var policy = resp.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains($"script-src 'self' 'sha256-{hash}';", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        // The inline script starts the first reads before the stylesheet, which a script after it would wait for.
        Assert.True(html.IndexOf("<script>", StringComparison.Ordinal) < html.IndexOf("<link rel=\"stylesheet\"", StringComparison.Ordinal));
        // The modules get the policy without the hash.
        var module = await GetAsync("/ui/js/main.js");
        Assert.Contains("script-src 'self';", module.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    /// <summary>The page's one inline script (its text between the tags, as the browser hashes it).</summary>
    public static string InlineScript(string html) => Assert.Single(InlineScriptRegex().Matches(html)).Groups[1].Value;

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex InlineScriptRegex();

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("*/*")]
    [InlineData("text/html;q=0")]
    public async Task Any_other_request_at_the_root_is_answered_as_before(string? accept)
    {
        var resp = await GetAsync("/", accept);
        Assert.Equal(HttpStatusCode.NotFound, resp.StatusCode);
        Assert.NotEqual("text/html", resp.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_service_documents_stay_where_they_are_for_a_browser_too()
    {
        foreach (var root in new[] { ServiceFixture.V2, ServiceFixture.Graph })
        {
            var resp = await GetAsync(root, "text/html,*/*;q=0.8");
            Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
            Assert.Equal("application/json", resp.Content.Headers.ContentType?.MediaType);
            Assert.Contains("\"value\"", await resp.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_module_the_page_loads_is_served_with_its_type_and_every_import_resolves()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(["/ui/app.css", "/ui/js/main.js"]);
        while (queue.TryDequeue(out var url))
        {
            if (!seen.Add(url)) continue;
            var resp = await GetAsync(url);
            Assert.True(resp.StatusCode == HttpStatusCode.OK, $"{url}: {(int)resp.StatusCode}");
            var type = resp.Content.Headers.ContentType?.MediaType;
            Assert.Equal(url.EndsWith(".css", StringComparison.Ordinal) ? "text/css" : "text/javascript", type);
            if (!url.EndsWith(".js", StringComparison.Ordinal)) continue;
            var text = await resp.Content.ReadAsStringAsync();
            foreach (Match m in ImportRegex().Matches(text))
                queue.Enqueue(new Uri(new Uri("http://x" + url), m.Groups[1].Value).AbsolutePath);
        }
        // main.js, the screens and their helpers: every file of the app is reachable from the page.
        var names = new WebAppAssets().Names.Where(n => n.StartsWith("js/", StringComparison.Ordinal)).Select(n => "/ui/" + n);
        Assert.Empty(names.Except(seen));
    }

    [Fact]
    public async Task The_page_loads_one_script_the_bundle_of_every_module_named_by_its_content_and_cached_for_good()
    {
        var html = await (await GetAsync("/", "text/html")).Content.ReadAsStringAsync();
        var scripts = ScriptSrcRegex().Matches(html).Select(m => m.Groups[1].Value).ToList();
        var bundleUrl = Assert.Single(scripts);
        Assert.Matches(@"^/ui/app\.[0-9a-f]{16}\.js$", bundleUrl);
        var resp = await GetAsync(bundleUrl);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("text/javascript", resp.Content.Headers.ContentType?.MediaType);
        Assert.Equal(WebAppAssets.ImmutableCaching, resp.Headers.CacheControl!.ToString());
        var bundle = await resp.Content.ReadAsStringAsync();
        // The same file under its plain name, revalidated as the other files are.
        var plain = await GetAsync("/ui/app.js");
        Assert.Equal("no-cache", plain.Headers.CacheControl!.ToString());
        Assert.Equal(bundle, await plain.Content.ReadAsStringAsync());

        // Every module once, each after the modules it imports, and no import or export left to the browser.
        var modules = new WebAppAssets().Names.Where(n => n.StartsWith("js/", StringComparison.Ordinal)).ToList();
        var order = BundledRegex().Matches(bundle).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(modules.Order(StringComparer.Ordinal), order.Order(StringComparer.Ordinal));
        Assert.Equal("js/main.js", order[^1]);
        foreach (var name in modules)
        {
            var source = await (await GetAsync("/ui/" + name)).Content.ReadAsStringAsync();
            foreach (Match m in ImportRegex().Matches(source))
            {
                var imported = new Uri(new Uri("http://x/" + name), m.Groups[1].Value).AbsolutePath.TrimStart('/');
                Assert.True(order.IndexOf(imported) < order.IndexOf(name), $"{imported} comes after {name}, which imports it");
            }
        }
        Assert.DoesNotMatch(new Regex(@"^\s*(import|export)\b", RegexOptions.Multiline), bundle);

        // The stylesheet too; the page itself is revalidated, so a new build is seen at once.
        var css = Assert.Single(StylesheetRegex().Matches(html)).Groups[1].Value;
        Assert.Matches(@"^/ui/app\.[0-9a-f]{16}\.css$", css);
        Assert.Equal(WebAppAssets.ImmutableCaching, (await GetAsync(css)).Headers.CacheControl!.ToString());
        Assert.Equal("no-cache", (await GetAsync("/", "text/html")).Headers.CacheControl!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/ui/app.0000000000000000.js")).StatusCode);
    }

    [Fact]
    public async Task A_browser_accepting_gzip_gets_the_files_compressed_at_start_and_others_get_them_plain()
    {
        foreach (var url in new[] { "/ui/app.js", "/ui/js/api.js", "/ui/app.css", "/" })
        {
            var plain = await GetAsync(url, "text/html");
            var plainBytes = await plain.Content.ReadAsByteArrayAsync();
            Assert.Empty(plain.Content.Headers.ContentEncoding);
            Assert.Contains("Accept-Encoding", plain.Headers.Vary);

            using var req = new HttpRequestMessage(HttpMethod.Get, url);
            req.Headers.TryAddWithoutValidation("Accept", "text/html");
            req.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate");
            var packed = await f.Http.SendAsync(req);
            Assert.Equal(HttpStatusCode.OK, packed.StatusCode);
            Assert.Equal("gzip", Assert.Single(packed.Content.Headers.ContentEncoding));
            var packedBytes = await packed.Content.ReadAsByteArrayAsync();
            Assert.True(packedBytes.Length < plainBytes.Length, url);
            using var unpacked = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(new MemoryStream(packedBytes), System.IO.Compression.CompressionMode.Decompress))
                await gzip.CopyToAsync(unpacked);
            Assert.Equal(plainBytes, unpacked.ToArray());
            Assert.Equal(plain.Content.Headers.ContentType?.MediaType, packed.Content.Headers.ContentType?.MediaType);

            // Each encoding has an ETag of its own, and each revalidates.
            Assert.NotEqual(plain.Headers.ETag!.Tag, packed.Headers.ETag!.Tag);
            using var again = new HttpRequestMessage(HttpMethod.Get, url);
            again.Headers.TryAddWithoutValidation("Accept", "text/html");
            again.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
            again.Headers.TryAddWithoutValidation("If-None-Match", packed.Headers.ETag.Tag);
            Assert.Equal(HttpStatusCode.NotModified, (await f.Http.SendAsync(again)).StatusCode);
        }
        // gzip;q=0 is a refusal.
        using var refused = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        refused.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip;q=0");
        Assert.Empty((await f.Http.SendAsync(refused)).Content.Headers.ContentEncoding);
    }

    [Fact]
    public void The_bundle_refuses_what_it_does_not_understand()
    {
        Assert.Throws<InvalidOperationException>(() => ModuleBundle.Build(new Dictionary<string, string> { ["js/main.js"] = "import x from './a.js';\n" }, "js/main.js"));
        Assert.Throws<InvalidOperationException>(() => ModuleBundle.Build(new Dictionary<string, string> { ["js/main.js"] = "export default 1;\n" }, "js/main.js"));
        Assert.Throws<InvalidOperationException>(() => ModuleBundle.Build(new Dictionary<string, string> { ["js/main.js"] = "import { a } from './a.js';\n" }, "js/main.js"));
        Assert.Throws<InvalidOperationException>(() => ModuleBundle.Build(new Dictionary<string, string>
        {
            ["js/main.js"] = "import { a } from './a.js';\n", ["js/a.js"] = "import { b } from './main.js';\nexport const a = 1;\n",
        }, "js/main.js"));
        var ok = ModuleBundle.Build(new Dictionary<string, string>
        {
            ["js/main.js"] = "import { a, b as c } from './lib/a.js';\nimport * as all from './lib/a.js';\nconsole.log(a, c, all.a);\n",
            ["js/lib/a.js"] = "export const a = 1;\nexport async function b() { return 2; }\n",
        }, "js/main.js");
        Assert.Contains("const { a, b: c } = module0;", ok, StringComparison.Ordinal);
        Assert.Contains("const all = module0;", ok, StringComparison.Ordinal);
        Assert.Contains("return { a, b };", ok, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"<script type=""module"" src=""([^""]+)""></script>")]
    private static partial Regex ScriptSrcRegex();

    [GeneratedRegex(@"<link rel=""stylesheet"" href=""([^""]+)"">")]
    private static partial Regex StylesheetRegex();

    [GeneratedRegex(@"^// ---- (\S+) ----$", RegexOptions.Multiline)]
    private static partial Regex BundledRegex();

    [GeneratedRegex(@"(?:import|from)\s+'(\.{1,2}/[^']+)'")]
    private static partial Regex ImportRegex();

    [Fact]
    public async Task The_files_come_from_the_assembly_not_from_the_disk()
    {
        Assert.Contains("index.html", new WebAppAssets().Names);
        Assert.Contains("js/routes.js", new WebAppAssets().Names);
        // The build output holds no copy of them: a published build serves what is embedded.
        Assert.Empty(Directory.EnumerateFiles(AppContext.BaseDirectory, "worksheet.js", SearchOption.AllDirectories));
        var resp = await GetAsync("/ui/js/screens/worksheet.js");
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
    }

    [Fact]
    public async Task An_unchanged_file_answers_304_and_an_unknown_one_404_in_plain_text()
    {
        var first = await GetAsync("/ui/js/api.js");
        var etag = first.Headers.ETag!.Tag;
        Assert.Equal("no-cache", first.Headers.CacheControl!.ToString());
        var again = await GetAsync("/ui/js/api.js", ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);

        foreach (var url in new[] { "/ui/nothing.js", "/ui/index.html", "/ui/../appsettings.json", "/ui/" })
        {
            var resp = await GetAsync(url);
            Assert.True(resp.StatusCode == HttpStatusCode.NotFound, $"{url}: {(int)resp.StatusCode}");
            Assert.NotEqual("text/html", resp.Content.Headers.ContentType?.MediaType);
        }
    }
}

/// <summary>Under ApiKey the app's files need no credential (its data does).</summary>
public sealed class WebAppAuthTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    [Fact]
    public async Task The_app_loads_without_a_key_and_the_api_still_needs_one()
    {
        using var anonymous = f.Anonymous();
        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(page)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ui/js/main.js")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v2.0/companies")).StatusCode);
    }
}
