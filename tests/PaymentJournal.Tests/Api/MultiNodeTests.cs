using System.Collections.Concurrent;
using Npgsql;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

[Collection(TwoNodes.Name)]
[Trait("Category", "Slow")]
public sealed class MultiNodeTests(MultiNodeFixture f)
{
    private static string Post(string journal) => Route.V2.Journal(journal) + "/Microsoft.NAV.post";

    /// <summary>A journal of the test's own, balanced on the cash account.</summary>
    private async Task<string> NewJournalAsync() => (await Make.Journal(f.A.Http, balancingAccountId: "e0000000-0000-4000-8000-000000002910")).Str("id");

    [Fact]
    public async Task Both_nodes_serve_the_same_data()
    {
        var journal = await NewJournalAsync();
        var p = await Make.Payment(f.A.Http, journal, new { customerNumber = "C00001", amount = -12.34m });
        var (status, body, _) = await f.B.Http.Get($"{Route.V2.Payments(journal)}({p.Str("id")})");
        Assert.Equal(200, status);
        Assert.Equal(p.Str("@odata.etag"), body.Str("@odata.etag"));
        Assert.Equal(-12.34m, body!["amount"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task An_etag_made_stale_by_the_other_node_is_a_409()
    {
        var journal = await NewJournalAsync();
        var p = await Make.Payment(f.A.Http, journal, new { customerNumber = "C00001", amount = -10 });
        var url = $"{Route.V2.Payments(journal)}({p.Str("id")})";
        var etag = p.Str("@odata.etag");

        var first = await f.A.Http.Patch(url, new { description = "changed on A" }, etag);
        Assert.True(first.Status == 200, $"{first.Status} {first.Body?.ToJsonString()}");
        var second = await f.B.Http.Patch(url, new { description = "changed on B" }, etag);
        Assert.True(second.Status == 409 && second.Body.ErrorCode() == "Request_EntityChanged", $"{second.Status} {second.Body?.ToJsonString()}");
        var delete = await f.B.Http.Delete(url, etag);
        Assert.True(delete.Status == 409 && delete.Body.ErrorCode() == "Request_EntityChanged", $"{delete.Status} {delete.Body?.ToJsonString()}");

        var (_, now, _) = await f.B.Http.Get(url);
        Assert.Equal("changed on A", now.Str("description"));
    }

    [Fact]
    public async Task Simultaneous_updates_with_one_etag_through_both_nodes_let_exactly_one_win()
    {
        // Both nodes read the same version before either writes, so the If-Match check passes on both; the versioned
        // UPDATE in SQL is what turns the loser away.
        var journal = await NewJournalAsync();
        for (var round = 0; round < 15; round++)
        {
            var p = await Make.Payment(f.A.Http, journal, new { customerNumber = "C00001", amount = -(round + 1), externalDocumentNumber = $"R{round}" });
            var url = $"{Route.V2.Payments(journal)}({p.Str("id")})";
            var etag = p.Str("@odata.etag");
            var results = await Task.WhenAll(
                f.A.Http.Patch(url, new { description = "A" }, etag),
                f.B.Http.Patch(url, new { description = "B" }, etag));
            var statuses = results.Select(r => r.Status).OrderBy(s => s).ToArray();
            Assert.True(statuses is [200, 409], $"round {round}: {string.Join(", ", results.Select(r => $"{r.Status} {r.Body?.ToJsonString()}"))}");
            Assert.Equal("Request_EntityChanged", results.Single(r => r.Status == 409).Body.ErrorCode());
            var winner = results.Single(r => r.Status == 200).Body.Str("description");
            var (_, stored, _) = await f.A.Http.Get(url);
            Assert.Equal(winner, stored.Str("description"));
        }
    }

    [Fact]
    public async Task Concurrent_creates_through_both_nodes_never_duplicate_a_line_number_or_document_number()
    {
        var journal = await NewJournalAsync();
        const int perNode = 60;
        var created = new ConcurrentBag<JsonNode>();
        var failures = new ConcurrentBag<string>();

        async Task Worker(ServiceNode node, int worker)
        {
            for (var i = worker; i < perNode; i += 6)
            {
                // A distinct external document number makes each line take a fresh number from the journal's series
                // (a line with the same external document number as its neighbour shares its document number).
                var r = await node.Http.Post(Route.V2.Payments(journal), new { customerNumber = "C00002", amount = -1, externalDocumentNumber = $"{node.Name}{i}" });
                if (r.Status == 201) created.Add(r.Body!);
                else failures.Add($"{node.Name}: {r.Status} {r.Body?.ToJsonString()}");
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 6).SelectMany(w => new[] { Worker(f.A, w), Worker(f.B, w) }));

        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        Assert.Equal(2 * perNode, created.Count);
        var lines = created.Select(p => p["lineNumber"]!.GetValue<int>()).ToList();
        Assert.Equal(lines.Count, lines.Distinct().Count());
        var documents = created.Select(p => p.Str("documentNumber")).ToList();
        Assert.Equal(documents.Count, documents.Distinct().Count());
        // And the database agrees with what the API answered.
        Assert.Equal(2L * perNode, await f.ScalarAsync<long>(
            "SELECT count(DISTINCT line_number) FROM journal_lines WHERE journal_id = @j", ("j", Guid.Parse(journal))));
    }

    [Fact]
    public async Task Several_nodes_starting_at_once_on_an_empty_database_migrate_and_seed_once()
    {
        var server = await PostgresServer.SharedAsync();
        var cs = await server.CreateDatabaseAsync();
        var nodes = Enumerable.Range(1, 3).Select(i => ServiceNode.Launch($"S{i}", cs)).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(n => n.WaitListeningAsync(TimeSpan.FromSeconds(180))));
            var scripts = PaymentJournal.Data.Migrator.Scripts(PaymentJournal.Data.DatabaseProvider.Postgres);
            var applied = nodes.Sum(n => n.Output.Split('\n').Count(l => l.Contains("Applied migration", StringComparison.Ordinal)));
            Assert.True(applied == scripts.Count, $"expected {scripts.Count} migrations applied in all, got {applied}:\n" + string.Join("\n---\n", nodes.Select(n => n.Output)));
            var seeded = nodes.Count(n => n.Output.Contains("Seeded the demo company", StringComparison.Ordinal));
            Assert.Equal(1, seeded);

            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            await using (var cmd = new NpgsqlCommand("SELECT count(*), count(DISTINCT version) FROM schema_migrations", conn))
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                await r.ReadAsync();
                Assert.Equal(scripts.Count, r.GetInt64(0));
                Assert.Equal(scripts.Count, r.GetInt64(1));
            }
            await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM companies", conn))
                Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
            foreach (var n in nodes)
            {
                var (status, _, _) = await n.Http.Get("/health");
                Assert.Equal(200, status);
            }
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await server.DropDatabaseAsync(cs);
        }
    }

    [Fact]
    public async Task Posting_the_same_journal_from_both_nodes_at_once_posts_it_once()
    {
        var journal = await NewJournalAsync();
        for (var i = 0; i < 20; i++)
            await Make.Payment(f.A.Http, journal, new { customerNumber = "C00003", amount = -(i + 1), externalDocumentNumber = $"P{i}" });
        var journalId = Guid.Parse(journal);
        var before = await LedgerCountsAsync();

        var results = await Task.WhenAll(f.A.Http.Post(Post(journal), null), f.B.Http.Post(Post(journal), null));
        var ok = results.Count(r => r.Status == 204);
        Assert.True(ok >= 1, string.Join("\n", results.Select(r => $"{r.Status} {r.Body?.ToJsonString()}")));
        // Either the second post found nothing left to post (a no-op 204 that wrote nothing) or it got a clear 4xx;
        // never a 5xx, and never a second set of entries.
        Assert.All(results, r => Assert.True(r.Status is 204 or (>= 400 and < 500), $"{r.Status} {r.Body?.ToJsonString()}"));

        var after = await LedgerCountsAsync();
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM journal_lines WHERE journal_id = @j", ("j", journalId)));
        Assert.Equal(20, after.Customer - before.Customer);
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT coalesce(sum(amount), 0) FROM general_ledger_entries"));
        Assert.Equal(-210L * 100, await f.ScalarAsync<long>(
            "SELECT coalesce(sum(amount), 0) FROM customer_ledger_entries WHERE journal_code = (SELECT code FROM journal_batches WHERE id = @j)", ("j", journalId)));
    }

    [Fact]
    public async Task A_node_killed_mid_post_leaves_nothing_partial_and_the_other_node_carries_on()
    {
        // A long journal, its lines copied in SQL rather than created one by one.
        var journal = await NewJournalAsync();
        var journalId = Guid.Parse(journal);
        var template = await Make.Payment(f.A.Http, journal, new { customerNumber = "C00004", amount = -1, externalDocumentNumber = "K0" });
        const int lines = 20000;
        await f.ExecAsync("""
            INSERT INTO journal_lines (id, company_id, journal_id, journal_code, line_number, account_id, account_number, contact_id,
                posting_date, document_number, external_document_number, amount, applies_to_invoice_id, applies_to_invoice_number,
                description, comment, balancing_account_id, version, last_modified)
            SELECT gen_random_uuid(), company_id, journal_id, journal_code, line_number + g * 10000, account_id, account_number, contact_id,
                posting_date, document_number, 'K' || g, amount, applies_to_invoice_id, applies_to_invoice_number,
                description, comment, balancing_account_id, version, last_modified
            FROM journal_lines, generate_series(1, @n - 1) AS g
            WHERE id = @id
            """, ("n", lines), ("id", Guid.Parse(template.Str("id"))));
        var before = await LedgerCountsAsync();
        // The test holds the customer's row: the post writes its ledger rows, then waits to move the customer's
        // balance, uncommitted, until the node is killed. No race with the post's speed.
        await using var holder = new NpgsqlConnection(f.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockCustomer = new NpgsqlCommand("SELECT id FROM customers WHERE number = 'C00004' FOR UPDATE", holder, hold))
            Assert.NotNull(await lockCustomer.ExecuteScalarAsync());
        var victim = await ServiceNode.StartAsync("victim", f.ConnectionString);
        try
        {
            var post = victim.Http.Post(Post(journal), null);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var seen = false;
            while (sw.Elapsed < TimeSpan.FromSeconds(120) && !post.IsCompleted)
            {
                // Ledger rows written (a RowExclusiveLock on a ledger table, held to commit) by a session now waiting
                // for a lock: the customer's row.
                seen = await f.ScalarAsync<long>("""
                    SELECT count(*) FROM pg_stat_activity a
                    WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'
                      AND EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                                  WHERE l.pid = a.pid AND l.granted AND l.mode = 'RowExclusiveLock'
                                    AND c.relname IN ('customer_ledger_entries', 'general_ledger_entries'))
                    """) > 0;
                if (seen) break;
                await Task.Delay(20);
            }
            Assert.True(seen, $"the post never waited for the customer's row: {(post.IsCompleted ? (await post).Status : 0)}");
            await victim.KillAsync();
            try { await post; } catch (HttpRequestException) { } catch (TaskCanceledException) { }
        }
        finally
        {
            await victim.DisposeAsync();
            await hold.RollbackAsync();
        }

        // PostgreSQL rolls the dead node's transaction back when its connection drops; wait until the backend is gone.
        for (var i = 0; i < 200 && await f.ScalarAsync<long>(
                 "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL") > 0; i++)
            await Task.Delay(50);
        Assert.Equal(before, await LedgerCountsAsync());
        Assert.Equal((long)lines, await f.ScalarAsync<long>("SELECT count(*) FROM journal_lines WHERE journal_id = @j", ("j", journalId)));

        // The surviving node posts the whole journal.
        var again = await f.B.Http.Post(Post(journal), null);
        Assert.True(again.Status == 204, $"{again.Status} {again.Body?.ToJsonString()}");
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM journal_lines WHERE journal_id = @j", ("j", journalId)));
        var after = await LedgerCountsAsync();
        Assert.Equal(lines, after.Customer - before.Customer);
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT coalesce(sum(amount), 0) FROM general_ledger_entries"));
    }

    private async Task<(long Customer, long General)> LedgerCountsAsync() =>
        (await f.ScalarAsync<long>("SELECT count(*) FROM customer_ledger_entries"),
         await f.ScalarAsync<long>("SELECT count(*) FROM general_ledger_entries"));
}
