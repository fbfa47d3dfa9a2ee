using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.OData;
using Xunit.Abstractions;

namespace PaymentJournal.Tests.Security;

/// <summary>
/// A seeded generator sends ten thousand malformed and hostile requests across every route and method. Each one that
/// could change data carries at least one fault that must make the service refuse it, so afterwards the whole database
/// must be exactly as before; none may get a 5xx, hang or take the service down; no error body may show internals.
/// Then a smaller set of valid writes runs, and the ledger invariants must still hold.
/// The seed is HOSTILE_SEED if set, else fixed; a failure names the seed and the request.
/// </summary>
[Trait("Category", "Slow")]
public sealed class HostileInputTests(ApiKeyFixture f, ITestOutputHelper output) : IClassFixture<ApiKeyFixture>
{
    private const int Count = 10_000;
    private const int Workers = 4;

    private sealed record Hostile(string Method, string Url, string? Body, string? ContentType, Dictionary<string, string> Headers, bool MustReject, string Fault)
    {
        public override string ToString() => $"{Fault}: {Method} {Short(Url)} body={Short(Body ?? "")} ct={ContentType} h={string.Join(",", Headers.Select(h => h.Key + "=" + Short(h.Value)))}";
        private static string Short(string s) => s.Length <= 160 ? s : s[..160] + $"...({s.Length})";
    }

    private static readonly string[] Injections =
    [
        "' OR '1'='1", "'; DROP TABLE customers; --", "\" OR 1=1 --", "1; DELETE FROM general_ledger_entries", "%27%20OR%201%3D1",
        "../../../../etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2f", "<script>alert(1)</script>", "${jndi:ldap://x/a}",
        "{{7*7}}", "\u0000", "%00", "\u202e\u0041", "😀😀", "\uFFFF", "null", "undefined", "NaN", "-1", "0x7fffffff",
        "00000000-0000-0000-0000-000000000000", "{c0000000-0000-4000-8000-000000000001}", "c0000000000040008000000000000001",
        "c0000000-0000-4000-8000-00000000000", "c0000000-0000-4000-8000-0000000000011", "g0000000-0000-4000-8000-000000000001",
        "id=", "''", "'", "(", ")", "/", "\\", "*", "$", "$count", "$metadata", "$batch", "%", "%ZZ", "%C0%AE",
        "\r\nX-Injected: yes", "%0d%0aX-Injected:%20yes", "a\rX-Injected: yes", "caf\u00e9", "\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9",
    ];

    /// <summary>Tenant and environment segments of the online form that Business Central would not name.</summary>
    private static readonly string[] SegmentInjections =
    [
        "caf%C3%A9", "t%0d%0aX-Injected:%20yes%0d%0a%0d%0a--fake", "%0a", "%0d", "a%20b", "-x", "x-", "a..b", "a_b.c", "%E2%80%AE",
        "%F0%9F%98%80", new string('e', 31), new string('t', 64), "a%2Fb", "%25", "a%00b", "%C3%BC%C3%B1",
    ];

    private static readonly string[] FilterInjections =
    [
        "displayName eq 'x'' or 1 eq 1 --'", "id eq 1 or 1 eq 1", "displayName eq '", "contains(displayName,'%')",
        "substringof('a',displayName)", "amount gt 1e400", "amount div 0 gt 1", "(((((((((((((((((((((((((x)))))))))))))))))))))))))",
        "not not not not not not not not not not not not not not not not not not true", string.Join(" or ", Enumerable.Repeat("1 eq 1", 300)),
        "displayName eq null", "id eq c0000000-0000-4000-8000-000000000001; DROP TABLE companies", "cast(displayName,Edm.Int32) eq 1",
        "any(x: x eq 1)", "customerPayments/any(p: p/amount gt 0)", "length(displayName) gt -9223372036854775808",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PATCH", "DELETE", "PUT", "MERGE", "HEAD", "OPTIONS", "TRACE", "FOO"];

    private static readonly string[] BrokenJson =
    [
        "{", "}", "{\"displayName\":", "{\"displayName\":\"x\",}", "{'displayName':'x'}", "{displayName:\"x\"}", "[", "]", "nul", "tru",
        "{\"displayName\":\"x\"}{", "{\"a\":\"\\u12\"}", "{\"a\":\"\u0001\"}", "\uFEFF\uFEFF{", "{\"displayName\":\"x\" \"number\":\"y\"}",
        "{\"amount\": 01}", "{\"amount\": .5}", "{\"amount\": +1}", "{\"amount\": 1.}", "{\"amount\": NaN}", "{\"amount\": Infinity}",
        "/* comment */ {}", "{\"x\":1} trailing", "\"just a string", "{\"a\":[1,2,]}",
    ];

    private static readonly string[] WrongValues =
    [
        "123", "-1", "1e400", "-1e400", "true", "false", "{}", "[]", "[1,2,3]", "{\"a\":{\"b\":1}}", "\"not-a-guid\"", "\"2026-13-45\"",
        "\"9999999999999999999999999999999\"", "99999999999999999999999999999999999", "0.0000000000000000000000000001",
        "\"\"", "\" \"", "\"\\u0000\"", "null",
    ];

    [Fact]
    public async Task Ten_thousand_hostile_requests_change_nothing_and_never_get_a_5xx()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_SEED"), out var s) ? s : 20261122;
        var requests = Generate(seed);
        Assert.True(requests.Count >= Count);
        var before = await DbSnapshot.TakeAsync(f);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var statusCounts = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var leakMarkers = new[] { f.Directory, "   at ", ".cs:line", "SqliteException", "Microsoft.Data.Sqlite", "Microsoft.EntityFrameworkCore", "StackTrace", "System.InvalidOperationException", "System.NullReferenceException" };

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Workers, PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // Send non-ASCII header values as UTF-8 bytes instead of refusing them, as a hostile client would.
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        };
        using var http = new HttpClient(handler) { BaseAddress = f.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        var origin = f.BaseAddress.GetLeftPart(UriPartial.Authority);
        var clock = Stopwatch.StartNew();
        var next = -1;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests.Count)
            {
                var h = requests[i];
                int status;
                string text;
                try
                {
                    using var req = new HttpRequestMessage(new HttpMethod(h.Method), new Uri(origin + h.Url));
                    if (h.Body is not null)
                    {
                        req.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(h.Body));
                        if (h.ContentType is not null) req.Content.Headers.TryAddWithoutValidation("Content-Type", h.ContentType);
                    }
                    foreach (var (k, v) in h.Headers) req.Headers.TryAddWithoutValidation(k, v);
                    using var resp = await http.SendAsync(req);
                    status = (int)resp.StatusCode;
                    text = await resp.Content.ReadAsStringAsync();
                    // No echoed value may split a header or reach one with a control or non-ASCII character.
                    foreach (var (name, values) in resp.Headers.NonValidated.Concat(resp.Content.Headers.NonValidated))
                        foreach (var v in values)
                            if (name.Contains("Injected", StringComparison.OrdinalIgnoreCase) || v.Any(c => c is < ' ' or > '~'))
                                failures.Enqueue($"#{i} header {name}: {v} for {h}");
                    if (resp.Content.Headers.ContentType?.MediaType == "multipart/mixed")
                        foreach (var line in text.Split('\n'))
                            if (line.StartsWith("X-Injected", StringComparison.OrdinalIgnoreCase) || line.StartsWith("--fake", StringComparison.Ordinal))
                                failures.Enqueue($"#{i} a $batch part has an injected line '{line.TrimEnd()}' for {h}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"#{i} no answer ({e.GetType().Name}: {e.Message}) for {h}");
                    continue;
                }
                statusCounts.AddOrUpdate(status, 1, (_, c) => c + 1);
                if (status >= 500) failures.Enqueue($"#{i} {status} {text[..Math.Min(200, text.Length)]} for {h} url={h.Url}");
                else if (h.MustReject && status < 400) failures.Enqueue($"#{i} accepted with {status} for {h}");
                foreach (var marker in leakMarkers)
                    if (text.Contains(marker, StringComparison.Ordinal)) failures.Enqueue($"#{i} body shows '{marker}' for {h}");
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(Worker)));
        clock.Stop();

        var raw = await RawHostileAsync(seed);
        foreach (var fail in raw) failures.Enqueue(fail);

        output.WriteLine($"seed {seed}: {requests.Count} requests in {clock.Elapsed.TotalSeconds:F1} s; statuses " +
            string.Join(", ", statusCounts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}x{kv.Value}")));
        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} failures:\n" + string.Join("\n", failures.Take(30)));
        // No limit on the whole run (a busy machine may take minutes): a hang is a request without an answer in 20 s, above.
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
        Assert.Equal(200, (await f.Http.Get("/health")).Status);

        await ValidWritesAsync(seed);
        await AssertLedgerInvariantsAsync();
    }

    private List<Hostile> Generate(int seed)
    {
        var rnd = new Random(seed);
        var catalog = f.Services.GetRequiredService<Catalog>();
        var fields = catalog.Sets.SelectMany(x => x.AllFields).Select(x => x.Name).Distinct().Order().ToArray();
        Guid KeyA(string set) => set switch
        {
            "customers" => Data.DemoSeed.CustomerId(1), "contacts" => Data.DemoSeed.ContactId(1), "accounts" => Data.DemoSeed.AccountId("2910"),
            "customerPaymentJournals" => Data.DemoSeed.GeneralJournalId, "salesInvoices" => Data.DemoSeed.InvoiceId(1),
            "salesInvoiceLines" => Guid.Parse("d2000000-0000-4000-8000-000000000001"), "dimensions" => Guid.Parse("f3000000-0000-4000-8000-000000000001"),
            "dimensionValues" => Guid.Parse("f4000000-0000-4000-8000-000000000001"), "purchaseInvoices" => Data.DemoSeed.PurchaseInvoiceId(1),
            "purchaseInvoiceLines" => Guid.Parse("b2000000-0000-4000-8000-000000000001"), "vendors" => Data.DemoSeed.VendorId(1), _ => Guid.NewGuid(),
        };
        var routes = new List<string>();
        foreach (var root in new[] { ServiceFixture.V2, ServiceFixture.Graph, ServiceFixture.Ledger, ServiceFixture.Posting })
        {
            routes.AddRange(CatalogRoutes.For(catalog, root, SecondCompany.Id, set => SecondCompany.Keys[set]));
            routes.AddRange(CatalogRoutes.For(catalog, root, ServiceFixture.Company, KeyA));
            routes.AddRange([root, root + "$metadata", root + "companies", root + "$batch"]);
        }
        const string Online = "/v2.0/contoso/production/api/v2.0/";
        routes.AddRange(CatalogRoutes.For(catalog, Online, ServiceFixture.Company, KeyA));
        routes.AddRange([Online + "$batch", Online + "$metadata"]);
        // Collections of company A that take a POST, for bodies naming company B's rows.
        string[] postRoots = [ServiceFixture.V2 + $"companies({ServiceFixture.Company})/", Online + $"companies({ServiceFixture.Company})/", ServiceFixture.Graph + $"companies/{ServiceFixture.Company}/"];
        string[] postSets = ["customerPaymentJournals(" + ServiceFixture.General + ")/customerPayments", "contacts", "salesInvoices", "customerPaymentJournals", "customers", "vendors", "dimensions",
            "customerPayments(" + SecondCompany.Payment + ")/dimensionSetLines", "purchaseInvoices"];
        routes.AddRange(["/v2.0/tenant/production/api/v2.0/companies", "/health", "/", "/api", "/api/v2.0/../../etc/passwd", "/beta/financials/%2e%2e/%2e%2e/etc/passwd"]);

        string Pick(IReadOnlyList<string> from) => from[rnd.Next(from.Count)];
        (string, Guid) PickId(IReadOnlyList<(string, Guid)> from) => from[rnd.Next(from.Count)];
        string Esc(string s) => Uri.EscapeDataString(s);
        string JsonString(string s) => System.Text.Json.JsonSerializer.Serialize(s);

        string InjectKey(string route)
        {
            var inj = Pick(Injections);
            // Replace one GUID in the route (or append a segment) with a hostile key.
            var m = System.Text.RegularExpressions.Regex.Matches(route, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            var hostile = rnd.Next(3) switch { 0 => Esc(inj), 1 => inj.Replace("?", "%3F").Replace("#", "%23"), _ => Esc(inj) + new string('9', rnd.Next(1, 3000)) };
            if (m.Count == 0) return route + "/" + hostile;
            var g = m[rnd.Next(m.Count)];
            return route[..g.Index] + hostile + route[(g.Index + g.Length)..];
        }

        string RandomBodyObject(int faults)
        {
            var props = new List<string>();
            for (var i = rnd.Next(0, 4); i > 0; i--) props.Add($"{JsonString(Pick(fields))}:{Pick(WrongValues)}");
            if (faults > 0)
            {
                props.Add(rnd.Next(6) switch
                {
                    0 => $"\"zz_{rnd.Next(1000)}\":1",
                    1 => $"\"displayName\":\"a\",\"displayName\":\"b\"",
                    2 => $"\"lastModifiedDateTime\":\"2020-01-01T00:00:00Z\"",
                    3 => $"{JsonString(Pick(Injections))}:{JsonString(Pick(Injections))}",
                    4 => $"\"displayName\":{JsonString(new string('x', rnd.Next(300, 200_000)))},\"zz\":0",
                    _ => $"\"number\":{{\"$ne\":null}},\"zz\":0",
                });
            }
            props = props.OrderBy(_ => rnd.Next()).ToList();
            return "{" + string.Join(",", props) + "}";
        }

        var list = new List<Hostile>(Count + 100);
        while (list.Count < Count)
        {
            var route = Pick(routes);
            // Mostly a method the route serves, so that the faults reach the body parser, the rules and the database.
            var path = route.Split('?')[0];
            var isEntity = path.EndsWith(')') || System.Text.RegularExpressions.Regex.IsMatch(path, "/[0-9a-f-]{36}$");
            var method = rnd.Next(10) switch
            {
                < 7 => isEntity ? Pick(["GET", "PATCH", "PATCH", "DELETE"]) : Pick(["GET", "POST", "POST"]),
                < 9 => Pick(["GET", "POST", "PATCH", "DELETE"]),
                _ => Pick(Methods),
            };
            var headers = new Dictionary<string, string> { ["X-Api-Key"] = rnd.Next(20) == 0 ? Pick(Injections) : ApiKeyFixture.Admin };
            var writes = method is not ("GET" or "HEAD" or "OPTIONS" or "TRACE");
            string? body = writes || rnd.Next(10) == 0 ? RandomBodyObject(faults: 0) : null;
            string? contentType = body is null ? null : "application/json";
            string fault;
            switch (rnd.Next(15))
            {
                case 0: fault = "broken json"; body = Pick(BrokenJson); contentType = "application/json"; break;
                case 1: fault = "deep nesting"; var d = rnd.Next(20, 20_000); body = rnd.Next(2) == 0 ? new string('[', d) + new string(']', d) : string.Concat(Enumerable.Repeat("{\"a\":", d)) + "1" + new string('}', d); contentType = "application/json"; break;
                case 2: fault = "bad body"; body = RandomBodyObject(faults: 1); contentType = "application/json"; break;
                case 3: fault = "hostile key"; route = InjectKey(route); break;
                case 4: fault = "path traversal"; route = route + Pick(["/..", "/../..", "/%2e%2e", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/.", "//", "/./../companies", "/..%5c..%5c"]); break;
                case 5:
                    fault = "hostile query";
                    var option = Pick(["$filter", "$select", "$expand", "$orderby", "$top", "$skip", "$skiptoken", "$count", "$search", "$apply", "$format", "$deltatoken", "$compute"]);
                    var value = option == "$filter" ? Pick(FilterInjections) : rnd.Next(2) == 0 ? Pick(Injections) : Pick(["-1", "99999999999999999999", "customerPayments($expand=customer($expand=customer))", "*", "", "a,,b", string.Join(",", fields)]);
                    route += (route.Contains('?') ? "&" : "?") + option + "=" + Esc(value);
                    if (writes && !route.Contains("?$", StringComparison.Ordinal) && !route.Contains("&$", StringComparison.Ordinal)) route += "&$top=1";
                    break;
                case 6: fault = "wrong content type"; contentType = Pick(["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/jsonx", "image/png", "text/json;;;"]); body ??= "{}"; break;
                case 7: fault = "stale if-match"; headers["If-Match"] = Pick(["W/\"1\"", "\"0\"", "W/\"-1\"", "W/\"99999999999999999999\""]); break;
                case 8: fault = "hostile headers"; headers["If-Match"] = Pick(Injections) + "x"; headers["Prefer"] = Pick(["odata.maxpagesize=-1", "odata.maxpagesize=99999999999", "return=" + Pick(Injections), "respond-async, wait=999999"]); headers["Accept"] = Pick(["application/xml", "*/*;q=abc", "text/html"]); headers["Data-Access-Intent"] = Pick(["ReadOnly", "'; DROP"]); break;
                case 9:
                    // A line break after a valid key only adds a header on the wire: the key before it stays valid.
                    fault = "bad credential";
                    headers["X-Api-Key"] = rnd.Next(2) == 0 ? ApiKeyFixture.Admin + Pick(Injections.Where(x => !x.Contains('\n')).ToArray()) : Pick(Injections);
                    break;
                case 10: fault = "wrong method"; method = Pick(["PUT", "MERGE", "FOO", "TRACE", "OPTIONS", "HEAD"]); writes = method is "PUT" or "MERGE" or "FOO"; break;
                case 12:
                {
                    // The online form with a tenant or environment that must be refused before anything runs.
                    fault = "hostile segment";
                    var bad = rnd.Next(3) == 0 ? Esc(Pick(Injections)) + "%0d%0a" : Pick(SegmentInjections);
                    var rest = route.StartsWith(Online, StringComparison.Ordinal) ? route[Online.Length..]
                        : route.StartsWith(ServiceFixture.V2, StringComparison.Ordinal) ? route[ServiceFixture.V2.Length..] : "companies";
                    route = rnd.Next(2) == 0 ? $"/v2.0/{bad}/production/api/v2.0/{rest}" : $"/v2.0/contoso/{bad}/api/v2.0/{rest}";
                    break;
                }
                case 13:
                {
                    // A multipart $batch whose echoed values (Content-ID, the request URL) carry CR, LF or non-ASCII; its one
                    // request carries a fault, so nothing is written.
                    fault = "echoed values in a batch";
                    method = "POST";
                    writes = false;
                    route = Pick([ServiceFixture.V2 + "$batch", Online + "$batch", ServiceFixture.Graph + "$batch"]);
                    var boundary = "b" + rnd.Next();
                    var contentId = Pick(["1\rX-Injected: yes", "caf\u00e9", "\u202e1", "1\r\r", "1 \u00a0"]);
                    var inner = (route.StartsWith("/beta", StringComparison.Ordinal) ? $"companies/{ServiceFixture.Company}/" : $"companies({ServiceFixture.Company})/") + "contacts";
                    body = $"--{boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: {contentId}\r\n\r\n" +
                           $"POST {inner}{Pick(["", "?x=%0d%0a", "?x=caf%C3%A9"])} HTTP/1.1\r\nContent-Type: application/json\r\nPrefer: return=minimal\u00e9\r\n\r\n" +
                           $"{{\"displayName\":\"x\",\"zz\":1}}\r\n--{boundary}--\r\n";
                    contentType = "multipart/mixed; boundary=" + boundary;
                    break;
                }
                case 14:
                {
                    // A create in company A that names company B's rows by id: refused, and the same refusal as for an id that exists nowhere.
                    fault = "foreign id";
                    method = "POST";
                    var set = Pick(postSets);
                    var postRoot = Pick(postRoots);
                    route = postRoot + (postRoot.StartsWith("/beta/", StringComparison.Ordinal) ? set.Replace("(", "/").Replace(")", "") : set);
                    var (field, id) = set switch
                    {
                        _ when set.EndsWith("/customerPayments", StringComparison.Ordinal) => PickId([("id", SecondCompany.Payment), ("customerId", SecondCompany.Customer), ("appliesToInvoiceId", SecondCompany.Invoice)]),
                        _ when set.EndsWith("dimensionSetLines", StringComparison.Ordinal) => PickId([("id", SecondCompany.Dimension), ("valueId", SecondCompany.DimensionValue)]),
                        "contacts" => ("customerId", SecondCompany.Customer),
                        "salesInvoices" => PickId([("customerId", SecondCompany.Customer), ("billToCustomerId", SecondCompany.Customer)]),
                        "purchaseInvoices" => PickId([("vendorId", SecondCompany.PurchaseVendor), ("payToVendorId", SecondCompany.PurchaseVendor)]),
                        "customerPaymentJournals" => ("balancingAccountId", SecondCompany.Account),
                        _ => ("id", SecondCompany.Keys[set]),
                    };
                    var extra = set.EndsWith("/customerPayments", StringComparison.Ordinal) && field != "customerId" ? ",\"customerNumber\":\"C00001\",\"amount\":-1"
                        : set.EndsWith("dimensionSetLines", StringComparison.Ordinal) ? (field == "id" ? ",\"valueCode\":\"10\"" : ",\"code\":\"AREA\"")
                        : set is "contacts" or "customers" or "dimensions" ? ",\"displayName\":\"Probe\",\"code\":\"PRB\"" : "";
                    body = $"{{\"{field}\":\"{id}\"{extra}}}";
                    contentType = "application/json";
                    break;
                }
                default: fault = "read-only or create-only field"; body = "{\"id\":\"" + Guid.NewGuid() + "\",\"lastModifiedDateTime\":\"2020-01-01T00:00:00Z\"}"; contentType = "application/json"; break;
            }
            // Anything that could write must carry a fault that forces a refusal; reads may answer 2xx.
            var mustReject = writes || method is "POST" or "PATCH" or "DELETE";
            // A $batch answers 200 around the refusals of its requests.
            if (fault == "echoed values in a batch") mustReject = false;
            if (mustReject && fault is "hostile query" or "hostile headers" or "wrong method" or "path traversal" or "hostile key" or "hostile segment")
            {
                // These alone need not be refused (e.g. an unknown non-$ query option on a valid POST): add a sure fault.
                body = RandomBodyObject(faults: 1);
                contentType = "application/json";
            }
            if (mustReject && fault == "stale if-match" && method is "POST") { body = RandomBodyObject(faults: 1); contentType = "application/json"; }
            if (mustReject && method == "DELETE" && fault is "broken json" or "deep nesting" or "bad body" or "wrong content type" or "read-only or create-only field")
                headers["If-Match"] = "W/\"1\""; // a DELETE ignores its body: make it stale instead
            if (mustReject && fault == "hostile query" && method == "DELETE") headers["If-Match"] = "W/\"1\"";
            if (mustReject && fault is "hostile headers" && method == "DELETE") headers["If-Match"] = "W/\"2\"";
            if (mustReject && fault is "path traversal" or "hostile key" or "wrong method" && method == "DELETE") headers["If-Match"] = "W/\"3\"";
            list.Add(new Hostile(method, route, body, contentType, headers, mustReject, fault));
        }
        return list;
    }

    /// <summary>What HttpClient will not send: broken request lines, bad framing, control characters.</summary>
    private async Task<List<string>> RawHostileAsync(int seed)
    {
        var rnd = new Random(seed);
        var failures = new List<string>();
        var host = f.BaseAddress.Authority;
        var key = ApiKeyFixture.Admin;
        string[] templates =
        [
            "GET /api/v2.0/companies HTTP/1.1\r\nHost: {h}\r\nX-Api-Key: {k}\r\n\r\n",
            "GET /api/v2.0/companies\u0000 HTTP/1.1\r\nHost: {h}\r\n\r\n",
            "GET /api/v2.0/comp anies HTTP/1.1\r\nHost: {h}\r\n\r\n",
            "GET /api/v2.0/companies HTTP/9.9\r\nHost: {h}\r\n\r\n",
            "G\u00c9T /api/v2.0/companies HTTP/1.1\r\nHost: {h}\r\n\r\n",
            "GET ../../etc/passwd HTTP/1.1\r\nHost: {h}\r\n\r\n",
            "GET http://evil.example/api/v2.0/companies HTTP/1.1\r\nHost: {h}\r\nX-Api-Key: {k}\r\n\r\n",
            "POST /api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/customers HTTP/1.1\r\nHost: {h}\r\nX-Api-Key: {k}\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\n{\"a\":",
            "POST /api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/customers HTTP/1.1\r\nHost: {h}\r\nX-Api-Key: {k}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            "POST /api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/customers HTTP/1.1\r\nHost: {h}\r\nX-Api-Key: {k}\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
            "GET /api/v2.0/companies HTTP/1.1\r\nHost: {h}\r\nX-Api-Key: {k}\r\nBad Header: x\r\n\r\n",
            "GET /api/v2.0/companies HTTP/1.1\r\nHost: {h}\r\nX-Api-Key: {k}\r\nX-Inject: a\rb\r\n\r\n",
            "GET /api/v2.0/companies HTTP/1.1\r\nHost: {h}\r\nX-Api-Key: {k}\r\n X-Folded: continuation\r\n\r\n",
            "GET /api/v2.0/companies HTTP/1.1\r\nX-Api-Key: {k}\r\n\r\n",
            "\r\n\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        ];
        var texts = Enumerable.Range(0, 160).Select(_ => templates[rnd.Next(templates.Length)].Replace("{h}", host).Replace("{k}", key)).ToList();
        var sync = new object();
        await Parallel.ForEachAsync(texts.Select((t, i) => (t, i)), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (item, _) =>
        {
            var (text, i) = item;
            var (tcp, stream) = await RawHttp.OpenAsync(f.BaseAddress);
            using (tcp)
            {
                try { await stream.WriteAsync(Encoding.Latin1.GetBytes(text)); }
                catch (IOException) { return; }
                // A request that announces more body than it sends waits for the body: the read gives up after a while.
                var response = await RawHttp.ReadResponseAsync(stream, TimeSpan.FromSeconds(3));
                if (response.Length == 0) return; // the server may close a connection it cannot parse
                // A connection preface of HTTP/2 is answered in HTTP/2 frames, not with a status line.
                if (!response.StartsWith("HTTP/", StringComparison.Ordinal)) return;
                var status = response.Split(' ', 3) is [_, var code, ..] && int.TryParse(code, out var c) ? c : 0;
                // Kestrel answers an unknown HTTP version with 505, the protocol's own status for it, before any of our code runs.
                if (status == 505 && text.Contains("HTTP/9.9", StringComparison.Ordinal)) return;
                if (status is 0 or >= 500) lock (sync) failures.Add($"raw #{i}: '{response.Split("\r\n")[0]}' for {text.Split("\r\n")[0]}");
            }
        });
        return failures;
    }

    /// <summary>Valid writes of every kind the demo allows, to prove the service still works and the invariants hold after them.</summary>
    private async Task ValidWritesAsync(int seed)
    {
        var rnd = new Random(seed + 1);
        using var admin = f.With(ApiKeyFixture.Admin);
        var company = ServiceFixture.CompanyPath();
        for (var i = 0; i < 30; i++)
        {
            var contact = await admin.Post(company + "/contacts", new { displayName = "Valid contact " + i, email = $"c{i}@example.com" });
            Assert.Equal(201, contact.Status);
            var url = company + "/contacts(" + contact.Body.Str("id") + ")";
            var patched = await admin.Patch(url, new { jobTitle = "Title " + rnd.Next(1000) }, contact.Body.Str("@odata.etag"));
            Assert.Equal(200, patched.Status);
            if (i % 3 == 0) Assert.Equal(204, (await admin.Delete(url, patched.Body.Str("@odata.etag"))).Status);
            var payment = await admin.Post(ServiceFixture.PaymentsPath(), new { customerNumber = Data.DemoSeed.CustomerNumber(rnd.Next(1, 6)), amount = -(rnd.Next(1, 100_000) / 100m) });
            Assert.True(payment.Status == 201, $"payment: {payment.Status} {payment.Body?.ToJsonString()}");
        }
    }

    private async Task AssertLedgerInvariantsAsync() => await f.WithDb(async db =>
    {
        var unbalanced = await db.GeneralLedgerEntries.GroupBy(e => new { e.CompanyId, e.TransactionNumber })
            .Where(g => g.Sum(e => e.Amount) != 0).Select(g => g.Key.TransactionNumber).ToListAsync();
        Assert.Empty(unbalanced);
        var open = await db.CustomerLedgerEntries.Where(e => e.Open).GroupBy(e => e.CustomerId)
            .Select(g => new { g.Key, Sum = g.Sum(e => e.RemainingAmount) }).ToDictionaryAsync(x => x.Key, x => x.Sum);
        foreach (var c in await db.Customers.Select(c => new { c.Id, c.BalanceDue }).ToListAsync())
            Assert.Equal(open.GetValueOrDefault(c.Id), c.BalanceDue);
        var entries = await db.CustomerLedgerEntries.Where(e => e.DocumentType == "Invoice").ToDictionaryAsync(e => e.SalesInvoiceId, e => e.RemainingAmount);
        foreach (var inv in await db.SalesInvoices.Where(i => i.Status != "Draft").Select(i => new { i.Id, i.RemainingAmount }).ToListAsync())
            Assert.Equal(entries[inv.Id], inv.RemainingAmount);
        return 0;
    });
}
