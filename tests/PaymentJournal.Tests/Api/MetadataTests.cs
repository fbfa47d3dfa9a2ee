using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace PaymentJournal.Tests.Api;

/// <summary>Service documents and $metadata per surface, the latter against checked-in baselines.</summary>
public sealed class MetadataTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private static readonly XNamespace Edm = "http://docs.oasis-open.org/odata/ns/edm";

    [Theory]
    [InlineData("v2")]
    [InlineData("v2-online")]
    [InlineData("graph")]
    public async Task Service_document_per_surface(string name)
    {
        var route = Route.Of(name);
        var r = await f.Http.Get(route.Root);
        Expect.Status(r, 200);
        Assert.Equal($"http://{f.BaseAddress.Authority}{route.Root}$metadata", r.Body.Str("@odata.context"));
        var elements = r.Body!["value"]!.AsArray().Select(e => (e.Str("name"), e.Str("kind"), e.Str("url"))).ToList();
        if (route.IsGraph)
        {
            // Graph reaches companies through its financials singleton, whose URL is this root.
            Assert.Equal(("financials", "Singleton", $"http://{f.BaseAddress.Authority}/beta/financials"), Assert.Single(elements));
        }
        else
        {
            // As Business Central's: an entity set per API page, companies among them.
            foreach (var set in new[] { "companies", "customerPaymentJournals", "customerPayments", "customers", "salesInvoices", "journals" })
                Assert.Contains((set, "EntitySet", set), elements);
            Assert.DoesNotContain(elements, e => e.Item1 == "customerLedgerEntries");
        }
        Assert.Equal("4.0", r.Response.Headers.GetValues("OData-Version").Single());
    }

    [Fact]
    public async Task V2_metadata_has_Business_Centrals_container()
    {
        var doc = XDocument.Parse(await f.Http.GetStringAsync("/api/v2.0/$metadata"));
        var schema = Assert.Single(doc.Descendants(Edm + "Schema"));
        Assert.Equal("Microsoft.NAV", (string?)schema.Attribute("Namespace"));
        var container = Assert.Single(schema.Elements(Edm + "EntityContainer"));
        Assert.Equal("NAV", (string?)container.Attribute("Name"));
        var sets = container.Elements(Edm + "EntitySet").ToDictionary(e => (string)e.Attribute("Name")!);
        foreach (var set in new[] { "companies", "customerPaymentJournals", "customerPayments", "customers", "contacts", "salesInvoices", "accounts", "dimensions", "journals", "generalLedgerEntries" })
            Assert.True(sets.ContainsKey(set), $"no EntitySet {set}");
        // Not pages of the standard API: they live in our own API groups.
        Assert.False(sets.ContainsKey("customerLedgerEntries"));
        // companies(id)/customerPaymentJournals and customerPaymentJournals(id)/customerPayments resolve to the sets.
        Assert.Equal("customerPaymentJournals", Binding(sets["companies"], "customerPaymentJournals"));
        Assert.Equal("customerPayments", Binding(sets["customerPaymentJournals"], "customerPayments"));
        Assert.Equal("customers", Binding(sets["customerPayments"], "customer"));
        // Bound actions a generator can see: journals, purchase and sales invoices post; a customer payment journal posts in the posting group.
        Assert.Equal(["Microsoft.NAV.journal", "Microsoft.NAV.purchaseInvoice", "Microsoft.NAV.salesInvoice"], BoundTypes(doc, "post"));
        var posting = XDocument.Parse(await f.Http.GetStringAsync(ServiceFixture.Posting + "$metadata"));
        Assert.Equal(["Microsoft.NAV.customerPaymentJournal"], BoundTypes(posting, "post"));
        Assert.Equal("NAV", (string?)posting.Descendants(Edm + "EntityContainer").Single().Attribute("Name"));
    }

    [Fact]
    public async Task Graph_metadata_reaches_companies_through_financials()
    {
        var doc = XDocument.Parse(await f.Http.GetStringAsync("/beta/financials/$metadata"));
        var schema = doc.Descendants(Edm + "Schema").Single(s => (string?)s.Attribute("Namespace") == "microsoft.graph");
        var container = Assert.Single(schema.Elements(Edm + "EntityContainer"));
        Assert.Equal("GraphService", (string?)container.Attribute("Name"));
        var singleton = Assert.Single(container.Elements());
        Assert.Equal(("Singleton", "financials", "microsoft.graph.financials"),
            (singleton.Name.LocalName, (string?)singleton.Attribute("Name"), (string?)singleton.Attribute("Type")));
        var companies = Navigation(doc, "financials", "companies");
        Assert.Equal(("Collection(microsoft.graph.company)", "true"), ((string?)companies.Attribute("Type"), (string?)companies.Attribute("ContainsTarget")));
        var journals = Navigation(doc, "company", "customerPaymentJournals");
        Assert.Equal("true", (string?)journals.Attribute("ContainsTarget"));
        Assert.Equal("true", (string?)Navigation(doc, "customerPaymentJournal", "customerPayments").Attribute("ContainsTarget"));
        Assert.Null(doc.Descendants(Edm + "NavigationProperty").FirstOrDefault(n => (string?)n.Attribute("Name") == "customerLedgerEntries"));

        // The context URL names the path from the singleton.
        var list = await f.Http.Get($"/beta/financials/companies/{ServiceFixture.Company}/customerPaymentJournals");
        Assert.Equal($"http://{f.BaseAddress.Authority}/beta/financials/$metadata#financials/companies({ServiceFixture.Company})/customerPaymentJournals", list.Body.Str("@odata.context"));
    }

    [Theory]
    [InlineData(ServiceFixture.Ledger, "customerLedgerEntries")]
    [InlineData(ServiceFixture.Posting, "customerPaymentJournals")]
    public async Task Each_api_group_has_its_own_service_document_and_metadata(string root, string set)
    {
        var r = await f.Http.Get(root);
        Expect.Status(r, 200);
        Assert.Equal($"http://{f.BaseAddress.Authority}{root}$metadata", r.Body.Str("@odata.context"));
        var names = r.Body!["value"]!.AsArray().Select(e => e.Str("name")).ToList();
        Assert.Contains("companies", names);
        Assert.Contains(set, names);
        Assert.DoesNotContain("customers", names);
        var list = await f.Http.Get($"{ServiceFixture.CompanyPath(root)}/{set}");
        Expect.Status(list, 200);
        Assert.Equal($"http://{f.BaseAddress.Authority}{root}$metadata#companies({ServiceFixture.Company})/{set}", list.Body.Str("@odata.context"));
        // Only what the group registers: the standard sets stay on the standard root.
        Expect.Error(await f.Http.Get($"{ServiceFixture.CompanyPath(root)}/customers"), 404, "BadRequest_ResourceNotFound");
    }

    private static string? Binding(XElement set, string path) =>
        (string?)set.Elements(Edm + "NavigationPropertyBinding").SingleOrDefault(b => (string?)b.Attribute("Path") == path)?.Attribute("Target");

    private static List<string> BoundTypes(XDocument doc, string action) =>
        doc.Descendants(Edm + "Action").Where(a => (string?)a.Attribute("Name") == action && (string?)a.Attribute("IsBound") == "true")
            .Select(a => (string)a.Elements(Edm + "Parameter").First().Attribute("Type")!).Order(StringComparer.Ordinal).ToList();

    private static XElement Navigation(XDocument doc, string type, string name) =>
        doc.Descendants(Edm + "EntityType").Single(t => (string?)t.Attribute("Name") == type)
            .Elements(Edm + "NavigationProperty").Single(n => (string?)n.Attribute("Name") == name);

    [Theory]
    [InlineData("/api/v2.0/", "metadata-v2.xml")]
    [InlineData("/v2.0/contoso/sandbox/api/v2.0/", "metadata-v2.xml")]
    [InlineData("/beta/financials/", "metadata-graph.xml")]
    [InlineData(ServiceFixture.Ledger, "metadata-ledger.xml")]
    [InlineData(ServiceFixture.Posting, "metadata-posting.xml")]
    [InlineData(CashApi.Root, "metadata-cash-application.xml")]
    public async Task Metadata_matches_the_baseline(string root, string baseline)
    {
        using var resp = await f.Http.GetAsync(root + "$metadata");
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("application/xml", resp.Content.Headers.ContentType?.MediaType);
        var xml = await resp.Content.ReadAsStringAsync();
        var path = BaselinePath(baseline);
        if (Environment.GetEnvironmentVariable("PAYMENTJOURNAL_REWRITE_BASELINES") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, xml);
        }
        Assert.True(File.Exists(path), $"no baseline {path}: run with PAYMENTJOURNAL_REWRITE_BASELINES=1 to write it");
        Assert.Equal(await File.ReadAllTextAsync(path), xml);
    }

    [Fact]
    public async Task V2_and_Graph_differ_in_the_payment_members_each_API_has()
    {
        var v2 = XDocument.Parse(await f.Http.GetStringAsync("/api/v2.0/$metadata"));
        var graph = XDocument.Parse(await f.Http.GetStringAsync("/beta/financials/$metadata"));

        var v2Payment = Members(v2, "customerPayment");
        Assert.Contains("journalId", v2Payment);
        Assert.Contains("dimensionSetLines", v2Payment);
        Assert.Contains("customerPaymentJournal", v2Payment);
        Assert.DoesNotContain("contactId", v2Payment);

        var graphPayment = Members(graph, "customerPayment");
        Assert.Contains("contactId", graphPayment);
        Assert.DoesNotContain("journalId", graphPayment);
        Assert.DoesNotContain("dimensionSetLines", graphPayment);

        Assert.Contains("account", Members(graph, "customerPaymentJournal"));
        Assert.DoesNotContain("account", Members(v2, "customerPaymentJournal"));

        var description = v2.Descendants(Edm + "EntityType").Single(t => (string?)t.Attribute("Name") == "customerPayment")
            .Elements(Edm + "Property").Single(p => (string?)p.Attribute("Name") == "description");
        Assert.Equal("50", (string?)description.Attribute("MaxLength"));
    }

    [Fact]
    public async Task Metadata_is_read_only() =>
        Expect.Error(await f.Http.Post("/api/v2.0/$metadata", new { }), 405, "BadRequest_MethodNotAllowed");

    private static List<string> Members(XDocument doc, string type) =>
        doc.Descendants(Edm + "EntityType").Single(t => (string?)t.Attribute("Name") == type)
            .Elements().Select(e => (string?)e.Attribute("Name") ?? "").ToList();

    private static string BaselinePath(string name, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(source))!, "Baselines", name);
}
