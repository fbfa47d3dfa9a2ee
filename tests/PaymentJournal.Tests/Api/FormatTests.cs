using System.Net.Http.Headers;
using System.Text;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// The format options real OData clients send: IEEE754Compatible=true, odata.metadata=none|minimal|full, HEAD,
/// $select without the key, and the 406 for an Accept the service cannot produce.
/// </summary>
public sealed class FormatTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private const string Ieee = "application/json;IEEE754Compatible=true";
    private static readonly string C = ServiceFixture.CompanyPath();

    private async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Send(HttpMethod method, string url, string? accept = null,
        string? body = null, string? contentType = null, string? ifMatch = null)
    {
        using var req = new HttpRequestMessage(method, url);
        if (accept is not null) req.Headers.TryAddWithoutValidation("Accept", accept);
        if (ifMatch is not null) req.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (body is not null)
        {
            req.Content = new StringContent(body, Encoding.UTF8);
            req.Content.Headers.Remove("Content-Type");
            req.Content.Headers.TryAddWithoutValidation("Content-Type", contentType ?? "application/json");
        }
        var resp = await f.Http.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        var node = text.Length > 0 && resp.Content.Headers.ContentType?.MediaType?.Contains("json") == true ? JsonNode.Parse(text) : null;
        return ((int)resp.StatusCode, node, resp);
    }

    private async Task<string> Journal()
    {
        var j = await Make.Journal(f.Http);
        return j.Str("id");
    }

    // ---- IEEE754Compatible ----

    [Fact]
    public async Task Ieee754_in_content_type_reads_a_decimal_string_and_writes_decimals_as_strings()
    {
        var j = await Journal();
        var r = await Send(HttpMethod.Post, Route.V2.Payments(j), body: "{\"customerNumber\":\"C00001\",\"amount\":\"-12.34\"}",
            contentType: "application/json;odata.metadata=minimal;IEEE754Compatible=true");
        Expect.Status(r, 201);
        Assert.Equal(System.Text.Json.JsonValueKind.String, r.Body!["amount"]!.GetValueKind());
        Assert.Equal("-12.34", r.Body.Str("amount"));
        Assert.Contains("IEEE754Compatible=true", r.Response.Content.Headers.ContentType!.ToString());
        // A number is still accepted.
        Expect.Status(await Send(HttpMethod.Post, Route.V2.Payments(j), body: "{\"customerNumber\":\"C00001\",\"amount\":-5}", contentType: Ieee), 201);
        // Stored as a decimal: read without the parameter, it is a number again.
        var plain = await f.Http.Get(Route.V2.Payment(j, r.Body.Str("id")));
        Assert.Equal(System.Text.Json.JsonValueKind.Number, plain.Body!["amount"]!.GetValueKind());
        Assert.Equal(-12.34m, plain.Body["amount"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Without_ieee754_a_decimal_string_is_still_refused()
    {
        var j = await Journal();
        Expect.Error(await f.Http.Post(Route.V2.Payments(j), "{\"customerNumber\":\"C00001\",\"amount\":\"-12.34\"}"), 400, "BadRequest", "Edm.Decimal");
        // With the parameter a string must still be a number's text.
        Expect.Error(await Send(HttpMethod.Post, Route.V2.Payments(j), body: "{\"customerNumber\":\"C00001\",\"amount\":\"12,5\"}", contentType: Ieee),
            400, "BadRequest", "Edm.Decimal");
        Expect.Error(await Send(HttpMethod.Post, Route.V2.Payments(j), body: "{\"customerNumber\":\"C00001\",\"amount\":\"1e400\"}", contentType: Ieee),
            400, "BadRequest", "Edm.Decimal");
        var list = await f.Http.Get(Route.V2.Payments(j));
        Assert.Empty(list.Body!["value"]!.AsArray());
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Ieee754_in_accept_writes_decimals_int64_and_the_count_as_strings(string routeName)
    {
        var route = Route.Of(routeName);
        var j = (await Make.Journal(f.Http, route)).Str("id");
        await Make.Payment(f.Http, j, new { customerNumber = "C00002", amount = -1500.5m }, route);
        var r = await Send(HttpMethod.Get, route.Payments(j) + "?$count=true", accept: "application/json;odata.metadata=minimal;IEEE754Compatible=true");
        Expect.Status(r, 200);
        Assert.Equal("1", r.Body.Str("@odata.count"));
        Assert.Equal("-1500.5", r.Body!["value"]![0].Str("amount"));
        Assert.Equal(System.Text.Json.JsonValueKind.Number, r.Body["value"]![0]!["lineNumber"]!.GetValueKind()); // Int32 stays a number
        Assert.Contains("IEEE754Compatible=true", r.Response.Content.Headers.ContentType!.ToString());

        var off = await Send(HttpMethod.Get, route.Payments(j) + "?$count=true", accept: "application/json;IEEE754Compatible=false");
        Assert.Equal(1, off.Body!["@odata.count"]!.GetValue<long>());
        Assert.Equal(-1500.5m, off.Body["value"]![0]!["amount"]!.GetValue<decimal>());
        Assert.DoesNotContain("IEEE754", off.Response.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task Ieee754_writes_int64_ledger_numbers_as_strings()
    {
        var r = await Send(HttpMethod.Get, ServiceFixture.CompanyPath(ServiceFixture.Ledger) + "/customerLedgerEntries?$top=1", accept: Ieee);
        Expect.Status(r, 200);
        var entry = r.Body!["value"]![0]!;
        Assert.Equal(System.Text.Json.JsonValueKind.String, entry["entryNumber"]!.GetValueKind());
        Assert.True(long.TryParse(entry.Str("entryNumber"), out _));
    }

    [Fact]
    public async Task Ieee754_holds_in_batch_parts()
    {
        var j = await Journal();
        var batch = new
        {
            requests = new object[]
            {
                new { id = "1", method = "POST", url = $"companies({ServiceFixture.Company})/customerPaymentJournals({j})/customerPayments",
                      headers = new Dictionary<string, string> { ["Content-Type"] = Ieee, ["Accept"] = Ieee },
                      body = new { customerNumber = "C00003", amount = "-7.25" } },
                new { id = "2", method = "GET", url = $"companies({ServiceFixture.Company})/customerPaymentJournals({j})/customerPayments",
                      headers = new Dictionary<string, string> { ["Accept"] = "application/json" } },
            },
        };
        var r = await f.Http.Post(ServiceFixture.V2 + "$batch", batch);
        Expect.Status(r, 200);
        var responses = r.Body!["responses"]!.AsArray();
        Assert.Equal(201, responses[0]!["status"]!.GetValue<int>());
        Assert.Equal("-7.25", responses[0]!["body"]!.Str("amount"));
        Assert.Equal(-7.25m, responses[1]!["body"]!["value"]![0]!["amount"]!.GetValue<decimal>());
    }

    // ---- odata.metadata ----

    [Fact]
    public async Task Metadata_none_carries_only_count_and_next_link()
    {
        var j = await Journal();
        for (var i = 0; i < 2; i++) await Make.Payment(f.Http, j, new { customerNumber = "C00001", amount = -1 - i });
        using var req = new HttpRequestMessage(HttpMethod.Get, Route.V2.Payments(j) + "?$count=true");
        req.Headers.TryAddWithoutValidation("Accept", "application/json;odata.metadata=none");
        req.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=1");
        var resp = await f.Http.SendAsync(req);
        var body = JsonNode.Parse(await resp.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("none", resp.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "odata.metadata").Value);
        Assert.Null(body["@odata.context"]);
        Assert.NotNull(body["@odata.nextLink"]);
        Assert.Equal(2, body["@odata.count"]!.GetValue<long>());
        var row = body["value"]![0]!.AsObject();
        Assert.DoesNotContain(row, p => p.Key.Contains('@'));

        var single = await Send(HttpMethod.Get, Route.V2.Payment(j, row["id"]!.GetValue<string>()), accept: "application/json;odata.metadata=none");
        Assert.Null(single.Body!["@odata.context"]);
        Assert.Null(single.Body["@odata.etag"]);
        Assert.NotNull(single.Response.Headers.ETag); // the header stays
        var doc = await Send(HttpMethod.Get, ServiceFixture.V2, accept: "application/json;odata.metadata=none");
        Assert.Null(doc.Body!["@odata.context"]);
        Assert.NotEmpty(doc.Body["value"]!.AsArray());
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Metadata_full_carries_type_id_edit_link_navigation_links_and_actions(string routeName)
    {
        var route = Route.Of(routeName);
        var j = (await Make.Journal(f.Http, route)).Str("id");
        var payment = (await Make.Payment(f.Http, j, new { customerNumber = "C00001", amount = -3 }, route)).Str("id");
        var ns = route.IsGraph ? "microsoft.graph" : "Microsoft.NAV";

        var journal = await Send(HttpMethod.Get, route.Journal(j), accept: "application/json;odata.metadata=full");
        Expect.Status(journal, 200);
        Assert.Equal("full", journal.Response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "odata.metadata").Value);
        Assert.Equal($"#{ns}.customerPaymentJournal", journal.Body.Str("@odata.type"));
        var id = journal.Body.Str("@odata.id");
        Assert.EndsWith($"companies({ServiceFixture.Company})/customerPaymentJournals({j})", id);
        Assert.Equal(id, journal.Body.Str("@odata.editLink"));
        Assert.Equal(id + "/customerPayments", journal.Body.Str("customerPayments@odata.navigationLink"));
        Assert.Equal("#Guid", journal.Body.Str("id@odata.type"));
        // The journal's post is an action of the posting group; here it is only an alias, not advertised.
        Assert.Null(journal.Body!["#Microsoft.NAV.post"]);
        var inGroup = await Send(HttpMethod.Get, ServiceFixture.CompanyPath(ServiceFixture.Posting) + $"/customerPaymentJournals({j})", accept: "application/json;odata.metadata=full");
        Expect.Status(inGroup, 200);
        Assert.Equal(inGroup.Body.Str("@odata.id") + "/Microsoft.NAV.post", inGroup.Body!["#Microsoft.NAV.post"]!.Str("target"));
        Assert.Contains(ServiceFixture.Posting, inGroup.Body.Str("@odata.id"));
        Assert.NotNull(journal.Body["@odata.etag"]);

        // The links lead where they say.
        var viaId = await f.Http.Get(new Uri(id).PathAndQuery);
        Assert.Equal(j, viaId.Body.Str("id"));
        var lines = await Send(HttpMethod.Get, route.Payments(j), accept: "application/json;odata.metadata=full");
        var line = lines.Body!["value"]![0]!;
        Assert.Equal($"#{ns}.customerPayment", line.Str("@odata.type"));
        Assert.Equal("#Decimal", line.Str("amount@odata.type"));
        var lineById = await f.Http.Get(new Uri(line.Str("@odata.id")).PathAndQuery);
        Assert.Equal(payment, lineById.Body.Str("id"));
        var customer = await f.Http.Get(new Uri(line.Str("customer@odata.navigationLink")).PathAndQuery);
        Assert.Equal("C00001", customer.Body.Str("number"));
        if (route.IsGraph) Assert.Contains($"/customerPaymentJournals({j})/customerPayments({payment})", line.Str("@odata.id"));

        // Expanded entities get links of their own, below their parent's.
        var expanded = await Send(HttpMethod.Get, route.Journal(j) + "?$expand=customerPayments", accept: "application/json;odata.metadata=full");
        var child = expanded.Body!["customerPayments"]![0]!;
        Assert.NotNull(expanded.Body["customerPayments@odata.navigationLink"]);
        Assert.Equal(payment, (await f.Http.Get(new Uri(child.Str("@odata.id")).PathAndQuery)).Body.Str("id"));

        // A read-only set has a read link instead of an edit link.
        var account = await Send(HttpMethod.Get, route.Set("accounts") + "?$top=1", accept: "application/json;odata.metadata=full");
        Assert.NotNull(account.Body!["value"]![0]!["@odata.readLink"]);
        Assert.Null(account.Body["value"]![0]!["@odata.editLink"]);
    }

    [Fact]
    public async Task Metadata_minimal_is_the_default_and_writes_no_links()
    {
        var r = await Send(HttpMethod.Get, Route.V2.Journal(ServiceFixture.General), accept: "application/json;odata.metadata=minimal");
        Assert.NotNull(r.Body!["@odata.context"]);
        Assert.NotNull(r.Body["@odata.etag"]);
        Assert.Null(r.Body["@odata.id"]);
        Assert.Null(r.Body["@odata.type"]);
        var plain = await f.Http.Get(Route.V2.Journal(ServiceFixture.General));
        Assert.Equal("minimal", plain.Response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "odata.metadata").Value);
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/html")]
    [InlineData("application/json;odata.metadata=verbose")]
    [InlineData("application/json;odata.streaming=maybe")]
    [InlineData("application/json;IEEE754Compatible=yes")]
    [InlineData("application/json;charset=iso-8859-1")]
    [InlineData("application/json;q=0, application/xml")]
    public async Task An_accept_the_service_cannot_produce_is_406_and_changes_nothing(string accept)
    {
        Expect.Error(await Send(HttpMethod.Get, Route.V2.Journal(ServiceFixture.General), accept: accept), 406, "BadRequest_NotAcceptable");
        var j = await Journal();
        Expect.Error(await Send(HttpMethod.Post, Route.V2.Payments(j), accept: accept, body: "{\"customerNumber\":\"C00001\",\"amount\":-1}"),
            406, "BadRequest_NotAcceptable");
        Assert.Empty((await f.Http.Get(Route.V2.Payments(j))).Body!["value"]!.AsArray());
    }

    [Theory]
    [InlineData("application/xml, application/json;q=0.5", 200)]
    [InlineData("*/*", 200)]
    [InlineData("application/*;odata.metadata=full", 200)]
    [InlineData("application/json;odata.metadata=full;odata.streaming=false;charset=utf-8", 200)]
    public async Task Acceptable_media_ranges_are_served_as_json(string accept, int status)
    {
        var r = await Send(HttpMethod.Get, Route.V2.Journal(ServiceFixture.General), accept: accept);
        Expect.Status(r, status);
        Assert.Equal("application/json", r.Response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Metadata_is_xml_and_refuses_json_only_accept()
    {
        var xml = await Send(HttpMethod.Get, ServiceFixture.V2 + "$metadata", accept: "application/xml");
        Expect.Status(xml, 200);
        Assert.Equal("application/xml", xml.Response.Content.Headers.ContentType!.MediaType);
        Expect.Status(await Send(HttpMethod.Get, ServiceFixture.Graph + "$metadata", accept: "*/*"), 200);
        Expect.Error(await Send(HttpMethod.Get, ServiceFixture.V2 + "$metadata", accept: "application/json"), 406, "BadRequest_NotAcceptable", "application/xml");
        Expect.Error(await Send(HttpMethod.Get, Route.V2.Set("customers") + "?$format=xml"), 406, "BadRequest_NotAcceptable");
        var viaFormat = await Send(HttpMethod.Get, Route.V2.Set("customers") + "?$format=application/json;odata.metadata=none");
        Assert.Null(viaFormat.Body!["@odata.context"]);
    }

    // ---- HEAD ----

    public static TheoryData<string> HeadUrls() => new()
    {
        ServiceFixture.V2, ServiceFixture.V2 + "$metadata", ServiceFixture.Graph + "$metadata",
        C + "/customerPaymentJournals", Route.V2.Journal(ServiceFixture.General), C + "/customers/$count",
        ServiceFixture.Graph + $"companies/{ServiceFixture.Company}/customers", "/v2.0/production/api/v2.0/companies",
    };

    [Theory]
    [MemberData(nameof(HeadUrls))]
    public async Task Head_answers_as_get_without_the_body(string url)
    {
        var get = await Send(HttpMethod.Get, url);
        var head = await Send(HttpMethod.Head, url);
        Assert.Equal(200, get.Status);
        Assert.Equal(get.Status, head.Status);
        Assert.Equal(get.Response.Content.Headers.ContentType?.ToString(), head.Response.Content.Headers.ContentType?.ToString());
        Assert.Equal(get.Response.Content.Headers.ContentLength, head.Response.Content.Headers.ContentLength);
        Assert.Equal(get.Response.Headers.ETag?.ToString(), head.Response.Headers.ETag?.ToString());
        Assert.Empty(await head.Response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_405_names_head_among_the_allowed_methods()
    {
        var r = await f.Http.Post(ServiceFixture.V2 + "$metadata", "{}");
        Expect.Error(r, 405, "BadRequest_MethodNotAllowed");
        Assert.Equal("GET, HEAD", string.Join(", ", r.Response.Content.Headers.Allow));
        var put = await f.Http.Send(HttpMethod.Put, Route.V2.Journal(ServiceFixture.General), "{}");
        Assert.Equal(new[] { "GET", "HEAD", "PATCH", "DELETE" }, put.Response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Head_of_a_missing_entity_is_404_without_a_body()
    {
        var head = await Send(HttpMethod.Head, Route.V2.Journal(Guid.NewGuid().ToString()));
        Assert.Equal(404, head.Status);
        Assert.Empty(await head.Response.Content.ReadAsByteArrayAsync());
        Assert.True(head.Response.Content.Headers.ContentLength > 0);
    }

    // ---- $select ----

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Select_returns_only_the_selected_properties_and_the_etag(string routeName)
    {
        var route = Route.Of(routeName);
        var j = (await Make.Journal(f.Http, route)).Str("id");
        var payment = (await Make.Payment(f.Http, j, new { customerNumber = "C00001", amount = -4 }, route)).Str("id");
        var list = await f.Http.Get(route.Payments(j) + "?$select=amount,lineNumber");
        var row = list.Body!["value"]![0]!.AsObject();
        Assert.Equal(new[] { "@odata.etag", "amount", "lineNumber" }, row.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.EndsWith("customerPayments(amount,lineNumber)", list.Body.Str("@odata.context"));

        var single = await f.Http.Get(route.Payment(j, payment) + "?$select=description");
        Assert.Equal(new[] { "@odata.context", "@odata.etag", "description" }, single.Body!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));

        // Full metadata still links the entity by its key.
        var full = await Send(HttpMethod.Get, route.Payments(j) + "?$select=amount", accept: "application/json;odata.metadata=full");
        var fullRow = full.Body!["value"]![0]!;
        Assert.Null(fullRow["id"]);
        Assert.Contains(payment, fullRow.Str("@odata.id"));
    }

    // ---- Graph's company-level customerPayments ----

    [Fact]
    public async Task Graph_does_not_serve_company_level_customer_payments_and_names_the_journal_path()
    {
        var graph = ServiceFixture.Graph + $"companies/{ServiceFixture.Company}/customerPayments";
        foreach (var url in new[] { graph, graph + "?$filter=amount lt 0", graph + "/" + Guid.NewGuid(), graph + "/$count" })
            Expect.Error(await f.Http.Get(url), 404, "BadRequest_ResourceNotFound", "companies/{id}/customerPaymentJournals/{id}/customerPayments");
        Expect.Error(await f.Http.Post(graph, new { customerNumber = "C00001", amount = -1 }), 404, "BadRequest_ResourceNotFound", "customerPaymentJournals");
        var parenthesis = ServiceFixture.Graph + $"companies({ServiceFixture.Company})/customerPayments";
        Expect.Error(await f.Http.Get(parenthesis), 404, "BadRequest_ResourceNotFound", "customerPaymentJournals/{id}/customerPayments");

        // Business Central v2.0 keeps its company-level set.
        var j = await Journal();
        var payment = (await Make.Payment(f.Http, j, new { customerNumber = "C00001", amount = -2 })).Str("id");
        Expect.Status(await f.Http.Get(C + $"/customerPayments({payment})"), 200);
        Expect.Status(await f.Http.Get(C + $"/customerPayments?$filter=journalId eq {j}"), 200);
        // Graph's $metadata offers no company-level customerPayments either.
        var metadata = await (await f.Http.GetAsync(ServiceFixture.Graph + "$metadata")).Content.ReadAsStringAsync();
        var company = metadata[metadata.IndexOf("<EntityType Name=\"company\"", StringComparison.Ordinal)..];
        company = company[..company.IndexOf("</EntityType>", StringComparison.Ordinal)];
        Assert.DoesNotContain("Name=\"customerPayments\"", company);
    }

    // ---- the online form without a tenant ----

    [Fact]
    public async Task The_tenantless_online_form_is_served_and_keeps_its_form_in_links()
    {
        const string root = "/v2.0/production/api/v2.0/";
        var j = (await Make.Journal(f.Http)).Str("id");
        for (var i = 0; i < 2; i++) await Make.Payment(f.Http, j, new { customerNumber = "C00001", amount = -1 - i });
        var list = await f.Http.Get(root + $"companies({ServiceFixture.Company})/customerPaymentJournals({j})/customerPayments",
            new Dictionary<string, string> { ["Prefer"] = "odata.maxpagesize=1" });
        Expect.Status(list, 200);
        Assert.StartsWith(f.BaseAddress.GetLeftPart(UriPartial.Authority) + root + "$metadata#", list.Body.Str("@odata.context"));
        var next = list.Body.Str("@odata.nextLink");
        Assert.Contains(root, next);
        Expect.Status(await f.Http.Get(new Uri(next).PathAndQuery), 200);
        var created = await f.Http.Post(root + $"companies({ServiceFixture.Company})/customerPaymentJournals({j})/customerPayments", new { customerNumber = "C00002", amount = -9 });
        Expect.Status(created, 201);
        Assert.Contains(root, created.Response.Headers.Location!.ToString());
        Expect.Status(await f.Http.Get(root + "$metadata"), 200);
        Expect.Status(await f.Http.Get(root), 200);
    }

    [Theory]
    [InlineData("/v2.0/" + "abcdefghijabcdefghijabcdefghijX" + "/api/v2.0/companies")]
    [InlineData("/v2.0/a%20b/api/v2.0/companies")]
    [InlineData("/v2.0/caf%C3%A9/api/v2.0/companies")]
    public async Task The_tenantless_form_checks_the_environment_name(string url)
    {
        Expect.Error(await f.Http.Get(url), 400, "BadRequest", "environment");
    }

    // ---- whole error messages ----

    [Fact]
    public async Task Query_errors_are_whole()
    {
        var r = await f.Http.Get(Route.V2.Set("customers") + "?$filter=displayName eq 1");
        Expect.Error(r, 400, "BadRequest_InvalidQueryOption",
            "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int32' for operator kind 'Equal'.");
    }

    [Fact]
    public async Task Json_errors_keep_line_and_position()
    {
        var r = await f.Http.Post(Route.V2.Set("customers"), "{\n  \"displayName\": x\n}");
        Expect.Error(r, 400, "BadRequest", "'x' is an invalid start of a value.");
        Expect.Error(r, 400, "BadRequest", "LineNumber: 1 | BytePositionInLine: 17.");
    }

    [Fact]
    public async Task A_long_echoed_value_is_cut_with_a_marker_and_the_message_is_otherwise_whole()
    {
        var name = new string('p', 5000);
        var r = await f.Http.Post(Route.V2.Set("customers"), $"{{\"{name}\":1}}");
        Expect.Error(r, 400, "BadRequest", "[... cut here: 5000 characters in all]");
        var message = r.Body!["error"]!["message"]!.GetValue<string>();
        Assert.Contains("does not exist on type 'customer'. Make sure to only use property names that are defined by the type.", message);
        Assert.Contains(new string('p', 1000), message);
        Assert.True(message.Length < 1400, message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // An echo shorter than the bound is whole.
        var medium = new string('q', 300);
        Expect.Error(await f.Http.Post(Route.V2.Set("customers"), $"{{\"{medium}\":1}}"), 400, "BadRequest", $"'{medium}'");
    }
}
