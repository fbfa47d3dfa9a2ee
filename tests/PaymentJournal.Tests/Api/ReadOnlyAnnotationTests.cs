using System.Xml.Linq;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// $metadata marks what the service refuses in a body, and nothing else: a property annotated Core.Computed is
/// refused on POST and PATCH, one annotated Core.Immutable on PATCH only, and every other property of the type is
/// accepted by both (it may fail a business rule, but never as read-only). Checked by sending each property alone,
/// with the value the entity has, on each surface.
/// </summary>
public sealed class ReadOnlyAnnotationTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private static readonly XNamespace Edm = "http://docs.oasis-open.org/odata/ns/edm";
    private const string Computed = "Org.OData.Core.V1.Computed";
    private const string Immutable = "Org.OData.Core.V1.Immutable";

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Every_refused_property_is_annotated_and_every_annotated_one_is_refused(string name)
    {
        var route = Route.Of(name);
        var doc = XDocument.Parse(await f.Http.GetStringAsync(route.Root + "$metadata"));
        var journal = (await Make.Journal(f.Http, route)).Str("id");
        var payment = (await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount = -5 }, route)).Str("id");
        var invoice = (await Make.DraftInvoice(f.Http)).Str("id");
        var customer = (await Make.Customer(f.Http)).Str("id");
        var vendor = (await f.Http.Post(Route.V2.Set("vendors"), new { displayName = "Annotation probe" })).Body.Str("id");
        // (entity type, collection URL, an entity's URL) for every set that takes a POST or a PATCH.
        var targets = new List<(string Type, string Collection, string Entity)>
        {
            ("customerPaymentJournal", route.Set("customerPaymentJournals"), route.Journal(journal)),
            ("customerPayment", route.Payments(journal), route.Payment(journal, payment)),
            ("customer", route.Set("customers"), route.Entity("customers", customer)),
            ("contact", route.Set("contacts"), route.Entity("contacts", Data.DemoSeed.ContactId(2).ToString())),
            ("salesInvoice", route.Set("salesInvoices"), route.Entity("salesInvoices", invoice)),
            ("vendor", route.Set("vendors"), route.Entity("vendors", vendor)),
        };
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var (type, collection, entity) in targets)
        {
            var current = (await f.Http.Get(entity)).Body!;
            foreach (var property in doc.Descendants(Edm + "EntityType").Single(t => (string?)t.Attribute("Name") == type).Elements(Edm + "Property"))
            {
                var prop = (string)property.Attribute("Name")!;
                var terms = property.Elements(Edm + "Annotation").Select(a => (string?)a.Attribute("Term")).ToHashSet();
                var body = new JsonObject { [prop] = current[prop]?.DeepClone() };
                var patch = await f.Http.Send(HttpMethod.Patch, entity, body, ifMatch: "*");
                var post = await f.Http.Send(HttpMethod.Post, collection, body);
                checkedCount++;
                var held = terms.Contains(Computed) || terms.Contains(Immutable);
                if (RefusedAsReadOnly(patch.Body) && !held)
                    failures.Add($"PATCH {type}.{prop} refused but not annotated: {patch.Body?.ToJsonString()}");
                if (RefusedAsReadOnly(post.Body) && !terms.Contains(Computed))
                    failures.Add($"POST {type}.{prop} refused but not Computed: {post.Body?.ToJsonString()}");
                if (held && !RefusedAsReadOnly(patch.Body))
                {
                    // A property the set's rules hold accepts the value it has (as Business Central's page does), never a change.
                    var changed = await f.Http.Send(HttpMethod.Patch, entity, new JsonObject { [prop] = Different(current[prop], (string)property.Attribute("Type")!) }, ifMatch: "*");
                    if (changed.Status is < 400 or >= 500)
                        failures.Add($"PATCH {type}.{prop} annotated [{string.Join(", ", terms)}] but a change is {changed.Status}");
                }
            }
        }
        Assert.True(checkedCount > 40, $"only {checkedCount} properties checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task The_properties_generated_clients_offered_as_writable_are_marked()
    {
        var doc = XDocument.Parse(await f.Http.GetStringAsync("/api/v2.0/$metadata"));
        string[] Terms(string type, string prop) => doc.Descendants(Edm + "EntityType").Single(t => (string?)t.Attribute("Name") == type)
            .Elements(Edm + "Property").Single(p => (string?)p.Attribute("Name") == prop)
            .Elements(Edm + "Annotation").Select(a => (string)a.Attribute("Term")!).ToArray();
        Assert.Equal([Computed], Terms("customerPaymentJournal", "lastModifiedDateTime"));
        Assert.Equal([Computed], Terms("customerPaymentJournal", "balancingAccountNumber"));
        Assert.Equal([Computed], Terms("customerPayment", "journalDisplayName"));
        Assert.Equal([Immutable], Terms("customerPayment", "journalId"));
        Assert.Empty(Terms("customerPayment", "amount"));
    }

    private static JsonNode? Different(JsonNode? value, string edmType) => edmType switch
    {
        "Edm.Guid" => Guid.NewGuid().ToString(),
        "Edm.String" => "ZZ" + value?.GetValue<string>(),
        "Edm.Int32" or "Edm.Int64" => 987654,
        "Edm.Decimal" => 12345.67m,
        "Edm.Date" => "2020-01-01",
        "Edm.DateTimeOffset" => "2020-01-01T00:00:00Z",
        "Edm.Boolean" => !(value?.GetValue<bool>() ?? false),
        _ => throw new InvalidOperationException(edmType),
    };

    private static bool RefusedAsReadOnly(JsonNode? body) =>
        body?["error"]?["message"]?.GetValue<string>() is { } m && m.Contains("is read-only", StringComparison.Ordinal);
}
