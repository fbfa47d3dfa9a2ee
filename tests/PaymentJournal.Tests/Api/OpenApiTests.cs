using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

public sealed class OpenApiTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    public static readonly TheoryData<string> Documents = new() { "v2.0", "beta" };
    public static readonly TheoryData<string> EveryDocument = new() { "v2.0", "beta", "paymentjournal/ledger/v1.0", "paymentjournal/posting/v1.0", "paymentjournal/cashApplication/v1.0" };

    private async Task<(string Json, OpenApiDocument Doc)> Read(string name)
    {
        var response = await f.Http.GetAsync($"/openapi/{name}.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.Content.ReadAsStringAsync();
        var (doc, diagnostic) = OpenApiDocument.Parse(json, "json");
        Assert.NotNull(diagnostic);
        Assert.True(diagnostic.Errors.Count == 0, string.Join("\n", diagnostic.Errors.Select(e => e.Pointer + ": " + e.Message)));
        Assert.True(diagnostic.Warnings.Count == 0, string.Join("\n", diagnostic.Warnings.Select(e => e.Pointer + ": " + e.Message)));
        Assert.NotNull(doc);
        var errors = doc.Validate(Microsoft.OpenApi.ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.Pointer + ": " + e.Message)));
        return (json, doc);
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Each_document_reads_back_without_errors_and_describes_the_surface(string name)
    {
        var (json, doc) = await Read(name);
        Assert.StartsWith("3.1", JsonNode.Parse(json)!["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(doc.Paths.Keys, p => p.EndsWith("/salesInvoices({salesInvoice-id})/Microsoft.NAV.post", StringComparison.Ordinal));
        // The journal's post belongs to the posting group's document (an unadvertised alias here).
        Assert.DoesNotContain(doc.Paths.Keys, p => p.EndsWith("/customerPaymentJournals({customerPaymentJournal-id})/Microsoft.NAV.post", StringComparison.Ordinal));
        var payments = doc.Paths.Single(p => p.Key == "/companies({company-id})/customerPaymentJournals({customerPaymentJournal-id})/customerPayments").Value;
        var list = payments.Operations![HttpMethod.Get];
        Assert.Contains(list.Parameters!, p => p.Name == "$filter" && p.In == ParameterLocation.Query);
        Assert.Contains(list.Parameters!, p => p.Name == "$top");
        Assert.NotNull(payments.Operations[HttpMethod.Post].RequestBody);
        Assert.NotNull(list.Responses!["default"]);

        var ns = name == "v2.0" ? "Microsoft.NAV" : "microsoft.graph";
        var payment = doc.Components!.Schemas![ns + ".customerPayment"];
        Assert.True(payment.Properties!["id"].Type!.Value.HasFlag(JsonSchemaType.String));
        Assert.Equal("uuid", payment.Properties["id"].Format);
        Assert.True(payment.Properties["@odata.etag"].ReadOnly);
        Assert.True(payment.Properties["lastModifiedDateTime"].ReadOnly);
        Assert.False(payment.Properties["amount"].ReadOnly);
        Assert.Contains("error", doc.Components.Schemas["ODataError"].Properties!.Keys);
        // No auth configured: no security schemes.
        Assert.True(doc.Components.SecuritySchemes is null or { Count: 0 });
    }

    [Theory]
    [InlineData("v2.0")]
    [InlineData("beta")]
    [InlineData("paymentjournal/posting/v1.0")]
    public async Task Every_post_and_patch_takes_an_Idempotency_Key_and_may_answer_Idempotent_Replayed(string name)
    {
        var (_, doc) = await Read(name);
        var writes = doc.Paths.Values.SelectMany(p => p.Operations!.Where(o => o.Key == HttpMethod.Post || o.Key == HttpMethod.Patch)).ToList();
        Assert.NotEmpty(writes);
        foreach (var (method, op) in writes)
        {
            var key = Assert.Single(op.Parameters!, p => p.Name == "Idempotency-Key");
            Assert.Equal(ParameterLocation.Header, key.In);
            Assert.False(key.Required);
            Assert.Equal(255, key.Schema!.MaxLength);
            var successes = op.Responses!.Where(r => r.Key.StartsWith('2')).ToList();
            Assert.NotEmpty(successes);
            Assert.All(successes, r => Assert.Contains("Idempotent-Replayed", r.Value.Headers!.Keys));
        }
        // GET and DELETE do not take it.
        var others = doc.Paths.Values.SelectMany(p => p.Operations!.Where(o => o.Key == HttpMethod.Get || o.Key == HttpMethod.Delete));
        Assert.All(others, o => Assert.DoesNotContain(o.Value.Parameters ?? [], p => p.Name == "Idempotency-Key"));
    }

    [Fact]
    public async Task Graph_paths_take_keys_in_both_forms()
    {
        var (_, doc) = await Read("beta");
        Assert.Contains("/companies/{company-id}/customerPaymentJournals/{customerPaymentJournal-id}/customerPayments", doc.Paths.Keys);
        Assert.Contains("/companies({company-id})/customerPaymentJournals({customerPaymentJournal-id})/customerPayments", doc.Paths.Keys);
        Assert.Contains("/companies({company-id})/dimensionLines(parentId={dimensionLine-parentId},id={dimensionLine-id})", doc.Paths.Keys);
        var (_, v2) = await Read("v2.0");
        Assert.DoesNotContain(v2.Paths.Keys, p => p.Contains("/{", StringComparison.Ordinal));
        Assert.Equal(["/api/v2.0", "/v2.0/{tenant}/{environment}/api/v2.0"], v2.Servers!.Select(s => s.Url));
    }

    [Theory]
    [InlineData("paymentjournal/ledger/v1.0", "/companies({company-id})/customerLedgerEntries")]
    [InlineData("paymentjournal/posting/v1.0", "/companies({company-id})/customerPaymentJournals({customerPaymentJournal-id})/Microsoft.NAV.post")]
    public async Task Each_api_group_has_its_document(string name, string path)
    {
        var (_, doc) = await Read(name);
        Assert.Contains(path, doc.Paths.Keys);
        Assert.Equal("/api/" + name, doc.Servers![0].Url);
        Assert.DoesNotContain(doc.Paths.Keys, p => p.Contains("/customers(", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_document_is_a_404_with_the_error_body()
    {
        var (status, body, _) = await f.Http.Get("/openapi/v9.json");
        Assert.Equal(404, status);
        Assert.Equal("BadRequest_ResourceNotFound", body.ErrorCode());
    }

    [Fact]
    public async Task The_docs_page_is_html_over_every_document()
    {
        var response = await f.Http.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        // Scalar's page names each document relative to the application's root, and fetches it from there.
        var sources = Regex.Matches(html, "\"url\":\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["openapi/v2.0.json", "openapi/beta.json", "openapi/paymentjournal/ledger/v1.0.json", "openapi/paymentjournal/posting/v1.0.json", "openapi/paymentjournal/cashApplication/v1.0.json"], sources);
        foreach (var source in sources) Assert.Equal(HttpStatusCode.OK, (await f.Http.GetAsync("/" + source)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Http.GetAsync("/docs/scalar.js")).StatusCode);
    }

    /// <summary>Rows in every set, so that every key in the documents can be filled with a real id.</summary>
    private async Task<Dictionary<string, string>> MakeRowsEverywhere()
    {
        var v2 = Route.V2;
        var posted = await Make.Payment(f.Http, ServiceFixture.General, new { customerNumber = "C00001", amount = -10, appliesToInvoiceNumber = "103001" });
        Assert.Equal(201, (await f.Http.Post(v2.Payment(ServiceFixture.General, posted.Str("id")) + "/dimensionSetLines", new { code = "AREA", valueCode = "10" })).Status);
        Assert.Equal(204, (await f.Http.Post(v2.Journal(ServiceFixture.General) + "/Microsoft.NAV.post", null)).Status);
        var open = await Make.Payment(f.Http, ServiceFixture.General, new { customerNumber = "C00002", amount = -20 });
        var (status, line, _) = await f.Http.Post(v2.Payment(ServiceFixture.General, open.Str("id")) + "/dimensionSetLines", new { code = "AREA", valueCode = "20" });
        Assert.Equal(201, status);
        var applications = ServiceFixture.CompanyPath(ServiceFixture.Posting) + $"/customerPaymentJournals({ServiceFixture.General})/customerPayments({open.Str("id")})/applications";
        Assert.Equal(201, (await f.Http.Post(applications, new { invoiceNumber = "103002" })).Status);
        // The cashApplication group's sets: a statement whose credit has a proposal, a CSV profile (seeded) and an IBAN mapping.
        var statement = ":20:OPENAPI\n:25:DE55555555555555555555\n:28C:1/1\n:60F:C261201EUR0,00\n:61:2612011201CR746,90NTRFNONREF\n:86:166?20SVWZ+RE 103002?32Trey Research\n:62F:C261201EUR746,90\n-\n";
        Assert.Contains((await CashApi.ImportTextAsync(f.Http, statement, "openapi.sta")).Status, new[] { 201, 409 });
        var mapping = await f.Http.Post(CashApi.Company() + "/customerIbanMappings", new { iban = "DE75512108001245126199", customerId = "c0000000-0000-4000-8000-000000000002" });
        Assert.True(mapping.Status == 201 || mapping.Body.ErrorCode() == "Internal_EntityWithSameKeyExists", mapping.Body?.ToJsonString());
        // A vendor payment in the demo payments journal, with a dimension line.
        var vendorPayments = ServiceFixture.CompanyPath(ServiceFixture.V2) + $"/vendorPaymentJournals({DemoSeed.PaymentJournalId})/vendorPayments";
        var (vendorStatus, vendorPayment, _) = await f.Http.Post(vendorPayments, new { vendorNumber = "V00001", amount = 15 });
        Assert.Equal(201, vendorStatus);
        Assert.Equal(201, (await f.Http.Post(vendorPayments + $"({vendorPayment.Str("id")})/dimensionSetLines", new { code = "AREA", valueCode = "10" })).Status);
        // A general journal with a line and its dimension line.
        var general = await f.Http.Post(ServiceFixture.CompanyPath(ServiceFixture.V2) + "/journals", new { code = "OPENAPI" + Random.Shared.Next(100, 999) });
        Assert.Equal(201, general.Status);
        var generalLines = ServiceFixture.CompanyPath(ServiceFixture.V2) + $"/journals({general.Body.Str("id")})/journalLines";
        var (generalStatus, generalLine, _) = await f.Http.Post(generalLines, new { accountNumber = "8210", amount = 5 });
        Assert.Equal(201, generalStatus);
        Assert.Equal(201, (await f.Http.Post(generalLines + $"({generalLine.Str("id")})/dimensionSetLines", new { code = "AREA", valueCode = "10" })).Status);
        // Graph's dimensionLines cannot be listed without a parentId filter: their keys are given.
        // Nor can company-level customerPayments and vendorPayments without a journalId filter.
        return new()
        {
            ["dimensionLine-parentId"] = open.Str("id"), ["dimensionLine-id"] = line.Str("id"), ["customerPayment-id"] = open.Str("id"),
            ["vendorPayment-id"] = vendorPayment.Str("id"),
        };
    }

    [Theory]
    [MemberData(nameof(EveryDocument))]
    public async Task Every_get_path_answers_on_the_live_service(string name)
    {
        var known = await MakeRowsEverywhere();
        var (_, doc) = await Read(name);
        var root = doc.Servers![0].Url!;
        var rows = new Dictionary<string, List<JsonNode>>(StringComparer.Ordinal);
        async Task<List<JsonNode>> Rows(string collection)
        {
            if (!rows.TryGetValue(collection, out var list))
            {
                var (status, body, _) = await f.Http.Get(root + collection + "?$top=50");
                rows[collection] = list = status == 200 ? body!["value"]!.AsArray().Select(r => r!).ToList() : [];
            }
            return list;
        }
        // Fills the keys left to right with ids of real rows, trying the rows of a parent until its children have one.
        async Task<string?> Fill(string template, int at, string url, JsonNode? row)
        {
            var m = Regex.Match(template[at..], @"\{([^}]+)\}");
            if (!m.Success) return url + template[at..];
            var prefix = url + template.Substring(at, m.Index);
            var param = m.Groups[1].Value;
            var property = param[(param.IndexOf('-') + 1)..];
            var next = at + m.Index + m.Length;
            // The second key of a pair, as in (parentId={..},id={..}), comes from the same row as the first.
            var pairStart = prefix.EndsWith('=') ? prefix.LastIndexOfAny(['(', ',']) : -1;
            var collection = prefix.EndsWith('(') || prefix.EndsWith('/') ? prefix[..^1]
                : pairStart >= 0 && prefix[pairStart] == '(' ? prefix[..pairStart] : null;
            var candidates = collection is not null ? await Rows(collection) : row is null ? [] : [row];
            foreach (var candidate in candidates)
                if (candidate[property]?.GetValue<string>() is { } value && await Fill(template, next, prefix + value, candidate) is { } filled) return filled;
            return candidates.Count == 0 && known.TryGetValue(param, out var k) ? await Fill(template, next, prefix + k, null) : null;
        }
        var answered = 0;
        foreach (var (template, item) in doc.Paths)
        {
            if (item.Operations?.ContainsKey(HttpMethod.Get) != true) continue;
            var url = await Fill(template, 0, "", null);
            Assert.True(url is not null, $"no rows to fill the keys of {template}");
            var (answer, error, _) = await f.Http.Get(root + url);
            // Three lists answer 400 without a filter on their parent (company-level customerPayments and vendorPayments, Graph's dimensionLines).
            var needsFilter = Regex.IsMatch(template, @"^/companies(\(\{company-id\}\)|/\{company-id\})/(customerPayments|vendorPayments|dimensionLines)$");
            Assert.True(answer == 200 || (answer == 400 && needsFilter), $"GET {root}{url} ({template}): {answer} {error?.ToJsonString()}");
            answered++;
        }
        // The standard surfaces have dozens of GET paths; an API group serves a few sets.
        Assert.True(answered > (name.StartsWith("paymentjournal/", StringComparison.Ordinal) ? 3 : 30), $"only {answered} GET paths");
    }
}

public sealed class OpenApiAuthTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    [Fact]
    public async Task Documents_and_docs_need_no_credential_and_name_the_configured_schemes()
    {
        using var anonymous = new HttpClient { BaseAddress = f.BaseAddress };
        var response = await anonymous.GetAsync("/openapi/v2.0.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (doc, diagnostic) = OpenApiDocument.Parse(await response.Content.ReadAsStringAsync(), "json");
        Assert.Empty(diagnostic!.Errors);
        Assert.Equal(["apiKey", "basic"], doc!.Components!.SecuritySchemes!.Keys.Order());
        Assert.Equal(SecuritySchemeType.ApiKey, doc.Components.SecuritySchemes["apiKey"].Type);
        Assert.Equal("X-Api-Key", doc.Components.SecuritySchemes["apiKey"].Name);
        Assert.Equal(2, doc.Security!.Count);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/docs")).StatusCode);
        // The data itself still needs the key.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(ServiceFixture.CompanyPath() + "/customers")).StatusCode);
    }
}
