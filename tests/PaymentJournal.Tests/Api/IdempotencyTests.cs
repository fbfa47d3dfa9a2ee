using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.Data;
using PaymentJournal.Features.Idempotency;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Tests.Api;

/// <summary>Idempotency-Key on POST and PATCH: replays, mismatches, concurrent retries, expiry, restarts and 5xx.</summary>
public sealed class IdempotencyTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private static Dictionary<string, string> Key(string key) => new() { ["Idempotency-Key"] = key };
    private static string NewKey() => "key-" + Guid.NewGuid().ToString("N");

    private static bool Replayed(HttpResponseMessage r) =>
        r.Headers.TryGetValues(IdempotencyMiddleware.ReplayedHeader, out var v) && v.Single() == "true";

    private Task<int> LinesAsync(string journalId) =>
        f.WithDb(db => db.CustomerPayments.CountAsync(p => p.JournalId == Guid.Parse(journalId)));

    [Theory]
    [InlineData("v2")]
    [InlineData("v2-online")]
    [InlineData("graph")]
    public async Task A_create_retried_with_its_key_gets_the_first_answer_and_makes_one_line(string name)
    {
        var route = Route.Of(name);
        var journal = (await Make.Journal(f.Http, route)).Str("id");
        var key = NewKey();
        var body = new { customerNumber = "C00002", amount = -42.5m, comment = "once" };
        var first = await f.Http.Post(route.Payments(journal), body, Key(key));
        Expect.Status(first, 201);
        Assert.False(Replayed(first.Response));
        var second = await f.Http.Post(route.Payments(journal), body, Key(key));
        Expect.Status(second, 201);
        Assert.True(Replayed(second.Response));
        Assert.Equal(first.Body!.ToJsonString(), second.Body!.ToJsonString());
        Assert.Equal(first.Body.Str("id"), second.Body.Str("id"));
        Assert.Equal(Expect.ETag(first), Expect.ETag(second));
        Assert.NotNull(first.Response.Headers.Location);
        Assert.Equal(first.Response.Headers.Location, second.Response.Headers.Location);
        Assert.Equal(first.Response.Content.Headers.ContentType?.ToString(), second.Response.Content.Headers.ContentType?.ToString());
        Assert.Equal(1, await LinesAsync(journal));

        // Without the key the same request is a new one.
        Expect.Status(await f.Http.Post(route.Payments(journal), body), 201);
        Assert.Equal(2, await LinesAsync(journal));
    }

    [Fact]
    public async Task A_create_on_an_api_group_and_a_batch_are_replayed()
    {
        var key = NewKey();
        var code = Make.Code("J");
        var url = ServiceFixture.CompanyPath(ServiceFixture.Posting) + "/customerPaymentJournals";
        var first = await f.Http.Post(url, new { code, displayName = "group" }, Key(key));
        Expect.Status(first, 201);
        var second = await f.Http.Post(url, new { code, displayName = "group" }, Key(key));
        Expect.Status(second, 201);
        Assert.True(Replayed(second.Response));
        Assert.Equal(first.Body.Str("id"), second.Body.Str("id"));

        var journal = first.Body.Str("id");
        var batch = new
        {
            requests = new[]
            {
                new Dictionary<string, object>
                {
                    ["id"] = "1", ["method"] = "POST", ["url"] = $"companies({ServiceFixture.Company})/customerPaymentJournals({journal})/customerPayments",
                    ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
                    ["body"] = new { customerNumber = "C00001", amount = -10m },
                },
            },
        };
        var batchKey = NewKey();
        var b1 = await f.Http.Post(ServiceFixture.V2 + "$batch", batch, Key(batchKey));
        Expect.Status(b1, 200);
        var b2 = await f.Http.Post(ServiceFixture.V2 + "$batch", batch, Key(batchKey));
        Expect.Status(b2, 200);
        Assert.True(Replayed(b2.Response));
        Assert.Equal(b1.Body!.ToJsonString(), b2.Body!.ToJsonString());
        Assert.Equal(1, await LinesAsync(journal));
    }

    [Fact]
    public async Task A_patch_retried_with_its_key_is_replayed_and_changes_the_line_once()
    {
        var journal = await Make.JournalId(f.Http);
        var created = await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount = -5m });
        var url = Route.V2.Payment(journal, created.Str("id"));
        var key = NewKey();
        var patch = new Dictionary<string, string> { ["Idempotency-Key"] = key, ["If-Match"] = created.Str("@odata.etag") };
        var first = await f.Http.Send(HttpMethod.Patch, url, new { comment = "patched" }, headers: patch);
        Expect.Status(first, 200);
        var etag = Expect.ETag(first);
        var second = await f.Http.Send(HttpMethod.Patch, url, new { comment = "patched" }, headers: patch);
        Expect.Status(second, 200);
        Assert.True(Replayed(second.Response));
        Assert.Equal(etag, Expect.ETag(second));
        Assert.Equal(first.Body!.ToJsonString(), second.Body!.ToJsonString());
        // Not run again: a second run would have answered 409 (the If-Match is stale) or moved the ETag.
        var now = await f.Http.Get(url);
        Assert.Equal(etag, Expect.ETag(now));
    }

    [Fact]
    public async Task A_post_retried_with_its_key_posts_once()
    {
        var journal = await PostingApi.NewJournalAsync(f.Http);
        await PostingApi.AddLineAsync(f.Http, journal, new { customerNumber = "C00003", amount = -20m });
        await PostingApi.AddLineAsync(f.Http, journal, new { customerNumber = "C00004", amount = -30m });
        var url = PostingApi.Journal(journal) + "/Microsoft.NAV.post";
        var before = await f.WithDb(db => db.CustomerLedgerEntries.CountAsync());
        var key = NewKey();
        var first = await f.Http.Post(url, null, Key(key));
        Assert.True(first.Status is 200 or 204, $"{first.Status} {first.Body?.ToJsonString()}");
        var afterFirst = await f.WithDb(db => db.CustomerLedgerEntries.CountAsync());
        Assert.Equal(before + 2, afterFirst);

        // A new line, then the retry: it is answered from the first post and posts nothing.
        await PostingApi.AddLineAsync(f.Http, journal, new { customerNumber = "C00005", amount = -40m });
        var second = await f.Http.Post(url, null, Key(key));
        Assert.Equal(first.Status, second.Status);
        Assert.True(Replayed(second.Response));
        Assert.Equal(afterFirst, await f.WithDb(db => db.CustomerLedgerEntries.CountAsync()));
        Assert.Equal(1, await LinesAsync(journal));
    }

    [Fact]
    public async Task The_same_key_with_another_request_is_a_422_naming_the_key()
    {
        var journal = await Make.JournalId(f.Http);
        var key = NewKey();
        Expect.Status(await f.Http.Post(Route.V2.Payments(journal), new { customerNumber = "C00001", amount = -1m }, Key(key)), 201);
        var otherBody = await f.Http.Post(Route.V2.Payments(journal), new { customerNumber = "C00001", amount = -2m }, Key(key));
        Expect.Error(otherBody, 422, "BadRequest_IdempotencyKeyReused", key);
        var otherUrl = await f.Http.Post(Route.V2.Payments(journal) + "?$select=id", new { customerNumber = "C00001", amount = -1m }, Key(key));
        Expect.Error(otherUrl, 422, "BadRequest_IdempotencyKeyReused", key);
        var otherHeader = await f.Http.Post(Route.V2.Payments(journal), new { customerNumber = "C00001", amount = -1m },
            new Dictionary<string, string> { ["Idempotency-Key"] = key, ["Prefer"] = "return=minimal" });
        Expect.Error(otherHeader, 422, "BadRequest_IdempotencyKeyReused", key);
        Assert.Equal(1, await LinesAsync(journal));
    }

    [Fact]
    public async Task Parallel_duplicates_run_once()
    {
        var journal = await Make.JournalId(f.Http);
        var key = NewKey();
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            f.Http.Post(Route.V2.Payments(journal), new { customerNumber = "C00002", amount = -7m }, Key(key))));
        var created = answers.Where(a => a.Status == 201).ToList();
        Assert.NotEmpty(created);
        Assert.All(answers, a => Assert.True(a.Status == 201 || (a.Status == 409 && a.Body.ErrorCode() == "Request_IdempotencyKeyInUse"),
            $"{a.Status} {a.Body?.ToJsonString()}"));
        Assert.Single(created.Select(a => a.Body.Str("id")).Distinct());
        Assert.Single(created, a => !Replayed(a.Response));
        Assert.Equal(1, await LinesAsync(journal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tab\there")]
    [InlineData("long")]
    public async Task A_key_that_is_not_1_to_255_printable_ascii_characters_is_a_400(string key)
    {
        if (key == "long") key = new string('k', 256);
        var journal = await Make.JournalId(f.Http);
        var r = await f.Http.Post(Route.V2.Payments(journal), new { customerNumber = "C00001", amount = -1m }, Key(key));
        Expect.Error(r, 400, "BadRequest_InvalidIdempotencyKey");
        Assert.Equal(0, await LinesAsync(journal));
        // 255 characters are fine.
        Expect.Status(await f.Http.Post(Route.V2.Payments(journal), new { customerNumber = "C00001", amount = -1m }, Key(new string('k', 255 - 32) + Guid.NewGuid().ToString("N"))), 201);
    }

    [Fact]
    public async Task The_header_on_a_get_is_ignored()
    {
        var r = await f.Http.Get(ServiceFixture.CompanyPath() + "/customers", Key(""));
        Expect.Status(r, 200);
        Assert.False(Replayed(r.Response));
    }

    [Fact]
    public async Task An_expired_key_runs_again_and_is_purged()
    {
        var store = f.Services.GetRequiredService<IdempotencyStore>();
        var journal = await Make.JournalId(f.Http);
        var key = NewKey();
        var body = new { customerNumber = "C00001", amount = -3m };
        var first = await f.Http.Post(Route.V2.Payments(journal), body, Key(key));
        Expect.Status(first, 201);
        var clock = new MovedClock(TimeSpan.FromHours(25));
        store.Clock = clock;
        try
        {
            Assert.True(await store.PurgeAsync() >= 1);
            Assert.Equal(0, await KeyRowsAsync(key));
            var again = await f.Http.Post(Route.V2.Payments(journal), body, Key(key));
            Expect.Status(again, 201);
            Assert.False(Replayed(again.Response));
            Assert.NotEqual(first.Body.Str("id"), again.Body.Str("id"));
            Assert.Equal(2, await LinesAsync(journal));

            // Expired but not purged yet: a retry runs again as well.
            clock.Offset += TimeSpan.FromHours(25);
            var third = await f.Http.Post(Route.V2.Payments(journal), body, Key(key));
            Expect.Status(third, 201);
            Assert.False(Replayed(third.Response));
            Assert.Equal(3, await LinesAsync(journal));
        }
        finally
        {
            store.Clock = TimeProvider.System;
        }
    }

    [Fact]
    public async Task A_5xx_gives_the_key_up_so_the_retry_runs()
    {
        // A trigger makes the database refuse one comment with an error the service does not expect (a 500).
        var journal = await Make.JournalId(f.Http);
        var boom = "boom-" + Guid.NewGuid().ToString("N")[..8];
        var trigger = "t_" + Guid.NewGuid().ToString("N")[..8];
        if (f.Provider == DatabaseProvider.Postgres)
        {
            await f.ExecuteSqlAsync($"CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.comment = '{boom}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;");
            await f.ExecuteSqlAsync($"CREATE TRIGGER {trigger} BEFORE INSERT ON journal_lines FOR EACH ROW EXECUTE FUNCTION {trigger}();");
        }
        else
            await f.ExecuteSqlAsync($"CREATE TRIGGER {trigger} BEFORE INSERT ON journal_lines WHEN NEW.comment = '{boom}' BEGIN SELECT RAISE(ABORT, 'refused'); END;");
        var key = NewKey();
        var body = new { customerNumber = "C00001", amount = -9m, comment = boom };
        try
        {
            var failed = await f.Http.Post(Route.V2.Payments(journal), body, Key(key));
            Assert.True(failed.Status >= 500, $"{failed.Status} {failed.Body?.ToJsonString()}");
            Assert.Equal(0, await KeyRowsAsync(key));
        }
        finally
        {
            await f.ExecuteSqlAsync(f.Provider == DatabaseProvider.Postgres ? $"DROP TRIGGER {trigger} ON journal_lines; DROP FUNCTION {trigger}();" : $"DROP TRIGGER {trigger};");
        }
        var retried = await f.Http.Post(Route.V2.Payments(journal), body, Key(key));
        Expect.Status(retried, 201);
        Assert.False(Replayed(retried.Response));
        Assert.Equal(1, await LinesAsync(journal));
    }

    [Fact]
    public async Task A_key_left_running_is_a_409_never_a_second_run()
    {
        // As a process killed between its commit and storing the answer leaves it.
        var journal = await Make.JournalId(f.Http);
        var key = NewKey();
        var body = new { customerNumber = "C00001", amount = -4m };
        var store = f.Services.GetRequiredService<IdempotencyStore>();
        var url = Route.V2.Payments(journal);
        // The hash of the request is unknown here: the first request is stored, then its row is set back to running.
        Expect.Status(await f.Http.Post(url, body, Key(key)), 201);
        // The answer is stored after the client has it: wait for that before undoing it.
        await store.FlushAsync();
        Assert.Equal(1, await f.WithDb(db => db.Database.ExecuteSqlRawAsync("UPDATE idempotency_keys SET state = 0 WHERE idem_key = {0} AND state = 1", key)));
        var inUse = await f.Http.Post(url, body, Key(key));
        Expect.Error(inUse, 409, "Request_IdempotencyKeyInUse", key);
        store.Clock = new MovedClock(TimeSpan.FromHours(1));
        try
        {
            var unknown = await f.Http.Post(url, body, Key(key));
            Expect.Error(unknown, 409, "Request_IdempotencyOutcomeUnknown", key);
        }
        finally
        {
            store.Clock = TimeProvider.System;
        }
        Assert.Equal(1, await LinesAsync(journal));
    }

    [Fact]
    public Task A_key_survives_a_restart() => OnOwnDatabaseAsync("restart", async cs =>
    {
        var comment = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var (first, replay) = await CreateAsync(cs, new { customerNumber = "C00001", amount = -6m, comment });
        await using var node = new NodeOn(cs);
        await node.InitializeAsync();
        var second = await replay(node);
        Expect.Status(second, 201);
        Assert.True(Replayed(second.Response));
        Assert.Equal(first.Body.Str("id"), second.Body.Str("id"));
        Assert.Equal(1, await node.WithDb(db => db.CustomerPayments.CountAsync(p => p.Comment == comment)));
    });

    [Fact]
    public Task Keys_stored_with_the_key_index_on_disk_are_replayed_after_the_upgrade_that_drops_it() =>
        f.Provider != DatabaseProvider.Sqlite ? Task.CompletedTask // PostgreSQL keeps its unique index on the key
        : OnOwnDatabaseAsync("upgrade", async cs =>
    {
        var (first, replay) = await CreateAsync(cs, new { customerNumber = "C00001", amount = -7m, comment = "upgrade" });
        // The table as the release before kept it (its key the primary key), and that release's migrations.
        await using (var conn = new Microsoft.Data.Sqlite.SqliteConnection(cs))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE idempotency_keys_before (principal TEXT NOT NULL, company TEXT NOT NULL, idem_key TEXT NOT NULL, request_hash BLOB NOT NULL,
                    state INTEGER NOT NULL, status INTEGER NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL, created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL, PRIMARY KEY (principal, company, idem_key));
                INSERT INTO idempotency_keys_before SELECT principal, company, idem_key, request_hash, state, status, headers, body, created_at, expires_at FROM idempotency_keys;
                DROP TABLE idempotency_keys;
                ALTER TABLE idempotency_keys_before RENAME TO idempotency_keys;
                CREATE INDEX ix_idempotency_keys_expires ON idempotency_keys(expires_at);
                DELETE FROM schema_migrations WHERE version = 8;
                """;
            await cmd.ExecuteNonQueryAsync();
        }
        await using var node = new NodeOn(cs);
        await node.InitializeAsync();
        var again = await replay(node);
        Expect.Status(again, 201);
        Assert.True(Replayed(again.Response));
        Assert.Equal(first.Body.Str("id"), again.Body.Str("id"));
        var indexes = await node.WithDb(db => db.Database.SqlQueryRaw<string>(
            "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'idempotency_keys'").ToListAsync());
        Assert.Equal(["ix_idempotency_keys_expires"], indexes);
    });

    /// <summary>Runs <paramref name="test"/> on a database of its own, which outlives the nodes started on it.</summary>
    private async Task OnOwnDatabaseAsync(string name, Func<string, Task> test)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pj-idem-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        var cs = await TestDatabase.CreateAsync(f.Provider, directory, name);
        try
        {
            await test(cs);
        }
        finally
        {
            await TestDatabase.DropAsync(f.Provider, cs);
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A keyed create on a node that then stops, its answer stored; and the same request, to send again.</summary>
    private static async Task<((int Status, JsonNode? Body, HttpResponseMessage Response) First,
        Func<ServiceFixture, Task<(int Status, JsonNode? Body, HttpResponseMessage Response)>> Again)> CreateAsync(string cs, object body)
    {
        var key = NewKey();
        var url = Route.V2.Payments(ServiceFixture.General);
        await using var node = new NodeOn(cs);
        await node.InitializeAsync();
        var first = await node.Http.Post(url, body, Key(key));
        Expect.Status(first, 201);
        await node.Services.GetRequiredService<IdempotencyStore>().FlushAsync();
        return (first, other => other.Http.Post(url, body, Key(key)));
    }

    [Fact]
    public async Task A_keyed_request_whose_unit_fails_leaves_the_key_free()
    {
        var journal = await Make.JournalId(f.Http);
        var created = await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount = -5m });
        var url = Route.V2.Payment(journal, created.Str("id"));
        var key = NewKey();
        var moved = await f.Http.Patch(url, new { comment = "moved" }, created.Str("@odata.etag"));
        Expect.Status(moved, 200);
        var refused = await f.Http.Send(HttpMethod.Patch, url, new { comment = "late" },
            headers: new Dictionary<string, string> { ["Idempotency-Key"] = key, ["If-Match"] = created.Str("@odata.etag") });
        Assert.True(refused.Status is 409 or 412, $"{refused.Status} {refused.Body?.ToJsonString()}");
        // Its unit (the claim with it) was rolled back: no key row, and the key runs another request rather than a 422.
        Assert.Equal(0, await KeyRowsAsync(key));
        var patched = await f.Http.Send(HttpMethod.Patch, url, new { comment = "late" },
            headers: new Dictionary<string, string> { ["Idempotency-Key"] = key, ["If-Match"] = Expect.ETag(moved) });
        Expect.Status(patched, 200);
        Assert.False(Replayed(patched.Response));
        Assert.Equal("late", patched.Body.Str("comment"));
    }

    [Fact]
    public async Task A_key_whose_claim_was_rolled_back_runs_again_after_other_keys_took_its_place()
    {
        // On SQLite a rolled-back claim's rowid is handed to the next insert; the key it was claimed for must not find
        // that row (another key's) as its own.
        var journal = await Make.JournalId(f.Http);
        var url = Route.V2.Payments(journal);
        var key = NewKey();
        // Refused inside its unit, after the claim: there is no such customer.
        var refused = await f.Http.Post(url, new { customerNumber = "C99999", amount = -5m }, Key(key));
        Assert.True(refused.Status is >= 400 and < 500, $"{refused.Status} {refused.Body?.ToJsonString()}");
        Assert.Equal(0, await KeyRowsAsync(key));
        var others = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var other = await f.Http.Post(url, new { customerNumber = "C00002", amount = -(i + 1m) }, Key(NewKey()));
            Expect.Status(other, 201);
            others.Add(other.Body.Str("id"));
        }
        var again = await f.Http.Post(url, new { customerNumber = "C00001", amount = -5m }, Key(key));
        Expect.Status(again, 201);
        Assert.False(Replayed(again.Response));
        Assert.DoesNotContain(again.Body.Str("id"), others);
        Assert.Equal(-5m, again.Body!["amount"]!.GetValue<decimal>());
        await f.Services.GetRequiredService<IdempotencyStore>().FlushAsync();
        var replay = await f.Http.Post(url, new { customerNumber = "C00001", amount = -5m }, Key(key));
        Expect.Status(replay, 201);
        Assert.True(Replayed(replay.Response));
        Assert.Equal(again.Body.Str("id"), replay.Body.Str("id"));
        Assert.Equal(4, await LinesAsync(journal));
    }

    [Fact]
    public async Task A_batch_with_an_atomic_group_and_a_key_runs_once_and_a_failed_group_leaves_the_key_free()
    {
        var journal = await Make.JournalId(f.Http);
        var payments = $"companies({ServiceFixture.Company})/customerPaymentJournals({journal})/customerPayments";
        object Part(string id, object body, string? group)
        {
            var part = new Dictionary<string, object>
            {
                ["id"] = id, ["method"] = "POST", ["url"] = payments,
                ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" }, ["body"] = body,
            };
            if (group is not null) part["atomicityGroup"] = group;
            return part;
        }
        var good = new { requests = new[] { Part("1", new { customerNumber = "C00001", amount = -1m }, "g"), Part("2", new { customerNumber = "C00002", amount = -2m }, "g") } };
        var key = NewKey();
        var first = await f.Http.Post(ServiceFixture.V2 + "$batch", good, Key(key));
        Expect.Status(first, 200);
        Assert.All(first.Body!["responses"]!.AsArray(), r => Assert.Equal(201, r!["status"]!.GetValue<int>()));
        var second = await f.Http.Post(ServiceFixture.V2 + "$batch", good, Key(key));
        Expect.Status(second, 200);
        Assert.True(Replayed(second.Response));
        Assert.Equal(first.Body.ToJsonString(), second.Body!.ToJsonString());
        Assert.Equal(2, await LinesAsync(journal));

        // A group that fails is rolled back with the claim in it: nothing of it stays, the key neither.
        var bad = new { requests = new[] { Part("1", new { customerNumber = "C00001", amount = -3m }, "g"), Part("2", new { customerNumber = "NOSUCH", amount = -4m }, "g") } };
        var badKey = NewKey();
        var failed = await f.Http.Post(ServiceFixture.V2 + "$batch", bad, Key(badKey));
        Expect.Status(failed, 200);
        Assert.All(failed.Body!["responses"]!.AsArray(), r => Assert.True(r!["status"]!.GetValue<int>() >= 400));
        Assert.Equal(0, await KeyRowsAsync(badKey));
        Assert.Equal(2, await LinesAsync(journal));

        // Outside groups the first unit that commits holds the claim (here the second request): the retry is replayed.
        var mixed = new { requests = new[] { Part("1", new { customerNumber = "NOSUCH", amount = -5m }, null), Part("2", new { customerNumber = "C00003", amount = -6m }, null) } };
        var mixedKey = NewKey();
        var m1 = await f.Http.Post(ServiceFixture.V2 + "$batch", mixed, Key(mixedKey));
        Expect.Status(m1, 200);
        Assert.Equal(201, m1.Body!["responses"]![1]!["status"]!.GetValue<int>());
        var m2 = await f.Http.Post(ServiceFixture.V2 + "$batch", mixed, Key(mixedKey));
        Assert.True(Replayed(m2.Response));
        Assert.Equal(m1.Body.ToJsonString(), m2.Body!.ToJsonString());
        Assert.Equal(3, await LinesAsync(journal));
    }

    private Task<int> KeyRowsAsync(string key) =>
        f.WithDb(async db =>
        {
            var conn = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            try
            {
                await using var cmd = conn.CreateCommand();
                cmd.CommandText = "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = @k";
                var p = cmd.CreateParameter();
                p.ParameterName = "@k";
                p.Value = key;
                cmd.Parameters.Add(p);
                return Convert.ToInt32(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });

    /// <summary>The system clock moved by an offset.</summary>
    private sealed class MovedClock(TimeSpan offset) : TimeProvider
    {
        public TimeSpan Offset { get; set; } = offset;
        public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + Offset;
    }

    /// <summary>A service on a database that outlives it, to stop and start again.</summary>
    private sealed class NodeOn(string connectionString) : ServiceFixture, IAsyncDisposable
    {
        protected override Task<string> CreateDatabaseAsync() => Task.FromResult(connectionString);
        protected override Task DropDatabaseAsync() => Task.CompletedTask;
        async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
    }
}

/// <summary>Keys are per credential and per company.</summary>
public sealed class IdempotencyAuthTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    private static Dictionary<string, string> Key(string key) => new() { ["Idempotency-Key"] = key };

    [Fact]
    public async Task The_same_key_from_two_credentials_runs_twice()
    {
        var journal = await Make.JournalId(f.Http);
        var key = "shared-" + Guid.NewGuid().ToString("N");
        var body = new { customerNumber = "C00001", amount = -11m };
        using var admin = f.With(ApiKeyFixture.Admin);
        var a = await f.Http.Post(Route.V2.Payments(journal), body, Key(key));
        var b = await admin.Post(Route.V2.Payments(journal), body, Key(key));
        Expect.Status(a, 201);
        Expect.Status(b, 201);
        Assert.NotEqual(a.Body.Str("id"), b.Body.Str("id"));
        Assert.False(b.Response.Headers.Contains(IdempotencyMiddleware.ReplayedHeader));
        Assert.Equal(2, await f.WithDb(db => db.CustomerPayments.CountAsync(p => p.JournalId == Guid.Parse(journal))));
    }

    [Fact]
    public async Task The_same_key_in_two_companies_is_two_keys()
    {
        using var admin = f.With(ApiKeyFixture.Admin);
        var key = "company-" + Guid.NewGuid().ToString("N");
        var customer = new { number = "I" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant(), displayName = "Idempotent" };
        var inA = await admin.Post(ServiceFixture.CompanyPath() + "/customers", customer, Key(key));
        Expect.Status(inA, 201);
        // Another URL with the same key would be a 422 if the key were not per company.
        var inB = await admin.Post(ServiceFixture.CompanyPath(company: SecondCompany.Id) + "/customers", customer, Key(key));
        Expect.Status(inB, 201);
        Assert.False(inB.Response.Headers.Contains(IdempotencyMiddleware.ReplayedHeader));
        var againB = await admin.Post(ServiceFixture.CompanyPath(company: SecondCompany.Id) + "/customers", customer, Key(key));
        Assert.True(againB.Response.Headers.Contains(IdempotencyMiddleware.ReplayedHeader));
        Assert.Equal(inB.Body.Str("id"), againB.Body.Str("id"));
    }
}

/// <summary>Two nodes on one PostgreSQL database racing one key.</summary>
[Collection(TwoNodes.Name)]
[Trait("Category", "Slow")]
public sealed class IdempotencyMultiNodeTests(MultiNodeFixture f)
{
    [Fact]
    public async Task Two_nodes_racing_one_key_run_it_once()
    {
        var journals = $"/api/v2.0/companies({ServiceFixture.Company})/customerPaymentJournals";
        var (s, j, _) = await f.A.Http.Post(journals, new { code = Make.Code("I"), displayName = "idempotency", balancingAccountId = PostingApi.Cash });
        Assert.True(s == 201, j?.ToJsonString());
        var journal = j.Str("id");
        var key = "race-" + Guid.NewGuid().ToString("N");
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            (i % 2 == 0 ? f.A : f.B).Http.Post($"{journals}({journal})/customerPayments", new { customerNumber = "C00001", amount = -12m },
                new Dictionary<string, string> { ["Idempotency-Key"] = key })));
        Assert.All(answers, a => Assert.True(a.Status == 201 || (a.Status == 409 && a.Body.ErrorCode() == "Request_IdempotencyKeyInUse"),
            $"{a.Status} {a.Body?.ToJsonString()}"));
        var ids = answers.Where(a => a.Status == 201).Select(a => a.Body.Str("id")).Distinct().ToList();
        Assert.Single(ids);
        Assert.Equal(1L, await f.ScalarAsync<long>("SELECT COUNT(*) FROM journal_lines WHERE journal_id = @j", ("j", Guid.Parse(journal))));
    }
}

/// <summary>A retry that arrives while the first request is inside its write unit, held there by the test.</summary>
public sealed class IdempotencyOverlapTests(CommitObserverFixture f) : IClassFixture<CommitObserverFixture>
{
    [Fact]
    public async Task A_retry_during_a_keyed_post_waits_for_it_and_is_replayed()
    {
        var journal = await PostingApi.NewJournalAsync(f.Http);
        await PostingApi.AddLineAsync(f.Http, journal, new { customerNumber = "C00003", amount = -20m });
        await PostingApi.AddLineAsync(f.Http, journal, new { customerNumber = "C00004", amount = -30m });
        var url = PostingApi.Journal(journal) + "/Microsoft.NAV.post";
        var before = await f.WithDb(db => db.CustomerLedgerEntries.CountAsync());
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Commits.BeforePostCommit[Guid.Parse(journal)] = async () =>
        {
            entered.TrySetResult();
            await release.Task;
        };
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "overlap-" + Guid.NewGuid().ToString("N") };
        Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> first, second;
        try
        {
            first = f.Http.Post(url, null, headers);
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(60));
            second = f.Http.Post(url, null, headers);
            // The retry's unit waits: on SQLite for the one writer, which runs the held post; on PostgreSQL its claim
            // waits on the key's unique index for the post's transaction.
            await WaitUntilAsync(async () => f.Provider == DatabaseProvider.Sqlite
                ? f.Services.GetRequiredService<GroupCommitter>().Waiting > 0
                : await f.WithDb(db => db.Database.SqlQueryRaw<int>(
                    "SELECT COUNT(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync()) > 0);
            Assert.False(second.IsCompleted);
        }
        finally
        {
            release.TrySetResult();
            f.Commits.BeforePostCommit.TryRemove(Guid.Parse(journal), out _);
        }
        var a = await first;
        var b = await second;
        Assert.True(a.Status is 200 or 204, $"{a.Status} {a.Body?.ToJsonString()}");
        Assert.False(a.Response.Headers.Contains(IdempotencyMiddleware.ReplayedHeader));
        Assert.Equal(a.Status, b.Status);
        Assert.True(b.Response.Headers.Contains(IdempotencyMiddleware.ReplayedHeader), $"{b.Status} {b.Body?.ToJsonString()}");
        Assert.Equal(before + 2, await f.WithDb(db => db.CustomerLedgerEntries.CountAsync()));
    }

    /// <summary>Waits for a condition the service reaches on its own (no time is asserted: a minute is only a hang guard).</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var giveUp = DateTime.UtcNow.AddMinutes(1);
        while (!await condition())
        {
            if (DateTime.UtcNow > giveUp) throw new TimeoutException("The retry never reached its write unit.");
            await Task.Delay(10);
        }
    }
}

/// <summary>The company a path names, as idempotency keys and the request telemetry both read it.</summary>
public sealed class CompanyOfPathTests
{
    [Theory]
    [InlineData("/api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/customers", "c0000000-0000-4000-8000-000000000001")]
    [InlineData("/api/v2.0/companies('c0000000-0000-4000-8000-000000000001')", "c0000000-0000-4000-8000-000000000001")]
    [InlineData("/beta/financials/companies/C0000000-0000-4000-8000-000000000001/customers", "c0000000-0000-4000-8000-000000000001")]
    [InlineData("/v2.0/t/production/api/v2.0/companies(c0000000-0000-4000-8000-000000000002)/$batch", "c0000000-0000-4000-8000-000000000002")]
    [InlineData("/api/v2.0/companies", null)]
    [InlineData("/api/v2.0/companies(nope)/customers", null)]
    [InlineData("/api/v2.0/mycompanies(c0000000-0000-4000-8000-000000000001)", null)]
    [InlineData("/api/v2.0/$batch", null)]
    public void Reads_the_company_key_in_either_form(string path, string? company) =>
        Assert.Equal(company is null ? null : Guid.Parse(company), PaymentJournal.OData.UrlParts.CompanyOf(path));
}
