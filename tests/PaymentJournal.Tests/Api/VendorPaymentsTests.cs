using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// vendorPaymentJournals and their vendorPayments: lines of the payments template on the one journal core, with
/// Business Central's fields and errors, posted by journals({id})/Microsoft.NAV.post into vendor ledger entries that
/// settle purchase invoices. Runs on the test database of the run (SQLite or PostgreSQL).
/// </summary>
public sealed class VendorPaymentsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private const string Payables = "5410", Cash = "2910";
    private static string Journals => Route.V2.Set("vendorPaymentJournals");
    private static string Journal(string id) => Route.V2.Entity("vendorPaymentJournals", id);
    private static string Lines(string journal) => Journal(journal) + "/vendorPayments";
    private static string Post(string journal) => Route.V2.Entity("journals", journal) + "/Microsoft.NAV.post";

    private async Task<string> NewJournalAsync()
    {
        var code = "VP" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var created = await f.Http.Post(Journals, new { code, displayName = "Payments " + code, balancingAccountId = DemoSeed.AccountId(Cash) });
        Expect.Status(created, 201);
        return created.Body.Str("id");
    }

    /// <summary>A vendor of the demo posting group made for one test, so no test sees another's balance.</summary>
    private async Task<Vendor> NewVendorAsync(string blocked = " ")
    {
        var n = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var vendor = new Vendor
        {
            Id = Guid.NewGuid(), CompanyId = Guid.Parse(ServiceFixture.Company), Number = "VP" + n, DisplayName = "Payee " + n,
            Blocked = blocked, PostingGroupId = DemoSeed.DomesticVendorPostingGroupId,
        };
        await f.WithDb(async db => { db.Vendors.Add(vendor); return await db.SaveChangesAsync(); });
        return vendor;
    }

    /// <summary>A posted purchase invoice of the vendor over the amount, through the API.</summary>
    private async Task<(string Id, string Number)> PostedInvoiceAsync(string vendorNumber, decimal amount)
    {
        var created = await f.Http.Post(Route.V2.Set("purchaseInvoices"), new { vendorNumber, vendorInvoiceNumber = "VI-" + Guid.NewGuid().ToString("N")[..6], postingDate = "2026-01-15" });
        Expect.Status(created, 201);
        var id = created.Body.Str("id");
        Expect.Status(await f.Http.Post(Route.V2.Entity("purchaseInvoices", id) + "/purchaseInvoiceLines",
            new { lineType = "Account", lineObjectNumber = "8210", quantity = 1, unitCost = amount }), 201);
        Expect.Status(await f.Http.Post(Route.V2.Entity("purchaseInvoices", id) + "/Microsoft.NAV.post", null), 204);
        return (id, created.Body.Str("number"));
    }

    private static decimal Dec(JsonNode? node, string name) => node![name]!.GetValue<decimal>();

    [Fact]
    public async Task The_demo_payments_journal_is_listed_under_its_template()
    {
        var list = await f.Http.Get(Journals);
        Expect.Status(list, 200);
        var demo = list.Body!["value"]!.AsArray().Single(j => j!["id"]!.GetValue<string>() == DemoSeed.PaymentJournalId.ToString("D"))!;
        Assert.Equal(("PAYMENT", "Vendor payments", Cash), (demo.Str("code"), demo.Str("displayName"), demo.Str("balancingAccountNumber")));
        // Customer payment journals are another template: not here, and this one is not there.
        Assert.DoesNotContain(list.Body!["value"]!.AsArray(), j => j!["id"]!.GetValue<string>() == ServiceFixture.General);
        Expect.Error(await f.Http.Get(Route.V2.Entity("customerPaymentJournals", DemoSeed.PaymentJournalId.ToString("D"))), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Get(Journal(ServiceFixture.General)), 404, "Internal_RecordNotFound");
        // journals shows every batch with its template.
        var all = await f.Http.Get(Route.V2.Entity("journals", DemoSeed.PaymentJournalId.ToString("D")));
        Expect.Status(all, 200);
        Assert.Equal("PAYMENT", all.Body.Str("templateDisplayName"));
        // Graph has no vendor payment journals.
        Expect.Error(await f.Http.Get(Route.Graph.Set("vendorPaymentJournals")), 404, "BadRequest_ResourceNotFound");
    }

    [Fact]
    public async Task A_line_takes_its_defaults_and_the_vendor_by_id_or_number()
    {
        var journal = await NewJournalAsync();
        var vendor = await NewVendorAsync();
        var first = await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, amount = 12.5m, postingDate = "2026-02-01" });
        Expect.Status(first, 201);
        var line = first.Body!;
        Assert.Equal((vendor.Id.ToString("D"), vendor.Number, vendor.DisplayName), (line.Str("vendorId"), line.Str("vendorNumber"), line.Str("description")));
        Assert.Equal((10000, 12.5m, journal), (line["lineNumber"]!.GetValue<int>(), Dec(line, "amount"), line.Str("journalId")));
        Assert.StartsWith("VP", line.Str("journalDisplayName"));
        Assert.EndsWith("-00001", line.Str("documentNumber"));

        var second = await f.Http.Post(Lines(journal), new { vendorId = vendor.Id, amount = 3 });
        Expect.Status(second, 201);
        // The next line number, and the previous line's date and document number (same external document number).
        Assert.Equal((20000, "2026-02-01", line.Str("documentNumber")),
            (second.Body!["lineNumber"]!.GetValue<int>(), second.Body.Str("postingDate"), second.Body.Str("documentNumber")));

        // At company level with journalId; a list there needs the journal.
        var top = await f.Http.Post(Route.V2.Set("vendorPayments"), new { journalId = journal, vendorNumber = vendor.Number, amount = 1 });
        Expect.Status(top, 201);
        Expect.Error(await f.Http.Get(Route.V2.Set("vendorPayments")), 400, "Application_DialogException", "You must specify a journal batch ID or a journal ID");
        var filtered = await f.Http.Get(Route.V2.Set("vendorPayments") + $"?$filter=journalId eq {journal}");
        Expect.Status(filtered, 200);
        Assert.Equal(3, filtered.Body!["value"]!.AsArray().Count);

        // PATCH with the ETag; a new vendor brings its name unless the description was typed.
        var other = await NewVendorAsync();
        var patched = await f.Http.Patch(Lines(journal) + $"({line.Str("id")})", new { vendorNumber = other.Number, comment = "moved" }, Expect.ETag(first));
        Expect.Status(patched, 200);
        Assert.Equal((other.Number, other.DisplayName, "moved"), (patched.Body.Str("vendorNumber"), patched.Body.Str("description"), patched.Body.Str("comment")));
        // The vendor's navigation and the line's dimension set lines.
        var expanded = await f.Http.Get(Lines(journal) + $"({line.Str("id")})?$expand=vendor");
        Assert.Equal(other.Number, expanded.Body!["vendor"]!.Str("number"));
        Expect.Status(await f.Http.Post(Lines(journal) + $"({line.Str("id")})/dimensionSetLines", new { code = "AREA", valueCode = "20" }), 201);
        var dims = await f.Http.Get(Lines(journal) + $"({line.Str("id")})/dimensionSetLines");
        Assert.Equal("20", Assert.Single(dims.Body!["value"]!.AsArray())!.Str("valueCode"));
        // Delete the line: its dimension lines go with it.
        Expect.Status(await f.Http.Delete(Lines(journal) + $"({line.Str("id")})"), 204);
        Assert.Equal(0, await f.WithDb(db => db.PaymentDimensions.CountAsync(d => d.PaymentId == Guid.Parse(line.Str("id")))));
    }

    [Fact]
    public async Task Line_rules_refuse_with_Business_Central_errors_and_change_nothing()
    {
        var journal = await NewJournalAsync();
        var vendor = await NewVendorAsync();
        var created = await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, amount = 5 });
        Expect.Status(created, 201);
        var lineUrl = Lines(journal) + $"({created.Body.Str("id")})";
        var salesInvoice = DemoSeed.InvoiceId(1);
        var before = await DbSnapshot.TakeAsync(f);
        const string dialog = "Application_DialogException";
        Expect.Error(await f.Http.Post(Lines(journal), new { vendorId = Guid.NewGuid() }), 400, dialog, "The \"vendorId\" does not match to a Vendor.");
        Expect.Error(await f.Http.Post(Lines(journal), new { vendorNumber = "GHOST" }), 400, dialog, "The \"vendorNumber\" does not match to a Vendor.");
        Expect.Error(await f.Http.Post(Lines(journal), new { vendorId = vendor.Id, vendorNumber = "V00001" }), 400, dialog, "The vendor values do not match to a specific Vendor.");
        // A sales invoice is not a purchase invoice: a vendor line cannot settle it.
        Expect.Error(await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, appliesToInvoiceId = salesInvoice }), 400, dialog,
            "The \"appliesToInvoiceId\" should be the ID of an Open, Paid, Corrective, or Canceled Invoice.");
        Expect.Error(await f.Http.Post(Lines(journal), new { appliesToInvoiceId = DemoSeed.PurchaseInvoiceId(1), appliesToInvoiceNumber = "108002" }), 400, dialog,
            "The Applies To Invoice values do not match to the same Invoice.");
        Expect.Error(await f.Http.Post(Route.V2.Set("vendorPayments"), new { vendorNumber = vendor.Number }), 400, dialog, "You must specify a journal batch ID or a journal ID");
        Expect.Error(await f.Http.Post(Route.V2.Set("vendorPayments"), new { journalId = ServiceFixture.General, vendorNumber = vendor.Number }), 400, dialog,
            $"The vendor payment journal with id '{ServiceFixture.General}' does not exist.");
        Expect.Error(await f.Http.Post(Lines(journal), new { journalDisplayName = "OTHER" }), 400, dialog, "The Journal Id and Journal Display Name do not match.");
        Expect.Error(await f.Http.Post(Lines(journal), new { lineNumber = 10000 }), 409, "Internal_EntityWithSameKeyExists", "Line No.='10000'");
        Expect.Error(await f.Http.Post(Lines(journal), new { lineNumber = -1 }), 400, "Application_FieldValidationException", "lineNumber");
        Expect.Error(await f.Http.Post(Lines(journal), new { description = new string('d', 101) }), 400, "Application_StringExceededLength", "description");
        Expect.Error(await f.Http.Post(Lines(journal), new { contactId = "CT000001" }), 400, "BadRequest", "contactId");
        Expect.Error(await f.Http.Patch(lineUrl, new { journalId = DemoSeed.PaymentJournalId }, "*"), 400, dialog, "The Journal Id cannot be changed.");
        Expect.Error(await f.Http.Patch(lineUrl, new { journalDisplayName = "OTHER" }, "*"), 400, dialog, "The Journal Batch Display Name cannot be changed.");
        var blocked = await NewVendorAsync("Payment");
        Expect.Error(await f.Http.Post(Lines(journal), new { vendorNumber = blocked.Number }), 400, dialog,
            $"You cannot use vendor {blocked.Number} because it is blocked for payments (Blocked: Payment).");
        await f.WithDb(db => db.Vendors.Where(v => v.Id == blocked.Id).ExecuteDeleteAsync());
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));

        // A customer line cannot name a purchase invoice either.
        Expect.Error(await f.Http.Post(Route.V2.Entity("customerPaymentJournals", ServiceFixture.General) + "/customerPayments",
            new { customerNumber = "C00001", appliesToInvoiceId = DemoSeed.PurchaseInvoiceId(2) }), 400, dialog,
            "The \"appliesToInvoiceId\" should be the ID of an Open, Paid, Corrective, or Canceled Invoice.");
        // A vendor with payment lines cannot be deleted.
        Expect.Error(await f.Http.Delete(Route.V2.Entity("vendors", vendor.Id.ToString("D"))), 400, dialog, "journal lines use it");
    }

    [Fact]
    public async Task An_invoice_fills_an_empty_vendor_and_an_unknown_number_is_kept()
    {
        var journal = await NewJournalAsync();
        var byInvoice = await f.Http.Post(Lines(journal), new { appliesToInvoiceNumber = "108003", amount = 1 });
        Expect.Status(byInvoice, 201);
        Assert.Equal(("V00003", DemoSeed.PurchaseInvoiceId(3).ToString("D")), (byInvoice.Body.Str("vendorNumber"), byInvoice.Body.Str("appliesToInvoiceId")));
        var unknown = await f.Http.Post(Lines(journal), new { vendorNumber = "V00001", appliesToInvoiceNumber = "NOPE-1" });
        Expect.Status(unknown, 201);
        Assert.Equal(("NOPE-1", Guid.Empty.ToString("D")), (unknown.Body.Str("appliesToInvoiceNumber"), unknown.Body.Str("appliesToInvoiceId")));
    }

    [Fact]
    public async Task Posting_pays_the_vendor_settles_its_invoices_and_balances_the_ledger()
    {
        var journal = await NewJournalAsync();
        var vendor = await NewVendorAsync();
        var full = await PostedInvoiceAsync(vendor.Number, 100m);
        var partial = await PostedInvoiceAsync(vendor.Number, 80m);
        Expect.Status(await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, amount = 100, appliesToInvoiceId = full.Id, postingDate = "2026-02-01" }), 201);
        Expect.Status(await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, amount = 30, appliesToInvoiceNumber = partial.Number }), 201);
        var loose = await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, amount = 7.25m,
            dimensionSetLines = new[] { new { code = "AREA", valueCode = "30" } } });
        Expect.Status(loose, 201);
        var owedBefore = (await f.Http.Get(Route.V2.Entity("vendors", vendor.Id.ToString("D")))).Body!;
        Assert.Equal(180m, Dec(owedBefore, "balance"));

        Expect.Status(await f.Http.Post(Post(journal), null), 204);

        Assert.Empty((await f.Http.Get(Lines(journal))).Body!["value"]!.AsArray());
        var fullInvoice = (await f.Http.Get(Route.V2.Entity("purchaseInvoices", full.Id))).Body!;
        var partialInvoice = (await f.Http.Get(Route.V2.Entity("purchaseInvoices", partial.Id))).Body!;
        Assert.Equal(("Paid", 0m), (fullInvoice.Str("status"), Dec(fullInvoice, "remainingAmount")));
        Assert.Equal(("Open", 50m), (partialInvoice.Str("status"), Dec(partialInvoice, "remainingAmount")));
        var vendorAfter = (await f.Http.Get(Route.V2.Entity("vendors", vendor.Id.ToString("D")))).Body!;
        Assert.Equal(180m - 137.25m, Dec(vendorAfter, "balance"));

        var entries = await f.WithDb(db => db.VendorLedgerEntries.AsNoTracking().Where(e => e.VendorId == vendor.Id && e.DocumentType == "Payment")
            .OrderBy(e => e.EntryNumber).ToListAsync());
        Assert.Equal([10000L, 3000L, 725L], entries.Select(e => e.Amount));
        // Applied in full, applied in full to the partly paid invoice, and nothing applied.
        Assert.Equal([0L, 0L, 725L], entries.Select(e => e.RemainingAmount));
        Assert.All(entries, e => Assert.Equal(e.JournalCode, entries[0].JournalCode));
        // Each line: the payables debited, the cash credited, in one transaction; the dimension goes on all three entries.
        var gl = await f.WithDb(db => db.GeneralLedgerEntries.AsNoTracking().Where(e => e.TransactionNumber == entries[2].TransactionNumber && e.CompanyId == entries[2].CompanyId)
            .OrderBy(e => e.EntryNumber).ToListAsync());
        Assert.Equal([(Cash, -725L, 0L, 725L), (Payables, 725L, 725L, 0L)], gl.Select(e => (e.AccountNumber, e.Amount, e.DebitAmount, e.CreditAmount)));
        var dimensioned = await f.WithDb(db => db.LedgerEntryDimensions.CountAsync(d => d.EntryId == entries[2].Id || gl.Select(e => e.Id).Contains(d.EntryId)));
        Assert.Equal(3, dimensioned);
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task A_post_with_one_bad_line_posts_nothing_and_names_every_failing_line()
    {
        var journal = await NewJournalAsync();
        var vendor = await NewVendorAsync();
        var other = await NewVendorAsync();
        var invoice = await PostedInvoiceAsync(other.Number, 20m);
        Expect.Status(await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, amount = 10 }), 201);
        Expect.Status(await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, amount = -4 }), 201);
        Expect.Status(await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, amount = 5, appliesToInvoiceId = invoice.Id }), 201);
        Expect.Status(await f.Http.Post(Lines(journal), new { amount = 1 }), 201);
        var before = await DbSnapshot.TakeAsync(f);

        var refused = await f.Http.Post(Post(journal), null);
        Expect.Error(refused, 400, "Application_DialogException", "3 of 4 lines cannot be posted");
        var message = refused.Body!["error"]!["message"]!.GetValue<string>();
        Assert.Contains("Line 20000: the amount must be positive (a payment), but it is -4", message, StringComparison.Ordinal);
        Assert.Contains($"Line 30000: the invoice {invoice.Number} belongs to vendor {other.Number}, not to {vendor.Number}", message, StringComparison.Ordinal);
        Assert.Contains("Line 40000: vendorId or vendorNumber must have a value", message, StringComparison.Ordinal);
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));

        // Blocked for payments after the lines were written: the post refuses that too.
        await f.WithDb(db => db.Vendors.Where(v => v.Id == vendor.Id).ExecuteUpdateAsync(u => u.SetProperty(v => v.Blocked, "Payment")));
        var blocked = await f.Http.Post(Post(journal), null);
        Assert.Contains($"the vendor {vendor.Number} is blocked for payments (Blocked: Payment)", blocked.Body!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task An_over_payment_stays_open_on_the_payment_and_a_second_post_finds_nothing()
    {
        var journal = await NewJournalAsync();
        var vendor = await NewVendorAsync();
        var invoice = await PostedInvoiceAsync(vendor.Number, 40m);
        Expect.Status(await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, amount = 55, appliesToInvoiceId = invoice.Id }), 201);
        Expect.Status(await f.Http.Post(Post(journal), null), 204);
        var payment = await f.WithDb(db => db.VendorLedgerEntries.AsNoTracking().SingleAsync(e => e.VendorId == vendor.Id && e.DocumentType == "Payment"));
        Assert.Equal((5500L, 1500L, true), (payment.Amount, payment.RemainingAmount, payment.Open));
        Assert.Equal(-15m, Dec((await f.Http.Get(Route.V2.Entity("vendors", vendor.Id.ToString("D")))).Body, "balance"));
        Expect.Error(await f.Http.Post(Post(journal), null), 400, "Application_DialogException", "There is nothing to post");
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Renaming_and_deleting_a_journal_carry_its_lines()
    {
        var journal = await NewJournalAsync();
        var vendor = await NewVendorAsync();
        var line = await f.Http.Post(Lines(journal), new { vendorNumber = vendor.Number, amount = 2 });
        var renamed = await f.Http.Patch(Journal(journal), new { code = "VPRENAMED" }, "*");
        Expect.Status(renamed, 200);
        var after = await f.Http.Get(Lines(journal) + $"({line.Body.Str("id")})");
        Assert.Equal("VPRENAMED", after.Body.Str("journalDisplayName"));
        Assert.NotEqual(Expect.ETag(line), Expect.ETag(after));
        // A second journal may not take the code within the template; a customer journal of that code is another batch.
        Expect.Error(await f.Http.Post(Journals, new { code = "VPRENAMED" }), 409, "Internal_EntityWithSameKeyExists", "Journal Template Name='PAYMENT',Name='VPRENAMED'");
        var customerJournal = await f.Http.Post(Route.V2.Set("customerPaymentJournals"), new { code = "VPRENAMED" });
        Expect.Status(customerJournal, 201);
        Expect.Status(await f.Http.Delete(Journal(journal)), 204);
        Expect.Error(await f.Http.Get(Lines(journal) + $"({line.Body.Str("id")})"), 404, "Internal_RecordNotFound");
        Assert.Equal(0, await f.WithDb(db => db.VendorPayments.CountAsync(l => l.JournalId == Guid.Parse(journal))));
        Expect.Status(await f.Http.Delete(Route.V2.Entity("customerPaymentJournals", customerJournal.Body.Str("id"))), 204);
    }
}
