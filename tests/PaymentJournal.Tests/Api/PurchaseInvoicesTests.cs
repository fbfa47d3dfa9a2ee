using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// purchaseInvoices and their purchaseInvoiceLines of type Account: drafts change, posting makes them Open and owed
/// to the vendor, posted invoices do not change. Runs on the test database of the run (SQLite or PostgreSQL).
/// </summary>
public sealed class PurchaseInvoicesTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private static readonly string Posted = DemoSeed.PurchaseInvoiceId(1).ToString("D");
    private const string Expense = "8210", OtherExpense = "8610", Payables = "5410";
    private static string Set => Route.V2.Set("purchaseInvoices");
    private static string Invoice(string id) => Route.V2.Entity("purchaseInvoices", id);
    private static string Lines(string id) => Invoice(id) + "/purchaseInvoiceLines";
    private static string Post(string id) => Invoice(id) + "/Microsoft.NAV.post";

    /// <summary>A vendor of the demo posting group made for one test (the vendors page is not this set's), so no test sees another's balance.</summary>
    private async Task<Vendor> NewVendorAsync(string blocked = " ")
    {
        var n = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var vendor = new Vendor
        {
            Id = Guid.NewGuid(), CompanyId = Guid.Parse(ServiceFixture.Company), Number = "VT" + n, DisplayName = "Test vendor " + n,
            Blocked = blocked, PostingGroupId = DemoSeed.DomesticVendorPostingGroupId,
        };
        await f.WithDb(async db => { db.Vendors.Add(vendor); return await db.SaveChangesAsync(); });
        return vendor;
    }

    private Task SetVendorBlockedAsync(Guid vendor, string blocked) =>
        f.WithDb(db => db.Vendors.Where(v => v.Id == vendor).ExecuteUpdateAsync(u => u.SetProperty(v => v.Blocked, blocked)));

    private async Task<string> DraftAsync(string vendorNumber, object? lines = null, string vendorInvoiceNumber = "VI-1", string? postingDate = null)
    {
        var created = postingDate is null
            ? await f.Http.Post(Set, new { vendorNumber, vendorInvoiceNumber })
            : await f.Http.Post(Set, new { vendorNumber, vendorInvoiceNumber, postingDate });
        Expect.Status(created, 201);
        var id = created.Body.Str("id");
        foreach (var line in (object[]?)lines ?? [])
            Expect.Status(await f.Http.Post(Lines(id), line), 201);
        return id;
    }

    private static object Line(string account, decimal quantity, decimal unitCost) => new { lineType = "Account", lineObjectNumber = account, quantity, unitCost };

    private static decimal Dec(JsonNode? node, string name) => node![name]!.GetValue<decimal>();

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    [InlineData("graph-paren")]
    public async Task Demo_invoices_are_listed_open_with_their_lines(string name)
    {
        var route = Route.Of(name);
        var list = await f.Http.Get(route.Set("purchaseInvoices") + "?$filter=status eq 'Open'");
        Expect.Status(list, 200);
        Assert.True(list.Body!["value"]!.AsArray().Count >= 5);
        var one = await f.Http.Get(route.Entity("purchaseInvoices", Posted));
        Expect.Status(one, 200);
        Assert.Equal(("108001", "V00001", "Fabrikam, Inc.", "F-2601", "V00001"),
            (one.Body.Str("number"), one.Body.Str("vendorNumber"), one.Body.Str("vendorName"), one.Body.Str("vendorInvoiceNumber"), one.Body.Str("payToVendorNumber")));
        Assert.Equal(Dec(one.Body, "totalAmountIncludingTax"), Dec(one.Body, "remainingAmount"));
        Assert.Equal(275.31m, Dec(one.Body, "totalAmountIncludingTax"));
        var lines = await f.Http.Get(route.Entity("purchaseInvoices", Posted) + "/purchaseInvoiceLines");
        Expect.Status(lines, 200);
        var line = Assert.Single(lines.Body!["value"]!.AsArray());
        Assert.Equal(("Account", Expense, 275.31m, 1m), (line.Str("lineType"), line.Str("lineObjectNumber"), Dec(line, "unitCost"), Dec(line, "quantity")));
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("graph")]
    public async Task Draft_with_account_lines_and_totals_that_follow_them(string name)
    {
        var route = Route.Of(name);
        var created = await f.Http.Post(route.Set("purchaseInvoices"), new { vendorNumber = "V00002", invoiceDate = "2026-04-01", dueDate = "2026-05-01", vendorInvoiceNumber = "inv-77" });
        Expect.Status(created, 201);
        var id = created.Body.Str("id");
        Assert.Equal(("Draft", "First Up Consultants", "V00002", "First Up Consultants", "INV-77"),
            (created.Body.Str("status"), created.Body.Str("vendorName"), created.Body.Str("payToVendorNumber"), created.Body.Str("payToName"), created.Body.Str("vendorInvoiceNumber")));
        Assert.Equal(DemoSeed.VendorId(2).ToString("D"), created.Body.Str("vendorId"));
        Assert.Matches("^108[0-9]{3}$", created.Body.Str("number"));
        Assert.NotEqual("108001", created.Body.Str("number"));
        Assert.Equal(0m, Dec(created.Body, "totalAmountIncludingTax"));
        var lines = route.Entity("purchaseInvoices", id) + "/purchaseInvoiceLines";

        // A new line's quantity is 0, as Business Central leaves it.
        var bare = await f.Http.Post(lines, new { lineType = "Account", lineObjectNumber = Expense });
        Expect.Status(bare, 201);
        Assert.Equal((0m, 0m, "Office Supplies", 10000), (Dec(bare.Body, "quantity"), Dec(bare.Body, "amountExcludingTax"), bare.Body.Str("description"), bare.Body!["sequence"]!.GetValue<int>()));
        Assert.Equal(id, bare.Body.Str("documentId"));
        var lineUrl = route.Entity("purchaseInvoices", id) + "/" + route.Key("purchaseInvoiceLines", bare.Body.Str("id"));
        var changed = await f.Http.Patch(lineUrl, new { quantity = 3, unitCost = 12.5m }, Expect.ETag(bare));
        Expect.Status(changed, 200);
        Assert.Equal((37.5m, 37.5m, 0m), (Dec(changed.Body, "amountExcludingTax"), Dec(changed.Body, "amountIncludingTax"), Dec(changed.Body, "totalTaxAmount")));

        var second = await f.Http.Post(lines, new { accountId = DemoSeed.AccountId(OtherExpense), quantity = 0.5m, unitCost = 3.33m, description = "Half" });
        Expect.Status(second, 201);
        Assert.Equal((1.67m, OtherExpense, "Half", 20000), (Dec(second.Body, "amountExcludingTax"), second.Body.Str("lineObjectNumber"), second.Body.Str("description"), second.Body!["sequence"]!.GetValue<int>()));
        var invoice = await f.Http.Get(route.Entity("purchaseInvoices", id));
        Assert.Equal((39.17m, 39.17m, 0m), (Dec(invoice.Body, "totalAmountExcludingTax"), Dec(invoice.Body, "totalAmountIncludingTax"), Dec(invoice.Body, "totalTaxAmount")));

        Expect.Status(await f.Http.Delete(route.Entity("purchaseInvoices", id) + "/" + route.Key("purchaseInvoiceLines", second.Body.Str("id"))), 204);
        Assert.Equal(37.5m, Dec((await f.Http.Get(route.Entity("purchaseInvoices", id))).Body, "totalAmountIncludingTax"));
        Assert.Single((await f.Http.Get(lines)).Body!["value"]!.AsArray());

        // Another vendor: the pay-to vendor follows it.
        var patched = await f.Http.Patch(route.Entity("purchaseInvoices", id), new { vendorId = DemoSeed.VendorId(3), postingDate = "2026-04-02" }, "*");
        Expect.Status(patched, 200);
        Assert.Equal(("V00003", "Graphic Design Institute", "V00003", "2026-04-02"),
            (patched.Body.Str("vendorNumber"), patched.Body.Str("vendorName"), patched.Body.Str("payToVendorNumber"), patched.Body.Str("postingDate")));
        Assert.Equal("Draft", patched.Body.Str("status"));

        Expect.Status(await f.Http.Delete(route.Entity("purchaseInvoices", id)), 204);
        Expect.Error(await f.Http.Get(route.Entity("purchaseInvoices", id)), 404, "Internal_RecordNotFound");
        Assert.Equal(0, await f.WithDb(db => db.PurchaseInvoiceLines.CountAsync(l => l.DocumentId == Guid.Parse(id))));
    }

    [Fact]
    public async Task The_vendor_navigation_and_its_expand_name_the_buy_from_vendor()
    {
        var id = DemoSeed.PurchaseInvoiceId(2).ToString();
        var vendor = await f.Http.Get(Invoice(id) + "/vendor");
        Expect.Status(vendor, 200);
        Assert.Equal((DemoSeed.VendorId(2).ToString(), "V00002"), (vendor.Body.Str("id"), vendor.Body.Str("number")));
        var expanded = await f.Http.Get(Invoice(id) + "?$expand=vendor($select=number,displayName)");
        Expect.Status(expanded, 200);
        Assert.Equal(("V00002", "First Up Consultants"), (expanded.Body!["vendor"]!.Str("number"), expanded.Body["vendor"]!.Str("displayName")));
        var graph = await f.Http.Get(Route.Graph.Entity("purchaseInvoices", id) + "/vendor");
        Expect.Status(graph, 200);
        Assert.Equal("V00002", graph.Body.Str("number"));
    }

    [Fact]
    public async Task A_pay_to_vendor_of_its_own_stays_when_the_vendor_changes()
    {
        var created = await f.Http.Post(Set, new { vendorId = DemoSeed.VendorId(1), payToVendorNumber = "V00002" });
        Expect.Status(created, 201);
        Assert.Equal(("V00001", "V00002", "First Up Consultants"), (created.Body.Str("vendorNumber"), created.Body.Str("payToVendorNumber"), created.Body.Str("payToName")));
        Assert.Equal(DemoSeed.VendorId(2).ToString("D"), created.Body.Str("payToVendorId"));
        var patched = await f.Http.Patch(Invoice(created.Body.Str("id")), new { payToVendorId = DemoSeed.VendorId(3) }, "*");
        Expect.Status(patched, 200);
        Assert.Equal(("V00001", "V00003"), (patched.Body.Str("vendorNumber"), patched.Body.Str("payToVendorNumber")));
    }

    [Fact]
    public async Task Invoice_rules_refuse_with_Business_Central_errors()
    {
        var before = await DbSnapshot.TakeAsync(f);
        Expect.Error(await f.Http.Post(Set, new { invoiceDate = "2026-01-01" }), 400, "Application_DialogException", "A \"vendorNumber\" or a \"vendorID\" must be provided.");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "GHOST" }), 400, "Application_DialogException", "The vendor cannot be found.");
        Expect.Error(await f.Http.Post(Set, new { vendorId = Guid.NewGuid() }), 400, "Application_DialogException", "The vendor cannot be found.");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "" }), 400, "Application_DialogException", "The vendor cannot be found.");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "V00001", payToVendorNumber = "GHOST" }), 400, "Application_DialogException", "The pay-to vendor cannot be found.");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "V00001", payToVendorId = Guid.NewGuid() }), 400, "Application_DialogException", "The pay-to vendor cannot be found.");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "V00001", number = "X1" }), 400, "BadRequest_InvalidOperation", "number");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "V00001", status = "Open" }), 400, "BadRequest_InvalidOperation", "status");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "V00001", vendorName = "X" }), 400, "BadRequest_InvalidOperation", "vendorName");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "V00001", totalAmountIncludingTax = 5 }), 400, "BadRequest_InvalidOperation", "totalAmountIncludingTax");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "V00001", remainingAmount = 5 }), 400, "BadRequest_InvalidOperation", "remainingAmount");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "V00001", vendorInvoiceNumber = new string('9', 36) }), 400, "Application_StringExceededLength", "vendorInvoiceNumber");
        var blocked = await NewVendorAsync("All");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = blocked.Number }), 400, "Application_DialogException",
            $"You cannot create this type of document when Vendor {blocked.Number} is blocked with type All");
        Expect.Error(await f.Http.Post(Set, new { vendorNumber = "V00001", payToVendorId = blocked.Id }), 400, "Application_DialogException",
            $"You cannot create this type of document when Vendor {blocked.Number} is blocked with type All");
        // purchaseInvoiceLines live under their invoice only.
        Expect.Error(await f.Http.Get(Route.V2.Set("purchaseInvoiceLines")), 404, "BadRequest_ResourceNotFound");
        await f.WithDb(db => db.Vendors.Where(v => v.Id == blocked.Id).ExecuteDeleteAsync());
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));

        // Blocked for payments only: it may still be invoiced.
        var payments = await NewVendorAsync("Payment");
        Expect.Status(await f.Http.Post(Set, new { vendorNumber = payments.Number }), 201);
    }

    [Fact]
    public async Task Line_rules_refuse_with_Business_Central_errors()
    {
        var id = await DraftAsync("V00001");
        var lines = Lines(id);
        var first = await f.Http.Post(lines, new { lineObjectNumber = Expense, quantity = 1, unitCost = 2, sequence = 10000 });
        Expect.Status(first, 201);
        var before = await DbSnapshot.TakeAsync(f);
        Expect.Error(await f.Http.Post(lines, new { lineType = "Item", lineObjectNumber = Expense }), 400, "BadRequest_NotSupported", "Item");
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = "9999" }), 400, "Application_DialogException", "Account does not exist.");
        Expect.Error(await f.Http.Post(lines, new { accountId = Guid.NewGuid() }), 400, "Application_DialogException", "Account does not exist.");
        Expect.Error(await f.Http.Post(lines, new { accountId = DemoSeed.AccountId(Expense), lineObjectNumber = OtherExpense }), 400, "Application_DialogException", "Account does not exist.");
        Expect.Error(await f.Http.Post(lines, new { quantity = 1 }), 400, "Application_FieldValidationException", "accountId or lineObjectNumber");
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = Expense, quantity = -1 }), 400, "Application_FieldValidationException", "quantity");
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = Expense, unitCost = -1 }), 400, "Application_FieldValidationException", "unitCost");
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = Expense, amountExcludingTax = 3 }), 400, "BadRequest_InvalidOperation", "amountExcludingTax");
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = Expense, directUnitCost = 3 }), 400, "BadRequest", "directUnitCost");
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = Expense, sequence = 10000 }), 409, "Internal_EntityWithSameKeyExists", "Line No.='10000'");
        var lineUrl = lines + $"({first.Body.Str("id")})";
        Expect.Error(await f.Http.Patch(lineUrl, new { sequence = 20000 }, "*"), 400, "Application_DialogException", "The value for sequence cannot be modified.");
        Expect.Error(await f.Http.Patch(lineUrl, new { lineObjectNumber = OtherExpense }, "*"), 400, "Application_DialogException", "The value for \"lineObjectNumber\" cannot be modified.");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));

        var blocked = await BlockedAccountAsync();
        Expect.Error(await f.Http.Post(lines, new { lineObjectNumber = blocked }), 400, "Application_DialogException", $"Blocked must be equal to 'No'  in G/L Account: No.={blocked}");
        // The same sequence on PATCH is no change; a new account by its id moves lineObjectNumber with it.
        var moved = await f.Http.Patch(lineUrl, new { sequence = 10000, accountId = DemoSeed.AccountId(OtherExpense) }, "*");
        Expect.Status(moved, 200);
        Assert.Equal(OtherExpense, moved.Body.Str("lineObjectNumber"));
        var next = await f.Http.Post(lines, new { lineObjectNumber = Expense });
        Assert.Equal(20000, next.Body!["sequence"]!.GetValue<int>());
    }

    /// <summary>A blocked posting account made for the test, so no other test's lines meet it.</summary>
    private async Task<string> BlockedAccountAsync()
    {
        var number = "8" + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await f.WithDb(async db =>
        {
            db.Accounts.Add(new Account
            {
                Id = Guid.NewGuid(), CompanyId = Guid.Parse(ServiceFixture.Company), Number = number, DisplayName = "Blocked expense " + number,
                Category = "Expense", SubCategory = "Operating Expenses", Blocked = true,
            });
            return await db.SaveChangesAsync();
        });
        return number;
    }

    private sealed record Ledger(long Balance, long Expense, long Other, long Payables, long LastEntry, long LastTransaction);

    private Task<Ledger> LedgerAsync(Guid vendor) => f.WithDb(async db =>
    {
        var accounts = await db.Accounts.Where(a => a.CompanyId == Guid.Parse(ServiceFixture.Company)).ToDictionaryAsync(a => a.Number, a => a.NetChange);
        var company = await db.Companies.SingleAsync(c => c.Id == Guid.Parse(ServiceFixture.Company));
        var balance = await db.Vendors.Where(v => v.Id == vendor).Select(v => v.Balance).SingleAsync();
        return new Ledger(balance, accounts[Expense], accounts[OtherExpense], accounts[Payables], company.LastEntryNumber, company.LastTransactionNumber);
    });

    [Fact]
    public async Task Posting_writes_the_vendor_entry_balanced_GL_entries_the_balance_and_the_status()
    {
        var vendor = await NewVendorAsync();
        var id = await DraftAsync(vendor.Number, new[] { Line(Expense, 2, 40.25m), Line(OtherExpense, 1, 9.5m), Line(Expense, 1, 0.25m) }, vendorInvoiceNumber: "F-9001");
        var number = (await f.Http.Get(Invoice(id))).Body.Str("number");
        var before = await LedgerAsync(vendor.Id);

        var posted = await f.Http.Post(Post(id), null);
        Expect.Status(posted, 204);

        var inv = (await f.Http.Get(Invoice(id))).Body;
        Assert.Equal(("Open", number, 90.25m, 90.25m), (inv.Str("status"), inv.Str("number"), Dec(inv, "totalAmountIncludingTax"), Dec(inv, "remainingAmount")));
        var after = await LedgerAsync(vendor.Id);
        Assert.Equal(before.Balance + 9025, after.Balance);
        Assert.Equal(before.Expense + 8075, after.Expense);
        Assert.Equal(before.Other + 950, after.Other);
        Assert.Equal(before.Payables - 9025, after.Payables);
        Assert.Equal((before.LastEntry + 4, before.LastTransaction + 1), (after.LastEntry, after.LastTransaction));

        var (entries, gl) = await f.WithDb(async db => (
            await db.VendorLedgerEntries.Where(e => e.PurchaseInvoiceId == Guid.Parse(id)).ToListAsync(),
            await db.GeneralLedgerEntries.Where(e => e.DocumentNumber == number && e.CompanyId == Guid.Parse(ServiceFixture.Company)).OrderBy(e => e.EntryNumber).ToListAsync()));
        var entry = Assert.Single(entries);
        Assert.Equal(("Invoice", -9025L, -9025L, true, vendor.Number, "F-9001", number), (entry.DocumentType, entry.Amount, entry.RemainingAmount, entry.Open, entry.VendorNumber, entry.ExternalDocumentNumber, entry.DocumentNumber));
        Assert.Equal(vendor.Id, entry.VendorId);
        Assert.Equal(3, gl.Count);
        Assert.All(gl, e => Assert.Equal(entry.TransactionNumber, e.TransactionNumber));
        Assert.Equal(after.LastTransaction, entry.TransactionNumber);
        Assert.Equal(0, gl.Sum(e => e.Amount));
        Assert.Equal(new[] { (Expense, 8075L, 0L), (OtherExpense, 950L, 0L), (Payables, 0L, 9025L) },
            gl.Select(e => (e.AccountNumber, e.DebitAmount, e.CreditAmount)));
        // In entry-number order: the expense accounts in the order of their first line, then the payables.
        // Entry numbers come from the company's counter, one run for the post.
        Assert.Equal(Enumerable.Range((int)before.LastEntry + 1, 4).Select(n => (long)n), gl.Select(e => e.EntryNumber).Append(entry.EntryNumber).Order());
        await LedgerInvariants.AssertHoldAsync(f);

        // Posted: no more changes, no second post.
        var line = (await f.Http.Get(Lines(id))).Body!["value"]![0]!.Str("id");
        var unchanged = await DbSnapshot.TakeAsync(f);
        Expect.Error(await f.Http.Post(Post(id), null), 400, "Application_DialogException", "The action can be applied to a draft invoice only.");
        Expect.Error(await f.Http.Patch(Invoice(id), new { vendorInvoiceNumber = "X" }, "*"), 400, "Application_DialogException", "posted");
        Expect.Error(await f.Http.Delete(Invoice(id), "*"), 400, "Application_DialogException", "posted");
        Expect.Error(await f.Http.Post(Lines(id), Line(Expense, 1, 1)), 400, "Application_DialogException", "posted");
        Expect.Error(await f.Http.Patch(Lines(id) + $"({line})", new { quantity = 5 }, "*"), 400, "Application_DialogException", "posted");
        Expect.Error(await f.Http.Delete(Lines(id) + $"({line})", "*"), 400, "Application_DialogException", "posted");
        Assert.Equal(unchanged, await DbSnapshot.TakeAsync(f));
    }

    [Fact]
    public async Task The_demo_open_invoices_refuse_changes_and_a_second_post()
    {
        var before = await DbSnapshot.TakeAsync(f);
        Expect.Error(await f.Http.Post(Post(Posted), null), 400, "Application_DialogException", "The action can be applied to a draft invoice only.");
        Expect.Error(await f.Http.Post(Route.Graph.Entity("purchaseInvoices", Posted) + "/post", null), 400, "Application_DialogException", "draft invoice only");
        Expect.Error(await f.Http.Patch(Invoice(Posted), new { dueDate = "2027-01-01" }, "*"), 400, "Application_DialogException", "posted");
        Expect.Error(await f.Http.Delete(Invoice(Posted), "*"), 400, "Application_DialogException", "posted");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    [Fact]
    public async Task A_post_that_is_refused_answers_Business_Centrals_error_and_writes_nothing()
    {
        var vendor = await NewVendorAsync();
        var payTo = await NewVendorAsync();
        var blockedAccount = await BlockedAccountAsync();
        var cases = new List<(string Id, string Message)>
        {
            (await DraftAsync(vendor.Number), "There is nothing to post."),
            (await DraftAsync(vendor.Number, new[] { Line(Expense, 1, 10) }, vendorInvoiceNumber: ""),
                "You need to enter the document number of the document from the vendor in the Vendor Invoice No. field, so that this document stays linked to the original."),
            (await DraftAsync(vendor.Number, new[] { Line(Expense, 1, 10), new { lineObjectNumber = OtherExpense } }),
                "One or more document lines with a value in the No. field do not have a quantity specified."),
            (await DraftAsync(vendor.Number, new[] { Line(Expense, 3, 0) }), "The total amount for the invoice must be greater than 0."),
            (await DraftAsync(vendor.Number, new[] { Line(Expense, 1, 10) }, postingDate: "2031-01-01"), "Posting Date is not within your range of allowed posting dates"),
            (await DraftAsync(vendor.Number, new[] { Line(Expense, 1, 10) }, postingDate: "2023-12-31"), "Posting Date is not within your range of allowed posting dates"),
        };
        // A line whose account was blocked after the line was written.
        var withAccount = await DraftAsync(vendor.Number, new[] { Line(Expense, 1, 10) });
        await f.WithDb(async db =>
        {
            var account = await db.Accounts.SingleAsync(a => a.Number == blockedAccount);
            return await db.PurchaseInvoiceLines.Where(l => l.DocumentId == Guid.Parse(withAccount))
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.AccountId, account.Id).SetProperty(l => l.LineObjectNumber, blockedAccount));
        });
        cases.Add((withAccount, $"Blocked must be equal to 'No'  in G/L Account: No.={blockedAccount}"));
        // Vendors blocked after their drafts were made: the vendor, then the pay-to vendor.
        var blockedVendor = await NewVendorAsync();
        cases.Add((await DraftAsync(blockedVendor.Number, new[] { Line(Expense, 1, 10) }), $"You cannot post this type of document when Vendor {blockedVendor.Number} is blocked with type All"));
        var created = await f.Http.Post(Set, new { vendorNumber = vendor.Number, payToVendorNumber = payTo.Number, vendorInvoiceNumber = "VI-2" });
        Expect.Status(await f.Http.Post(Lines(created.Body.Str("id")), Line(Expense, 1, 10)), 201);
        cases.Add((created.Body.Str("id"), $"You cannot post this type of document when Vendor {payTo.Number} is blocked with type All"));
        await SetVendorBlockedAsync(blockedVendor.Id, "All");
        await SetVendorBlockedAsync(payTo.Id, "All");

        var before = await DbSnapshot.TakeAsync(f);
        foreach (var (id, message) in cases)
        {
            Expect.Error(await f.Http.Post(Post(id), null), 400, "Application_DialogException", message);
            Assert.Equal("Draft", (await f.Http.Get(Invoice(id))).Body.Str("status"));
        }
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));

        // Blocked for payments only: the invoice posts.
        await SetVendorBlockedAsync(blockedVendor.Id, "Payment");
        Expect.Status(await f.Http.Post(Post(cases[^2].Id), null), 204);
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Posts_and_line_writes_at_the_same_moment_post_the_invoice_once_with_the_lines_it_was_posted_with()
    {
        var vendor = await NewVendorAsync();
        var id = await DraftAsync(vendor.Number, new[] { Line(Expense, 1, 42) });
        var posts = Enumerable.Range(0, 3).Select(_ => f.Http.Post(Post(id), null));
        var adds = Enumerable.Range(0, 3).Select(_ => f.Http.Post(Lines(id), Line(OtherExpense, 1, 1)));
        var results = await Task.WhenAll(posts.Concat(adds));
        Assert.Single(results.Take(3), r => r.Status == 204);
        Assert.All(results.Where(r => r.Status is not (204 or 201)), r => Assert.Equal("Application_DialogException", r.Body.ErrorCode()));
        var (entry, lines, balance) = await f.WithDb(async db => (
            await db.VendorLedgerEntries.SingleAsync(e => e.PurchaseInvoiceId == Guid.Parse(id)),
            await db.PurchaseInvoiceLines.Where(l => l.DocumentId == Guid.Parse(id)).SumAsync(l => l.AmountIncludingTax),
            await db.Vendors.Where(v => v.Id == vendor.Id).Select(v => v.Balance).SingleAsync()));
        // Whatever lines got in before the post are what it posted; none came after.
        Assert.Equal(-lines, entry.Amount);
        Assert.Equal(lines, balance);
        var inv = (await f.Http.Get(Invoice(id))).Body;
        Assert.Equal((lines / 100m, lines / 100m), (Dec(inv, "totalAmountIncludingTax"), Dec(inv, "remainingAmount")));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Post_on_Graph_is_the_same_action()
    {
        var vendor = await NewVendorAsync();
        var id = await DraftAsync(vendor.Number, new[] { Line(Expense, 1, 5) });
        Expect.Status(await f.Http.Post(Route.Graph.Entity("purchaseInvoices", id) + "/Microsoft.NAV.post", null), 204);
        Assert.Equal("Open", (await f.Http.Get(Route.Graph.Entity("purchaseInvoices", id))).Body.Str("status"));
        Assert.Equal(500, await f.WithDb(db => db.Vendors.Where(v => v.Id == vendor.Id).Select(v => v.Balance).SingleAsync()));
    }

    [Fact]
    public async Task Another_company_cannot_reach_or_post_an_invoice()
    {
        var vendor = await NewVendorAsync();
        var id = await DraftAsync(vendor.Number, new[] { Line(Expense, 1, 5) });
        var other = ServiceFixture.CompanyPath(company: "0a0a0a0a-0000-4000-8000-000000000000");
        Expect.Error(await f.Http.Get($"{other}/purchaseInvoices({id})"), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Post($"{other}/purchaseInvoices({id})/Microsoft.NAV.post", null), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Post($"{other}/purchaseInvoices({id})/purchaseInvoiceLines", Line(Expense, 1, 1)), 404, "Internal_RecordNotFound");
        Assert.Equal("Draft", (await f.Http.Get(Invoice(id))).Body.Str("status"));
    }
}
