using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Webhooks across processes: a node killed (SIGKILL) between a change's commit and its delivery delivers after a
/// restart, a node killed while sending leaves the notification to the next once its lease runs out (both providers), and two nodes on one PostgreSQL database send each notification once (PostgreSQL only:
/// several nodes on one SQLite file is not a supported configuration).
/// </summary>
public sealed class WebhooksProcessTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pj-hooks-" + Guid.NewGuid().ToString("N")[..12]);
    private string _connectionString = "";
    private DatabaseProvider _provider = TestDatabase.Provider;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_connectionString.Length > 0) await TestDatabase.DropAsync(_provider, _connectionString);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string[] Args(DatabaseProvider provider, string delay) =>
    [
        "--Database:Provider=" + provider, "--Webhooks:Delay=" + delay, "--Webhooks:PollInterval=00:00:00.100",
        "--Webhooks:RefreshInterval=00:00:00.200", "--Webhooks:SendTimeout=00:00:05", "--Webhooks:Lease=00:00:10",
    ];

    private static async Task<string> CustomerAsync(HttpClient http)
    {
        var (s, body, _) = await http.Post(ServiceFixture.CompanyPath() + "/customers", new { displayName = "hook" });
        Assert.True(s == 201, body?.ToJsonString());
        return body.Str("id");
    }

    [Fact]
    public async Task A_node_killed_after_the_commit_delivers_after_a_restart()
    {
        _connectionString = await TestDatabase.CreateAsync(_provider, _dir, "kill");
        var url = _receiver.NewEndpoint();
        string id;
        // A long window: the kill comes well before the notification is due.
        await using (var node = await ServiceNode.StartAsync("before", _connectionString, Args(_provider, "00:01:00")))
        {
            var (s, body, _) = await node.Http.Post(ServiceFixture.V2 + "subscriptions",
                new { notificationUrl = url, resource = $"companies({ServiceFixture.Company})/customers", clientState = "k" });
            Assert.True(s == 201, body?.ToJsonString() + node.Output);
            id = await CustomerAsync(node.Http);
            await node.KillAsync();
        }
        Assert.Empty(_receiver.Items(url));
        await using var restarted = await ServiceNode.StartAsync("after", _connectionString, Args(_provider, "00:00:00.200"));
        var items = await _receiver.WaitForAsync(url, i => i.Count > 0, seconds: 120);
        var item = Assert.Single(items);
        Assert.Equal("created", item.Str("changeType"));
        Assert.EndsWith($"/customers({id})", item.Str("resource"));
    }

    [Fact]
    public async Task A_node_that_dies_while_sending_leaves_the_notification_to_the_next_once_its_lease_runs_out()
    {
        _connectionString = await TestDatabase.CreateAsync(_provider, _dir, "lease");
        // The first notification request gets no answer: the node dies with it in flight.
        var url = _receiver.NewEndpoint(WebhookReceiver.Handshake.Echo, WebhookReceiver.NoAnswer);
        string id;
        await using (var node = await ServiceNode.StartAsync("sender", _connectionString, Args(_provider, "00:00:00.200")))
        {
            var (s, body, _) = await node.Http.Post(ServiceFixture.V2 + "subscriptions",
                new { notificationUrl = url, resource = $"companies({ServiceFixture.Company})/customers" });
            Assert.True(s == 201, body?.ToJsonString() + node.Output);
            id = await CustomerAsync(node.Http);
            var until = DateTime.UtcNow.AddMinutes(2);
            while (_receiver.Attempts(url) == 0)
            {
                Assert.True(DateTime.UtcNow < until, "the notification was never sent" + node.Output);
                await Task.Delay(50);
            }
            await node.KillAsync();
        }
        Assert.Empty(_receiver.Items(url));
        // The next node finds the dead node's lease (10 s) and sends once it has run out.
        await using var next = await ServiceNode.StartAsync("next", _connectionString, Args(_provider, "00:00:00.200"));
        var items = await _receiver.WaitForAsync(url, i => i.Count > 0, seconds: 120);
        Assert.EndsWith($"/customers({id})", Assert.Single(items).Str("resource"));
        Assert.Equal(2, _receiver.Attempts(url));
    }

    [PostgresFact]
    public async Task Two_nodes_send_each_notification_once()
    {
        _provider = DatabaseProvider.Postgres;
        _connectionString = await TestDatabase.CreateAsync(_provider, _dir, "two");
        var a = ServiceNode.Launch("A", _connectionString, Args(_provider, "00:00:00.300"));
        var b = ServiceNode.Launch("B", _connectionString, Args(_provider, "00:00:00.300"));
        await using (a)
        await using (b)
        {
            await Task.WhenAll(a.WaitListeningAsync(TimeSpan.FromSeconds(180)), b.WaitListeningAsync(TimeSpan.FromSeconds(180)));
            var url = _receiver.NewEndpoint();
            var (s, body, _) = await a.Http.Post(ServiceFixture.V2 + "subscriptions",
                new { notificationUrl = url, resource = $"companies({ServiceFixture.Company})/customers" });
            Assert.True(s == 201, body?.ToJsonString());
            // Node B learns of the subscription at its next re-read of the subscriptions.
            await Task.Delay(1000);
            var ids = new List<string>();
            for (var i = 0; i < 20; i++) ids.Add(await CustomerAsync(i % 2 == 0 ? a.Http : b.Http));
            var items = await _receiver.WaitForAsync(url, got => ids.All(id => got.Any(x => x.Str("resource").EndsWith($"({id})", StringComparison.Ordinal))), seconds: 120);
            // Give a duplicate time to arrive, then count.
            await Task.Delay(1500);
            items = _receiver.Items(url);
            foreach (var id in ids)
                Assert.Equal(1, items.Count(x => x.Str("resource").EndsWith($"({id})", StringComparison.Ordinal)));
        }
    }
}
