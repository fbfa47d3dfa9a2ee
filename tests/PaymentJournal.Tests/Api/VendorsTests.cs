using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// vendors on the standard surfaces (fields, rules, queries, ETags) and the read-only vendorLedgerEntries of the ledger
/// group; the second company's vendor and entry stay out of the demo company's answers.
/// </summary>
public sealed class VendorsTests(TwoCompaniesFixture f) : IClassFixture<TwoCompaniesFixture>
{
    private static readonly XNamespace Edm = "http://docs.oasis-open.org/odata/ns/edm";
    private static string Ledger => ServiceFixture.CompanyPath(ServiceFixture.Ledger);

    /// <summary>Every writable field with a value other than its default.</summary>
    private static JsonObject AllFields(string number, string suffix) => new()
    {
        ["number"] = number, ["displayName"] = "Northwind Traders " + suffix, ["addressLine1"] = "1 Harbour Road " + suffix,
        ["addressLine2"] = "Unit " + suffix, ["city"] = "Bergen " + suffix, ["state"] = "VL" + suffix, ["country"] = "NO" + suffix,
        ["postalCode"] = "50" + suffix, ["phoneNumber"] = "+47 555-01" + suffix, ["email"] = $"ap{suffix}@northwind.example.com",
        ["website"] = $"www.northwind{suffix}.example.com", ["taxRegistrationNumber"] = "NO9999" + suffix, ["currencyCode"] = "NOK",
        ["taxLiable"] = suffix == "1", ["blocked"] = suffix == "1" ? "Payment" : "All",
    };

    private static void AssertFields(JsonObject expected, JsonNode? actual)
    {
        foreach (var (name, value) in expected)
            Assert.True(JsonNode.DeepEquals(value, actual![name]), $"{name}: sent {value?.ToJsonString()}, got {actual![name]?.ToJsonString()}");
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("v2-online")]
    [InlineData("graph")]
    [InlineData("graph-paren")]
    public async Task Every_field_round_trips_through_create_read_update_delete(string name)
    {
        var route = Route.Of(name);
        var first = AllFields("NW" + Make.Code()[1..], "1");
        var created = await f.Http.Post(route.Set("vendors"), first);
        Expect.Status(created, 201);
        AssertFields(first, created.Body);
        var id = created.Body.Str("id");
        Assert.Equal(0m, created.Body!["balance"]!.GetValue<decimal>());
        Assert.EndsWith($"companies({Route.Company})/vendors({id})", created.Response.Headers.Location?.ToString());
        Assert.True(DateTimeOffset.TryParse(created.Body.Str("lastModifiedDateTime"), out _));

        var got = await f.Http.Get(route.Entity("vendors", id));
        Expect.Status(got, 200);
        AssertFields(first, got.Body);
        Assert.Contains((await f.Http.Get(route.Set("vendors"))).Body!["value"]!.AsArray(), v => v.Str("id") == id);

        var second = AllFields("NW" + Make.Code()[1..], "2");
        var patched = await f.Http.Patch(route.Entity("vendors", id), second, Expect.ETag(got));
        Expect.Status(patched, 200);
        AssertFields(second, patched.Body);
        AssertFields(second, (await f.Http.Get(route.Entity("vendors", id))).Body);
        Assert.NotEqual(Expect.ETag(got), Expect.ETag(patched));

        Expect.Status(await f.Http.Delete(route.Entity("vendors", id), Expect.ETag(patched)), 204);
        Expect.Error(await f.Http.Get(route.Entity("vendors", id)), 404, "Internal_RecordNotFound");
    }

    [Fact]
    public async Task Code_fields_are_kept_in_upper_case_and_blank_values_round_trip()
    {
        var created = await f.Http.Post(Route.V2.Set("vendors"), new { number = "lc" + Make.Code()[1..].ToLowerInvariant(), country = "se", postalCode = "sw1a 1aa", currencyCode = "sek" });
        Expect.Status(created, 201);
        Assert.Equal(created.Body.Str("number").ToUpperInvariant(), created.Body.Str("number"));
        Assert.Equal("SE", created.Body.Str("country"));
        Assert.Equal("SW1A 1AA", created.Body.Str("postalCode"));
        Assert.Equal("SEK", created.Body.Str("currencyCode"));
        Assert.Equal(" ", created.Body.Str("blocked"));
        Assert.False(created.Body!["taxLiable"]!.GetValue<bool>());
        // The blank option may be sent as its caption or as its EDM member name.
        var id = created.Body.Str("id");
        Expect.Status(await f.Http.Patch(Route.V2.Entity("vendors", id), new { blocked = "All", displayName = "Someone" }, "*"), 200);
        var cleared = await f.Http.Patch(Route.V2.Entity("vendors", id), new { blocked = "_x0020_", displayName = (string?)null }, "*");
        Expect.Status(cleared, 200);
        Assert.Equal(" ", cleared.Body.Str("blocked"));
        Assert.Equal("", cleared.Body.Str("displayName"));
    }

    [Fact]
    public async Task The_metadata_types_the_vendor_as_Business_Central_does()
    {
        var doc = XDocument.Parse(await f.Http.GetStringAsync(ServiceFixture.V2 + "$metadata"));
        var type = doc.Descendants(Edm + "EntityType").Single(t => (string?)t.Attribute("Name") == "vendor");
        var props = type.Elements(Edm + "Property").ToDictionary(p => (string)p.Attribute("Name")!);
        Assert.Equal(
            ["id", "number", "displayName", "addressLine1", "addressLine2", "city", "state", "country", "postalCode", "phoneNumber", "email", "website",
             "taxRegistrationNumber", "currencyCode", "taxLiable", "blocked", "balance", "lastModifiedDateTime"],
            props.Keys);
        var lengths = new Dictionary<string, int>
        {
            ["number"] = 20, ["displayName"] = 100, ["addressLine1"] = 100, ["addressLine2"] = 50, ["city"] = 30, ["state"] = 30, ["country"] = 10,
            ["postalCode"] = 20, ["phoneNumber"] = 30, ["email"] = 80, ["website"] = 80, ["taxRegistrationNumber"] = 20, ["currencyCode"] = 10,
        };
        foreach (var (name, max) in lengths)
        {
            Assert.Equal("Edm.String", (string?)props[name].Attribute("Type"));
            Assert.Equal(max.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)props[name].Attribute("MaxLength"));
        }
        Assert.Equal("Edm.Guid", (string?)props["id"].Attribute("Type"));
        Assert.Equal("Edm.Boolean", (string?)props["taxLiable"].Attribute("Type"));
        Assert.Equal("Edm.Decimal", (string?)props["balance"].Attribute("Type"));
        Assert.Equal("Edm.DateTimeOffset", (string?)props["lastModifiedDateTime"].Attribute("Type"));
        string[] Computed(string name) => props[name].Elements(Edm + "Annotation").Select(a => (string)a.Attribute("Term")!).ToArray();
        foreach (var readOnly in new[] { "id", "balance", "lastModifiedDateTime" }) Assert.Equal(["Org.OData.Core.V1.Computed"], Computed(readOnly));
        Assert.Empty(Computed("number"));
        // The option is a string here, as the customer's blocked is; its values are checked on write.
        Assert.Equal("Edm.String", (string?)props["blocked"].Attribute("Type"));
    }

    [Fact]
    public async Task A_blank_number_takes_the_next_free_one_of_the_VEND_series()
    {
        var next = await f.WithDb(db => db.NumberSeries.AsNoTracking().SingleAsync(s => s.CompanyId == Guid.Parse(ServiceFixture.Company) && s.Code == "VEND"));
        // A number given by hand sits where the series goes next: the series steps over it.
        var taken = next.Format(next.LastUsed + 1);
        Expect.Status(await f.Http.Post(Route.V2.Set("vendors"), new { number = taken, displayName = "By hand" }), 201);
        var auto = await f.Http.Post(Route.V2.Set("vendors"), new { displayName = "From the series" });
        Expect.Status(auto, 201);
        Assert.Equal(next.Format(next.LastUsed + 2), auto.Body.Str("number"));
        Assert.Matches("^V\\d{5}$", auto.Body.Str("number"));
    }

    [Fact]
    public async Task Rules_and_their_errors()
    {
        var set = Route.V2.Set("vendors");
        Expect.Error(await f.Http.Post(set, new { number = "V00001" }), 409, "Internal_EntityWithSameKeyExists",
            "The record in table Vendor already exists. Identification fields and values: No.='V00001'");
        Expect.Error(await f.Http.Post(set, new { number = "v00002" }), 409, "Internal_EntityWithSameKeyExists", "No.='V00002'");
        Expect.Error(await f.Http.Post(set, new { number = new string('N', 21) }), 400, "Application_StringExceededLength", "number");
        Expect.Error(await f.Http.Post(set, new { displayName = new string('x', 101) }), 400, "Application_StringExceededLength", "displayName");
        Expect.Error(await f.Http.Post(set, new { addressLine2 = new string('x', 51) }), 400, "Application_StringExceededLength", "addressLine2");
        Expect.Error(await f.Http.Post(set, new { taxRegistrationNumber = new string('1', 21) }), 400, "Application_StringExceededLength", "taxRegistrationNumber");
        Expect.Error(await f.Http.Post(set, new { balance = 5 }), 400, "BadRequest_InvalidOperation", "balance");
        Expect.Error(await f.Http.Post(set, new { lastModifiedDateTime = "2026-01-01T00:00:00Z" }), 400, "BadRequest_InvalidOperation", "lastModifiedDateTime");
        Expect.Error(await f.Http.Post(set, new { blocked = "Ship" }), 400, "Application_EvaluateException", "' ', 'Payment', 'All'");
        Expect.Error(await f.Http.Post(set, new { taxLiable = "yes" }), 400, "BadRequest", "taxLiable");
        Expect.Error(await f.Http.Post(set, new { phoneNumber = "call me" }), 400, "Application_FieldValidationException", "phoneNumber must not contain letters");

        var v = await f.Http.Post(set, new { displayName = "Rules" });
        Expect.Status(v, 201);
        var url = Route.V2.Entity("vendors", v.Body.Str("id"));
        Expect.Error(await f.Http.Patch(url, new { number = "" }, "*"), 400, "Application_FieldValidationException", "number must have a value in Vendor");
        Expect.Error(await f.Http.Patch(url, new { number = "V00003" }, "*"), 409, "Internal_EntityWithSameKeyExists", "No.='V00003'");
        Expect.Error(await f.Http.Patch(url, new { balance = 1 }, "*"), 400, "BadRequest_InvalidOperation", "balance");
        // Nothing of the refused writes stuck.
        var after = await f.Http.Get(url);
        Assert.Equal(v.Body.Str("number"), after.Body.Str("number"));
        Assert.Equal(v.Body.Str("@odata.etag"), after.Body.Str("@odata.etag"));
    }

    [Fact]
    public async Task A_stale_ETag_is_refused_and_changes_nothing()
    {
        var v = await f.Http.Post(Route.V2.Set("vendors"), new { displayName = "Versioned" });
        var url = Route.V2.Entity("vendors", v.Body.Str("id"));
        var stale = Expect.ETag(v);
        Expect.Status(await f.Http.Patch(url, new { city = "Oslo" }, stale), 200);
        Expect.Error(await f.Http.Patch(url, new { city = "Lost" }, stale), 409, "Request_EntityChanged");
        Expect.Error(await f.Http.Delete(url, stale), 409, "Request_EntityChanged");
        Assert.Equal("Oslo", (await f.Http.Get(url)).Body.Str("city"));
    }

    [Fact]
    public async Task Renumbering_carries_the_number_to_its_purchase_invoices_and_ledger_entries()
    {
        var buyFrom = await f.Http.Post(Route.V2.Set("vendors"), new { displayName = "Buy-from" });
        var payTo = await f.Http.Post(Route.V2.Set("vendors"), new { displayName = "Pay-to" });
        var (buyId, payId) = (Guid.Parse(buyFrom.Body.Str("id")), Guid.Parse(payTo.Body.Str("id")));
        var invoiceId = Guid.NewGuid();
        var entryId = Guid.NewGuid();
        var company = Guid.Parse(ServiceFixture.Company);
        await f.WithDb(async db =>
        {
            db.PurchaseInvoices.Add(new PurchaseInvoice
            {
                Id = invoiceId, CompanyId = company, Number = "TPI" + Make.Code()[1..], InvoiceDate = new DateOnly(2026, 3, 1), PostingDate = new DateOnly(2026, 3, 1),
                DueDate = new DateOnly(2026, 4, 1), VendorId = buyId, VendorNumber = buyFrom.Body.Str("number"), PayToVendorId = payId,
                PayToVendorNumber = payTo.Body.Str("number"), Status = "Draft",
            });
            db.VendorLedgerEntries.Add(new VendorLedgerEntry
            {
                Id = entryId, CompanyId = company, EntryNumber = 900_000 + Random.Shared.Next(1000), TransactionNumber = 900_000, VendorId = payId,
                VendorNumber = payTo.Body.Str("number"), PostingDate = new DateOnly(2026, 3, 1), DocumentType = "Payment", DocumentNumber = "TPAY1",
                Amount = 100, RemainingAmount = 100, Open = true, CreatedAt = DateTime.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        var invoiceVersion = await f.WithDb(db => db.PurchaseInvoices.AsNoTracking().Where(i => i.Id == invoiceId).Select(i => i.Version).SingleAsync());

        var buyNumber = "RB" + Make.Code()[1..];
        var payNumber = "RP" + Make.Code()[1..];
        Expect.Status(await f.Http.Patch(Route.V2.Entity("vendors", buyId.ToString()), new { number = buyNumber }, "*"), 200);
        Expect.Status(await f.Http.Patch(Route.V2.Entity("vendors", payId.ToString()), new { number = payNumber.ToLowerInvariant() }, "*"), 200);

        var invoice = await f.WithDb(db => db.PurchaseInvoices.AsNoTracking().SingleAsync(i => i.Id == invoiceId));
        Assert.Equal(buyNumber, invoice.VendorNumber);
        Assert.Equal(payNumber, invoice.PayToVendorNumber);
        Assert.NotEqual(invoiceVersion, invoice.Version);
        var entry = await f.Http.Get($"{Ledger}/vendorLedgerEntries({entryId})");
        Expect.Status(entry, 200);
        Assert.Equal(payNumber, entry.Body.Str("vendorNumber"));
        Assert.Equal(payId.ToString(), entry.Body.Str("vendorId"));

        // Either vendor is now held by what references it.
        Expect.Error(await f.Http.Delete(Route.V2.Entity("vendors", buyId.ToString()), "*"), 400, "Application_DialogException",
            $"You cannot delete vendor {buyNumber} because it has purchase invoices.");
        Expect.Error(await f.Http.Delete(Route.V2.Entity("vendors", payId.ToString()), "*"), 400, "Application_DialogException",
            $"You cannot delete vendor {payNumber} because it has ledger entries.");
        await f.WithDb(db => db.VendorLedgerEntries.Where(e => e.Id == entryId).ExecuteDeleteAsync());
        Expect.Error(await f.Http.Delete(Route.V2.Entity("vendors", payId.ToString()), "*"), 400, "Application_DialogException",
            $"You cannot delete vendor {payNumber} because it has purchase invoices.");
        await f.WithDb(db => db.PurchaseInvoices.Where(i => i.Id == invoiceId).ExecuteDeleteAsync());
        Expect.Status(await f.Http.Delete(Route.V2.Entity("vendors", payId.ToString()), "*"), 204);
        Expect.Status(await f.Http.Delete(Route.V2.Entity("vendors", buyId.ToString()), "*"), 204);
    }

    [Fact]
    public async Task A_demo_vendor_with_open_invoices_cannot_be_deleted()
    {
        Expect.Error(await f.Http.Delete(Route.V2.Entity("vendors", DemoSeed.VendorId(1).ToString()), "*"), 400, "Application_DialogException",
            "You cannot delete vendor V00001 because it has ledger entries.");
        Expect.Status(await f.Http.Get(Route.V2.Entity("vendors", DemoSeed.VendorId(1).ToString())), 200);
    }

    [Fact]
    public async Task A_company_without_a_vendor_posting_group_cannot_create_vendors()
    {
        var bare = Guid.NewGuid();
        await f.WithDb(async db =>
        {
            db.Companies.Add(new Company { Id = bare, Name = "BARE" + Make.Code(), DisplayName = "No posting groups", CreatedAt = db.Now() });
            return await db.SaveChangesAsync();
        });
        var url = ServiceFixture.CompanyPath(company: bare.ToString()) + "/vendors";
        Expect.Error(await f.Http.Post(url, new { number = "X1", displayName = "Nowhere" }), 400, "Application_FieldValidationException", "no vendor posting group");
        Assert.Empty((await f.Http.Get(url)).Body!["value"]!.AsArray());
    }

    [Fact]
    public async Task The_demo_vendors_filter_order_select_page_and_count()
    {
        var set = Route.V2.Set("vendors");
        var demo = (await f.Http.Get(set + "?$filter=number in ('V00001','V00002','V00003')&$orderby=number")).Body!["value"]!.AsArray();
        Assert.Equal(["V00001", "V00002", "V00003"], demo.Select(v => v.Str("number")));
        Assert.Equal(DemoSeed.VendorId(1).ToString(), demo[0].Str("id"));
        Assert.Equal("Fabrikam, Inc.", demo[0].Str("displayName"));
        // What the company owes each, from the demo's open purchase invoices.
        Assert.Equal([776.55m, 927.17m, 425.93m], demo.Select(v => v!["balance"]!.GetValue<decimal>()));

        var byBalance = (await f.Http.Get(set + "?$filter=balance gt 500 and city eq 'Atlanta'&$orderby=balance desc&$select=number,balance")).Body!["value"]!.AsArray();
        Assert.Equal(["V00002", "V00001"], byBalance.Select(v => v.Str("number")));
        Assert.Equal(["@odata.etag", "number", "balance"], byBalance[0]!.AsObject().Select(kv => kv.Key));
        // Code fields compare in upper case, as Business Central stores them.
        Assert.Single((await f.Http.Get(set + "?$filter=number eq 'v00003'")).Body!["value"]!.AsArray());

        var page = await f.Http.Get(set + "?$filter=number in ('V00001','V00002','V00003')&$orderby=displayName desc&$top=1&$skip=1&$count=true");
        Assert.Equal(3, page.Body!["@odata.count"]!.GetValue<int>());
        Assert.Equal("V00002", page.Body!["value"]!.AsArray().Single().Str("number")); // Graphic Design, First Up, Fabrikam
        var (_, _, raw) = await f.Http.Get(set + "/$count?$filter=number in ('V00001','V00002','V00003') and blocked eq ' '");
        Assert.Equal("3", await raw.Content.ReadAsStringAsync());
        Expect.Error(await f.Http.Get(set + "?$filter=balanceDue gt 0"), 400, "BadRequest_InvalidQueryOption", "balanceDue");
    }

    [Fact]
    public async Task The_Graph_surface_serves_the_same_vendors()
    {
        var graph = await f.Http.Get(Route.Graph.Entity("vendors", DemoSeed.VendorId(2).ToString()));
        Expect.Status(graph, 200);
        var v2 = await f.Http.Get(Route.V2.Entity("vendors", DemoSeed.VendorId(2).ToString()));
        Assert.Equal(v2.Body!.AsObject().Where(kv => kv.Key != "@odata.context").Select(kv => kv.Key + "=" + kv.Value?.ToJsonString()),
            graph.Body!.AsObject().Where(kv => kv.Key != "@odata.context").Select(kv => kv.Key + "=" + kv.Value?.ToJsonString()));
        Assert.Contains(Route.Graph.Context + "companies", graph.Body.Str("@odata.context"));
        var list = (await f.Http.Get(Route.Graph.Set("vendors") + "?$filter=number eq 'V00002'")).Body!["value"]!.AsArray();
        Assert.Equal("First Up Consultants", list.Single().Str("displayName"));
    }

    [Fact]
    public async Task The_vendor_ledger_holds_the_demo_invoices_and_is_read_only()
    {
        var page = await f.Http.Get($"{Ledger}/vendorLedgerEntries?$filter=open and documentType eq 'Invoice' and startswith(documentNumber,'108')&$orderby=entryNumber&$count=true");
        Expect.Status(page, 200);
        Assert.Equal(5, page.Body!["@odata.count"]!.GetValue<int>());
        var rows = page.Body!["value"]!.AsArray();
        var first = rows[0]!;
        Assert.Equal("V00001", first.Str("vendorNumber"));
        Assert.Equal(DemoSeed.VendorId(1).ToString(), first.Str("vendorId"));
        Assert.Equal(DemoSeed.PurchaseInvoiceId(1).ToString(), first.Str("purchaseInvoiceId"));
        Assert.Equal("108001", first.Str("documentNumber"));
        Assert.Equal("F-2601", first.Str("externalDocumentNumber"));
        Assert.Equal("2026-01-06", first.Str("postingDate"));
        Assert.Equal(-275.31m, first["amount"]!.GetValue<decimal>());
        Assert.Equal(-275.31m, first["remainingAmount"]!.GetValue<decimal>());
        Assert.True(first["open"]!.GetValue<bool>());
        Assert.True(rows.Zip(rows.Skip(1)).All(p => p.First!["entryNumber"]!.GetValue<long>() < p.Second!["entryNumber"]!.GetValue<long>()));
        // A vendor's balance is what its open entries still owe, with the sign turned.
        var owed = rows.Where(r => r.Str("vendorNumber") == "V00002").Sum(r => r!["remainingAmount"]!.GetValue<decimal>());
        Assert.Equal(-owed, (await f.Http.Get(Route.V2.Entity("vendors", DemoSeed.VendorId(2).ToString()))).Body!["balance"]!.GetValue<decimal>());

        var set = $"{Ledger}/vendorLedgerEntries";
        var id = first.Str("id");
        Expect.Status(await f.Http.Get($"{set}({id})"), 200);
        Assert.Equal(405, (await f.Http.Post(set, new { description = "x" })).Status);
        Assert.Equal(405, (await f.Http.Patch($"{set}({id})", new { description = "x" }, "*")).Status);
        Assert.Equal(405, (await f.Http.Delete($"{set}({id})", "*")).Status);
        Assert.Equal(-275.31m, (await f.Http.Get($"{set}({id})")).Body!["remainingAmount"]!.GetValue<decimal>());
    }

    [Theory]
    [InlineData(ServiceFixture.V2)]
    [InlineData(ServiceFixture.Graph)]
    public async Task Vendor_ledger_entries_are_not_on_the_standard_surfaces(string root)
    {
        Expect.Error(await f.Http.Get(ServiceFixture.CompanyPath(root) + "/vendorLedgerEntries"), 404, "BadRequest_ResourceNotFound");
        Assert.DoesNotContain("vendorLedgerEntry", await f.Http.GetStringAsync(root + "$metadata"));
        // Nor are vendors in the ledger group.
        Expect.Error(await f.Http.Get($"{Ledger}/vendors"), 404, "BadRequest_ResourceNotFound");
        Assert.Contains("\"vendorLedgerEntries\"", await f.Http.GetStringAsync(ServiceFixture.Ledger + "$metadata"));
    }

    [Fact]
    public async Task Another_company_s_vendors_and_entries_stay_out_of_sight()
    {
        var vendors = (await f.Http.Get(Route.V2.Set("vendors") + "?$top=1000")).Body!["value"]!.AsArray();
        Assert.DoesNotContain(vendors, v => v.Str("id") == SecondCompany.PurchaseVendor.ToString() || v.Str("number") == "BV-PI");
        Expect.Error(await f.Http.Get(Route.V2.Entity("vendors", SecondCompany.PurchaseVendor.ToString())), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Patch(Route.V2.Entity("vendors", SecondCompany.PurchaseVendor.ToString()), new { displayName = "x" }, "*"), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Get($"{Ledger}/vendorLedgerEntries({SecondCompany.VendorEntry})"), 404, "Internal_RecordNotFound");
        var entries = (await f.Http.Get($"{Ledger}/vendorLedgerEntries?$filter=vendorNumber eq 'BV-PI'&$count=true")).Body!;
        Assert.Equal(0, entries["@odata.count"]!.GetValue<int>());

        // Numbers are per company: A may take B's number, and B's vendor keeps its own.
        var mine = await f.Http.Post(Route.V2.Set("vendors"), new { number = "BV-PI", displayName = "A's namesake" });
        Expect.Status(mine, 201);
        Assert.NotEqual(SecondCompany.PurchaseVendor.ToString(), mine.Body.Str("id"));
        var theirs = await f.Http.Get(ServiceFixture.CompanyPath(company: SecondCompany.Id) + $"/vendors({SecondCompany.PurchaseVendor})");
        Assert.Equal("Fabrikam supplier", theirs.Body.Str("displayName"));
        Expect.Status(await f.Http.Delete(Route.V2.Entity("vendors", mine.Body.Str("id")), "*"), 204);
    }
}
