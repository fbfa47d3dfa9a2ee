using Microsoft.EntityFrameworkCore;
using FsCheck;
using FsCheck.Fluent;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Random vendor payment journals against fresh vendors and posted purchase invoices: partial, full and over payments,
/// several lines on one invoice, lines without an invoice, and sometimes one injected failure (a vendor blocked for
/// payments, a date outside the allowed range, a negative amount). After every post the outcome must match a simple
/// model and the ledger invariants must hold, as for customer journals (PostingPropertyTests).
/// </summary>
[Trait("Category", "Slow")]
public sealed class VendorPostingPropertyTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    /// <summary>Invoice: -1 none, 0 or 1 the vendor's first or second invoice.</summary>
    public sealed record PaymentLine(int Vendor, int Invoice, int Cents);
    public sealed record Scenario(int[] InvoiceCents, PaymentLine[] Lines, int Fault, int FaultLine);

    private static Gen<Scenario> Scenarios()
    {
        var line = Gen.Choose(0, 1).SelectMany(v => Gen.Choose(-1, 1).SelectMany(i => Gen.Choose(1, 15_000).Select(cents => new PaymentLine(v, i, cents))));
        var invoices = Gen.Choose(1_000, 20_000).ArrayOf(4);
        // Faults: 0 none (most often), 1 vendor blocked for payments, 2 posting date out of range, 3 negative amount.
        var fault = Gen.Frequency((5, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)), (1, Gen.Constant(3)));
        return invoices.SelectMany(inv => Gen.Choose(1, 6).SelectMany(n => line.ArrayOf(n).SelectMany(lines =>
            fault.SelectMany(k => Gen.Choose(0, lines.Length - 1).Select(at => new Scenario(inv, lines, k, at))))));
    }

    [Fact]
    public void Random_vendor_journals_keep_the_ledger_invariants()
    {
        var property = Prop.ForAll(Arb.From(Scenarios()), s => RunAsync(s).GetAwaiter().GetResult());
        property.Check(Config.QuickThrowOnFailure.WithMaxTest(30));
    }

    private async Task<Vendor> NewVendorAsync()
    {
        var n = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var vendor = new Vendor
        {
            Id = Guid.NewGuid(), CompanyId = Guid.Parse(ServiceFixture.Company), Number = "VQ" + n, DisplayName = "Property vendor " + n,
            PostingGroupId = DemoSeed.DomesticVendorPostingGroupId,
        };
        await f.WithDb(async db => { db.Vendors.Add(vendor); return await db.SaveChangesAsync(); });
        return vendor;
    }

    private async Task<string> PostedInvoiceAsync(string vendorNumber, int cents)
    {
        var created = await f.Http.Post(Route.V2.Set("purchaseInvoices"), new { vendorNumber, vendorInvoiceNumber = "PQ-" + Guid.NewGuid().ToString("N")[..6], postingDate = "2026-01-02" });
        Expect.Status(created, 201);
        var id = created.Body.Str("id");
        Expect.Status(await f.Http.Post(Route.V2.Entity("purchaseInvoices", id) + "/purchaseInvoiceLines",
            new { lineType = "Account", lineObjectNumber = "8210", quantity = 1, unitCost = cents / 100m }), 201);
        Expect.Status(await f.Http.Post(Route.V2.Entity("purchaseInvoices", id) + "/Microsoft.NAV.post", null), 204);
        return id;
    }

    private async Task<bool> RunAsync(Scenario s)
    {
        var http = f.Http;
        var vendors = new[] { await NewVendorAsync(), await NewVendorAsync() };
        // Invoice k belongs to vendor k % 2; a line's Invoice 0 or 1 picks the first or second invoice of its vendor.
        var invoices = new List<string>();
        for (var k = 0; k < s.InvoiceCents.Length; k++) invoices.Add(await PostedInvoiceAsync(vendors[k % 2].Number, s.InvoiceCents[k]));
        var code = "VQ" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var journal = await http.Post(Route.V2.Set("vendorPaymentJournals"), new { code, balancingAccountId = DemoSeed.AccountId("2910") });
        Expect.Status(journal, 201);
        var journalId = journal.Body.Str("id");
        for (var i = 0; i < s.Lines.Length; i++)
        {
            var l = s.Lines[i];
            var faulty = s.Fault != 0 && i == s.FaultLine;
            Expect.Status(await http.Post(Route.V2.Entity("vendorPaymentJournals", journalId) + "/vendorPayments", new
            {
                vendorNumber = vendors[l.Vendor].Number,
                amount = (faulty && s.Fault == 3 ? -l.Cents : l.Cents) / 100m,
                postingDate = faulty && s.Fault == 2 ? "2031-01-01" : "2026-02-01",
                appliesToInvoiceId = l.Invoice < 0 ? Guid.Empty.ToString() : invoices[l.Vendor + 2 * l.Invoice],
            }), 201);
        }
        var blocked = s.Fault == 1 ? vendors[s.Lines[s.FaultLine].Vendor].Id : (Guid?)null;
        if (blocked is { } b) await f.WithDb(db => db.Vendors.Where(v => v.Id == b).ExecuteUpdateAsync(u => u.SetProperty(v => v.Blocked, "Payment")));
        var before = await LedgerInvariants.SnapshotAsync(f);

        var posted = await http.Post(Route.V2.Entity("journals", journalId) + "/Microsoft.NAV.post", null);
        var after = await LedgerInvariants.SnapshotAsync(f);
        if (blocked is { } u) await f.WithDb(db => db.Vendors.Where(v => v.Id == u).ExecuteUpdateAsync(x => x.SetProperty(v => v.Blocked, " ")));
        var left = (await http.Get(Route.V2.Entity("vendorPaymentJournals", journalId) + "/vendorPayments")).Body!["value"]!.AsArray().Count;
        if (s.Fault != 0)
        {
            Expect.Status(posted, 400);
            Assert.Contains("Line " + ((s.FaultLine + 1) * 10000), posted.Body!["error"]!["message"]!.GetValue<string>());
            Assert.Equal(s.Lines.Length, left);
            Assert.Equal(before, after);
        }
        else
        {
            Expect.Status(posted, 204);
            Assert.Equal(0, left);
        }

        // The model: invoices settle in line order, each up to what it has open; a vendor is owed what was invoiced
        // less what was paid (an over-payment leaves it owing less than nothing).
        var remaining = s.InvoiceCents.Select(c => (long)c).ToArray();
        var owed = new long[2];
        for (var k = 0; k < remaining.Length; k++) owed[k % 2] += remaining[k];
        if (s.Fault == 0)
            foreach (var l in s.Lines)
            {
                owed[l.Vendor] -= l.Cents;
                if (l.Invoice < 0) continue;
                var k = l.Vendor + 2 * l.Invoice;
                remaining[k] -= Math.Min(remaining[k], l.Cents);
            }
        for (var k = 0; k < invoices.Count; k++)
        {
            var inv = (await http.Get(Route.V2.Entity("purchaseInvoices", invoices[k]))).Body!;
            Assert.Equal(remaining[k] / 100m, inv["remainingAmount"]!.GetValue<decimal>());
            Assert.Equal(remaining[k] == 0 ? "Paid" : "Open", inv.Str("status"));
        }
        for (var v = 0; v < 2; v++)
            Assert.Equal(owed[v] / 100m, (await http.Get(Route.V2.Entity("vendors", vendors[v].Id.ToString("D")))).Body!["balance"]!.GetValue<decimal>());
        await LedgerInvariants.AssertHoldAsync(f);
        return true;
    }
}
