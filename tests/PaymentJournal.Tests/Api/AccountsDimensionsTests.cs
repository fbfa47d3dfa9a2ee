namespace PaymentJournal.Tests.Api;

/// <summary>Read-only accounts and companies; dimensions, their values, and dimensionSetLines under a payment (v2.0).</summary>
public sealed class AccountsDimensionsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private const string Cash = "e0000000-0000-4000-8000-000000002910";
    private const string Area = "f3000000-0000-4000-8000-000000000001";
    private const string AreaEuropeNorth = "f4000000-0000-4000-8000-000000000001";

    [Theory]
    [InlineData("v2")]
    [InlineData("v2-online")]
    [InlineData("graph")]
    [InlineData("graph-paren")]
    public async Task Accounts_are_read_only(string name)
    {
        var route = Route.Of(name);
        var list = await f.Http.Get(route.Set("accounts"));
        Expect.Status(list, 200);
        var numbers = list.Body!["value"]!.AsArray().Select(a => a!["number"]!.GetValue<string>()).ToList();
        Assert.Contains("2310", numbers);
        Assert.Contains("2910", numbers);
        Assert.Contains("6110", numbers);
        var cash = await f.Http.Get(route.Entity("accounts", Cash));
        Expect.Status(cash, 200);
        Assert.Equal("Cash", cash.Body.Str("displayName"));
        Expect.ETag(cash);

        var before = await DbSnapshot.TakeAsync(f);
        Expect.Error(await f.Http.Post(route.Set("accounts"), new { number = "9999", displayName = "New" }), 405, "BadRequest_MethodNotAllowed");
        Expect.Error(await f.Http.Patch(route.Entity("accounts", Cash), new { displayName = "Money" }, "*"), 405, "BadRequest_MethodNotAllowed");
        Expect.Error(await f.Http.Delete(route.Entity("accounts", Cash), "*"), 405, "BadRequest_MethodNotAllowed");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Companies_are_read_only(string name)
    {
        var route = Route.Of(name);
        var list = await f.Http.Get(route.Root + "companies");
        Expect.Status(list, 200);
        Assert.EndsWith(route.Context + "companies", list.Body.Str("@odata.context"));
        Assert.Equal(Route.Company, Assert.Single(list.Body!["value"]!.AsArray())!.Str("id"));
        var one = await f.Http.Get(route.CompanyUrl);
        Expect.Status(one, 200);
        Assert.Equal("CRONUS", one.Body.Str("name"));
        Expect.ETag(one);
        Expect.Error(await f.Http.Post(route.Root + "companies", new { name = "X" }), 405, "BadRequest_MethodNotAllowed");
        Expect.Error(await f.Http.Patch(route.CompanyUrl, new { name = "X" }, "*"), 405, "BadRequest_MethodNotAllowed");
        Expect.Error(await f.Http.Delete(route.CompanyUrl, "*"), 405, "BadRequest_MethodNotAllowed");
        Expect.Error(await f.Http.Get(route.Entity("customers", "c0000000-0000-4000-8000-000000000001").Replace(Route.Company, Guid.NewGuid().ToString())), 404, "Internal_RecordNotFound");
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Dimensions_and_values_are_created_and_read(string name)
    {
        var route = Route.Of(name);
        var code = Make.Code("D");
        var dim = await f.Http.Post(route.Set("dimensions"), new { code, displayName = "Project" });
        Expect.Status(dim, 201);
        var id = dim.Body.Str("id");
        Assert.Equal(code, dim.Body.Str("code"));
        var values = route.Entity("dimensions", id) + "/dimensionValues";
        var v = await f.Http.Post(values, new { code = "p1", displayName = "Project one" });
        Expect.Status(v, 201);
        Assert.Equal("P1", v.Body.Str("code"));
        Assert.Equal(id, v.Body.Str("dimensionId"));
        Assert.Equal("P1", Assert.Single((await f.Http.Get(values)).Body!["value"]!.AsArray())!.Str("code"));
        Expect.Status(await f.Http.Get(route.Entity("dimensions", id)), 200);

        Expect.Error(await f.Http.Post(route.Set("dimensions"), new { code }), 409, "Internal_EntityWithSameKeyExists");
        Expect.Error(await f.Http.Post(values, new { code = "P1" }), 409, "Internal_EntityWithSameKeyExists");
        Expect.Error(await f.Http.Post(route.Set("dimensions"), new { displayName = "no code" }), 400, "Application_FieldValidationException", "code");
        Expect.Error(await f.Http.Patch(route.Entity("dimensions", id), new { displayName = "x" }, "*"), 405, "BadRequest_MethodNotAllowed");
        Expect.Error(await f.Http.Delete(route.Entity("dimensions", id), "*"), 405, "BadRequest_MethodNotAllowed");
    }

    private async Task<(string Journal, JsonNode Payment, string Url)> NewPayment()
    {
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount = -5 });
        return (journal, p, Route.V2.Payment(journal, p.Str("id")) + "/dimensionSetLines");
    }

    [Fact]
    public async Task Dimension_set_lines_create_read_update_delete()
    {
        var (_, payment, url) = await NewPayment();
        var paymentUrl = url[..url.LastIndexOf('/')];
        var created = await f.Http.Post(url, new { code = "AREA", valueCode = "10" });
        Expect.Status(created, 201);
        Assert.Equal(Area, created.Body.Str("id"));
        Assert.Equal("Area", created.Body.Str("displayName"));
        Assert.Equal(AreaEuropeNorth, created.Body.Str("valueId"));
        Assert.Equal("Europe North", created.Body.Str("valueDisplayName"));
        Assert.Equal(payment.Str("id"), created.Body.Str("parentId"));
        Assert.Equal("Journal Line", created.Body.Str("parentType"));
        Assert.EndsWith($"/customerPayments({payment.Str("id")})/dimensionSetLines({Area})", created.Response.Headers.Location?.ToString());
        // The payment's dimension set changed: so did its ETag.
        var paymentAfter = await f.Http.Get(paymentUrl);
        Assert.NotEqual(payment.Str("@odata.etag"), paymentAfter.Body.Str("@odata.etag"));

        var got = await f.Http.Get(url + $"({Area})");
        Expect.Status(got, 200);
        Assert.Equal("10", got.Body.Str("valueCode"));
        Assert.Single((await f.Http.Get(url)).Body!["value"]!.AsArray());

        var changed = await f.Http.Patch(url + $"({Area})", new { valueCode = "30" }, Expect.ETag(got));
        Expect.Status(changed, 200);
        Assert.Equal("America", changed.Body.Str("valueDisplayName"));
        Expect.Error(await f.Http.Patch(url + $"({Area})", new { code = "DEPARTMENT" }, "*"), 400, "BadRequest_InvalidOperation", "code");
        Expect.Error(await f.Http.Patch(url + $"({Area})", new { id = Guid.NewGuid() }, "*"), 400, "BadRequest_InvalidOperation", "id");

        Expect.Status(await f.Http.Delete(url + $"({Area})"), 204);
        Assert.Empty((await f.Http.Get(url)).Body!["value"]!.AsArray());
        Expect.Error(await f.Http.Get(url + $"({Area})"), 404, "Internal_RecordNotFound");
    }

    [Fact]
    public async Task Dimension_set_line_rules()
    {
        var (_, _, url) = await NewPayment();
        var before = await DbSnapshot.TakeAsync(f);
        Expect.Error(await f.Http.Post(url, new { id = Area, code = "DEPARTMENT", valueCode = "10" }), 400, "Application_DialogException", "match");
        Expect.Error(await f.Http.Post(url, new { code = "NOSUCH", valueCode = "10" }), 400, "Application_DialogException");
        Expect.Error(await f.Http.Post(url, new { id = Guid.NewGuid(), valueCode = "10" }), 400, "Application_DialogException");
        Expect.Error(await f.Http.Post(url, new { code = "AREA", valueCode = "99" }), 400, "Application_DialogException");
        Expect.Error(await f.Http.Post(url, new { code = "AREA", valueId = "f4000000-0000-4000-8000-000000000004" }), 400, "Application_DialogException");
        Expect.Error(await f.Http.Post(url, new { code = "AREA", valueId = AreaEuropeNorth, valueCode = "20" }), 400, "Application_DialogException", "match");
        Expect.Error(await f.Http.Post(url, new { code = "AREA" }), 400, "Application_DialogException", "value");
        Expect.Error(await f.Http.Post(url, new { valueCode = "10" }), 400, "Application_DialogException", "dimension");
        Expect.Error(await f.Http.Post(url, new { code = "AREA", valueCode = "10", parentId = Guid.NewGuid() }), 400, "BadRequest_InvalidOperation", "parentId");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));

        Expect.Status(await f.Http.Post(url, new { id = Area, valueId = AreaEuropeNorth }), 201);
        Expect.Error(await f.Http.Post(url, new { code = "AREA", valueCode = "20" }), 409, "Internal_EntityWithSameKeyExists");
        Expect.Error(await f.Http.Get(Route.Graph.Payments(ServiceFixture.General) + $"/{Guid.NewGuid()}/dimensionSetLines"), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Get(Route.V2.Set("dimensionSetLines")), 404, "BadRequest_ResourceNotFound");
    }

    [Fact]
    public async Task Dimension_set_lines_are_v2_only()
    {
        var (journal, payment, _) = await NewPayment();
        Expect.Error(await f.Http.Get(Route.Graph.Payment(journal, payment.Str("id")) + "/dimensionSetLines"), 404, "BadRequest_ResourceNotFound");
        Expect.Error(await f.Http.Post(Route.Graph.Payments(journal), new { dimensionSetLines = new[] { new { code = "AREA", valueCode = "10" } } }), 400, "BadRequest", "dimensionSetLines");
    }

    [Fact]
    public async Task Deep_insert_of_dimension_set_lines()
    {
        var journal = await Make.JournalId(f.Http);
        var created = await f.Http.Post(Route.V2.Payments(journal), new
        {
            customerNumber = "C00002", amount = -20,
            dimensionSetLines = new object[] { new { code = "AREA", valueCode = "20" }, new { code = "DEPARTMENT", valueCode = "SALES" } },
        });
        Expect.Status(created, 201);
        var lines = await f.Http.Get(Route.V2.Payment(journal, created.Body.Str("id")) + "/dimensionSetLines");
        var codes = lines.Body!["value"]!.AsArray().Select(l => l!["code"]!.GetValue<string>() + "=" + l["valueCode"]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(["AREA=20", "DEPARTMENT=SALES"], codes);

        var expanded = await f.Http.Get(Route.V2.Payment(journal, created.Body.Str("id")) + "?$expand=dimensionSetLines");
        Expect.Status(expanded, 200);
        Assert.Equal(2, expanded.Body!["dimensionSetLines"]!.AsArray().Count);

        // One bad line rejects the whole payment.
        var before = await DbSnapshot.TakeAsync(f);
        Expect.Error(await f.Http.Post(Route.V2.Payments(journal), new
        {
            customerNumber = "C00002", dimensionSetLines = new object[] { new { code = "AREA", valueCode = "20" }, new { code = "AREA", valueCode = "30" } },
        }), 409, "Internal_EntityWithSameKeyExists");
        Expect.Error(await f.Http.Post(Route.V2.Payments(journal), new
        {
            customerNumber = "C00002", dimensionSetLines = new object[] { new { code = "AREA", valueCode = "20", bogus = 1 } },
        }), 400, "BadRequest", "bogus");
        Expect.Error(await f.Http.Post(Route.V2.Payments(journal), new { dimensionSetLines = new { code = "AREA" } }), 400, "BadRequest", "dimensionSetLines");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }
}
