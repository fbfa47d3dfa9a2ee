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
        var companies = Assert.Single(r.Body!["value"]!.AsArray());
        Assert.Equal("companies", companies!.Str("name"));
        Assert.Equal("EntitySet", companies.Str("kind"));
        Assert.Equal("companies", companies.Str("url"));
        Assert.Equal("4.0", r.Response.Headers.GetValues("OData-Version").Single());
    }

    [Theory]
    [InlineData("/api/v2.0/", "metadata-v2.xml")]
    [InlineData("/v2.0/contoso/sandbox/api/v2.0/", "metadata-v2.xml")]
    [InlineData("/beta/financials/", "metadata-graph.xml")]
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
    public async Task Surfaces_differ_as_the_contract_says()
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
