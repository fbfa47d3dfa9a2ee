using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Tests.Api;

/// <summary>salesInvoices and their salesInvoiceLines of type Account: drafts change, posted invoices do not.</summary>
public sealed class SalesInvoicesTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private const string Posted = "d1000000-0000-4000-8000-000000000004";

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    [InlineData("graph-paren")]
    public async Task Posted_demo_invoices_are_listed(string name)
    {
        var route = Route.Of(name);
        var list = await f.Http.Get(route.Set("salesInvoices"));
        Expect.Status(list, 200);
        var posted = list.Body!["value"]!.AsArray().Where(i => i!["status"]!.GetValue<string>() == "Open").ToList();
        Assert.True(posted.Count >= 10);
        var one = await f.Http.Get(route.Entity("salesInvoices", Posted));
        Expect.Status(one, 200);
        Assert.Equal("103004", one.Body.Str("number"));
        Assert.Equal("C00004", one.Body.Str("customerNumber"));
        Assert.Equal(one.Body!["totalAmountIncludingTax"]!.GetValue<decimal>(), one.Body!["remainingAmount"]!.GetValue<decimal>());
        Assert.True(one.Body!["remainingAmount"]!.GetValue<decimal>() > 0);
        var lines = await f.Http.Get(route.Entity("salesInvoices", Posted) + "/salesInvoiceLines");
        Expect.Status(lines, 200);
        Assert.Equal("Account", Assert.Single(lines.Body!["value"]!.AsArray())!.Str("lineType"));
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Draft_with_account_lines(string name)
    {
        var route = Route.Of(name);
        var created = await f.Http.Post(route.Set("salesInvoices"), new { customerNumber = "C00005", invoiceDate = "2026-04-01", dueDate = "2026-05-01", externalDocumentNumber = "PO-9" });
        Expect.Status(created, 201);
        var id = created.Body.Str("id");
        Assert.Equal("Draft", created.Body.Str("status"));
        Assert.Equal("Relecloud", created.Body.Str("customerName"));
        Assert.Equal("C00005", created.Body.Str("billToCustomerNumber"));
        Assert.StartsWith("103", created.Body.Str("number"));
        var linesUrl = route.Entity("salesInvoices", id) + "/salesInvoiceLines";

        var line = await f.Http.Post(linesUrl, new { lineType = "Account", lineObjectNumber = "6110", quantity = 3, unitPrice = 12.5m });
        Expect.Status(line, 201);
        Assert.Equal("e0000000-0000-4000-8000-000000006110", line.Body.Str("accountId"));
        Assert.Equal("Sales, Retail - Dom.", line.Body.Str("description"));
        Assert.Equal(37.5m, line.Body!["amountExcludingTax"]!.GetValue<decimal>());
        Assert.Equal(37.5m, line.Body!["amountIncludingTax"]!.GetValue<decimal>());
        Assert.Equal(10000, line.Body!["sequence"]!.GetValue<int>());
        var second = await f.Http.Post(linesUrl, new { accountId = "e0000000-0000-4000-8000-000000006120", quantity = 0.5m, unitPrice = 3.33m, description = "Half" });
        Expect.Status(second, 201);
        Assert.Equal(1.67m, second.Body!["amountExcludingTax"]!.GetValue<decimal>());

        var invoice = await f.Http.Get(route.Entity("salesInvoices", id));
        Assert.Equal(39.17m, invoice.Body!["totalAmountIncludingTax"]!.GetValue<decimal>());

        var lineUrl = route.Entity("salesInvoices", id) + "/" + route.Key("salesInvoiceLines", line.Body.Str("id"));
        var changed = await f.Http.Patch(lineUrl, new { quantity = 4 }, Expect.ETag(line));
        Expect.Status(changed, 200);
        Assert.Equal(50m, changed.Body!["amountExcludingTax"]!.GetValue<decimal>());
        Assert.Equal(51.67m, (await f.Http.Get(route.Entity("salesInvoices", id))).Body!["totalAmountExcludingTax"]!.GetValue<decimal>());

        Expect.Status(await f.Http.Delete(route.Entity("salesInvoices", id) + "/" + route.Key("salesInvoiceLines", second.Body.Str("id"))), 204);
        Assert.Equal(50m, (await f.Http.Get(route.Entity("salesInvoices", id))).Body!["totalAmountExcludingTax"]!.GetValue<decimal>());

        var patched = await f.Http.Patch(route.Entity("salesInvoices", id), new { customerNumber = "C00001", externalDocumentNumber = "PO-10" }, "*");
        Expect.Status(patched, 200);
        Assert.Equal("Adatum Corporation", patched.Body.Str("customerName"));
        Assert.Equal("PO-10", patched.Body.Str("externalDocumentNumber"));

        Expect.Status(await f.Http.Delete(route.Entity("salesInvoices", id)), 204);
        Expect.Error(await f.Http.Get(route.Entity("salesInvoices", id)), 404, "Internal_RecordNotFound");
        Assert.Equal(0, await f.WithDb(db => Task.FromResult(db.SalesInvoiceLines.Count(l => l.DocumentId == Guid.Parse(id)))));
    }

    [Fact]
    public async Task Posted_invoices_cannot_be_changed()
    {
        var url = Route.V2.Entity("salesInvoices", Posted);
        Expect.Error(await f.Http.Patch(url, new { externalDocumentNumber = "X" }, "*"), 400, "Application_DialogException", "posted");
        Expect.Error(await f.Http.Delete(url, "*"), 400, "Application_DialogException", "posted");
        Expect.Error(await f.Http.Post(url + "/salesInvoiceLines", new { lineObjectNumber = "6110", quantity = 1, unitPrice = 1 }), 400, "Application_DialogException", "posted");
        var line = (await f.Http.Get(url + "/salesInvoiceLines")).Body!["value"]![0]!.Str("id");
        Expect.Error(await f.Http.Patch(url + $"/salesInvoiceLines({line})", new { quantity = 2 }, "*"), 400, "Application_DialogException", "posted");
        Expect.Error(await f.Http.Delete(url + $"/salesInvoiceLines({line})"), 400, "Application_DialogException", "posted");
        Assert.Equal("Open", (await f.Http.Get(url)).Body.Str("status"));
    }

    [Fact]
    public async Task Invoice_and_line_rules()
    {
        var set = Route.V2.Set("salesInvoices");
        Expect.Error(await f.Http.Post(set, new { invoiceDate = "2026-01-01" }), 400, "Application_FieldValidationException", "customer");
        Expect.Error(await f.Http.Post(set, new { customerNumber = "C00001", number = "X1" }), 400, "BadRequest_InvalidOperation", "number");
        Expect.Error(await f.Http.Post(set, new { customerNumber = "C00001", status = "Open" }), 400, "BadRequest_InvalidOperation", "status");
        Expect.Error(await f.Http.Post(set, new { customerNumber = "C00001", totalAmountIncludingTax = 5 }), 400, "BadRequest_InvalidOperation", "totalAmountIncludingTax");
        Expect.Error(await f.Http.Post(set, new { customerNumber = "GHOST" }), 400, "Application_DialogException", "customerNumber");
        Expect.Error(await f.Http.Post(set, new { customerNumber = "C00001", invoiceDate = "2026-02-02", dueDate = "2026-02-01" }), 400, "Application_FieldValidationException", "dueDate");

        var draft = await Make.DraftInvoice(f.Http);
        var lines = Route.V2.Entity("salesInvoices", draft.Str("id")) + "/salesInvoiceLines";
        Expect.Error(await f.Http.Post(lines, new { lineType = "Item", lineObjectNumber = "6110" }), 400, "BadRequest_NotSupported");
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = "9999" }), 400, "Application_DialogException", "lineObjectNumber");
        Expect.Error(await f.Http.Post(lines, new { quantity = 1 }), 400, "Application_FieldValidationException");
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = "6110", quantity = -1 }), 400, "Application_FieldValidationException", "quantity");
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = "6110", amountExcludingTax = 3 }), 400, "BadRequest_InvalidOperation", "amountExcludingTax");
        var first = await f.Http.Post(lines, new { lineObjectNumber = "6110", quantity = 1, unitPrice = 2, sequence = 10000 });
        Expect.Status(first, 201);
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = "6110", sequence = 10000 }), 409, "Internal_EntityWithSameKeyExists", "10000");
        var second = await f.Http.Post(lines, new { lineObjectNumber = "6110" });
        Assert.Equal(20000, second.Body!["sequence"]!.GetValue<int>());
        Expect.Error(await f.Http.Patch(lines + $"({second.Body.Str("id")})", new { sequence = 10000 }, "*"), 409, "Internal_EntityWithSameKeyExists", "10000");
        // salesInvoiceLines live under their invoice only.
        Expect.Error(await f.Http.Get(Route.V2.Set("salesInvoiceLines")), 404, "BadRequest_ResourceNotFound");
    }

    [Fact]
    public async Task Posts_and_line_writes_at_the_same_moment_post_the_invoice_once_with_the_lines_it_was_posted_with()
    {
        var id = (await Make.DraftInvoice(f.Http, "C00005")).Str("id");
        var lines = Route.V2.Entity("salesInvoices", id) + "/salesInvoiceLines";
        Expect.Status(await f.Http.Post(lines, new { lineObjectNumber = "6110", quantity = 1, unitPrice = 42 }), 201);
        var posts = Enumerable.Range(0, 3).Select(_ => f.Http.Post(Route.V2.Entity("salesInvoices", id) + "/Microsoft.NAV.post", null));
        var adds = Enumerable.Range(0, 3).Select(_ => f.Http.Post(lines, new { lineObjectNumber = "6120", quantity = 1, unitPrice = 1 }));
        var results = await Task.WhenAll(posts.Concat(adds));
        Assert.Single(results.Take(3), r => r.Status == 204);
        Assert.All(results.Where(r => r.Status is not (204 or 201)), r => Assert.Equal("Application_DialogException", r.Body.ErrorCode()));
        var (entry, total) = await f.WithDb(async db => (
            await db.CustomerLedgerEntries.SingleAsync(e => e.SalesInvoiceId == Guid.Parse(id)),
            await db.SalesInvoiceLines.Where(l => l.DocumentId == Guid.Parse(id)).SumAsync(l => l.AmountIncludingTax)));
        // Whatever lines got in before the post are what it posted; none came after.
        Assert.Equal(total, entry.Amount);
        var inv = (await f.Http.Get(Route.V2.Entity("salesInvoices", id))).Body;
        Assert.Equal(("Open", total / 100m, total / 100m),
            (inv.Str("status"), inv!["totalAmountIncludingTax"]!.GetValue<decimal>(), inv!["remainingAmount"]!.GetValue<decimal>()));
        await LedgerInvariants.AssertHoldAsync(f);
    }
}
