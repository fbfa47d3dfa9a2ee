namespace PaymentJournal.Tests.Api;

/// <summary>customerPaymentJournals (reads, writes and their field rules) on every URL shape.</summary>
public sealed class JournalsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private const string Cash = "e0000000-0000-4000-8000-000000002910";
    private const string Bank = "e0000000-0000-4000-8000-000000002920";

    [Theory]
    [InlineData("v2")]
    [InlineData("v2-online")]
    [InlineData("graph")]
    [InlineData("graph-paren")]
    public async Task Create_read_update_delete(string name)
    {
        var route = Route.Of(name);
        var code = Make.Code("j");
        var created = await f.Http.Post(route.Set("customerPaymentJournals"), new { code, displayName = "Cash receipts", balancingAccountId = Bank });
        Expect.Status(created, 201);
        var id = created.Body.Str("id");
        Assert.Equal(code.ToUpperInvariant(), created.Body.Str("code"));
        Assert.Equal("Cash receipts", created.Body.Str("displayName"));
        Assert.Equal(Bank, created.Body.Str("balancingAccountId"));
        Assert.Equal("2920", created.Body.Str("balancingAccountNumber"));
        var etag = Expect.ETag(created);
        // Location uses the canonical parenthesis keys on every surface.
        Assert.Equal($"http://{f.BaseAddress.Authority}{route.Root}companies({Route.Company})/customerPaymentJournals({id})",
            created.Response.Headers.Location?.ToString());
        Assert.EndsWith("/customerPaymentJournals/$entity", created.Body.Str("@odata.context"));
        Assert.StartsWith($"http://{f.BaseAddress.Authority}{route.Context}companies(", created.Body.Str("@odata.context"));

        var got = await f.Http.Get(route.Journal(id));
        Expect.Status(got, 200);
        Assert.Equal(etag, Expect.ETag(got));
        Assert.Equal(created.Body!["lastModifiedDateTime"]!.GetValue<string>(), got.Body.Str("lastModifiedDateTime"));

        var list = await f.Http.Get(route.Set("customerPaymentJournals"));
        Expect.Status(list, 200);
        Assert.EndsWith(route.Context + "companies(" + Route.Company + ")/customerPaymentJournals", list.Body.Str("@odata.context"));
        var rows = list.Body!["value"]!.AsArray();
        Assert.Contains(rows, r => r!["id"]!.GetValue<string>() == id);
        Assert.Contains(rows, r => r!["code"]!.GetValue<string>() == "GENERAL");
        Assert.All(rows, r => Assert.StartsWith("W/\"", r!["@odata.etag"]!.GetValue<string>()));

        await Task.Delay(5);
        var patched = await f.Http.Patch(route.Journal(id), new { displayName = "Renamed", balancingAccountId = Cash }, etag);
        Expect.Status(patched, 200);
        Assert.Equal("Renamed", patched.Body.Str("displayName"));
        Assert.Equal("2910", patched.Body.Str("balancingAccountNumber"));
        Assert.NotEqual(etag, Expect.ETag(patched));
        Assert.NotEqual(got.Body.Str("lastModifiedDateTime"), patched.Body.Str("lastModifiedDateTime"));

        Expect.Status(await f.Http.Delete(route.Journal(id), Expect.ETag(patched)), 204);
        Expect.Error(await f.Http.Get(route.Journal(id)), 404, "Internal_RecordNotFound");
    }

    [Fact]
    public async Task Deleting_a_journal_deletes_its_lines()
    {
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount = -10 });
        Expect.Status(await f.Http.Delete(Route.V2.Journal(journal)), 204);
        var left = await f.WithDb(db => Task.FromResult(db.CustomerPayments.Count(x => x.JournalId == Guid.Parse(journal))));
        Assert.Equal(0, left);
        Expect.Error(await f.Http.Get(Route.V2.Set("customerPayments") + $"({p.Str("id")})"), 404, "Internal_RecordNotFound");
    }

    [Theory]
    [InlineData("graph")]
    [InlineData("graph-paren")]
    public async Task Graph_account_navigation_is_the_balancing_account(string name)
    {
        var route = Route.Of(name);
        var r = await f.Http.Get(route.Journal(ServiceFixture.General) + "/account");
        Expect.Status(r, 200);
        Assert.Equal(Cash, r.Body.Str("id"));
        Assert.Equal("2910", r.Body.Str("number"));
        Assert.EndsWith("/customerPaymentJournals(" + ServiceFixture.General + ")/account/$entity", r.Body.Str("@odata.context"));
        Expect.ETag(r);
    }

    [Fact]
    public async Task V2_has_no_account_navigation() =>
        Expect.Error(await f.Http.Get(Route.V2.Journal(ServiceFixture.General) + "/account"), 404, "BadRequest_ResourceNotFound");

    [Fact]
    public async Task Expand_customer_payments()
    {
        var journal = await Make.JournalId(f.Http);
        await Make.Payment(f.Http, journal, new { customerNumber = "C00002", amount = -5 });
        var r = await f.Http.Get(Route.V2.Journal(journal) + "?$expand=customerPayments");
        Expect.Status(r, 200);
        var lines = r.Body!["customerPayments"]!.AsArray();
        Assert.Single(lines);
        Assert.Equal("C00002", lines[0]!.Str("customerNumber"));
    }

    [Fact]
    public async Task Code_is_required_and_unique()
    {
        var set = Route.V2.Set("customerPaymentJournals");
        Expect.Error(await f.Http.Post(set, new { displayName = "no code" }), 400, "Application_FieldValidationException", "code");
        Expect.Error(await f.Http.Post(set, new { code = "general" }), 409, "Internal_EntityWithSameKeyExists");
        var other = await Make.Journal(f.Http);
        Expect.Error(await f.Http.Patch(Route.V2.Journal(other.Str("id")), new { code = "GENERAL" }, "*"), 409, "Internal_EntityWithSameKeyExists");
    }

    [Fact]
    public async Task Lengths_and_read_only_fields()
    {
        var set = Route.V2.Set("customerPaymentJournals");
        Expect.Error(await f.Http.Post(set, new { code = "ABCDEFGHIJK" }), 400, "Application_StringExceededLength", "code");
        Expect.Error(await f.Http.Post(set, new { code = Make.Code(), displayName = new string('d', 51) }), 400, "Application_StringExceededLength", "displayName");
        Expect.Error(await f.Http.Post(set, new { code = Make.Code(), balancingAccountNumber = "2910" }), 400, "BadRequest_InvalidOperation", "balancingAccountNumber");
        Expect.Error(await f.Http.Post(set, new { code = Make.Code(), id = Guid.NewGuid() }), 400, "BadRequest_InvalidOperation", "id");
        Expect.Error(await f.Http.Post(set, new { code = Make.Code(), lastModifiedDateTime = "2026-01-01T00:00:00Z" }), 400, "BadRequest_InvalidOperation", "lastModifiedDateTime");
        Expect.Error(await f.Http.Post(set, new { code = Make.Code(), balancingAccountId = Guid.NewGuid() }), 400, "Application_DialogException", "balancingAccountId");
        Expect.Error(await f.Http.Post(set, new { code = Make.Code(), balancingAccountId = "x" }), 400, "Application_InvalidGUID", "balancingAccountId");
    }

    [Fact]
    public async Task Renaming_a_journal_renames_it_on_its_lines()
    {
        var journal = await Make.Journal(f.Http);
        var id = journal.Str("id");
        var p = await Make.Payment(f.Http, id, new { customerNumber = "C00001", amount = -1 });
        Assert.Equal(journal.Str("code"), p.Str("journalDisplayName"));
        var code = Make.Code("R");
        Expect.Status(await f.Http.Patch(Route.V2.Journal(id), new { code }, journal.Str("@odata.etag")), 200);
        var again = await f.Http.Get(Route.V2.Payment(id, p.Str("id")));
        Assert.Equal(code, again.Body.Str("journalDisplayName"));
        // The line's wire shape changed, so its ETag did too.
        Assert.NotEqual(p.Str("@odata.etag"), again.Body.Str("@odata.etag"));
        Expect.Error(await f.Http.Patch(Route.V2.Payment(id, p.Str("id")), new { amount = -2 }, p.Str("@odata.etag")), 409, "Request_EntityChanged");
    }

    [Fact]
    public async Task If_match_rules_for_journals()
    {
        var j = await Make.Journal(f.Http);
        var url = Route.V2.Journal(j.Str("id"));
        Expect.Error(await f.Http.Patch(url, new { displayName = "x" }, null), 400, "BadRequest_InvalidToken");
        var ok = await f.Http.Patch(url, new { displayName = "x" }, j.Str("@odata.etag"));
        Expect.Status(ok, 200);
        Expect.Error(await f.Http.Patch(url, new { displayName = "y" }, j.Str("@odata.etag")), 409, "Request_EntityChanged");
        Expect.Error(await f.Http.Delete(url, j.Str("@odata.etag")), 409, "Request_EntityChanged");
        Expect.Status(await f.Http.Patch(url, new { displayName = "z" }, "*"), 200);
    }
}
