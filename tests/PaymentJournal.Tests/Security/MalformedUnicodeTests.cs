using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.OData;
using Route = PaymentJournal.Tests.Fixtures.Route;
using Xunit.Abstractions;

namespace PaymentJournal.Tests.Security;

/// <summary>
/// Malformed Unicode (lone UTF-16 surrogates, invalid and overlong UTF-8, a byte order mark inside text) in bodies,
/// URLs, $filter literals, keys, headers and $batch parts: always a 400 in the service's error body, never a 5xx,
/// and nothing stored. The fuzz feeds such text to every writable string property of every writable entity set and to
/// every query option; it is seeded (PAYMENTJOURNAL_UNICODE_SEED replays a run, PAYMENTJOURNAL_UNICODE_CASES sets its
/// size) and names the seed in its output and in every failure.
/// </summary>
[Trait("Category", "Slow")]
public sealed class MalformedUnicodeTests(ServiceFixture f, ITestOutputHelper output) : IClassFixture<ServiceFixture>
{
    /// <summary>Malformed pieces as raw bytes, for bodies and headers.</summary>
    private static readonly (string Name, byte[] Bytes)[] RawPieces =
    [
        ("invalid byte FF", [0xFF]), ("lone continuation byte", [0x80]), ("truncated sequence", [0xC3]), ("truncated 3-byte sequence", [0xE2, 0x82]),
        ("overlong '/'", [0xC0, 0xAF]), ("overlong '.'", [0xC0, 0xAE]), ("overlong 3-byte '/'", [0xE0, 0x80, 0xAF]), ("overlong 4-byte '/'", [0xF0, 0x80, 0x80, 0xAF]),
        ("encoded surrogate U+D800", [0xED, 0xA0, 0x80]), ("encoded surrogate U+DFFF", [0xED, 0xBF, 0xBF]), ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
        ("F5 lead byte", [0xF5, 0x80, 0x80, 0x80]), ("byte order mark in the middle", [0xEF, 0xBB, 0xBF]),
    ];

    /// <summary>Malformed pieces as JSON escapes, for bodies.</summary>
    private static readonly string[] JsonEscapes = ["\\ud800", "\\udc00", "\\uDBFF", "\\udc00\\ud800", "\\ud83dA", "\\ufeff", "\\uD800\\u0041"];

    private static string Percent(byte[] bytes) => string.Concat(bytes.Select(b => "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    private static readonly string Payments = ServiceFixture.PaymentsPath();

    private async Task<(int Status, string Text, HttpResponseMessage Response)> Raw(HttpMethod method, string url, byte[]? body = null,
        string contentType = "application/json", IEnumerable<(string, string)>? headers = null)
    {
        // Header values go out byte for byte (Latin-1), the URL exactly as written: only spaces and non-ASCII are escaped.
        var sent = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(url))
            sent.Append(b is <= (byte)' ' or >= 0x7F ? "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture) : ((char)b).ToString());
        using var req = new HttpRequestMessage(method, new Uri(f.BaseAddress.GetLeftPart(UriPartial.Authority) + sent, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        if (body is not null)
        {
            req.Content = new ByteArrayContent(body);
            req.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        foreach (var (k, v) in headers ?? []) req.Headers.TryAddWithoutValidation(k, v);
        var resp = await _raw.Value.SendAsync(req);
        return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync(), resp);
    }

    private readonly Lazy<HttpClient> _raw = new(() =>
        new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 }) { BaseAddress = f.BaseAddress });

    private static void ExpectMalformed((int Status, string Text, HttpResponseMessage Response) r, string what)
    {
        Assert.True(r.Status == 400, $"{what}: expected 400, got {r.Status} {r.Text}");
        var body = JsonNode.Parse(r.Text)!;
        Assert.Equal("BadRequest", body.ErrorCode());
        Assert.Contains("not well-formed Unicode", body["error"]!["message"]!.GetValue<string>());
        Assert.EndsWith(r.Response.Headers.GetValues("ms-correlation-x").Single() + ".", body["error"]!["message"]!.GetValue<string>());
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    [Fact]
    public async Task A_lone_surrogate_in_a_json_string_is_a_400_not_a_500()
    {
        var before = await DbSnapshot.TakeAsync(f);
        ExpectMalformed(await Raw(HttpMethod.Post, Payments, Utf8("{\"description\":\"\\ud800\"}")), "POST description \\ud800");
        ExpectMalformed(await Raw(HttpMethod.Post, Payments, Utf8("{\"customerNumber\":\"C00001\",\"\\udc00\":1}")), "property name \\udc00");
        ExpectMalformed(await Raw(HttpMethod.Post, ServiceFixture.Graph + $"companies/{ServiceFixture.Company}/customers", Utf8("{\"displayName\":\"x\\ud800y\"}")), "Graph customer");
        ExpectMalformed(await Raw(HttpMethod.Patch, Route.V2.Journal(ServiceFixture.General), Utf8("{\"displayName\":\"\\udfff\"}"), headers: [("If-Match", "*")]), "PATCH journal");
        ExpectMalformed(await Raw(HttpMethod.Post, Route.V2.Journal(ServiceFixture.General) + "/Microsoft.NAV.post", Utf8("{\"\\ud800\":1}")), "action body");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    [Fact]
    public async Task Invalid_utf8_overlong_forms_and_a_bom_inside_a_body_are_400()
    {
        var before = await DbSnapshot.TakeAsync(f);
        foreach (var (name, bytes) in RawPieces)
            ExpectMalformed(await Raw(HttpMethod.Post, Payments, Concat(Utf8("{\"customerNumber\":\"C00001\",\"description\":\"a"), bytes, Utf8("b\"}"))), name);
        ExpectMalformed(await Raw(HttpMethod.Post, Payments, Concat(Utf8("{\"customerNumber\":\"C00001\",\"description\":\"a"), Utf8("\\ufeff"), Utf8("\"}"))), "escaped BOM");
        // A byte order mark at the very start is allowed (and skipped); a second one is not.
        var bom = new byte[] { 0xEF, 0xBB, 0xBF };
        ExpectMalformed(await Raw(HttpMethod.Post, Payments, Concat(bom, bom, Utf8("{\"customerNumber\":\"C00001\"}"))), "two BOMs");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
        var leading = await Raw(HttpMethod.Post, Payments, Concat(bom, Utf8("{\"customerNumber\":\"C00001\",\"description\":\"bom\"}")));
        Assert.True(leading.Status == 201, leading.Text);
    }

    [Fact]
    public async Task Malformed_percent_encoding_in_paths_keys_and_query_options_is_400()
    {
        var before = await DbSnapshot.TakeAsync(f);
        foreach (var (name, bytes) in RawPieces)
        {
            var p = Percent(bytes);
            ExpectMalformed(await Raw(HttpMethod.Get, $"{Payments}?$filter=description eq 'a{p}'"), "$filter literal " + name);
            ExpectMalformed(await Raw(HttpMethod.Get, $"{Payments}?$orderby={p}"), "$orderby " + name);
            ExpectMalformed(await Raw(HttpMethod.Get, $"{Payments}?x{p}=1"), "option name " + name);
            ExpectMalformed(await Raw(HttpMethod.Get, $"{ServiceFixture.CompanyPath()}/customers(c0000000{p})"), "key " + name);
            ExpectMalformed(await Raw(HttpMethod.Delete, $"{ServiceFixture.CompanyPath()}/customers('{p}')"), "DELETE key " + name);
            ExpectMalformed(await Raw(HttpMethod.Get, $"{ServiceFixture.CompanyPath()}/cust{p}omers"), "segment " + name);
        }
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    [Fact]
    public async Task Malformed_header_values_are_400_with_the_error_body()
    {
        foreach (var (name, bytes) in RawPieces)
        {
            var value = "a" + Encoding.Latin1.GetString(bytes) + "b";
            ExpectMalformed(await Raw(HttpMethod.Get, Payments, headers: [("X-Custom", value)]), "X-Custom " + name);
            ExpectMalformed(await Raw(HttpMethod.Patch, Route.V2.Journal(ServiceFixture.General), Utf8("{\"displayName\":\"x\"}"), headers: [("If-Match", "W/\"" + value + "\"")]), "If-Match " + name);
        }
        // Well-formed UTF-8 in a header is fine.
        var ok = await Raw(HttpMethod.Get, Payments, headers: [("X-Custom", Encoding.Latin1.GetString(Utf8("café 😀")))]);
        Assert.Equal(200, ok.Status);
    }

    [Fact]
    public async Task Malformed_text_in_batch_parts_is_400()
    {
        var before = await DbSnapshot.TakeAsync(f);
        var part = $"companies({ServiceFixture.Company})/customerPaymentJournals({ServiceFixture.General})/customerPayments";
        ExpectMalformed(await Raw(HttpMethod.Post, ServiceFixture.V2 + "$batch",
            Utf8($"{{\"requests\":[{{\"id\":\"1\",\"method\":\"POST\",\"url\":\"{part}\",\"body\":{{\"customerNumber\":\"C00001\",\"description\":\"\\ud800\"}}}}]}}")), "JSON batch body");
        ExpectMalformed(await Raw(HttpMethod.Post, ServiceFixture.V2 + "$batch",
            Utf8($"{{\"requests\":[{{\"id\":\"1\",\"method\":\"GET\",\"url\":\"{part}\",\"headers\":{{\"Prefer\":\"\\udc00\"}}}}]}}")), "JSON batch header");
        var multipart = Concat(Utf8($"--b\r\nContent-Type: application/http\r\n\r\nPOST {part} HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{{\"customerNumber\":\"C00001\",\"description\":\"a"),
            [0xC0, 0xAF], Utf8("\"}\r\n--b--\r\n"));
        ExpectMalformed(await Raw(HttpMethod.Post, ServiceFixture.V2 + "$batch", multipart, "multipart/mixed; boundary=b"), "multipart body");

        // A part's own URL: that part is a 400, the batch answers.
        var r = await Raw(HttpMethod.Post, ServiceFixture.V2 + "$batch",
            Utf8($"{{\"requests\":[{{\"id\":\"1\",\"method\":\"GET\",\"url\":\"{part}?$filter=description eq '%ED%A0%80'\"}}]}}"));
        Assert.Equal(200, r.Status);
        var response = JsonNode.Parse(r.Text)!["responses"]![0]!;
        Assert.Equal(400, response["status"]!.GetValue<int>());
        Assert.Equal("BadRequest", response["body"].ErrorCode());
        Assert.Contains("not well-formed Unicode", response["body"]!["error"]!["message"]!.GetValue<string>());
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    // ---- the fuzz ----

    private sealed record Target(EntitySetDef Set, Surface Surface, string Collection, string? Entity);

    /// <summary>Every writable set on both surfaces with a collection URL to POST to and, where a row is known, an entity URL to PATCH.</summary>
    private static List<Target> Targets(Catalog catalog, IReadOnlyDictionary<string, Guid> keys, Guid payment)
    {
        var targets = new List<Target>();
        foreach (var surface in new[] { catalog.V2, catalog.Graph })
        {
            var root = surface.IsGraph ? ServiceFixture.Graph : ServiceFixture.V2;
            string Keyed(string set) => surface.IsGraph ? $"{set}/{keys[set]:D}" : $"{set}({keys[set]:D})";
            var company = ServiceFixture.CompanyPath(root);
            foreach (var set in catalog.Sets.Where(s => s.On(surface.Kind) && (s.CanCreate || s.CanUpdate)))
            {
                string? collection = null;
                if (set.CompanyLevelOn(surface.Kind)) collection = $"{company}/{set.Name}";
                else
                {
                    // Reached through a parent: the first company-level set with a contained navigation to it.
                    foreach (var parent in catalog.Sets.Where(p => p.On(surface.Kind) && p.CompanyLevelOn(surface.Kind) && keys.ContainsKey(p.Name)))
                    {
                        var nav = parent.Navigations.FirstOrDefault(n => n.TargetSet == set.Name && n.IsCollection && n.On(surface.Kind));
                        if (nav is not null) { collection = $"{company}/{Keyed(parent.Name)}/{nav.Name}"; break; }
                    }
                }
                if (collection is null) continue;
                string? entity = null;
                if (set.CanUpdate && set.ParentKey is null)
                {
                    var key = set.Name == "customerPayments" ? payment : keys.GetValueOrDefault(set.Name);
                    if (key != Guid.Empty) entity = surface.IsGraph ? $"{collection}/{key:D}" : $"{collection}({key:D})";
                }
                targets.Add(new Target(set, surface, collection, entity));
            }
        }
        return targets;
    }

    [Fact]
    public async Task Fuzz_malformed_text_everywhere_gets_4xx_and_changes_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PAYMENTJOURNAL_UNICODE_SEED"), out var s) ? s : 20261206;
        var cases = int.TryParse(Environment.GetEnvironmentVariable("PAYMENTJOURNAL_UNICODE_CASES"), out var n) ? n : 600;
        output.WriteLine($"malformed Unicode fuzz: seed {seed}, {cases} cases (PAYMENTJOURNAL_UNICODE_SEED={seed} replays it)");
        var rnd = new Random(seed);

        // A payment to PATCH (made before the snapshot).
        var created = await f.Http.Post(Payments, new { customerNumber = "C00001", amount = -1, description = "fuzz target" });
        Assert.Equal(201, created.Status);
        var payment = Guid.Parse(created.Body.Str("id"));
        var keys = new Dictionary<string, Guid>
        {
            ["customers"] = Data.DemoSeed.CustomerId(1), ["contacts"] = Data.DemoSeed.ContactId(1), ["customerPaymentJournals"] = Data.DemoSeed.GeneralJournalId,
            ["salesInvoices"] = Data.DemoSeed.InvoiceId(1), ["dimensions"] = Guid.Parse("f3000000-0000-4000-8000-000000000001"), ["customerPayments"] = payment,
            ["purchaseInvoices"] = Data.DemoSeed.PurchaseInvoiceId(1),
            ["vendors"] = Data.DemoSeed.VendorId(1),
        };
        var catalog = f.Services.GetRequiredService<Catalog>();
        var targets = Targets(catalog, keys, payment);
        Assert.Contains(targets, t => t.Set.Name == "customerPayments");
        Assert.Contains(targets, t => t.Set.Name == "customers");
        var readable = targets.Select(t => t.Collection).Distinct().ToList();
        readable.AddRange(catalog.Sets.Where(x => x.CompanyLevelOn(Surfaces.V2) && x != catalog.Companies && x.On(Surfaces.V2)).Select(x => $"{ServiceFixture.CompanyPath()}/{x.Name}"));

        var before = await DbSnapshot.TakeAsync(f);
        var failures = new List<string>();
        var kinds = new Dictionary<string, int>();
        string Pick(IReadOnlyList<string> from) => from[rnd.Next(from.Count)];
        byte[] RawPiece() => RawPieces[rnd.Next(RawPieces.Length)].Bytes;
        byte[] JsonMalformed(string prefix, string suffix) => rnd.Next(2) == 0
            ? Concat(Utf8(prefix), RawPiece(), Utf8(suffix))
            : Utf8(prefix + JsonEscapes[rnd.Next(JsonEscapes.Length)] + suffix);
        string Text() => Pick(["", "a", "Payment ", "café ", "😀", "C0000"]);
        string[] options = ["$filter", "$select", "$orderby", "$expand", "$top", "$skip", "$skiptoken", "$count", "$format", "$schemaversion", "custom"];

        for (var i = 0; i < cases; i++)
        {
            string label;
            (int Status, string Text, HttpResponseMessage Response) r;
            var kind = rnd.Next(6);
            switch (kind)
            {
                case 0 or 1:
                {
                    // A writable string property of a writable set: POST to its collection or PATCH a row of it.
                    var t = targets[rnd.Next(targets.Count)];
                    var fields = t.Set.FieldsOn(t.Surface.Kind).Where(x => x.Kind is FieldKind.String or FieldKind.Enum && x.Access != Access.ReadOnly).ToList();
                    if (fields.Count == 0) { i--; continue; }
                    var field = fields[rnd.Next(fields.Count)];
                    var patch = t.Entity is not null && t.Set.CanUpdate && field.Access == Access.ReadWrite && rnd.Next(2) == 0;
                    var body = JsonMalformed($"{{\"{field.Name}\":\"{Text()}", $"{Text()}\"}}");
                    label = $"{(patch ? "PATCH " + t.Entity : "POST " + t.Collection)} {field.Name}";
                    r = patch ? await Raw(HttpMethod.Patch, t.Entity!, body, headers: [("If-Match", "*")]) : await Raw(HttpMethod.Post, t.Collection, body);
                    break;
                }
                case 2:
                {
                    // A query option, its value or its name.
                    var url = Pick(readable);
                    var option = Pick(options);
                    var bad = Percent(RawPiece());
                    var query = option switch
                    {
                        "$filter" => $"$filter=description eq '{Text()}{bad}'",
                        "custom" => $"x{bad}=1",
                        _ => rnd.Next(3) == 0 ? $"{option}{bad}=1" : $"{option}={Uri.EscapeDataString(Text())}{bad}",
                    };
                    label = $"GET {url}?{query}";
                    r = await Raw(HttpMethod.Get, url + "?" + query);
                    break;
                }
                case 3:
                {
                    // A key.
                    var t = targets[rnd.Next(targets.Count)];
                    var key = Pick(["c0000000", "", "'", "id="]) + Percent(RawPiece());
                    var method = Pick(["GET", "PATCH", "DELETE"]);
                    var url = t.Surface.IsGraph && rnd.Next(2) == 0 ? $"{t.Collection}/{key}" : $"{t.Collection}({key})";
                    label = $"{method} {url}";
                    r = await Raw(new HttpMethod(method), url, method == "PATCH" ? Utf8("{\"description\":\"x\"}") : null, headers: method == "GET" ? null : [("If-Match", "*")]);
                    break;
                }
                case 4:
                {
                    // A header.
                    var header = Pick(["If-Match", "Prefer", "Accept", "X-Custom", "Isolation", "Data-Access-Intent", "Content-Type"]);
                    var value = Text() + Encoding.Latin1.GetString(RawPiece()) + Text();
                    var t = targets[rnd.Next(targets.Count)];
                    var write = rnd.Next(2) == 0;
                    label = $"{(write ? "POST" : "GET")} {t.Collection} {header}";
                    if (header == "Content-Type")
                        r = await Raw(HttpMethod.Post, t.Collection, Utf8("{}"), contentType: "application/json; x=" + value);
                    else
                        r = write ? await Raw(HttpMethod.Post, t.Collection, Utf8("{}"), headers: [(header, value)]) : await Raw(HttpMethod.Get, t.Collection, headers: [(header, value)]);
                    break;
                }
                default:
                {
                    // A $batch part: its body, a header, or its URL.
                    var t = targets.Where(x => x.Surface.IsV2).ToList()[rnd.Next(targets.Count(x => x.Surface.IsV2))];
                    var relative = t.Collection[ServiceFixture.V2.Length..];
                    var which = rnd.Next(4);
                    byte[] body;
                    var contentType = "application/json";
                    if (which == 0) body = JsonMalformed($"{{\"requests\":[{{\"id\":\"1\",\"method\":\"POST\",\"url\":\"{relative}\",\"body\":{{\"description\":\"{Text()}", "\"}}]}");
                    else if (which == 1) body = JsonMalformed($"{{\"requests\":[{{\"id\":\"1\",\"method\":\"GET\",\"url\":\"{relative}\",\"headers\":{{\"Prefer\":\"", "\"}}]}");
                    else if (which == 2) body = Utf8($"{{\"requests\":[{{\"id\":\"1\",\"method\":\"GET\",\"url\":\"{relative}?$filter=description eq '{Percent(RawPiece())}'\"}}]}}");
                    else
                    {
                        body = Concat(Utf8($"--b\r\nContent-Type: application/http\r\n\r\nPOST {relative} HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{{\"description\":\"{Text()}"),
                            RawPiece(), Utf8("\"}\r\n--b--\r\n"));
                        contentType = "multipart/mixed; boundary=b";
                    }
                    label = $"$batch ({which}) {relative}";
                    r = await Raw(HttpMethod.Post, ServiceFixture.V2 + "$batch", body, contentType);
                    if (r.Status == 200 && which == 2)
                    {
                        var part = JsonNode.Parse(r.Text)!["responses"]![0]!;
                        var partStatus = part["status"]!.GetValue<int>();
                        if (partStatus != 400) failures.Add($"seed {seed} case {i}: {label}: part answered {partStatus} {part.ToJsonString()}");
                        kinds[$"batch part {partStatus}"] = kinds.GetValueOrDefault($"batch part {partStatus}") + 1;
                        continue;
                    }
                    break;
                }
            }
            kinds[$"{r.Status}"] = kinds.GetValueOrDefault($"{r.Status}") + 1;
            if (r.Status is < 400 or >= 500)
                failures.Add($"seed {seed} case {i}: {label}: {r.Status} {r.Text[..Math.Min(300, r.Text.Length)]}");
        }
        output.WriteLine("statuses: " + string.Join(", ", kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} x{k.Value}")));
        Assert.True(failures.Count == 0, $"seed {seed}: {failures.Count} failures\n" + string.Join("\n", failures.Take(30)));
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }
}
