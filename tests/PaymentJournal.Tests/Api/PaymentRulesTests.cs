namespace PaymentJournal.Tests.Api;

/// <summary>The rules of a payment line (what a line may hold and when it is refused), each on a journal of its own.</summary>
public sealed class PaymentRulesTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private const string Invoice1 = "d1000000-0000-4000-8000-000000000001"; // 103001, customer C00001
    private const string Invoice2 = "d1000000-0000-4000-8000-000000000002"; // 103002, customer C00002
    private const string Customer1 = "c0000000-0000-4000-8000-000000000001";
    private const string Customer2 = "c0000000-0000-4000-8000-000000000002";

    private async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Post(string journal, object body, Route? route = null) =>
        await f.Http.Post((route ?? Route.V2).Payments(journal), body);

    private async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Patch(string journal, JsonNode payment, object body, Route? route = null) =>
        await f.Http.Patch((route ?? Route.V2).Payment(journal, payment.Str("id")), body, "*");

    // ---- journal ----

    [Fact]
    public async Task Journal_in_body_must_match_the_url_and_exist()
    {
        var a = await Make.JournalId(f.Http);
        var b = await Make.JournalId(f.Http);
        Expect.Error(await Post(a, new { journalId = b }), 400, "Application_DialogException");
        Expect.Status(await Post(a, new { journalId = a }), 201);
        Expect.Error(await f.Http.Post(Route.V2.Set("customerPayments"), new { journalId = Guid.NewGuid() }), 400, "Application_DialogException");
        Expect.Error(await f.Http.Post(Route.V2.Set("customerPayments"), new { journalId = "nope" }), 400, "Application_InvalidGUID", "journalId");
    }

    [Fact]
    public async Task Journal_id_and_name_cannot_change()
    {
        var a = await Make.Journal(f.Http);
        var b = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, a.Str("id"), new { amount = -1 });
        Expect.Error(await Patch(a.Str("id"), p, new { journalId = b }), 400, "Application_DialogException", "journal");
        Expect.Error(await Patch(a.Str("id"), p, new { journalDisplayName = "OTHER" }), 400, "Application_DialogException", "journal");
        // Sending the values it already has changes nothing, as the v2.0 page allows.
        Expect.Status(await Patch(a.Str("id"), p, new { journalId = a.Str("id"), journalDisplayName = a.Str("code") }), 200);
        Assert.Equal(a.Str("id"), (await f.WithDb(db => Task.FromResult(db.CustomerPayments.Single(x => x.Id == Guid.Parse(p.Str("id"))).JournalId))).ToString());
    }

    [Fact]
    public async Task Graph_has_contact_id_and_no_journal_id()
    {
        var journal = await Make.JournalId(f.Http);
        Expect.Error(await Post(journal, new { journalId = journal }, Route.Graph), 400, "BadRequest", "journalId");
        Expect.Error(await Post(journal, new { contactId = "c1000000-0000-4000-8000-000000000001" }), 400, "BadRequest", "contactId");
    }

    // ---- line numbers ----

    [Fact]
    public async Task Line_numbers_default_to_the_highest_plus_10000()
    {
        var journal = await Make.JournalId(f.Http);
        var first = await Make.Payment(f.Http, journal, new { amount = -1 });
        Assert.Equal(10000, first["lineNumber"]!.GetValue<int>());
        var second = await Make.Payment(f.Http, journal, new { amount = -1, lineNumber = 0 });
        Assert.Equal(20000, second["lineNumber"]!.GetValue<int>());
        var explicitLine = await Make.Payment(f.Http, journal, new { amount = -1, lineNumber = 15000 });
        Assert.Equal(15000, explicitLine["lineNumber"]!.GetValue<int>());
        var high = await Make.Payment(f.Http, journal, new { amount = -1, lineNumber = 55000 });
        var next = await Make.Payment(f.Http, journal, new { amount = -1 });
        Assert.Equal(65000, next["lineNumber"]!.GetValue<int>());
        Assert.Equal(55000, high["lineNumber"]!.GetValue<int>());
    }

    [Fact]
    public async Task Duplicate_line_number_is_a_conflict_and_patch_moves_the_line()
    {
        var journal = await Make.JournalId(f.Http);
        var a = await Make.Payment(f.Http, journal, new { amount = -1 });
        var b = await Make.Payment(f.Http, journal, new { amount = -2 });
        Expect.Error(await Post(journal, new { amount = -3, lineNumber = 10000 }), 409, "Internal_EntityWithSameKeyExists");
        Expect.Error(await Patch(journal, b, new { lineNumber = 10000 }), 409, "Internal_EntityWithSameKeyExists");

        var moved = await Patch(journal, a, new { lineNumber = 30000 });
        Expect.Status(moved, 200);
        Assert.Equal(30000, moved.Body!["lineNumber"]!.GetValue<int>());
        Assert.Equal(-1m, moved.Body!["amount"]!.GetValue<decimal>());
        var list = await f.Http.Get(Route.V2.Payments(journal));
        var order = list.Body!["value"]!.AsArray().Select(x => x!["id"]!.GetValue<string>()).ToArray();
        Assert.Equal([b.Str("id"), a.Str("id")], order);
        // The old number is free again.
        Expect.Status(await Post(journal, new { amount = -4, lineNumber = 10000 }), 201);
    }

    [Fact]
    public async Task Line_number_must_not_be_negative()
    {
        var journal = await Make.JournalId(f.Http);
        Expect.Error(await Post(journal, new { lineNumber = -5 }), 400, "Application_FieldValidationException", "lineNumber");
    }

    // ---- posting date and document number ----

    [Fact]
    public async Task Empty_journal_gets_today_and_the_next_number_of_its_series()
    {
        var journal = await Make.Journal(f.Http);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var first = await Make.Payment(f.Http, journal.Str("id"), new { amount = -1 });
        Assert.Equal(today, first.Str("postingDate"));
        Assert.Equal(journal.Str("code") + "-00001", first.Str("documentNumber"));

        // A line in the demo journal draws on that journal's own series.
        var general = await f.WithDb(db => Task.FromResult(db.NumberSeries.Single(s => s.Code == "GJNL-RCPT").Prefix));
        Assert.Equal("G0", general);
    }

    [Fact]
    public async Task Defaults_come_from_the_last_line()
    {
        var journal = await Make.Journal(f.Http);
        var id = journal.Str("id");
        var first = await Make.Payment(f.Http, id, new { amount = -1, postingDate = "2026-03-04", externalDocumentNumber = "X1" });
        var doc = first.Str("documentNumber");
        var same = await Make.Payment(f.Http, id, new { amount = -1, externalDocumentNumber = "X1" });
        Assert.Equal("2026-03-04", same.Str("postingDate"));
        Assert.Equal(doc, same.Str("documentNumber"));

        var otherExternal = await Make.Payment(f.Http, id, new { amount = -1, externalDocumentNumber = "X2" });
        Assert.Equal("2026-03-04", otherExternal.Str("postingDate"));
        Assert.Equal(journal.Str("code") + "-00002", otherExternal.Str("documentNumber"));

        var supplied = await Make.Payment(f.Http, id, new { amount = -1, externalDocumentNumber = "X9", postingDate = "2026-05-06", documentNumber = "mine-1" });
        Assert.Equal("2026-05-06", supplied.Str("postingDate"));
        Assert.Equal("MINE-1", supplied.Str("documentNumber"));
    }

    [Fact]
    public async Task A_line_inserted_between_takes_its_defaults_from_the_last_line()
    {
        var journal = await Make.JournalId(f.Http);
        await Make.Payment(f.Http, journal, new { lineNumber = 10000, postingDate = "2026-01-10", documentNumber = "FIRST" });
        await Make.Payment(f.Http, journal, new { lineNumber = 30000, postingDate = "2026-01-20", documentNumber = "MIDDLE" });
        await Make.Payment(f.Http, journal, new { lineNumber = 50000, postingDate = "2026-01-30", documentNumber = "LAST" });
        var between = await Make.Payment(f.Http, journal, new { lineNumber = 20000 });
        Assert.Equal("2026-01-30", between.Str("postingDate"));
        Assert.Equal("LAST", between.Str("documentNumber"));
    }

    // ---- customer ----

    [Fact]
    public async Task Customer_id_and_number_fill_each_other()
    {
        var journal = await Make.JournalId(f.Http);
        var byId = await Make.Payment(f.Http, journal, new { customerId = Customer2 });
        Assert.Equal("C00002", byId.Str("customerNumber"));
        var byNumber = await Make.Payment(f.Http, journal, new { customerNumber = "c00002" });
        Assert.Equal(Customer2, byNumber.Str("customerId"));
        var both = await Make.Payment(f.Http, journal, new { customerId = Customer2, customerNumber = "C00002" });
        Assert.Equal("Trey Research", both.Str("description"));

        var changed = await Patch(journal, byId, new { customerNumber = "C00001" });
        Expect.Status(changed, 200);
        Assert.Equal(Customer1, changed.Body.Str("customerId"));
        Assert.Equal("Adatum Corporation", changed.Body.Str("description"));

        var cleared = await Patch(journal, byNumber, new { customerId = Guid.Empty });
        Expect.Status(cleared, 200);
        Assert.Equal("", cleared.Body.Str("customerNumber"));
    }

    [Fact]
    public async Task Customer_mismatch_and_unknown_values_are_rejected()
    {
        var journal = await Make.JournalId(f.Http);
        Expect.Error(await Post(journal, new { customerId = Customer1, customerNumber = "C00002" }), 400, "Application_DialogException", "customer");
        Expect.Error(await Post(journal, new { customerId = Guid.NewGuid() }), 400, "Application_DialogException", "customerId");
        Expect.Error(await Post(journal, new { customerNumber = "NOPE" }), 400, "Application_DialogException", "customerNumber");
        Expect.Error(await Post(journal, new { customerId = "C00001" }), 400, "Application_InvalidGUID", "customerId");
    }

    [Fact]
    public async Task Customer_blocked_all_cannot_be_used()
    {
        var journal = await Make.JournalId(f.Http);
        var blocked = await Make.Customer(f.Http, "Blocked Ltd", "All");
        var shipBlocked = await Make.Customer(f.Http, "Ship-blocked Ltd", "Ship");
        Expect.Error(await Post(journal, new { customerNumber = blocked.Str("number") }), 400, "Application_DialogException", "blocked");
        Expect.Error(await Post(journal, new { customerId = blocked.Str("id") }), 400, "Application_DialogException", "blocked");
        Expect.Status(await Post(journal, new { customerNumber = shipBlocked.Str("number") }), 201);
    }

    [Theory]
    [InlineData("graph")]
    [InlineData("graph-paren")]
    public async Task Graph_contact_names_the_customer(string name)
    {
        var route = Route.Of(name);
        var journal = await Make.JournalId(f.Http);
        var byContact = await Post(journal, new { contactId = "c1000000-0000-4000-8000-000000000003", amount = -1 }, route);
        Expect.Status(byContact, 201);
        Assert.Equal("C00003", byContact.Body.Str("customerNumber"));
        Assert.Equal("c1000000-0000-4000-8000-000000000003", byContact.Body.Str("contactId"));

        // A customer given explicitly wins over the contact's.
        var explicitCustomer = await Post(journal, new { contactId = "c1000000-0000-4000-8000-000000000003", customerNumber = "C00005" }, route);
        Expect.Status(explicitCustomer, 201);
        Assert.Equal("C00005", explicitCustomer.Body.Str("customerNumber"));

        Expect.Error(await Post(journal, new { contactId = Guid.NewGuid().ToString() }, route), 400, "Application_DialogException", "contact");
        Expect.Error(await Post(journal, new { contactId = new string('c', 251) }, route), 400, "Application_StringExceededLength", "contactId");
    }

    // ---- invoice ----

    [Fact]
    public async Task Invoice_id_fills_number_and_customer()
    {
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { appliesToInvoiceId = Invoice1, amount = -10 });
        Assert.Equal("103001", p.Str("appliesToInvoiceNumber"));
        Assert.Equal("C00001", p.Str("customerNumber"));
        Assert.Equal(Customer1, p.Str("customerId"));
        Assert.Equal("Adatum Corporation", p.Str("description"));

        var byNumber = await Make.Payment(f.Http, journal, new { appliesToInvoiceNumber = "103002" });
        Assert.Equal(Invoice2, byNumber.Str("appliesToInvoiceId"));
        Assert.Equal("C00002", byNumber.Str("customerNumber"));

        Expect.Status(await Post(journal, new { appliesToInvoiceId = Invoice2, appliesToInvoiceNumber = "103002" }), 201);
    }

    [Fact]
    public async Task Existing_customer_is_not_overwritten_by_the_invoice()
    {
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { customerNumber = "C00003", appliesToInvoiceId = Invoice1 });
        Assert.Equal("C00003", p.Str("customerNumber"));
        Assert.Equal("103001", p.Str("appliesToInvoiceNumber"));
        var later = await Patch(journal, p, new { appliesToInvoiceNumber = "103002" });
        Expect.Status(later, 200);
        Assert.Equal("C00003", later.Body.Str("customerNumber"));
        Assert.Equal(Invoice2, later.Body.Str("appliesToInvoiceId"));
    }

    [Fact]
    public async Task Invoice_must_be_posted_and_agree()
    {
        var journal = await Make.JournalId(f.Http);
        var draft = await Make.DraftInvoice(f.Http);
        Expect.Error(await Post(journal, new { appliesToInvoiceId = draft.Str("id") }), 400, "Application_DialogException", "appliesToInvoiceId");
        Expect.Error(await Post(journal, new { appliesToInvoiceId = Guid.NewGuid() }), 400, "Application_DialogException", "appliesToInvoiceId");
        Expect.Error(await Post(journal, new { appliesToInvoiceId = Invoice1, appliesToInvoiceNumber = "103002" }), 400, "Application_DialogException", "Invoice");
        Expect.Error(await Post(journal, new { appliesToInvoiceId = "103001" }), 400, "Application_InvalidGUID", "appliesToInvoiceId");
    }

    [Fact]
    public async Task Unknown_invoice_number_is_stored_and_clears_the_id()
    {
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { customerNumber = "C00001", appliesToInvoiceId = Invoice1 });
        var r = await Patch(journal, p, new { appliesToInvoiceNumber = "RANDOM-77" });
        Expect.Status(r, 200);
        Assert.Equal("RANDOM-77", r.Body.Str("appliesToInvoiceNumber"));
        Assert.Equal(Guid.Empty.ToString(), r.Body.Str("appliesToInvoiceId"));
        Assert.Equal("C00001", r.Body.Str("customerNumber"));

        var fresh = await Make.Payment(f.Http, journal, new { appliesToInvoiceNumber = "UNKNOWN-1" });
        Assert.Equal("UNKNOWN-1", fresh.Str("appliesToInvoiceNumber"));
        Assert.Equal("", fresh.Str("customerNumber"));
    }

    // ---- description, amount, balancing account ----

    [Fact]
    public async Task Description_defaults_to_the_customer_name_cut_to_50()
    {
        var journal = await Make.JournalId(f.Http);
        var longName = "Northwind Traders International Holding Company of the Pacific Rim";
        var customer = await Make.Customer(f.Http, longName);
        var p = await Make.Payment(f.Http, journal, new { customerId = customer.Str("id") });
        Assert.Equal(longName[..50], p.Str("description"));
        var given = await Make.Payment(f.Http, journal, new { customerId = customer.Str("id"), description = "Own words" });
        Assert.Equal("Own words", given.Str("description"));
    }

    [Fact]
    public async Task Amount_is_stored_as_given()
    {
        var journal = await Make.JournalId(f.Http);
        Assert.Equal(-1234.56m, (await Make.Payment(f.Http, journal, new { amount = -1234.56m }))["amount"]!.GetValue<decimal>());
        Assert.Equal(250m, (await Make.Payment(f.Http, journal, new { amount = 250 }))["amount"]!.GetValue<decimal>());
        Assert.Equal(0m, (await Make.Payment(f.Http, journal, new { }))["amount"]!.GetValue<decimal>());
        var id = (await Make.Payment(f.Http, journal, new { amount = -0.01m })).Str("id");
        var cents = await f.WithDb(db => Task.FromResult(db.CustomerPayments.Single(x => x.Id == Guid.Parse(id)).Amount));
        Assert.Equal(-1, cents);
    }

    [Fact]
    public async Task Balancing_account_is_copied_from_the_journal()
    {
        const string bank = "e0000000-0000-4000-8000-000000002920";
        var journal = await Make.Journal(f.Http, balancingAccountId: bank);
        var p = await Make.Payment(f.Http, journal.Str("id"), new { amount = -1 });
        var stored = await f.WithDb(db => Task.FromResult(db.CustomerPayments.Single(x => x.Id == Guid.Parse(p.Str("id"))).BalancingAccountId));
        Assert.Equal(Guid.Parse(bank), stored);
    }

    // ---- lengths, read-only fields, types ----

    [Theory]
    [InlineData("description", 51)]
    [InlineData("comment", 251)]
    [InlineData("documentNumber", 21)]
    [InlineData("externalDocumentNumber", 21)]
    [InlineData("customerNumber", 21)]
    [InlineData("appliesToInvoiceNumber", 21)]
    public async Task Over_long_strings_are_rejected(string property, int length)
    {
        var journal = await Make.JournalId(f.Http);
        var body = new Dictionary<string, object> { [property] = new string('A', length) };
        Expect.Error(await Post(journal, body), 400, "Application_StringExceededLength", property);
        var p = await Make.Payment(f.Http, journal, new { amount = -1 });
        Expect.Error(await Patch(journal, p, body), 400, "Application_StringExceededLength", property);
        body[property] = new string('A', length - 1);
        if (property is not ("customerNumber")) Expect.Status(await Patch(journal, p, body), 200);
    }

    [Theory]
    [InlineData("lastModifiedDateTime", "\"2026-01-01T00:00:00Z\"")]
    [InlineData("id", "\"5c9d0a7e-0000-4000-8000-000000000001\"")]
    public async Task Read_only_fields_cannot_be_patched(string property, string json)
    {
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { amount = -1 });
        Expect.Error(await f.Http.Patch(Route.V2.Payment(journal, p.Str("id")), $"{{\"{property}\":{json}}}", "*"), 400, "BadRequest_InvalidOperation", property);
    }

    [Theory]
    [InlineData("{\"amount\":\"12\"}", "amount")]
    [InlineData("{\"amount\":true}", "amount")]
    [InlineData("{\"lineNumber\":1.5}", "lineNumber")]
    [InlineData("{\"lineNumber\":\"10000\"}", "lineNumber")]
    [InlineData("{\"postingDate\":\"2026-13-01\"}", "postingDate")]
    [InlineData("{\"postingDate\":20260101}", "postingDate")]
    [InlineData("{\"customerId\":42}", "customerId")]
    [InlineData("{\"description\":7}", "description")]
    [InlineData("{\"nope\":1}", "nope")]
    [InlineData("{\"amount\":-1,\"amount\":-2}", "amount")]
    public async Task Wrong_types_and_unknown_properties_are_bad_requests(string json, string property)
    {
        var journal = await Make.JournalId(f.Http);
        Expect.Error(await Post(journal, json), 400, "BadRequest", property);
    }

    // ---- concurrency (ETags) ----

    [Fact]
    public async Task If_match_rules()
    {
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { amount = -1 });
        var url = Route.V2.Payment(journal, p.Str("id"));
        var etag = p.Str("@odata.etag");

        Expect.Error(await f.Http.Patch(url, new { amount = -2 }, null), 400, "BadRequest_InvalidToken");
        await Task.Delay(5);
        var first = await f.Http.Patch(url, new { amount = -2 }, etag);
        Expect.Status(first, 200);
        Assert.NotEqual(etag, first.Body.Str("@odata.etag"));
        Assert.NotEqual(p.Str("lastModifiedDateTime"), first.Body.Str("lastModifiedDateTime"));

        Expect.Error(await f.Http.Patch(url, new { amount = -3 }, etag), 409, "Request_EntityChanged");
        Expect.Error(await f.Http.Delete(url, etag), 409, "Request_EntityChanged");
        var star = await f.Http.Patch(url, new { amount = -4 }, "*");
        Expect.Status(star, 200);
        Assert.NotEqual(first.Body.Str("@odata.etag"), star.Body.Str("@odata.etag"));
        Assert.Equal(-4m, (await f.Http.Get(url)).Body!["amount"]!.GetValue<decimal>());

        Expect.Status(await f.Http.Delete(url, star.Body.Str("@odata.etag")), 204);
        var other = await Make.Payment(f.Http, journal, new { amount = -1 });
        Expect.Status(await f.Http.Delete(Route.V2.Payment(journal, other.Str("id"))), 204);
    }
}
