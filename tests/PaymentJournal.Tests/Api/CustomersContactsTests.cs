namespace PaymentJournal.Tests.Api;

/// <summary>customers and contacts: CRUD on both surfaces, and a contact's link to its customer.</summary>
public sealed class CustomersContactsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Theory]
    [InlineData("v2")]
    [InlineData("v2-online")]
    [InlineData("graph")]
    [InlineData("graph-paren")]
    public async Task Customer_create_read_update_delete(string name)
    {
        var route = Route.Of(name);
        var created = await f.Http.Post(route.Set("customers"), new { displayName = "Fabrikam", city = "Oslo", email = "ap@fabrikam.example.com", creditLimit = 5000.5m });
        Expect.Status(created, 201);
        var id = created.Body.Str("id");
        Assert.Matches("^C\\d{5}$", created.Body.Str("number"));
        Assert.Equal(" ", created.Body.Str("blocked"));
        Assert.Equal(0m, created.Body!["balanceDue"]!.GetValue<decimal>());
        Assert.Equal(5000.5m, created.Body!["creditLimit"]!.GetValue<decimal>());
        Assert.EndsWith($"companies({Route.Company})/customers({id})", created.Response.Headers.Location?.ToString());

        var got = await f.Http.Get(route.Entity("customers", id));
        Expect.Status(got, 200);
        Assert.Equal("Fabrikam", got.Body.Str("displayName"));
        Assert.Contains((await f.Http.Get(route.Set("customers"))).Body!["value"]!.AsArray(), c => c!["id"]!.GetValue<string>() == id);

        var patched = await f.Http.Patch(route.Entity("customers", id), new { displayName = "Fabrikam Inc.", blocked = "Invoice" }, Expect.ETag(got));
        Expect.Status(patched, 200);
        Assert.Equal("Fabrikam Inc.", patched.Body.Str("displayName"));
        Assert.Equal("Invoice", patched.Body.Str("blocked"));

        Expect.Status(await f.Http.Delete(route.Entity("customers", id), Expect.ETag(patched)), 204);
        Expect.Error(await f.Http.Get(route.Entity("customers", id)), 404, "Internal_RecordNotFound");
    }

    [Fact]
    public async Task Customer_rules()
    {
        var set = Route.V2.Set("customers");
        Expect.Error(await f.Http.Post(set, new { number = "C00001" }), 409, "Internal_EntityWithSameKeyExists");
        Expect.Error(await f.Http.Post(set, new { displayName = new string('x', 101) }), 400, "Application_StringExceededLength", "displayName");
        Expect.Error(await f.Http.Post(set, new { balanceDue = 5 }), 400, "BadRequest_InvalidOperation", "balanceDue");
        Expect.Error(await f.Http.Post(set, new { blocked = "Sometimes" }), 400, "Application_EvaluateException", "blocked");
        Expect.Error(await f.Http.Post(set, new { creditLimit = "lots" }), 400, "BadRequest", "creditLimit");

        // A customer that journal lines use cannot be deleted.
        var c = await Make.Customer(f.Http);
        var journal = await Make.JournalId(f.Http);
        await Make.Payment(f.Http, journal, new { customerId = c.Str("id") });
        Expect.Error(await f.Http.Delete(Route.V2.Entity("customers", c.Str("id"))), 400, "Application_DialogException");
    }

    [Fact]
    public async Task Renumbering_a_customer_follows_on_its_payment_lines()
    {
        var c = await Make.Customer(f.Http);
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { customerId = c.Str("id") });
        var number = "RN" + Make.Code()[1..];
        Expect.Status(await f.Http.Patch(Route.V2.Entity("customers", c.Str("id")), new { number }, "*"), 200);
        var again = await f.Http.Get(Route.V2.Payment(journal, p.Str("id")));
        Assert.Equal(number, again.Body.Str("customerNumber"));
        Assert.NotEqual(p.Str("@odata.etag"), again.Body.Str("@odata.etag"));
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Contact_create_read_update_delete_and_customer_link(string name)
    {
        var route = Route.Of(name);
        var created = await f.Http.Post(route.Set("contacts"), new { displayName = "Ada Lovelace", customerNumber = "C00002", email = "ada@example.com" });
        Expect.Status(created, 201);
        var id = created.Body.Str("id");
        Assert.Equal("c0000000-0000-4000-8000-000000000002", created.Body.Str("customerId"));
        Assert.StartsWith("CT", created.Body.Str("number"));

        var customer = await f.Http.Get(route.Entity("contacts", id) + "/customer");
        Expect.Status(customer, 200);
        Assert.Equal("C00002", customer.Body.Str("number"));

        var relinked = await f.Http.Patch(route.Entity("contacts", id), new { customerId = "c0000000-0000-4000-8000-000000000005" }, Expect.ETag(created));
        Expect.Status(relinked, 200);
        Assert.Equal("C00005", relinked.Body.Str("customerNumber"));

        // The link is what a Graph payment's contactId resolves through.
        var journal = await Make.JournalId(f.Http);
        var p = await f.Http.Post(Route.Graph.Payments(journal), new { contactId = id });
        Expect.Status(p, 201);
        Assert.Equal("C00005", p.Body.Str("customerNumber"));

        Expect.Status(await f.Http.Delete(route.Entity("contacts", id)), 204);
        Expect.Error(await f.Http.Get(route.Entity("contacts", id)), 404, "Internal_RecordNotFound");
    }

    [Fact]
    public async Task Contact_rules()
    {
        var set = Route.V2.Set("contacts");
        Expect.Error(await f.Http.Post(set, new { customerNumber = "NOBODY" }), 400, "Application_DialogException", "customerNumber");
        Expect.Error(await f.Http.Post(set, new { customerId = Guid.NewGuid() }), 400, "Application_DialogException", "customerId");
        Expect.Error(await f.Http.Post(set, new { customerId = "c0000000-0000-4000-8000-000000000001", customerNumber = "C00002" }), 400, "Application_DialogException");
        Expect.Error(await f.Http.Post(set, new { jobTitle = new string('j', 31) }), 400, "Application_StringExceededLength", "jobTitle");

        // A contact without a customer cannot name a payment's customer.
        var loner = await f.Http.Post(set, new { displayName = "No relation" });
        Expect.Status(loner, 201);
        var journal = await Make.JournalId(f.Http);
        Expect.Error(await f.Http.Post(Route.Graph.Payments(journal), new { contactId = loner.Body.Str("id") }), 400, "Application_DialogException");
    }
}
