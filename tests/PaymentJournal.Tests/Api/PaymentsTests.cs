namespace PaymentJournal.Tests.Api;

/// <summary>customerPayments: nested under a journal and at company level, navigations, Prefer.</summary>
public sealed class PaymentsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Theory]
    [InlineData("v2")]
    [InlineData("v2-online")]
    [InlineData("graph")]
    [InlineData("graph-paren")]
    public async Task Nested_create_read_update_delete(string name)
    {
        var route = Route.Of(name);
        var journal = await Make.Journal(f.Http, route);
        var jid = journal.Str("id");
        var created = await f.Http.Post(route.Payments(jid), new
        {
            customerNumber = "C00003", amount = -150.25m, postingDate = "2026-02-03", externalDocumentNumber = "EXT-1", comment = "first",
        });
        Expect.Status(created, 201);
        var id = created.Body.Str("id");
        var etag = Expect.ETag(created);
        Assert.Equal($"http://{f.BaseAddress.Authority}{route.Root}companies({Route.Company})/customerPaymentJournals({jid})/customerPayments({id})",
            created.Response.Headers.Location?.ToString());
        Assert.EndsWith($"/customerPaymentJournals({jid})/customerPayments/$entity", created.Body.Str("@odata.context"));
        Assert.Equal(journal.Str("code"), created.Body.Str("journalDisplayName"));
        Assert.Equal(10000, created.Body!["lineNumber"]!.GetValue<int>());
        Assert.Equal("c0000000-0000-4000-8000-000000000003", created.Body.Str("customerId"));
        Assert.Equal("School of Fine Art", created.Body.Str("description"));
        Assert.Equal(-150.25m, created.Body!["amount"]!.GetValue<decimal>());
        Assert.Equal("2026-02-03", created.Body.Str("postingDate"));
        Assert.Equal("EXT-1", created.Body.Str("externalDocumentNumber"));
        Assert.Equal("first", created.Body.Str("comment"));
        Assert.Equal(Guid.Empty.ToString(), created.Body.Str("appliesToInvoiceId"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", created.Body.Str("lastModifiedDateTime"));
        if (route.IsGraph)
        {
            Assert.Null(created.Body!["journalId"]);
            Assert.Equal("", created.Body.Str("contactId"));
        }
        else
        {
            Assert.Equal(jid, created.Body.Str("journalId"));
            Assert.Null(created.Body!["contactId"]);
        }

        var got = await f.Http.Get(route.Payment(jid, id));
        Expect.Status(got, 200);
        Assert.Equal(etag, Expect.ETag(got));
        Assert.Equal($"http://{f.BaseAddress.Authority}{route.Context}companies({Route.Company})/customerPaymentJournals({jid})/customerPayments/$entity",
            got.Body.Str("@odata.context"));

        var list = await f.Http.Get(route.Payments(jid));
        Expect.Status(list, 200);
        Assert.EndsWith($"/customerPaymentJournals({jid})/customerPayments", list.Body.Str("@odata.context"));
        Assert.Equal(id, Assert.Single(list.Body!["value"]!.AsArray())!.Str("id"));

        await Task.Delay(5);
        var patched = await f.Http.Patch(route.Payment(jid, id), new { amount = -99, comment = "second" }, etag);
        Expect.Status(patched, 200);
        Assert.Equal(-99m, patched.Body!["amount"]!.GetValue<decimal>());
        Assert.Equal("second", patched.Body.Str("comment"));
        Assert.Equal("C00003", patched.Body.Str("customerNumber"));
        Assert.NotEqual(etag, Expect.ETag(patched));
        Assert.NotEqual(created.Body.Str("lastModifiedDateTime"), patched.Body.Str("lastModifiedDateTime"));
        Assert.EndsWith($"/customerPaymentJournals({jid})/customerPayments/$entity", patched.Body.Str("@odata.context"));

        Expect.Status(await f.Http.Delete(route.Payment(jid, id)), 204);
        Expect.Error(await f.Http.Get(route.Payment(jid, id)), 404, "Internal_RecordNotFound");
    }

    [Theory]
    [InlineData("v2")]
    public async Task Company_level_list_without_journal_filter_is_refused(string name)
    {
        var r = await f.Http.Get(Route.Of(name).Set("customerPayments"));
        Expect.Error(r, 400, "Application_DialogException", "journal");
        Expect.Error(await f.Http.Get(Route.Of(name).Set("customerPayments/$count")), 400, "Application_DialogException", "journal");
    }

    [Fact]
    public async Task Company_level_list_with_journal_filter()
    {
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount = -1 });
        await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount = 5 });
        await Make.Payment(f.Http, ServiceFixture.General, new { customerNumber = "C00001", amount = -1 });
        var r = await f.Http.Get(Route.V2.Set("customerPayments") + $"?$filter=journalId eq {journal} and amount lt 0");
        Expect.Status(r, 200);
        Assert.Equal(p.Str("id"), Assert.Single(r.Body!["value"]!.AsArray())!.Str("id"));
        // A filter that does not pin the journal is still refused.
        Expect.Error(await f.Http.Get(Route.V2.Set("customerPayments") + "?$filter=amount lt 0"), 400, "Application_DialogException", "journal");
        Expect.Error(await f.Http.Get(Route.V2.Set("customerPayments") + $"?$filter=journalId eq {journal} or amount lt 0"), 400, "Application_DialogException", "journal");
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("v2-online-env")]
    public async Task Company_level_by_key(string name)
    {
        var route = Route.Of(name);
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount = -1 });
        var url = route.Entity("customerPayments", p.Str("id"));
        var got = await f.Http.Get(url);
        Expect.Status(got, 200);
        Assert.EndsWith($"/customerPayments/$entity", got.Body.Str("@odata.context"));
        var patched = await f.Http.Patch(url, new { amount = -2 }, Expect.ETag(got));
        Expect.Status(patched, 200);
        Assert.Equal(-2m, patched.Body!["amount"]!.GetValue<decimal>());
        Expect.Status(await f.Http.Delete(url, Expect.ETag(patched)), 204);
        Expect.Error(await f.Http.Get(url), 404, "Internal_RecordNotFound");
    }

    [Fact]
    public async Task Company_level_create_needs_journal_id()
    {
        var set = Route.V2.Set("customerPayments");
        Expect.Error(await f.Http.Post(set, new { customerNumber = "C00001", amount = -1 }), 400, "Application_DialogException", "journal");
        var journal = await Make.JournalId(f.Http);
        var created = await f.Http.Post(set, new { journalId = journal, customerNumber = "C00001", amount = -1 });
        Expect.Status(created, 201);
        Assert.Equal(journal, created.Body.Str("journalId"));
        Assert.Equal($"http://{f.BaseAddress.Authority}/api/v2.0/companies({Route.Company})/customerPayments({created.Body.Str("id")})",
            created.Response.Headers.Location?.ToString());
        // Graph has no company-level set (nor journalId): a payment is created under its journal.
        Expect.Error(await f.Http.Post(Route.Graph.Set("customerPayments"), new { customerNumber = "C00001" }), 404, "BadRequest_ResourceNotFound",
            "companies/{id}/customerPaymentJournals/{id}/customerPayments");
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Customer_navigation(string name)
    {
        var route = Route.Of(name);
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { customerNumber = "C00004", amount = -1 });
        var r = await f.Http.Get(route.Payment(journal, p.Str("id")) + "/customer");
        Expect.Status(r, 200);
        Assert.Equal("C00004", r.Body.Str("number"));
        Assert.EndsWith("/customer/$entity", r.Body.Str("@odata.context"));
        Expect.ETag(r);
    }

    [Fact]
    public async Task Customer_navigation_without_customer_is_no_content()
    {
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { amount = -1 });
        Expect.Status(await f.Http.Get(Route.V2.Payment(journal, p.Str("id")) + "/customer"), 204);
    }

    [Fact]
    public async Task Journal_navigation_on_v2_only()
    {
        var journal = await Make.Journal(f.Http);
        var p = await Make.Payment(f.Http, journal.Str("id"), new { customerNumber = "C00004", amount = -1 });
        var r = await f.Http.Get(Route.V2.Payment(journal.Str("id"), p.Str("id")) + "/customerPaymentJournal");
        Expect.Status(r, 200);
        Assert.Equal(journal.Str("code"), r.Body.Str("code"));
        var byCompany = await f.Http.Get(Route.V2.Entity("customerPayments", p.Str("id")) + "/customerPaymentJournal");
        Assert.Equal(journal.Str("id"), byCompany.Body.Str("id"));
        Expect.Error(await f.Http.Get(Route.Graph.Payment(journal.Str("id"), p.Str("id")) + "/customerPaymentJournal"), 404, "BadRequest_ResourceNotFound");
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Count_of_a_journal_s_payments(string name)
    {
        var route = Route.Of(name);
        var journal = await Make.JournalId(f.Http);
        await Make.Payment(f.Http, journal, new { amount = -1 });
        await Make.Payment(f.Http, journal, new { amount = -2 });
        using var resp = await f.Http.GetAsync(route.Payments(journal) + "/$count");
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("2", await resp.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Expand_navigations_of_a_payment()
    {
        var journal = await Make.Journal(f.Http, balancingAccountId: "e0000000-0000-4000-8000-000000002910");
        var p = await Make.Payment(f.Http, journal.Str("id"), new { customerNumber = "C00005", amount = -1 });
        var r = await f.Http.Get(Route.V2.Payment(journal.Str("id"), p.Str("id")) + "?$expand=customer,customerPaymentJournal");
        Expect.Status(r, 200);
        Assert.Equal("Relecloud", r.Body!["customer"]!.Str("displayName"));
        Assert.Equal(journal.Str("code"), r.Body!["customerPaymentJournal"]!.Str("code"));
        var g = await f.Http.Get(Route.Graph.Journal(journal.Str("id")) + "?$expand=account,customerPayments");
        Expect.Status(g, 200);
        Assert.Equal("2910", g.Body!["account"]!.Str("number"));
        Assert.Single(g.Body!["customerPayments"]!.AsArray());
        var none = await f.Http.Get(Route.Graph.Journal(await Make.JournalId(f.Http)) + "?$expand=account");
        Assert.Null(none.Body!["account"]);
        Assert.True(none.Body!.AsObject().ContainsKey("account"));
    }

    [Fact]
    public async Task Payments_of_another_journal_are_not_found_under_this_one()
    {
        var a = await Make.JournalId(f.Http);
        var b = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, a, new { amount = -1 });
        Expect.Error(await f.Http.Get(Route.V2.Payment(b, p.Str("id"))), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Patch(Route.V2.Payment(b, p.Str("id")), new { amount = -3 }, "*"), 404, "Internal_RecordNotFound");
    }

    [Theory]
    [InlineData("return=minimal")]
    [InlineData("return-no-content")]
    public async Task Prefer_no_content(string prefer)
    {
        var journal = await Make.JournalId(f.Http);
        var headers = new Dictionary<string, string> { ["Prefer"] = prefer };
        var created = await f.Http.Post(Route.V2.Payments(journal), new { customerNumber = "C00001", amount = -7 }, headers);
        Expect.Status(created, 204);
        Assert.Equal("", await created.Response.Content.ReadAsStringAsync());
        Assert.Equal(prefer, created.Response.Headers.GetValues("Preference-Applied").Single());
        var location = created.Response.Headers.Location?.ToString();
        Assert.NotNull(location);
        var got = await f.Http.Get(location!);
        Expect.Status(got, 200);
        Assert.Equal(-7m, got.Body!["amount"]!.GetValue<decimal>());
        Assert.Equal(created.Response.Headers.ETag?.ToString(), got.Body.Str("@odata.etag"));

        using var req = new HttpRequestMessage(HttpMethod.Patch, location) { Content = HttpJson.Json(new { amount = -8 }) };
        req.Headers.TryAddWithoutValidation("If-Match", got.Body.Str("@odata.etag"));
        req.Headers.TryAddWithoutValidation("Prefer", prefer);
        using var patched = await f.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        var after = await f.Http.Get(location!);
        Assert.Equal(-8m, after.Body!["amount"]!.GetValue<decimal>());
        Assert.Equal(patched.Headers.ETag?.ToString(), after.Body.Str("@odata.etag"));
    }

    [Fact]
    public async Task Client_supplied_id_is_kept_and_must_be_unique()
    {
        var journal = await Make.JournalId(f.Http);
        var id = Guid.NewGuid().ToString();
        var p = await Make.Payment(f.Http, journal, new { id, amount = -1 });
        Assert.Equal(id, p.Str("id"));
        Expect.Error(await f.Http.Post(Route.V2.Payments(journal), new { id, amount = -1 }), 409, "Internal_EntityWithSameKeyExists");
        Expect.Error(await f.Http.Patch(Route.V2.Payment(journal, id), new { id = Guid.NewGuid() }, "*"), 400, "BadRequest_InvalidOperation", "id");
    }
}
