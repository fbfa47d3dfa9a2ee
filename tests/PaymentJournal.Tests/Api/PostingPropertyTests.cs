using Microsoft.EntityFrameworkCore;
using FsCheck;
using FsCheck.Fluent;
using PaymentJournal.Data;
using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Random journals against fresh customers and invoices: partial, full and over payments, several lines on one
/// invoice, lines that settle both invoices of their customer (applications with and without amounts, in either
/// order), and sometimes one injected failure (a blocked customer, a date outside the allowed range, a positive
/// amount). After every post the outcome must match a simple model and the ledger invariants must hold.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PostingPropertyTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    /// <summary>Invoice: -1 none, 0 or 1 the customer's first or second invoice, 2 both (applications; Given: the amounts, 0 not given).</summary>
    public sealed record PaymentLine(int Customer, int Invoice, int Cents, int[] Given, bool Reversed);
    public sealed record Scenario(int[] InvoiceCents, PaymentLine[] Lines, int Fault, int FaultLine);

    private static Gen<Scenario> Scenarios()
    {
        var given = Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(1, 12_000)));
        var line = Gen.Choose(0, 1).SelectMany(c => Gen.Choose(-1, 2).SelectMany(i => Gen.Choose(1, 15_000).SelectMany(cents =>
            given.ArrayOf(2).SelectMany(g => Gen.Choose(0, 1).Select(reversed => new PaymentLine(c, i, cents, g, reversed == 1))))));
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
        // The applications of each line as made: (invoice index, amount given), in the order given.
        var applied = new List<(int Invoice, long Given)>[s.Lines.Length];
        var lineIds = new List<Guid>();
        for (var i = 0; i < s.Lines.Length; i++)
        {
            var l = s.Lines[i];
            var faulty = s.Fault != 0 && i == s.FaultLine;
            var created = await AddLineAsync(http, journal, new
            {
                customerNumber = customers[l.Customer].Number,
                amount = (faulty && s.Fault == 3 ? l.Cents : -l.Cents) / 100m,
                postingDate = faulty && s.Fault == 2 ? "2031-01-01" : Today,
                appliesToInvoiceId = l.Invoice is < 0 or > 1 ? Guid.Empty.ToString() : invoices[l.Customer + 2 * l.Invoice].Id,
            });
            lineIds.Add(Guid.Parse(created.Str("id")));
            applied[i] = [];
            if (l.Invoice != 2) continue;
            // Given amounts within what the service accepts: each at most its invoice, together at most the payment.
            var payment = faulty && s.Fault == 3 ? 0 : l.Cents;
            long sum = 0;
            foreach (var j in l.Reversed ? new[] { 1, 0 } : [0, 1])
            {
                var k = l.Customer + 2 * j;
                long amount = Math.Min(l.Given[j], s.InvoiceCents[k]);
                if (sum + amount > payment) amount = 0;
                sum += amount;
                var (made, answer, _) = await http.Post(
                    $"{ServiceFixture.CompanyPath(ServiceFixture.Posting)}/customerPaymentJournals({journal})/customerPayments({created.Str("id")})/applications",
                    new { invoiceId = invoices[k].Id, amount = amount / 100m });
                Assert.True(made == 201, answer?.ToJsonString());
                applied[i].Add((k, amount));
            }
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
            Assert.Equal(applied.Sum(a => a.Count), await f.WithDb(db => db.PaymentApplications.CountAsync(a => lineIds.Contains(a.PaymentId))));
        }
        else
        {
            Assert.True(status == 204, body?.ToJsonString());
            Assert.Equal(0, lines);
            Assert.Equal(0, await f.WithDb(db => db.PaymentApplications.CountAsync(a => lineIds.Contains(a.PaymentId))));
        }

        // The model: invoices settle in line order; the balance is what was invoiced less what was received. A line with
        // applications pays the given amounts first, then the invoices without one oldest first (the same dates here, so
        // by number: the customer's first invoice first), each up to what the earlier lines left of it.
        var remaining = s.InvoiceCents.Select(c => (long)c).ToArray();
        var balance = new long[2];
        for (var k = 0; k < remaining.Length; k++) balance[k % 2] += remaining[k];
        if (s.Fault == 0)
        {
            for (var i = 0; i < s.Lines.Length; i++)
            {
                var l = s.Lines[i];
                balance[l.Customer] -= l.Cents;
                if (l.Invoice < 0) continue;
                if (l.Invoice == 2)
                {
                    long left = l.Cents;
                    foreach (var (k, given) in applied[i].Where(a => a.Given > 0).Concat(applied[i].Where(a => a.Given == 0).OrderBy(a => a.Invoice)))
                    {
                        var take = Math.Min(Math.Min(given > 0 ? given : left, remaining[k]), left);
                        remaining[k] -= take;
                        left -= take;
                    }
                    continue;
                }
                var single = l.Customer + 2 * l.Invoice;
                remaining[single] -= Math.Min(remaining[single], l.Cents);
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
