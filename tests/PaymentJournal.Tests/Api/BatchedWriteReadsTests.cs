using Npgsql;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// On PostgreSQL a create's journal lock, line-number check and customer read, and a PATCH's row and its If-Match lock,
/// go to the server in one batch with the journal's read. What the batch must not change: the lock is taken before the
/// reads after it (they see what the lock's previous holder committed), a refusal answers as it did and leaves nothing,
/// and no answer read ahead is used for a later read it does not belong to. The create's INSERT and the PATCH's UPDATE
/// go with the COMMIT: a write refused there answers as it did when it ran on its own, and nothing of its unit commits.
/// </summary>
[Collection(TwoNodes.Name)]
[Trait("Category", "Slow")]
public sealed class BatchedWriteReadsTests(MultiNodeFixture f)
{
    private const string Company = ServiceFixture.Company;

    /// <summary>A journal of the test's own, balanced on the cash account.</summary>
    private async Task<string> NewJournalAsync() => (await Make.Journal(f.A.Http, balancingAccountId: "e0000000-0000-4000-8000-000000002910")).Str("id");

    private Task<string> CustomerIdAsync(string number) =>
        f.ScalarAsync<string>("SELECT id::text FROM customers WHERE number = @n", ("n", number));

    private Task<long> LinesAsync(string journal) =>
        f.ScalarAsync<long>("SELECT count(*) FROM journal_lines WHERE journal_id = @j", ("j", Guid.Parse(journal)));

    /// <summary>Waits until a session of the nodes waits for a row lock in a statement on the table; fails if the request ends first.</summary>
    private Task WaitForLockWaitAsync(Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> request, string table) =>
        WaitForLockWaitAsync(request, table, $"%FROM {table} WHERE id = $1 FOR NO KEY UPDATE%");

    /// <summary>Waits until a session of the nodes waits for a lock in a statement like the pattern; fails if the request ends first.</summary>
    private async Task WaitForLockWaitAsync(Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> request, string table, string statement)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(120) && !request.IsCompleted)
        {
            if (await f.ScalarAsync<long>(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE @q",
                    ("q", statement)) > 0)
                return;
            await Task.Delay(20);
        }
        var done = request.IsCompleted ? await request : default;
        Assert.Fail($"the request never waited for the row of {table}: {done.Status} {done.Body?.ToJsonString()}");
    }

    /// <summary>A payment in a journal of its own: as created, its id and its URL.</summary>
    private async Task<(JsonNode Payment, Guid Id, string Url)> NewPaymentAsync()
    {
        var journal = await NewJournalAsync();
        var p = await Make.Payment(f.A.Http, journal, new { customerNumber = "C00001", amount = -5 });
        return (p, Guid.Parse(p.Str("id")), $"{Route.V2.Payments(journal)}({p.Str("id")})");
    }

    /// <summary>Writes a copy of a line, in the line's journal, with another id and line number and external document number HELD.</summary>
    private static async Task InsertCopyAsync(NpgsqlConnection holder, NpgsqlTransaction hold, Guid template, Guid id, int lineNumber)
    {
        await using var take = new NpgsqlCommand("""
            INSERT INTO journal_lines (id, company_id, journal_id, journal_code, line_number, account_id, account_number, contact_id,
                posting_date, document_number, external_document_number, amount, applies_to_invoice_id, applies_to_invoice_number,
                description, comment, balancing_account_id, version, last_modified)
            SELECT @id, company_id, journal_id, journal_code, @line, account_id, account_number, contact_id,
                posting_date, document_number, 'HELD', amount, applies_to_invoice_id, applies_to_invoice_number,
                description, comment, balancing_account_id, version, last_modified
            FROM journal_lines WHERE id = @template
            """, holder, hold);
        take.Parameters.AddWithValue("id", id);
        take.Parameters.AddWithValue("line", lineNumber);
        take.Parameters.AddWithValue("template", template);
        Assert.Equal(1, await take.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task A_create_waits_for_the_journal_and_its_line_check_sees_the_line_the_holder_committed()
    {
        var journal = await NewJournalAsync();
        var template = await Make.Payment(f.A.Http, journal, new { lineNumber = 10000, customerNumber = "C00001", amount = -1 });
        var customer = await CustomerIdAsync("C00001");

        // The test holds the journal as a post does; the create waits for it with its checks still to run.
        await using var holder = new NpgsqlConnection(f.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockJournal = new NpgsqlCommand("SELECT id FROM journal_batches WHERE id = @j FOR UPDATE", holder, hold))
        {
            lockJournal.Parameters.AddWithValue("j", Guid.Parse(journal));
            Assert.NotNull(await lockJournal.ExecuteScalarAsync());
        }
        var create = f.A.Http.Post(Route.V2.Payments(journal), new { lineNumber = 20000, customerId = customer, customerNumber = "C00001", amount = -2 });
        await WaitForLockWaitAsync(create, "journal_batches");
        // Meanwhile the holder writes line 20000 and commits: the create's line check, run after the lock, must see it.
        await InsertCopyAsync(holder, hold, Guid.Parse(template.Str("id")), Guid.NewGuid(), 20000);
        await hold.CommitAsync();

        var (status, body, _) = await create;
        // The service's own check answers (a line found by the unique index instead would name no line number).
        Assert.True(status == 409 && body.ErrorCode() == "Internal_EntityWithSameKeyExists", $"{status} {body?.ToJsonString()}");
        Assert.Contains("Line No.='20000'", body!["error"].Str("message"));
        Assert.Equal(2L, await LinesAsync(journal));
        Assert.Equal("HELD", await f.ScalarAsync<string>(
            "SELECT external_document_number FROM journal_lines WHERE journal_id = @j AND line_number = 20000", ("j", Guid.Parse(journal))));
    }

    [Fact]
    public async Task A_create_refused_by_a_batched_read_answers_as_before_and_leaves_nothing_behind()
    {
        var journal = await NewJournalAsync();
        await Make.Payment(f.A.Http, journal, new { lineNumber = 10000, customerNumber = "C00001", amount = -1 });
        var customer = await CustomerIdAsync("C00001");

        var unknown = await f.A.Http.Post(Route.V2.Payments(journal), new { lineNumber = 20000, customerId = Guid.NewGuid(), amount = -1 });
        Assert.True(unknown.Status == 400, $"{unknown.Status} {unknown.Body?.ToJsonString()}");
        Assert.StartsWith("The \"customerId\" does not match to a Customer.", unknown.Body!["error"].Str("message"));

        var taken = await f.A.Http.Post(Route.V2.Payments(journal), new { lineNumber = 10000, customerId = customer, amount = -1 });
        Assert.True(taken.Status == 409 && taken.Body.ErrorCode() == "Internal_EntityWithSameKeyExists", $"{taken.Status} {taken.Body?.ToJsonString()}");
        Assert.Contains("Line No.='10000'", taken.Body!["error"].Str("message"));

        var mismatch = await f.A.Http.Post(Route.V2.Payments(journal), new { lineNumber = 30000, customerId = customer, customerNumber = "C00002", amount = -1 });
        Assert.True(mismatch.Status == 400, $"{mismatch.Status} {mismatch.Body?.ToJsonString()}");
        Assert.StartsWith("The customer values do not match to a specific Customer.", mismatch.Body!["error"].Str("message"));

        var missing = Guid.NewGuid();
        var noJournal = await f.A.Http.Post(Route.V2.Payments(missing.ToString()), new { lineNumber = 20000, customerId = customer, amount = -1 });
        Assert.True(noJournal.Status == 404, $"{noJournal.Status} {noJournal.Body?.ToJsonString()}");

        Assert.Equal(1L, await LinesAsync(journal));
        // Nothing held or left over: the same create with a good customer goes through at once, with the customer it named.
        var ok = await Make.Payment(f.A.Http, journal, new { lineNumber = 20000, customerId = customer, amount = -1 });
        Assert.Equal(20000, ok["lineNumber"]!.GetValue<int>());
        Assert.Equal("C00001", ok.Str("customerNumber"));
        Assert.Equal(2L, await LinesAsync(journal));
    }

    [Fact]
    public async Task Two_creates_of_one_line_in_an_atomic_group_do_not_share_an_answer_read_ahead()
    {
        var journal = await NewJournalAsync();
        var customer = await CustomerIdAsync("C00001");
        var lines = $"companies({Company})/customerPaymentJournals({journal})/customerPayments";
        object Create(string id) => new Dictionary<string, object>
        {
            ["id"] = id, ["method"] = "POST", ["url"] = lines, ["atomicityGroup"] = "g",
            ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
            ["body"] = new { lineNumber = 40000, customerId = customer, amount = -1 },
        };
        var (status, body, _) = await f.A.Http.Post("/api/v2.0/$batch", new { requests = new[] { Create("1"), Create("2") } });
        Assert.Equal(200, status);
        var second = body!["responses"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "2")!;
        // The second create checks line 40000 anew and finds the first one's row: the service's own refusal.
        Assert.True(second["status"]!.GetValue<int>() == 409, second.ToJsonString());
        Assert.Contains("Line No.='40000'", second["body"]!["error"].Str("message"));
        Assert.Equal(0L, await LinesAsync(journal));
    }

    [Fact]
    public async Task A_patch_whose_row_changes_while_it_waits_for_the_lock_is_a_409()
    {
        var (p, id, url) = await NewPaymentAsync();

        await using var holder = new NpgsqlConnection(f.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT id FROM journal_lines WHERE id = @id FOR UPDATE", holder, hold))
        {
            lockRow.Parameters.AddWithValue("id", id);
            Assert.NotNull(await lockRow.ExecuteScalarAsync());
        }
        // The PATCH reads the row (still the version its ETag names) and waits for the lock in the same round trip.
        var patch = f.A.Http.Patch(url, new { description = "patched" }, p.Str("@odata.etag"));
        await WaitForLockWaitAsync(patch, "journal_lines");
        await using (var change = new NpgsqlCommand("UPDATE journal_lines SET description = 'held', version = version + 1 WHERE id = @id", holder, hold))
        {
            change.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await change.ExecuteNonQueryAsync());
        }
        await hold.CommitAsync();

        var (status, body, _) = await patch;
        Assert.True(status == 409 && body.ErrorCode() == "Request_EntityChanged", $"{status} {body?.ToJsonString()}");
        Assert.Equal("held", await f.ScalarAsync<string>("SELECT description FROM journal_lines WHERE id = @id", ("id", id)));
    }

    [Fact]
    public async Task A_create_whose_insert_is_refused_at_the_commit_answers_409_and_commits_nothing_of_its_unit()
    {
        var journal = await NewJournalAsync();
        var other = await NewJournalAsync();
        var template = await Make.Payment(f.A.Http, other, new { lineNumber = 10000, customerNumber = "C00001", amount = -1 });
        const string seriesOfJournal = "SELECT last_used FROM number_series WHERE id = (SELECT number_series_id FROM journal_batches WHERE id = @j)";
        var seriesBefore = await f.ScalarAsync<long>(seriesOfJournal, ("j", Guid.Parse(journal)));

        // The test writes a line with the id the create will bring, in another journal, and holds it uncommitted: the
        // create's own check of the id does not see it, so its INSERT (sent with the COMMIT) waits on the key and is refused.
        var id = Guid.NewGuid();
        await using var holder = new NpgsqlConnection(f.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await InsertCopyAsync(holder, hold, Guid.Parse(template.Str("id")), id, 20000);
        // No document number and no line before it: the create takes the journal's next number, in its unit.
        var create = f.A.Http.Post(Route.V2.Payments(journal), new { id, lineNumber = 10000, customerNumber = "C00001", amount = -2 });
        await WaitForLockWaitAsync(create, "journal_lines", "%INSERT INTO journal_lines%");
        await hold.CommitAsync();

        var (status, body, _) = await create;
        Assert.True(status == 409 && body.ErrorCode() == "Internal_EntityWithSameKeyExists", $"{status} {body?.ToJsonString()}");
        Assert.Equal(0L, await LinesAsync(journal));
        // The number the create took went back with the rest of its unit.
        Assert.Equal(seriesBefore, await f.ScalarAsync<long>(seriesOfJournal, ("j", Guid.Parse(journal))));
        Assert.Equal(other, await f.ScalarAsync<string>("SELECT journal_id::text FROM journal_lines WHERE id = @id", ("id", id)));
        // The node's connection is usable again: the next create of the journal takes the number the refused one took back.
        var ok = await Make.Payment(f.A.Http, journal, new { lineNumber = 10000, customerNumber = "C00001", amount = -2 });
        Assert.Equal(seriesBefore + 1, await f.ScalarAsync<long>(seriesOfJournal, ("j", Guid.Parse(journal))));
        Assert.Equal(10000, ok["lineNumber"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_patch_whose_update_finds_its_row_changed_at_the_commit_is_a_409()
    {
        var (_, id, url) = await NewPaymentAsync();

        // If-Match: * takes no lock: the PATCH reads the row as committed, and its UPDATE (sent with the COMMIT) waits
        // for the test's change of the row, then finds its version gone.
        await using var holder = new NpgsqlConnection(f.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var change = new NpgsqlCommand("UPDATE journal_lines SET description = 'held', version = version + 1 WHERE id = @id", holder, hold))
        {
            change.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await change.ExecuteNonQueryAsync());
        }
        var patch = f.A.Http.Patch(url, new { description = "patched" }, "*");
        await WaitForLockWaitAsync(patch, "journal_lines", "%UPDATE journal_lines SET%");
        await hold.CommitAsync();

        var (status, body, _) = await patch;
        Assert.True(status == 409 && body.ErrorCode() == "Request_EntityChanged", $"{status} {body?.ToJsonString()}");
        Assert.Equal("held", await f.ScalarAsync<string>("SELECT description FROM journal_lines WHERE id = @id", ("id", id)));
        // And a PATCH of the row as it is now goes through.
        var (again, _, _) = await f.A.Http.Patch(url, new { description = "patched" }, "*");
        Assert.Equal(200, again);
        Assert.Equal("patched", await f.ScalarAsync<string>("SELECT description FROM journal_lines WHERE id = @id", ("id", id)));
    }
}
