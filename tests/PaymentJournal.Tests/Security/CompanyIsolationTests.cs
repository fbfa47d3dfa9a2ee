using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.OData;

namespace PaymentJournal.Tests.Security;

/// <summary>
/// A credential for company A gets 404 on every route of company B: every entity set, key, navigation, $count,
/// $expand and action the catalog declares, on both surfaces, with every method. The routes are generated from the
/// catalog itself, so a set or navigation added later is walked without touching this test.
/// </summary>
public sealed class CompanyIsolationTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    private static readonly HttpMethod[] Methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Patch, HttpMethod.Delete, HttpMethod.Put];

    private List<string> Routes(string surfaceRoot) =>
        CatalogRoutes.For(f.Services.GetRequiredService<Catalog>(), surfaceRoot, SecondCompany.Id, set => SecondCompany.Keys[set]);

    [Theory]
    [InlineData(ServiceFixture.V2)]
    [InlineData(ServiceFixture.Graph)]
    [InlineData("/v2.0/tenant/production/api/v2.0/")]
    [InlineData(ServiceFixture.Ledger)]
    [InlineData(ServiceFixture.Posting)]
    public async Task Every_route_of_company_B_is_404_for_company_A_keys(string root)
    {
        var surfaceRoot = root is ServiceFixture.Graph or ServiceFixture.Ledger or ServiceFixture.Posting ? root : ServiceFixture.V2;
        var routes = Routes(surfaceRoot).Select(r => root + r[surfaceRoot.Length..]).ToList();
        // The posting group has one set (its post action among the routes); the others many.
        Assert.True(routes.Count >= (root == ServiceFixture.Posting ? 5 : root == ServiceFixture.Ledger ? 10 : 50), $"only {routes.Count} routes generated");
        using var admin = f.With(ApiKeyFixture.Admin);
        using var reader = f.With(ApiKeyFixture.ReaderA);
        var snapshot = await DbSnapshot.TakeAsync(f);
        var failures = new List<string>();
        var checkedCount = 0;

        foreach (var route in routes)
        {
            // Control: the route exists and B's rows are there, so the 404s below come from the credential alone.
            var control = await admin.Get(route);
            if (control.Status == 404) failures.Add($"control: admin GET {route} -> 404 {control.Body?.ToJsonString()}");

            foreach (var client in new[] { f.Http, reader })
            foreach (var method in Methods)
            {
                var body = method == HttpMethod.Get || method == HttpMethod.Delete ? null : new { displayName = "cross-company write" };
                var r = await client.Send(method, route, body, ifMatch: "*");
                checkedCount++;
                if (r.Status != 404 || r.Body.ErrorCode() != "Internal_RecordNotFound")
                    failures.Add($"{method} {route} -> {r.Status} {r.Body.ErrorCode()}");
                else if (r.Body!["error"]!["message"]!.GetValue<string>().Contains("FABRIKAM", StringComparison.OrdinalIgnoreCase))
                    failures.Add($"{method} {route}: the 404 names company B");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCount} failed:\n" + string.Join("\n", failures.Take(40)));
        Assert.Equal(snapshot, await DbSnapshot.TakeAsync(f));
    }

    [Fact]
    public async Task The_404_for_B_is_the_same_as_for_a_company_that_does_not_exist()
    {
        var existing = await f.Http.Get(ServiceFixture.CompanyPath(company: SecondCompany.Id) + "/customers");
        var missing = await f.Http.Get(ServiceFixture.CompanyPath(company: "0a0a0a0a-0000-4000-8000-000000000000") + "/customers");
        Assert.Equal(missing.Status, existing.Status);
        Assert.Equal(missing.Body.ErrorCode(), existing.Body.ErrorCode());
        static string Shape(JsonNode? b, string id) => b!["error"]!["message"]!.GetValue<string>().Split("CorrelationId")[0].Replace(id, "{id}", StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Shape(missing.Body, "0a0a0a0a-0000-4000-8000-000000000000"), Shape(existing.Body, SecondCompany.Id));
    }

    [Fact]
    public async Task A_next_link_of_company_B_is_404_for_company_A()
    {
        using var admin = f.With(ApiKeyFixture.Admin);
        await f.WithDb(async db =>
        {
            db.Customers.Add(new Data.Customer
            {
                Id = Guid.NewGuid(), CompanyId = SecondCompany.CompanyId, Number = "B00002", DisplayName = "Second B customer", PostingGroupId = SecondCompany.PostingGroup,
            });
            return await db.SaveChangesAsync();
        });
        var page = await admin.Get(ServiceFixture.CompanyPath(company: SecondCompany.Id) + "/customers", new Dictionary<string, string> { ["Prefer"] = "odata.maxpagesize=1" });
        Assert.Equal(200, page.Status);
        var next = page.Body!["@odata.nextLink"]?.GetValue<string>();
        Assert.NotNull(next);
        Assert.Equal(200, (await admin.Get(next)).Status);
        var r = await f.Http.Get(next);
        Assert.Equal(404, r.Status);
        Assert.Equal("Internal_RecordNotFound", r.Body.ErrorCode());
    }

    [Fact]
    public async Task Company_B_key_gets_404_on_company_A_and_its_expands()
    {
        using var b = f.With(ApiKeyFixture.WriterB);
        Assert.Equal(404, (await b.Get(ServiceFixture.CompanyPath() + "/customerPaymentJournals?$expand=customerPayments")).Status);
        Assert.Equal(404, (await b.Get(ServiceFixture.PaymentsPath() + "?$expand=customer")).Status);
        Assert.Equal(200, (await b.Get(ServiceFixture.CompanyPath(company: SecondCompany.Id) + "/customerPaymentJournals")).Status);
    }
}

/// <summary>$batch inner requests go through the same access as single requests.</summary>
public sealed class BatchIsolationTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    [Theory]
    [InlineData(ServiceFixture.V2, false)]
    [InlineData(ServiceFixture.V2, true)]
    [InlineData(ServiceFixture.Graph, false)]
    [InlineData(ServiceFixture.Ledger, false)]
    [InlineData(ServiceFixture.Posting, true)]
    public async Task Every_inner_request_for_company_B_is_404(string root, bool atomic)
    {
        var routes = CatalogRoutes.For(f.Services.GetRequiredService<Catalog>(), root, SecondCompany.Id, set => SecondCompany.Keys[set])
            .Select(r => r[root.Length..]).ToList();
        var before = await DbSnapshot.TakeAsync(f);
        var methods = new[] { "GET", "POST", "PATCH", "DELETE" };
        var all = routes.SelectMany(r => methods.Select(m => (Method: m, Url: r))).ToList();
        var failures = new List<string>();
        foreach (var chunk in all.Chunk(100))
        {
            var requests = chunk.Select((r, i) => new Dictionary<string, object?>
            {
                ["id"] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ["method"] = r.Method, ["url"] = r.Url,
                ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json", ["If-Match"] = "*" },
                ["body"] = r.Method is "POST" or "PATCH" ? new { displayName = "cross-company write" } : null,
                ["atomicityGroup"] = atomic ? "g" : null,
            }.Where(kv => kv.Value is not null).ToDictionary()).ToList();
            foreach (var key in new[] { ApiKeyFixture.WriterA, ApiKeyFixture.ReaderA })
            {
                using var client = f.With(key);
                var (status, body, _) = await client.Post(root + "$batch", new { requests });
                Assert.Equal(200, status);
                var responses = body!["responses"]!.AsArray();
                Assert.Equal(chunk.Length, responses.Count);
                foreach (var r in responses)
                {
                    var s = r!["status"]!.GetValue<int>();
                    // In an atomic group the first failure stops the group: the others answer 424, naming it.
                    var ok = s == 404 || (atomic && s == 424);
                    if (!ok) failures.Add($"{key[..8]} {r["id"]} {chunk[int.Parse(r.Str("id")) - 1]} -> {s}");
                }
                if (atomic) Assert.Contains(responses, r => r!["status"]!.GetValue<int>() == 404);
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }
}
