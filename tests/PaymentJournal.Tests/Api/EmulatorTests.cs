namespace PaymentJournal.Tests.Api;

public sealed class EmulatorTests(EmulatorFixture f) : IClassFixture<EmulatorFixture>
{
    private static readonly Route V2 = Route.V2;
    private const string Customer1 = "c0000000-0000-4000-8000-000000000001";

    private async Task Ok(HttpMethod method, string url, int expected = 204)
    {
        var (status, body, _) = await f.Http.Send(method, url);
        Assert.True(status == expected, $"{method} {url}: {status} {body?.ToJsonString()}");
    }

    /// <summary>Rows per table; the demo seed stamps the time, so two resets differ in timestamps, not in rows.</summary>
    private async Task<string> RowCounts() =>
        string.Join('\n', (await DbSnapshot.TakeAsync(f)).Split('\n').Select(l => string.Join(':', l.Split(':').Take(2))));

    [Fact]
    public async Task Reset_returns_the_demo_state_after_changes()
    {
        await Ok(HttpMethod.Post, "/emulator/reset");
        var demo = await RowCounts();
        var (_, customer, _) = await f.Http.Get(V2.Entity("customers", Customer1));
        var added = await Make.Customer(f.Http, "Gone after reset");
        var (status, _, _) = await f.Http.Patch(V2.Entity("customers", Customer1), new { displayName = "Renamed" }, customer.Str("@odata.etag"));
        Assert.Equal(200, status);
        await Make.Payment(f.Http, ServiceFixture.General, new { customerNumber = "C00002", amount = -100, appliesToInvoiceNumber = "103002" });
        var (posted, error, _) = await f.Http.Post(V2.Journal(ServiceFixture.General) + "/Microsoft.NAV.post", null);
        Assert.True(posted == 204, error?.ToJsonString());
        Assert.NotEqual(demo, await RowCounts());

        await Ok(HttpMethod.Post, "/emulator/reset");

        Assert.Equal(demo, await RowCounts());
        Assert.Equal(404, (await f.Http.Get(V2.Entity("customers", added.Str("id")))).Status);
        var (_, back, _) = await f.Http.Get(V2.Entity("customers", Customer1));
        Assert.Equal("Adatum Corporation", back.Str("displayName"));
        var (_, invoice, _) = await f.Http.Get(V2.Entity("salesInvoices", "d1000000-0000-4000-8000-000000000002"));
        Assert.Equal(invoice!["totalAmountIncludingTax"]!.GetValue<decimal>(), invoice["remainingAmount"]!.GetValue<decimal>());
        var (_, entries, _) = await f.Http.Get(ServiceFixture.CompanyPath(ServiceFixture.Ledger) + "/customerLedgerEntries?$count=true&$top=0");
        Assert.Equal(10, entries!["@odata.count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Restore_brings_back_the_exact_state_with_its_etags()
    {
        var journal = await Make.JournalId(f.Http);
        var payment = await Make.Payment(f.Http, journal, new { customerNumber = "C00003", amount = -42.5m });
        var before = await DbSnapshot.TakeAsync(f);
        await Ok(HttpMethod.Post, "/emulator/snapshots/exact", 201);

        var (status, changed, _) = await f.Http.Patch(V2.Payment(journal, payment.Str("id")), new { amount = -99 }, payment.Str("@odata.etag"));
        Assert.Equal(200, status);
        Assert.NotEqual(payment.Str("@odata.etag"), changed.Str("@odata.etag"));
        await Make.Customer(f.Http, "Made after the snapshot");
        Assert.NotEqual(before, await DbSnapshot.TakeAsync(f));

        await Ok(HttpMethod.Post, "/emulator/snapshots/exact/restore");

        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
        var (_, restored, _) = await f.Http.Get(V2.Payment(journal, payment.Str("id")));
        Assert.Equal(payment.Str("@odata.etag"), restored.Str("@odata.etag"));
        Assert.Equal(-42.5m, restored!["amount"]!.GetValue<decimal>());
        // The old ETag is the current one again: a write with it succeeds.
        (status, _, _) = await f.Http.Patch(V2.Payment(journal, payment.Str("id")), new { amount = -43 }, payment.Str("@odata.etag"));
        Assert.Equal(200, status);
        await Ok(HttpMethod.Delete, "/emulator/snapshots/exact");
    }

    [Fact]
    public async Task Snapshots_are_listed_replaced_and_deleted()
    {
        await Ok(HttpMethod.Post, "/emulator/snapshots/list-a", 201);
        await Ok(HttpMethod.Post, "/emulator/snapshots/list-a", 201);
        await Ok(HttpMethod.Post, "/emulator/snapshots/list_B", 201);
        var (status, body, _) = await f.Http.Get("/emulator/snapshots");
        Assert.Equal(200, status);
        var names = body!["value"]!.AsArray().Select(n => n.Str("name")).ToList();
        Assert.Contains("list-a", names);
        Assert.Contains("list_B", names);
        await Ok(HttpMethod.Delete, "/emulator/snapshots/list-a");
        await Ok(HttpMethod.Delete, "/emulator/snapshots/list_B");
        (_, body, _) = await f.Http.Get("/emulator/snapshots");
        Assert.DoesNotContain(body!["value"]!.AsArray(), n => n.Str("name").StartsWith("list", StringComparison.Ordinal));

        (status, body, _) = await f.Http.Delete("/emulator/snapshots/list-a");
        Assert.Equal(404, status);
        Assert.Equal("Internal_RecordNotFound", body.ErrorCode());
        (status, body, _) = await f.Http.Post("/emulator/snapshots/never-made/restore", null);
        Assert.Equal(404, status);
        Assert.Equal("Internal_RecordNotFound", body.ErrorCode());
    }

    [Fact]
    public async Task Bad_names_methods_and_too_many_snapshots_are_4xx_with_the_error_body()
    {
        var (status, body, _) = await f.Http.Post("/emulator/snapshots/" + new string('a', 41), null);
        Assert.Equal(400, status);
        Assert.Equal("BadRequest", body.ErrorCode());
        (status, body, _) = await f.Http.Post("/emulator/snapshots/a.b", null);
        Assert.Equal(400, status);
        (status, body, _) = await f.Http.Get("/emulator/reset");
        Assert.Equal(405, status);
        Assert.Equal("BadRequest_MethodNotAllowed", body.ErrorCode());
        (status, body, _) = await f.Http.Post("/emulator/nothing", null);
        Assert.Equal(404, status);
        Assert.Equal("BadRequest_ResourceNotFound", body.ErrorCode());

        // Emulator:MaxSnapshots is 3 here.
        foreach (var n in new[] { "max-1", "max-2", "max-3" }) await Ok(HttpMethod.Post, "/emulator/snapshots/" + n, 201);
        (status, body, _) = await f.Http.Post("/emulator/snapshots/max-4", null);
        Assert.Equal(409, status);
        Assert.Equal("Emulator_TooManySnapshots", body.ErrorCode());
        await Ok(HttpMethod.Post, "/emulator/snapshots/max-3", 201); // replacing one is fine
        foreach (var n in new[] { "max-1", "max-2", "max-3" }) await Ok(HttpMethod.Delete, "/emulator/snapshots/" + n);
    }

    [Fact]
    public async Task A_caller_from_another_host_is_refused()
    {
        var (status, body, _) = await f.Http.Send(HttpMethod.Post, "/emulator/reset", headers: new Dictionary<string, string> { ["X-Forwarded-For"] = "203.0.113.7" });
        Assert.Equal(403, status);
        Assert.Equal("Authorization_Forbidden", body.ErrorCode());
    }

    [Fact]
    public async Task Requests_during_restores_never_see_a_partial_state()
    {
        // Two states that differ in two tables: A without, B with one more customer and one more payment line.
        var journal = await Make.JournalId(f.Http);
        await Ok(HttpMethod.Post, "/emulator/snapshots/gate-a", 201);
        await Make.Customer(f.Http, "Only in B");
        await Make.Payment(f.Http, journal, new { customerNumber = "C00004", amount = -1 });
        await Ok(HttpMethod.Post, "/emulator/snapshots/gate-b", 201);
        var counts = V2.Set("customers") + "?$count=true&$top=0";
        var lines = V2.Journal(journal) + "/customerPayments?$count=true&$top=0";
        async Task<(long Customers, long Lines)> Read()
        {
            // One request, two reads: a restore between them would show a customer count of one state and a line count of the other.
            var batch = new { requests = new[] { new { id = "1", method = "GET", url = counts }, new { id = "2", method = "GET", url = lines } } };
            var (status, body, _) = await f.Http.Post(V2.Root + "$batch", batch);
            Assert.Equal(200, status);
            var responses = body!["responses"]!.AsArray().OrderBy(r => r.Str("id")).Select(r => r!["body"]!["@odata.count"]!.GetValue<long>()).ToArray();
            return (responses[0], responses[1]);
        }
        var a = (Customers: 0L, Lines: 0L);
        await Ok(HttpMethod.Post, "/emulator/snapshots/gate-a/restore");
        a = await Read();
        await Ok(HttpMethod.Post, "/emulator/snapshots/gate-b/restore");
        var b = await Read();
        Assert.Equal((a.Customers + 1, a.Lines + 1), b);

        using var stop = new CancellationTokenSource();
        var seen = new System.Collections.Concurrent.ConcurrentBag<(long, long)>();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) seen.Add(await Read());
        })).ToArray();
        for (var i = 0; i < 10; i++)
            await Ok(HttpMethod.Post, $"/emulator/snapshots/{(i % 2 == 0 ? "gate-a" : "gate-b")}/restore");
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.NotEmpty(seen);
        Assert.All(seen, s => Assert.True(s == a || s == b, $"a partial state: {s}, expected {a} or {b}"));
        await Ok(HttpMethod.Delete, "/emulator/snapshots/gate-a");
        await Ok(HttpMethod.Delete, "/emulator/snapshots/gate-b");
    }
}

public sealed class EmulatorOffTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Theory]
    [InlineData("POST", "/emulator/reset")]
    [InlineData("GET", "/emulator/snapshots")]
    [InlineData("POST", "/emulator/snapshots/x/restore")]
    public async Task Off_by_default_every_emulator_endpoint_is_a_404_with_the_error_body(string method, string url)
    {
        var (status, body, _) = await f.Http.Send(new HttpMethod(method), url);
        Assert.Equal(404, status);
        Assert.Equal("BadRequest_ResourceNotFound", body.ErrorCode());
    }
}

public sealed class EmulatorAuthTests(EmulatorApiKeyFixture f) : IClassFixture<EmulatorApiKeyFixture>
{
    [Fact]
    public async Task With_auth_on_only_a_credential_that_may_write_to_every_company_may_use_the_emulator()
    {
        using var anonymous = f.Anonymous();
        Assert.Equal(401, (await anonymous.Post("/emulator/snapshots/auth", null)).Status);
        foreach (var key in new[] { ApiKeyFixture.WriterA, ApiKeyFixture.ReaderA })
        {
            using var limited = f.With(key);
            var (status, body, _) = await limited.Post("/emulator/snapshots/auth", null);
            Assert.Equal(403, status);
            Assert.Equal("Authorization_Forbidden", body.ErrorCode());
        }
        using var admin = f.With(ApiKeyFixture.Admin);
        Assert.Equal(201, (await admin.Post("/emulator/snapshots/auth", null)).Status);
        Assert.Equal(204, (await admin.Delete("/emulator/snapshots/auth")).Status);
    }
}
