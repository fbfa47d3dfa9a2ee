using FsCheck;
using FsCheck.Fluent;
using PaymentJournal.Data;
using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Random journals against fresh customers and invoices: partial, full and over payments, several lines on one
/// invoice, and sometimes one injected failure (a blocked customer, a date outside the allowed range, a positive
/// amount). After every post the outcome must match a simple model and the ledger invariants must hold.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PostingPropertyTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    public sealed record PaymentLine(int Customer, int Invoice, int Cents);
    public sealed record Scenario(int[] InvoiceCents, PaymentLine[] Lines, int Fault, int FaultLine);

    private static Gen<Scenario> Scenarios()
    {
        var line = Gen.Choose(0, 1).SelectMany(c => Gen.Choose(-1, 1).SelectMany(i => Gen.Choose(1, 15_000).Select(cents => new PaymentLine(c, i, cents))));
        var invoices = Gen.Choose(1_000, 20_000).ArrayOf(4);
        // Faults: 0 none (most often), 1 blocked customer, 2 posting date out of range, 3 positive amount.
        var fault = Gen.Frequency((5, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)), (1, Gen.Constant(3)));
        return invoices.SelectMany(inv => Gen.Choose(1, 6).SelectMany(n => line.ArrayOf(n).SelectMany(lines =>
            fault.SelectMany(k => Gen.Choose(0, lines.Length - 1).Select(at => new Scenario(inv, lines, k, at))))));
    }

    [Fact]
    public void Random_journals_keep_the_ledger_invariants()
    {
        var property = Prop.ForAll(Arb.From(Scenarios()), s => RunAsync(s).GetAwaiter().GetResult());
        property.Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }

    private async Task<bool> RunAsync(Scenario s)
    {
        var http = f.Http;
        var customers = new[] { await NewCustomerAsync(http), await NewCustomerAsync(http) };
        // Invoice k belongs to customer k % 2; a line's Invoice 0 or 1 picks the first or second invoice of its customer.
        var invoices = new List<(string Id, string Number)>();
        for (var k = 0; k < s.InvoiceCents.Length; k++)
            invoices.Add(await PostedInvoiceAsync(http, customers[k % 2].Number, s.InvoiceCents[k] / 100m));
        var journal = await NewJournalAsync(http);
        for (var i = 0; i < s.Lines.Length; i++)
        {
            var l = s.Lines[i];
            var faulty = s.Fault != 0 && i == s.FaultLine;
            await AddLineAsync(http, journal, new
            {
                customerNumber = customers[l.Customer].Number,
                amount = (faulty && s.Fault == 3 ? l.Cents : -l.Cents) / 100m,
                postingDate = faulty && s.Fault == 2 ? "2031-01-01" : Today,
                appliesToInvoiceId = l.Invoice < 0 ? Guid.Empty.ToString() : invoices[l.Customer + 2 * l.Invoice].Id,
            });
        }
        var blocked = s.Fault == 1 ? customers[s.Lines[s.FaultLine].Customer].Id : null;
        if (blocked is not null) await SetBlockedAsync(http, blocked, "All");
        var before = await LedgerInvariants.SnapshotAsync(f);

        var (status, body, _) = await PostJournalAsync(http, journal, s.Lines.Length % 2 == 0 ? "journals" : "customerPaymentJournals");
        var after = await LedgerInvariants.SnapshotAsync(f);
        if (blocked is not null) await SetBlockedAsync(http, blocked, " ");

        var lines = (await GetAsync(http, $"{Journal(journal)}/customerPayments"))["value"]!.AsArray().Count;
        if (s.Fault != 0)
        {
            Assert.True(status == 400, body?.ToJsonString());
            Assert.Contains("Line " + ((s.FaultLine + 1) * 10000), body!["error"]!["message"]!.GetValue<string>());
            Assert.Equal(s.Lines.Length, lines);
            Assert.Equal(before, after);
        }
        else
        {
            Assert.True(status == 204, body?.ToJsonString());
            Assert.Equal(0, lines);
        }

        // The model: invoices settle in line order; the balance is what was invoiced less what was received.
        var remaining = s.InvoiceCents.Select(c => (long)c).ToArray();
        var balance = new long[2];
        for (var k = 0; k < remaining.Length; k++) balance[k % 2] += remaining[k];
        if (s.Fault == 0)
        {
            foreach (var l in s.Lines)
            {
                balance[l.Customer] -= l.Cents;
                if (l.Invoice < 0) continue;
                var k = l.Customer + 2 * l.Invoice;
                remaining[k] -= Math.Min(remaining[k], l.Cents);
            }
        }
        for (var k = 0; k < invoices.Count; k++)
        {
            var inv = await GetAsync(http, $"{C}/salesInvoices({invoices[k].Id})");
            Assert.Equal(remaining[k] / 100m, inv.Dec("remainingAmount"));
            Assert.Equal(remaining[k] == 0 ? "Paid" : "Open", inv.Str("status"));
        }
        for (var c = 0; c < 2; c++)
            Assert.Equal(balance[c] / 100m, (await GetAsync(http, $"{C}/customers({customers[c].Id})")).Dec("balanceDue"));
        await LedgerInvariants.AssertHoldAsync(f);
        return true;
    }
}
