using PaymentJournal.Data;
using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Fixtures;

internal static class ConcurrentPosting
{
    /// <summary>
    /// An invoice of 1000.00 and two journals with a line of -600.00 on it, posted at once: one applies 600, the other
    /// the 400 left and keeps -200 open on its payment entry; the invoice ends Paid at zero.
    /// </summary>
    public static async Task TwoJournalsOnOneInvoiceAsync(HttpClient[] nodes, IDbAccess db)
    {
        var run = new PostingScenarios(nodes, db);
        for (var round = 0; round < 5; round++)
        {
            var customer = await NewCustomerAsync(nodes[0]);
            var (invoice, _) = await PostedInvoiceAsync(nodes[0], customer.Number, 1000m);
            var model = new LedgerModel();
            model.AddCustomer(customer.Id);
            model.AddInvoice(invoice, customer.Id, 100_000);
            var (cash, receivables) = await db.WithDb(LedgerModel.AccountsAsync);
            model.SetAccounts(cash, receivables);
            var journals = new List<LedgerModel.Journal>();
            foreach (var name in new[] { "A", "B" })
                journals.Add(await PostingScenarios.CreateAsync(nodes[0], [new(customer.Id, customer.Number, invoice, 60_000, $"TWO{round}{name}")]));

            await run.PostRoundAsync(model, journals, atOnce: true, $"round {round}");

            var inv = await GetAsync(nodes[1], $"{C}/salesInvoices({invoice})");
            Assert.Equal(0m, inv.Dec("remainingAmount"));
            Assert.Equal("Paid", inv.Str("status"));
            var entries = (await GetAsync(nodes[1], $"{ServiceFixture.CompanyPath(ServiceFixture.Ledger)}/customerLedgerEntries?$filter=customerNumber eq '{customer.Number}' and documentType eq 'Payment'"))["value"]!.AsArray();
            Assert.Equal([-200m, 0m], entries.Select(e => e.Dec("remainingAmount")).Order().ToArray());
            Assert.Equal(-200m, (await GetAsync(nodes[1], $"{C}/customers({customer.Id})")).Dec("balanceDue"));
        }
    }

    /// <summary>
    /// Four journals, each with lines on the same three invoices and two customers in a different order, posted at once,
    /// two rounds. No invoice is claimed beyond its amount, so every post must succeed whatever order they run in.
    /// </summary>
    public static async Task CrossingJournalsAsync(HttpClient[] nodes, IDbAccess db)
    {
        var run = new PostingScenarios(nodes, db);
        var customers = new[] { await NewCustomerAsync(nodes[0]), await NewCustomerAsync(nodes[0]) };
        var model = new LedgerModel();
        foreach (var c in customers) model.AddCustomer(c.Id);
        for (var round = 0; round < 2; round++)
        {
            var invoices = new List<(string Id, int Customer)>();
            foreach (var k in new[] { 0, 1, 0 })
            {
                var (id, _) = await PostedInvoiceAsync(nodes[0], customers[k].Number, 1000m);
                invoices.Add((id, k));
                model.AddInvoice(id, customers[k].Id, 100_000);
            }
            var (cash, receivables) = await db.WithDb(LedgerModel.AccountsAsync);
            model.SetAccounts(cash, receivables);
            var journals = new List<LedgerModel.Journal>();
            for (var j = 0; j < 4; j++)
            {
                var lines = new List<LedgerModel.Line>();
                for (var i = 0; i < 3; i++)
                {
                    // Journal j takes the invoices rotated by j, backwards for the odd ones, and ends with a line on no invoice.
                    var (id, k) = invoices[(j % 2 == 0 ? i + j : 2 - i + j) % 3];
                    lines.Add(new(customers[k].Id, customers[k].Number, id, 20_000 + 1_000 * j, $"X{round}J{j}L{i}"));
                }
                var other = customers[1 - j % 2];
                lines.Add(new(other.Id, other.Number, null, 5_000, $"X{round}J{j}L3"));
                journals.Add(await PostingScenarios.CreateAsync(nodes[j % nodes.Length], lines));
            }
            model = await run.PostRoundAsync(model, journals, atOnce: true, $"round {round}");
            foreach (var (id, _) in invoices) Assert.Equal(100_000 - 4 * 20_000 - 6_000, model.Remaining(id));
        }
    }
}
