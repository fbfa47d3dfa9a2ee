namespace PaymentJournal.Tests.Api;

/// <summary>The error body, unsupported query options, and a sweep of bad input (each a clear 4xx that changes nothing).</summary>
public sealed class ErrorsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private const string Journal = ServiceFixture.General;
    private const string Customer1 = "c0000000-0000-4000-8000-000000000001";
    private const string Invoice1 = "d1000000-0000-4000-8000-000000000001";

    [Fact]
    public async Task Error_body_carries_code_message_and_correlation_id()
    {
        var r = await f.Http.Get(Route.V2.Set("nothingHere"));
        Expect.Error(r, 404, "BadRequest_ResourceNotFound", "nothingHere");
        Assert.StartsWith("application/json", r.Response.Content.Headers.ContentType?.MediaType);
        var error = r.Body!["error"]!.AsObject();
        Assert.Equal(["code", "message"], error.Select(p => p.Key).ToArray());
        Assert.Contains("CorrelationId:", error["message"]!.GetValue<string>());
        var again = await f.Http.Get(Route.V2.Set("nothingHere"));
        Assert.NotEqual(r.Response.Headers.GetValues("ms-correlation-x").Single(), again.Response.Headers.GetValues("ms-correlation-x").Single());
    }

    [Theory]
    [InlineData("$search=adatum")]
    [InlineData("$apply=groupby((number))")]
    [InlineData("$compute=1 as x")]
    [InlineData("$levels=2")]
    public async Task Unsupported_query_options_are_a_clear_400(string option)
    {
        var name = option[..option.IndexOf('=')];
        Expect.Error(await f.Http.Get(Route.V2.Set("customers") + "?" + option), 400, "BadRequest_NotSupported", name);
        Expect.Error(await f.Http.Get(Route.Graph.Set("customers") + "?" + option), 400, "BadRequest_NotSupported", name);
        Expect.Error(await f.Http.Get(Route.V2.Entity("customers", Customer1) + "?" + option), 400, "BadRequest_NotSupported", name);
    }

    [Fact]
    public async Task Query_options_on_a_write_are_refused()
    {
        var before = await DbSnapshot.TakeAsync(f);
        Expect.Error(await f.Http.Post(Route.V2.Set("customers") + "?$select=id", new { displayName = "x" }), 400, "BadRequest_InvalidQueryOption", "$select");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    private sealed record Bad(string Method, string Url, string? Body, int Status, string Code, string? IfMatch = "*", string? ContentType = "application/json");

    private static string Payments(string? journal = null) => Route.V2.Payments(journal ?? Journal);
    private static string GPayments(string? journal = null) => Route.Graph.Payments(journal ?? Journal);

    /// <summary>Malformed requests across the routes: each gets its 4xx and code, and nothing is stored.</summary>
    private IEnumerable<Bad> BadRequests(string payment, string contact, string draftLine, string draftLines)
    {
        var v2 = Route.V2;
        var g = Route.Graph;
        var payV2 = v2.Payment(Journal, payment);
        var payG = g.Payment(Journal, payment);
        var unknown = Guid.NewGuid().ToString();
        // malformed bodies
        yield return new("POST", Payments(), "{", 400, "BadRequest");
        yield return new("POST", Payments(), "{\"amount\": -1,}", 400, "BadRequest");
        yield return new("POST", Payments(), "[]", 400, "BadRequest");
        yield return new("POST", Payments(), "\"text\"", 400, "BadRequest");
        yield return new("POST", Payments(), "", 400, "BadRequest");
        yield return new("PATCH", payV2, "not json", 400, "BadRequest");
        yield return new("POST", v2.Set("customers"), "{\"displayName\":\"x\"", 400, "BadRequest");
        yield return new("POST", Payments(), "{\"amount\":1}", 415, "BadRequest_UnsupportedMediaType", ContentType: "text/plain");
        // wrong types
        yield return new("POST", Payments(), "{\"amount\":\"-1\"}", 400, "BadRequest");
        yield return new("POST", Payments(), "{\"lineNumber\":99999999999}", 400, "BadRequest");
        yield return new("POST", Payments(), "{\"postingDate\":\"31.12.2026\"}", 400, "BadRequest");
        yield return new("PATCH", payV2, "{\"customerNumber\":12}", 400, "BadRequest");
        yield return new("PATCH", payG, "{\"amount\":null}", 400, "BadRequest");
        yield return new("POST", v2.Set("customers"), "{\"creditLimit\":[1]}", 400, "BadRequest");
        yield return new("POST", v2.Set("customerPaymentJournals"), "{\"code\":{\"a\":1}}", 400, "BadRequest");
        yield return new("POST", v2.Set("contacts"), "{\"displayName\":false}", 400, "BadRequest");
        // unknown properties
        yield return new("POST", Payments(), "{\"amountt\":-1}", 400, "BadRequest");
        yield return new("POST", GPayments(), "{\"journalId\":\"" + Journal + "\"}", 400, "BadRequest");
        yield return new("PATCH", payV2, "{\"contactId\":\"x\"}", 400, "BadRequest");
        yield return new("POST", v2.Set("customers"), "{\"balance\":1}", 400, "BadRequest");
        yield return new("POST", g.Set("customerPaymentJournals"), "{\"code\":\"NEWJ\",\"account\":{}}", 400, "BadRequest_NotSupported");
        yield return new("POST", v2.Set("customerPaymentJournals"), "{\"code\":\"NEWJ\",\"account\":{}}", 400, "BadRequest");
        // numbers out of range
        yield return new("POST", Payments(), "{\"amount\":70000000000000000000000000000}", 400, "Application_FieldValidationException");
        yield return new("POST", Payments(), "{\"amount\":1e400}", 400, "BadRequest");
        yield return new("POST", draftLines, "{\"lineObjectNumber\":\"6110\",\"quantity\":90000000000,\"unitPrice\":90000000000000}", 400, "Application_FieldValidationException");
        // over-long strings
        yield return new("POST", Payments(), "{\"description\":\"" + new string('d', 51) + "\"}", 400, "Application_StringExceededLength");
        yield return new("PATCH", payG, "{\"comment\":\"" + new string('c', 251) + "\"}", 400, "Application_StringExceededLength");
        yield return new("POST", v2.Set("customerPaymentJournals"), "{\"code\":\"ELEVENCHARS\"}", 400, "Application_StringExceededLength");
        yield return new("POST", v2.Set("customers"), "{\"number\":\"" + new string('9', 21) + "\"}", 400, "Application_StringExceededLength");
        yield return new("PATCH", v2.Entity("contacts", contact), "{\"email\":\"" + new string('e', 81) + "\"}", 400, "Application_StringExceededLength");
        // read-only fields
        yield return new("PATCH", payV2, "{\"lastModifiedDateTime\":\"2026-01-01T00:00:00Z\"}", 400, "BadRequest_InvalidOperation");
        yield return new("POST", v2.Set("customerPaymentJournals"), "{\"code\":\"RO1\",\"balancingAccountNumber\":\"2910\"}", 400, "BadRequest_InvalidOperation");
        yield return new("POST", v2.Set("salesInvoices"), "{\"customerNumber\":\"C00001\",\"remainingAmount\":1}", 400, "BadRequest_InvalidOperation");
        // invalid GUIDs and keys
        yield return new("POST", Payments(), "{\"customerId\":\"123\"}", 400, "Application_InvalidGUID");
        yield return new("POST", Payments(), "{\"appliesToInvoiceId\":\"zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz\"}", 400, "Application_InvalidGUID");
        yield return new("GET", v2.Root + "companies(not-a-guid)", null, 400, "Application_InvalidGUID");
        yield return new("PATCH", v2.Journal("123") , "{\"displayName\":\"x\"}", 400, "Application_InvalidGUID");
        yield return new("DELETE", v2.Payment(Journal, "xyz"), null, 400, "Application_InvalidGUID");
        // unknown company, journal, payment, customer, invoice
        yield return new("GET", v2.Root + $"companies({unknown})/customers", null, 404, "Internal_RecordNotFound");
        yield return new("POST", Route.V2.Payments(Journal).Replace(Route.Company, unknown), "{\"amount\":-1}", 404, "Internal_RecordNotFound");
        yield return new("POST", Payments(unknown), "{\"amount\":-1}", 404, "Internal_RecordNotFound");
        yield return new("POST", GPayments(unknown), "{\"amount\":-1}", 404, "Internal_RecordNotFound");
        yield return new("PATCH", v2.Payment(Journal, unknown), "{\"amount\":-1}", 404, "Internal_RecordNotFound");
        yield return new("DELETE", g.Payment(Journal, unknown), null, 404, "Internal_RecordNotFound");
        yield return new("DELETE", v2.Journal(unknown), null, 404, "Internal_RecordNotFound");
        yield return new("PATCH", v2.Entity("customers", unknown), "{\"displayName\":\"x\"}", 404, "Internal_RecordNotFound");
        yield return new("POST", Payments(), "{\"customerId\":\"" + unknown + "\"}", 400, "Application_DialogException");
        yield return new("POST", Payments(), "{\"customerNumber\":\"NOSUCH\"}", 400, "Application_DialogException");
        yield return new("POST", GPayments(), "{\"contactId\":\"" + unknown + "\"}", 400, "Application_DialogException");
        yield return new("POST", Payments(), "{\"appliesToInvoiceId\":\"" + unknown + "\"}", 400, "Application_DialogException");
        yield return new("PATCH", payV2, "{\"appliesToInvoiceId\":\"" + Invoice1 + "\",\"appliesToInvoiceNumber\":\"103002\"}", 400, "Application_DialogException");
        yield return new("POST", v2.Set("customerPayments"), "{\"journalId\":\"" + unknown + "\"}", 400, "Application_DialogException");
        yield return new("POST", v2.Set("customerPayments"), "{\"amount\":-1}", 400, "Application_DialogException");
        yield return new("POST", v2.Set("contacts"), "{\"customerNumber\":\"NOSUCH\"}", 400, "Application_DialogException");
        yield return new("POST", v2.Set("salesInvoices"), "{\"customerId\":\"" + unknown + "\"}", 400, "Application_DialogException");
        yield return new("POST", v2.Set("customerPaymentJournals"), "{\"code\":\"BAL1\",\"balancingAccountId\":\"" + unknown + "\"}", 400, "Application_DialogException");
        // rules, conflicts and concurrency
        yield return new("POST", Payments(), "{\"customerId\":\"" + Customer1 + "\",\"customerNumber\":\"C00002\"}", 400, "Application_DialogException");
        yield return new("PATCH", payV2, "{\"journalId\":\"" + unknown + "\"}", 400, "Application_DialogException");
        yield return new("PATCH", payV2, "{\"lineNumber\":-1}", 400, "Application_FieldValidationException");
        yield return new("POST", v2.Set("customerPaymentJournals"), "{\"code\":\"GENERAL\"}", 409, "Internal_EntityWithSameKeyExists");
        yield return new("POST", v2.Set("customers"), "{\"number\":\"C00002\"}", 409, "Internal_EntityWithSameKeyExists");
        yield return new("POST", Payments(), "{\"id\":\"" + payment + "\"}", 409, "Internal_EntityWithSameKeyExists");
        yield return new("PATCH", payV2, "{\"amount\":-2}", 400, "BadRequest_InvalidToken", IfMatch: null);
        yield return new("PATCH", payV2, "{\"amount\":-2}", 409, "Request_EntityChanged", IfMatch: "W/\"1\"");
        yield return new("DELETE", payG, null, 409, "Request_EntityChanged", IfMatch: "W/\"1\"");
        yield return new("PATCH", v2.Entity("salesInvoices", Invoice1), "{\"externalDocumentNumber\":\"X\"}", 400, "Application_DialogException");
        yield return new("DELETE", v2.Entity("salesInvoices", Invoice1) + "/" + v2.Key("salesInvoiceLines", draftLine), null, 404, "Internal_RecordNotFound");
        // odd but well-formed input
        yield return new("POST", Payments(), "{\"postingDate\":\"2026-02-30\"}", 400, "BadRequest");
        yield return new("POST", Payments(), "{\"customerNumber\":\"C00001\\u0000\"}", 400, "BadRequest");
        yield return new("POST", Payments(), new string('[', 40) + new string(']', 40), 400, "BadRequest");
        yield return new("POST", Payments(), "{\"dimensionSetLines\":[" + string.Join(",", Enumerable.Repeat("{\"code\":\"AREA\",\"valueCode\":\"10\"}", 1001)) + "]}", 400, "BadRequest");
        yield return new("POST", Payments(), "{\"dimensionSetLines\":[1]}", 400, "BadRequest");
        yield return new("PATCH", payV2, "{\"dimensionSetLines\":[]}", 400, "BadRequest_NotSupported");
        yield return new("POST", payV2 + "/dimensionSetLines", "{\"id\":\"area\",\"valueCode\":\"10\"}", 400, "Application_InvalidGUID");
        yield return new("GET", Payments() + "?$top=-1", null, 400, "BadRequest_InvalidQueryOption");
        yield return new("GET", Payments() + "?$top=abc", null, 400, "BadRequest_InvalidQueryOption");
        yield return new("GET", Payments() + "?$expand=nosuch", null, 400, "BadRequest_InvalidQueryOption");
        yield return new("GET", Payments() + "?$select=nosuch", null, 400, "BadRequest_InvalidQueryOption");
        yield return new("GET", Payments() + "?$format=xml", null, 406, "BadRequest_NotAcceptable");
        yield return new("GET", payV2 + "?$top=1", null, 400, "BadRequest_InvalidQueryOption");
        yield return new("GET", payV2 + "/customer/nothing", null, 404, "BadRequest_ResourceNotFound");
        yield return new("GET", v2.Root + "companies(" + Route.Company + ")/$count", null, 404, "BadRequest_ResourceNotFound");
        yield return new("PATCH", payV2, "{\"amount\":-2}", 409, "Request_EntityChanged", IfMatch: "W/\"abc\"");
        // methods and routes
        yield return new("POST", v2.Set("accounts"), "{\"number\":\"1\"}", 405, "BadRequest_MethodNotAllowed");
        yield return new("DELETE", v2.CompanyUrl, null, 405, "BadRequest_MethodNotAllowed");
        yield return new("PUT", payV2, "{\"amount\":-2}", 405, "BadRequest_MethodNotAllowed");
        yield return new("GET", Route.V2.Set("customerPaymentsJournals"), null, 404, "BadRequest_ResourceNotFound");
        yield return new("GET", Payments() + "?$search=x", null, 400, "BadRequest_NotSupported");
        yield return new("GET", v2.Set("customerPayments"), null, 400, "Application_DialogException");
    }

    [Fact]
    public async Task Bad_input_gets_a_4xx_and_changes_nothing()
    {
        // Rows the malformed requests aim at, made before the snapshot.
        var payment = (await Make.Payment(f.Http, Journal, new { customerNumber = "C00001", amount = -3 })).Str("id");
        var contact = (await f.Http.Post(Route.V2.Set("contacts"), new { displayName = "Target" })).Body.Str("id");
        var draft = await Make.DraftInvoice(f.Http);
        var draftLine = (await f.Http.Post(Route.V2.Entity("salesInvoices", draft.Str("id")) + "/salesInvoiceLines", new { lineObjectNumber = "6110", quantity = 1, unitPrice = 1 })).Body.Str("id");

        var before = await DbSnapshot.TakeAsync(f);
        var draftLines = Route.V2.Entity("salesInvoices", draft.Str("id")) + "/salesInvoiceLines";
        var requests = BadRequests(payment, contact, draftLine, draftLines).ToList();
        Assert.True(requests.Count >= 40, $"only {requests.Count} requests");
        var failures = new List<string>();
        foreach (var bad in requests)
        {
            using var req = new HttpRequestMessage(new HttpMethod(bad.Method), bad.Url);
            if (bad.Body is not null) req.Content = new StringContent(bad.Body, System.Text.Encoding.UTF8, bad.ContentType ?? "application/json");
            if (bad.IfMatch is not null && bad.Method is "PATCH" or "DELETE") req.Headers.TryAddWithoutValidation("If-Match", bad.IfMatch);
            using var resp = await f.Http.SendAsync(req);
            var text = await resp.Content.ReadAsStringAsync();
            var status = (int)resp.StatusCode;
            string code;
            try { code = JsonNode.Parse(text).ErrorCode(); }
            catch (System.Text.Json.JsonException) { code = "<not json>"; }
            if (status != bad.Status || code != bad.Code || !resp.Headers.Contains("ms-correlation-x"))
                failures.Add($"{bad.Method} {bad.Url} {bad.Body?[..Math.Min(bad.Body.Length, 60)]}: expected {bad.Status} {bad.Code}, got {status} {text}");
            Assert.True(status < 500, $"{bad.Method} {bad.Url}: {status} {text}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));

        // The snapshot does see a change: one good request moves it.
        Expect.Status(await f.Http.Patch(Route.V2.Payment(Journal, payment), new { comment = "changed" }, "*"), 200);
        Assert.NotEqual(before, await DbSnapshot.TakeAsync(f));
    }
}
