using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.Data;
using PaymentJournal.Tests.Fixtures;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Tests.Api;

public sealed class SqliteWriterTests(SqliteWriterFixture f) : IClassFixture<SqliteWriterFixture>
{
    [SqliteFact]
    public async Task A_new_database_has_4_KiB_pages_and_a_WAL()
    {
        var (pageSize, mode) = await f.WithDb(async db =>
        {
            await db.Database.OpenConnectionAsync();
            return (await PageSizeAsync(db), await ScalarAsync(db, "PRAGMA journal_mode"));
        });
        Assert.Equal((4096L, "wal"), (pageSize, (string?)mode));
    }

    [SqliteFact]
    public async Task A_new_database_takes_the_configured_page_size_and_an_existing_one_keeps_its_own()
    {
        var file = Path.Combine(f.Directory, $"pages-{Guid.NewGuid():N}.db");
        var options = new DbContextOptionsBuilder<AppDb>().UseSqlite($"Data Source={file}").Options;
        await using (var db = new AppDb(options))
        {
            await Migrator.MigrateAsync(db, DatabaseProvider.Sqlite, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, sqlitePageSize: 16384);
            await db.Database.OpenConnectionAsync();
            Assert.Equal(16384L, await PageSizeAsync(db));
            Assert.Equal(1L, await ScalarAsync(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'journal_lines'"));
        }
        await using (var db = new AppDb(options))
        {
            await Migrator.MigrateAsync(db, DatabaseProvider.Sqlite, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, sqlitePageSize: 4096);
            await db.Database.OpenConnectionAsync();
            Assert.Equal(16384L, await PageSizeAsync(db));
        }
    }

    private static async Task<object?> ScalarAsync(AppDb db, string sql)
    {
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = sql;
        return await cmd.ExecuteScalarAsync();
    }

    private static async Task<long> PageSizeAsync(AppDb db) =>
        Convert.ToInt64(await ScalarAsync(db, "PRAGMA page_size"), System.Globalization.CultureInfo.InvariantCulture);

    [SqliteFact]
    public async Task A_write_is_answered_only_after_the_WAL_sync_that_makes_it_durable()
    {
        var committer = f.Services.GetRequiredService<GroupCommitter>();
        var (s0, _, _) = await f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = "SYNC0" });
        Assert.Equal(201, s0); // the writer (and its sync thread) runs now
        Assert.True(committer.SyncsBesideWriter, "the writer should leave the WAL fsync to its sync thread on a WAL file");

        using var hold = new ManualResetEventSlim(false);
        var syncing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Commits.BeforeWalSyncAction = () => { syncing.TrySetResult(); hold.Wait(TimeSpan.FromSeconds(30)); };
        try
        {
            var post = f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = "SYNC1" });
            await syncing.Task.WaitAsync(TimeSpan.FromSeconds(10));
            // The COMMIT has returned (the sync thread has the batch), but the fsync has not run: no answer yet.
            await Task.Delay(300);
            Assert.False(post.IsCompleted, "the write was answered before the WAL was synced");
            hold.Set();
            var (s1, body, _) = await post.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(s1 == 201, body?.ToJsonString());
        }
        finally
        {
            f.Commits.BeforeWalSyncAction = null;
            hold.Set();
        }
    }

    [SqliteFact]
    public async Task Checkpoints_run_on_a_thread_of_their_own_at_a_lower_priority()
    {
        // The first write starts the writer and the checkpoint thread.
        var (s, _, _) = await f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = "NICE" });
        Assert.Equal(201, s);
        var nice = new List<int>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            string comm, stat;
            try
            {
                comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }
            if (!comm.StartsWith("SQLite checkpoi", StringComparison.Ordinal)) continue;
            // Fields after the parenthesised name: state is field 3, nice is field 19.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            nice.Add(int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.NotEmpty(nice);
        Assert.All(nice, n => Assert.Equal(BackgroundPriority.Nice, n));
    }

    [SqliteFact]
    public async Task The_WAL_stays_bounded_under_writes_that_never_pause()
    {
        // Readers that never stop keep a snapshot on the WAL nearly all the time, so SQLite alone would never start the
        // WAL over: every page of every commit would be appended (about 30 KB per payment line, with its indexes).
        // Lines spread over ten journals, dates and customers touch many index pages per commit, as real traffic does.
        var urls = new List<string>();
        for (var j = 0; j < 10; j++)
        {
            var (s, journal, _) = await f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = $"WAL-{j}" });
            Assert.Equal(201, s);
            urls.Add($"{ServiceFixture.CompanyPath()}/customerPaymentJournals({journal.Str("id")})/customerPayments");
        }
        // The stream runs until 300 lines are in and the writer has started the WAL over at least once, however long
        // that takes. The cap is only a safety net against a hang (a writer that never restarts the WAL or never
        // answers): it is far above any machine's time for 300 writes, and the assertions below then fail.
        var committer = f.Services.GetRequiredService<GroupCommitter>();
        var hang = DateTime.UtcNow.AddMinutes(10);
        var created = 0;
        var failures = 0;
        bool Going() => DateTime.UtcNow < hang && (Volatile.Read(ref created) < 300 || committer.WalRestarts == 0);
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; Going(); i++)
            {
                var body = new
                {
                    customerNumber = $"C0000{random.Next(1, 6)}", postingDate = new DateOnly(2025, 1, 1).AddDays(random.Next(365)).ToString("yyyy-MM-dd"),
                    documentNumber = $"W{random.Next(1_000_000)}", amount = 10 + i,
                };
                var r = await f.Http.Post(urls[random.Next(urls.Count)], body);
                if (r.Status == 201) Interlocked.Increment(ref created); else Interlocked.Increment(ref failures);
            }
        }));
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var random = new Random();
            while (Going())
                Assert.Equal(200, (await f.Http.Get(urls[random.Next(urls.Count)] + "?$top=20&$orderby=lineNumber desc")).Status);
        }));
        await Task.WhenAll(writers.Concat(readers));

        Assert.Equal(0, failures);
        Assert.True(created >= 300, $"only {created} lines were written before the safety cap (a hang)");
        Assert.Equal(created, await f.WithDb(db => db.CustomerPayments.CountAsync(p => p.JournalCode.StartsWith("WAL-"))));
        // The writer started the WAL over while the stream went on, and it stayed near the restart threshold.
        Assert.True(committer.WalRestarts > 0, "the WAL was never started over");
        var walBytes = new FileInfo(f.DatabaseFile + "-wal").Length;
        Assert.True(walBytes < 4L * 1024 * 1024, $"the WAL is {walBytes} bytes after {created} lines");
        Assert.Equal("ok", await f.WithDb(async db => await db.Database.SqlQueryRaw<string>("PRAGMA integrity_check").ToListAsync() is [var one] ? one : "several rows"));
    }

    [SqliteFact]
    public async Task A_line_created_through_the_API_is_stored_as_EF_Core_stores_one()
    {
        // The API inserts payment lines with a prepared statement of its own (PreparedRows); EF Core must find them stored
        // exactly as it stores rows itself: the same storage class and text form in every column.
        var (s, created, _) = await f.Http.Post(ServiceFixture.PaymentsPath(), new
        {
            customerNumber = "C00002", postingDate = "2025-03-04", documentNumber = "FMT-1", externalDocumentNumber = "X-1",
            amount = 123.45, description = "format check", comment = "c",
        });
        Assert.Equal(201, s);
        var viaApi = Guid.Parse(created.Str("id"));
        var viaEf = Guid.NewGuid();
        await f.WithDb(async db =>
        {
            var copy = await db.CustomerPayments.AsNoTracking().SingleAsync(p => p.Id == viaApi);
            copy.Id = viaEf;
            copy.LineNumber += 1;
            db.CustomerPayments.Add(copy);
            return await db.SaveChangesAsync();
        });
        var columns = await f.WithDb(async db => await db.Database
            .SqlQueryRaw<string>("SELECT name AS \"Value\" FROM pragma_table_info('journal_lines')").ToListAsync());
        Assert.Contains("posting_date", columns);
        foreach (var column in columns.Where(c => c is not "id" and not "line_number" and not "version" and not "last_modified"))
        {
            // The column names come from the table itself, not from input.
            var sql = "SELECT typeof(" + column + ") || ':' || coalesce(" + column + ", 'NULL') AS \"Value\" FROM journal_lines WHERE id IN ({0}, {1}) ORDER BY line_number";
            var both = await f.WithDb(async db => await db.Database.SqlQueryRaw<string>(
                sql, viaApi.ToString("D").ToUpperInvariant(), viaEf.ToString("D").ToUpperInvariant()).ToListAsync());
            Assert.Equal(2, both.Count);
            Assert.Equal(both[1], both[0]);
        }
        // The stamps have EF Core's form too (the values differ: the copy was saved later; EF Core writes the fraction of a
        // second without trailing zeros, so its length varies).
        var stamps = await f.WithDb(async db => await db.Database.SqlQueryRaw<string>(
            "SELECT typeof(id) || typeof(version) || typeof(last_modified) || ':' || (last_modified GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]*') || ':' || (id = upper(id)) AS \"Value\" FROM journal_lines WHERE id IN ({0}, {1})",
            viaApi.ToString("D").ToUpperInvariant(), viaEf.ToString("D").ToUpperInvariant()).ToListAsync());
        Assert.Equal(2, stamps.Count);
        Assert.Equal(stamps[1], stamps[0]);
        var (g, read, _) = await f.Http.Get(ServiceFixture.PaymentsPath() + $"({viaApi})");
        Assert.Equal(200, g);
        Assert.Equal(123.45m, read!["amount"]!.GetValue<decimal>());
        Assert.Equal("2025-03-04", read.Str("postingDate"));
    }

    /// <summary>
    /// Makes the probe table, then holds the writer in a unit of its own (run alone) until the returned release is called.
    /// </summary>
    private async Task<(GroupCommitter Committer, Func<Task> Release)> HoldWriterAsync()
    {
        var committer = f.Services.GetRequiredService<GroupCommitter>();
        await f.ExecuteSqlAsync("CREATE TABLE IF NOT EXISTS writer_probe (k TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL)");
        var hold = new ManualResetEventSlim(false);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = committer.RunAsync(_ => { holding.TrySetResult(); hold.Wait(TimeSpan.FromSeconds(30)); return Task.CompletedTask; }, default, alone: true);
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return (committer, async () => { hold.Set(); await holder; hold.Dispose(); });
    }

    /// <summary>
    /// Holds the writer in a unit of its own until <paramref name="queue"/> has queued its units behind it, so that they
    /// run as one batch; returns their tasks.
    /// </summary>
    private async Task<List<Task>> OneBatchAsync(params Func<AppDb, Task>[] units)
    {
        var (committer, release) = await HoldWriterAsync();
        var tasks = units.Select(u => committer.RunAsync(u, default)).ToList();
        Assert.Equal(units.Length, committer.Waiting);
        await release();
        foreach (var t in tasks) await Task.WhenAny(t).WaitAsync(TimeSpan.FromSeconds(10));
        return tasks;
    }

    private static Func<AppDb, Task> Count(string key, Action? ran = null, bool failAfter = false, bool failBefore = false) => async db =>
    {
        ran?.Invoke();
        if (failBefore) throw new InvalidOperationException("failed before writing " + key);
        await db.Database.ExecuteSqlRawAsync("INSERT INTO writer_probe (k, n) VALUES ({0}, 1) ON CONFLICT (k) DO UPDATE SET n = n + 1", key);
        if (failAfter) throw new InvalidOperationException("failed after writing " + key);
    };

    private Task<List<(string K, long N)>> ProbeAsync(string prefix) => f.WithDb(async db =>
    {
        await db.Database.OpenConnectionAsync();
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = "SELECT k, n FROM writer_probe WHERE k LIKE '" + prefix + "%' ORDER BY k";
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, long)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetInt64(1)));
        return rows;
    });

    [SqliteFact]
    public async Task A_unit_that_fails_after_writing_takes_nothing_else_of_its_batch_with_it()
    {
        int ranA = 0, ranC = 0;
        var tasks = await OneBatchAsync(
            Count("fw-a", () => Interlocked.Increment(ref ranA)),
            Count("fw-b", failAfter: true),
            Count("fw-c", () => Interlocked.Increment(ref ranC)));
        Assert.True(tasks[0].IsCompletedSuccessfully, tasks[0].Exception?.ToString());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => tasks[1]);
        Assert.Equal("failed after writing fw-b", error.Message);
        Assert.True(tasks[2].IsCompletedSuccessfully, tasks[2].Exception?.ToString());
        // The batch's transaction was rolled back and run again without the failed unit: the unit before it ran twice,
        // the one after it once, and each counted once.
        Assert.Equal((2, 1), (ranA, ranC));
        Assert.Equal([("fw-a", 1L), ("fw-c", 1L)], await ProbeAsync("fw-"));
    }

    [SqliteFact]
    public async Task A_unit_that_fails_before_writing_leaves_the_others_of_its_batch_to_run_once()
    {
        int ranA = 0, ranC = 0;
        var tasks = await OneBatchAsync(
            Count("fb-a", () => Interlocked.Increment(ref ranA)),
            Count("fb-b", failBefore: true),
            Count("fb-c", () => Interlocked.Increment(ref ranC)));
        Assert.True(tasks[0].IsCompletedSuccessfully && tasks[2].IsCompletedSuccessfully);
        Assert.Equal("failed before writing fb-b", (await Assert.ThrowsAsync<InvalidOperationException>(() => tasks[1])).Message);
        Assert.Equal((1, 1), (ranA, ranC));
        Assert.Equal([("fb-a", 1L), ("fb-c", 1L)], await ProbeAsync("fb-"));
    }

    [SqliteFact]
    public async Task Two_units_that_fail_after_writing_in_one_batch_leave_the_rest_committed()
    {
        var tasks = await OneBatchAsync(
            Count("f2-a"), Count("f2-b", failAfter: true), Count("f2-c"), Count("f2-d", failAfter: true), Count("f2-e"));
        Assert.Equal([true, false, true, false, true], tasks.Select(t => t.IsCompletedSuccessfully).ToArray());
        Assert.Equal([("f2-a", 1L), ("f2-c", 1L), ("f2-e", 1L)], await ProbeAsync("f2-"));
    }

    [SqliteFact]
    public async Task A_request_run_again_after_another_unit_failed_is_answered_once()
    {
        var (committer, release) = await HoldWriterAsync();
        // A create through the API, then a unit that fails after writing, in one batch: the create runs twice.
        var post = f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = "TWICE", displayName = "run twice" });
        for (var i = 0; i < 500 && committer.Waiting == 0; i++) await Task.Delay(10);
        Assert.Equal(1, committer.Waiting);
        var failing = committer.RunAsync(Count("tw-b", failAfter: true), default);
        await release();
        var (status, body, _) = await post.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.True(status == 201, body?.ToJsonString());
        Assert.Equal("TWICE", body.Str("code"));
        var id = Guid.Parse(body.Str("id"));
        // The answer names the row that was committed, and there is one such row.
        Assert.Equal(1, await f.WithDb(db => db.CustomerPaymentJournals.CountAsync(j => j.Code == "TWICE")));
        Assert.Equal(id, await f.WithDb(db => db.CustomerPaymentJournals.Where(j => j.Code == "TWICE").Select(j => j.Id).SingleAsync()));
        Assert.Empty(await ProbeAsync("tw-"));
    }
}
