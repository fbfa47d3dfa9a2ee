using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Different journals that apply to the same invoices and move the same customers' balances, posted at the same
/// moment through one node (on the provider of the run). Each round is compared with the ledger model and the ledger
/// invariants are checked after it.
/// </summary>
public sealed class ConcurrentPostingTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Fact]
    public Task Two_journals_paying_one_invoice_at_once_settle_it_exactly_once() =>
        ConcurrentPosting.TwoJournalsOnOneInvoiceAsync([f.Http, f.Http], f);

    [Fact]
    public Task Journals_crossing_the_same_invoices_and_customers_at_once_all_post() =>
        ConcurrentPosting.CrossingJournalsAsync([f.Http, f.Http], f);
}

/// <summary>The same through two service processes on one PostgreSQL database (whatever the run's provider).</summary>
[Collection(TwoNodes.Name)]
public sealed class TwoNodeConcurrentPostingTests(MultiNodeFixture f)
{
    [Fact]
    public Task Two_journals_paying_one_invoice_at_once_through_two_nodes_settle_it_exactly_once() =>
        ConcurrentPosting.TwoJournalsOnOneInvoiceAsync([f.A.Http, f.B.Http], new NpgsqlDbAccess(f.ConnectionString));

    [Fact]
    public Task Journals_crossing_the_same_invoices_and_customers_through_two_nodes_all_post() =>
        ConcurrentPosting.CrossingJournalsAsync([f.A.Http, f.B.Http], new NpgsqlDbAccess(f.ConnectionString));

    [Fact]
    public async Task Random_journals_through_two_nodes_match_the_ledger_model()
    {
        var run = new PostingScenarios([f.A.Http, f.B.Http], new NpgsqlDbAccess(f.ConnectionString));
        foreach (var seed in PostingScenarios.Seeds(7)) await run.RunAsync(seed);
    }


    [Fact]
    public async Task A_post_chosen_as_a_deadlock_victim_is_run_again_and_answers_204()
    {
        var http = f.A.Http;
        var db = new NpgsqlDbAccess(f.ConnectionString);
        var customer = await NewCustomerAsync(http);
        var (invoice, _) = await PostedInvoiceAsync(http, customer.Number, 100m);
        var model = new LedgerModel();
        model.AddCustomer(customer.Id);
        model.AddInvoice(invoice, customer.Id, 10_000);
        var (cash, receivables) = await db.WithDb(LedgerModel.AccountsAsync);
        model.SetAccounts(cash, receivables);
        var journal = await PostingScenarios.CreateAsync(http, [new(customer.Id, customer.Number, invoice, 4_000, "DEADLOCK1")]);

        // Another transaction holds the customer's row, so the post, which locks the journal first, waits for it
        // at the balance update; then that transaction asks for the journal: a deadlock. The post waited first, so the
        // server's deadlock check (after deadlock_timeout) runs in the post's session and aborts the post.
        await using var other = new Npgsql.NpgsqlConnection(f.ConnectionString);
        await other.OpenAsync();
        try { await Exec(other, "SET deadlock_timeout = '60s'"); } catch (Npgsql.PostgresException) { } // a server of one's own may not allow it
        await Exec(other, "BEGIN");
        await Exec(other, $"SELECT id FROM customers WHERE id = '{customer.Id}' FOR UPDATE");
        var post = PostJournalAsync(http, journal.Id);
        var waited = false;
        for (var i = 0; i < 600 && !waited && !post.IsCompleted; i++)
        {
            waited = await f.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE customers SET balance_due%'") > 0;
            if (!waited) await Task.Delay(100);
        }
        Assert.True(waited, "the post never waited for the customer row: " + (post.IsCompleted ? (await post).Status.ToString() : "still running"));
        await Exec(other, $"SELECT id FROM customer_payment_journals WHERE id = '{journal.Id}' FOR UPDATE");
        await Exec(other, "ROLLBACK");

        var (status, body, _) = await post;
        Assert.True(status == 204, $"{status} {body?.ToJsonString()}");
        model.Post(journal);
        await new PostingScenarios([http], db).CompareAsync(model, "after the deadlock");
        var violations = await db.WithDb(d => LedgerInvariants.ViolationsAsync(d, Guid.Parse(ServiceFixture.Company)));
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    private static async Task Exec(Npgsql.NpgsqlConnection conn, string sql)
    {
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn) { CommandTimeout = 120 };
        await cmd.ExecuteNonQueryAsync();
    }
}

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
