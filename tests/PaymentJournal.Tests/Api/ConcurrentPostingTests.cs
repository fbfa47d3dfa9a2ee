using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Different journals that apply to the same invoices and move the same customers' balances, posted at the same
/// moment through one node (on the provider of the run). Each round is compared with the ledger model and the ledger
/// invariants are checked after it.
/// </summary>
[Trait("Category", "Slow")]
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
[Trait("Category", "Slow")]
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
        // Another transaction holds the customer's row, so the post, which locks the journal first, waits for it
        // at the balance update; then that transaction asks for the journal: a deadlock. The server checks a waiting
        // session for a deadlock once, deadlock_timeout after it began to wait; for the post to be the victim, the other
        // transaction must wait for the journal before the post's check (its own check comes after 60 s). When the
        // test sees the post waiting too late for that (a busy machine), the round is let through, the post commits
        // without a deadlock, and the next round tries again with a new journal.
        var deadlockTimeout = await f.ScalarAsync<double>("SELECT extract(epoch FROM current_setting('deadlock_timeout')::interval)");
        for (var round = 1; ; round++)
        {
            var journal = await PostingScenarios.CreateAsync(http, [new(customer.Id, customer.Number, invoice, 1_000, "DEADLOCK" + round)]);
            await using var other = new Npgsql.NpgsqlConnection(f.ConnectionString);
            await other.OpenAsync();
            try { await Exec(other, "SET deadlock_timeout = '60s'"); } catch (Npgsql.PostgresException) { } // a server of one's own may not allow it
            await Exec(other, "BEGIN");
            await Exec(other, $"SELECT id FROM customers WHERE id = '{customer.Id}' FOR UPDATE");
            var post = PostJournalAsync(http, journal.Id);
            double waitedFor = -1;
            for (var i = 0; i < 600 && waitedFor < 0 && !post.IsCompleted; i++)
            {
                waitedFor = await f.ScalarAsync<double>("SELECT COALESCE(max(extract(epoch FROM clock_timestamp() - query_start)), -1) FROM pg_stat_activity " +
                    "WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE customers SET balance_due%'");
                if (waitedFor < 0) await Task.Delay(50);
            }
            Assert.True(waitedFor >= 0, "the post never waited for the customer row: " + (post.IsCompleted ? (await post).Status.ToString() : "still running"));
            var late = waitedFor > deadlockTimeout / 2 && round < 5;
            if (!late) await Exec(other, $"SELECT id FROM journal_batches WHERE id = '{journal.Id}' FOR UPDATE");
            await Exec(other, "ROLLBACK");

            var (status, body, _) = await post;
            Assert.True(status == 204, $"round {round}: {status} {body?.ToJsonString()}");
            model.Post(journal);
            if (!late) break;
        }
        await new PostingScenarios([http], db).CompareAsync(model, "after the deadlock");
        var violations = await db.WithDb(d => LedgerInvariants.ViolationsAsync(d, Guid.Parse(ServiceFixture.Company)));
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public async Task A_line_created_during_a_post_waits_for_it_and_stays_in_the_journal()
    {
        // The post deletes its journal's lines by the journal's id: that is right only while no line can join the
        // journal until the post commits. Hold the post after its ledger rows are written (another transaction holds the
        // customer's row), create a line on the other node meanwhile, and see the create wait for the post.
        var http = f.A.Http;
        var customer = await NewCustomerAsync(http);
        var journal = await NewJournalAsync(http);
        await AddLineAsync(http, journal, new { customerNumber = customer.Number, amount = -10m, documentNumber = "DURING1" });
        await using var other = new Npgsql.NpgsqlConnection(f.ConnectionString);
        await other.OpenAsync();
        await Exec(other, "BEGIN");
        await Exec(other, $"SELECT id FROM customers WHERE id = '{customer.Id}' FOR UPDATE");
        var post = PostJournalAsync(http, journal);
        var waited = false;
        for (var i = 0; i < 600 && !waited && !post.IsCompleted; i++)
        {
            waited = await f.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE customers SET balance_due%'") > 0;
            if (!waited) await Task.Delay(100);
        }
        Assert.True(waited, "the post never waited for the customer row: " + (post.IsCompleted ? (await post).Status.ToString() : "still running"));
        var create = f.B.Http.Post($"{Journal(journal)}/customerPayments", new { customerNumber = customer.Number, amount = -20m, documentNumber = "DURING2" });
        var createWaited = false;
        for (var i = 0; i < 600 && !createWaited && !create.IsCompleted; i++)
        {
            createWaited = await f.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%journal_batches%'") > 0;
            if (!createWaited) await Task.Delay(100);
        }
        Assert.True(createWaited, "the create did not wait for the post: " + (create.IsCompleted ? (await create).Status.ToString() : "still running"));
        await Exec(other, "ROLLBACK");

        var (status, body, _) = await post;
        Assert.True(status == 204, $"{status} {body?.ToJsonString()}");
        var created = await create;
        Assert.True(created.Status == 201, $"{created.Status} {created.Body?.ToJsonString()}");
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM journal_lines WHERE journal_id = @j", ("j", Guid.Parse(journal))));
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM customer_ledger_entries WHERE document_number = 'DURING1'"));
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM customer_ledger_entries WHERE document_number = 'DURING2'"));
    }

    private static async Task Exec(Npgsql.NpgsqlConnection conn, string sql)
    {
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn) { CommandTimeout = 120 };
        await cmd.ExecuteNonQueryAsync();
    }
}
