using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// The window and its limits: changes gathered into one notification request, more than Webhooks:MaxNotifications of
/// them sent as one "collection" item, the service-wide subscription limit, and a subscription that expires. Both providers.
/// </summary>
public sealed class WebhooksWindowTests(WebhooksWindowTests.Fixture f) : IClassFixture<WebhooksWindowTests.Fixture>
{
    public sealed class Fixture : WebhookFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Extra =>
        [
            new("Webhooks:Delay", "00:00:01"),
            new("Webhooks:MaxNotifications", "3"),
        ];
    }

    private WebhookReceiver R => f.Receiver;
    private static readonly string Customers = $"api/v2.0/companies({ServiceFixture.Company})/customers";

    /// <summary>Creates customers in one atomic change set: one commit, so one window for sure.</summary>
    private async Task CreateCustomersAtOnceAsync(int count)
    {
        var requests = Enumerable.Range(1, count).Select(i => new Dictionary<string, object>
        {
            ["id"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["method"] = "POST", ["url"] = $"{C}/customers",
            ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
            ["body"] = new { displayName = "Window " + Guid.NewGuid().ToString("N")[..6] }, ["atomicityGroup"] = "g",
        }).ToArray();
        var (status, body, _) = await f.Http.Post(ServiceFixture.V2 + "$batch", new { requests });
        Assert.Equal(200, status);
        Assert.All(body!["responses"]!.AsArray(), r => Assert.Equal(201, r!["status"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Changes_within_the_window_arrive_in_one_request()
    {
        var url = R.NewEndpoint();
        Expect.Status(await f.SubscribeAsync(url, Customers), 201);
        await CreateCustomersAtOnceAsync(3);
        var items = await R.WaitForAsync(url, i => i.Count >= 3);
        Assert.Equal(3, items.Count);
        Assert.All(items, i => Assert.Equal("created", i.Str("changeType")));
        Assert.Single(R.Requests(url));
    }

    [Fact]
    public async Task More_changes_than_the_limit_arrive_as_one_collection_item()
    {
        var url = R.NewEndpoint();
        Expect.Status(await f.SubscribeAsync(url, Customers), 201);
        await CreateCustomersAtOnceAsync(4);
        var items = await R.WaitForAsync(url, i => i.Count >= 1);
        var item = Assert.Single(items);
        Assert.Equal("collection", item.Str("changeType"));
        // Only creates: the collection is filtered on the time of the first of them, so a client reads what changed.
        Assert.StartsWith(Customers + "?$filter=lastModifiedDateTime%20gt%20", item.Str("resource"));
        Assert.Single(R.Requests(url));
    }
}

/// <summary>The service-wide subscription limit and expiry (a short lifetime). Both providers.</summary>
public sealed class WebhooksLifetimeTests(WebhooksLifetimeTests.Fixture f) : IClassFixture<WebhooksLifetimeTests.Fixture>
{
    public sealed class Fixture : WebhookFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Extra =>
        [
            new("Webhooks:Lifetime", "00:00:12"),
            new("Webhooks:MaxSubscriptions", "2"),
        ];
    }

    private WebhookReceiver R => f.Receiver;
    private static readonly string Customers = $"api/v2.0/companies({ServiceFixture.Company})/customers";

    [Fact]
    public async Task A_subscription_beyond_the_limit_is_refused_and_an_expired_one_is_gone_and_notified_no_more()
    {
        var first = R.NewEndpoint();
        var second = R.NewEndpoint();
        var created = await f.SubscribeAsync(first, Customers);
        Expect.Status(created, 201);
        Expect.Status(await f.SubscribeAsync(second, Customers), 201);
        var third = R.NewEndpoint();
        Expect.Error(await f.SubscribeAsync(third, Customers), 400, "BadRequest_TooManySubscriptions");
        Assert.Equal(0, R.Handshakes(third));

        // Three days in Business Central, twelve seconds here: then the subscription is gone, and so is the limit's count.
        var id = created.Body.Str("subscriptionId");
        var until = DateTime.UtcNow.AddMinutes(1);
        while ((await f.Http.Get($"{ServiceFixture.V2}subscriptions('{id}')")).Status != 404)
        {
            Assert.True(DateTime.UtcNow < until, "the subscription did not expire");
            await Task.Delay(100);
        }
        Assert.DoesNotContain((await f.Http.Get(ServiceFixture.V2 + "subscriptions")).Body!["value"]!.AsArray(), s => s!.Str("subscriptionId") == id);
        // The expired ones no longer count against the limit.
        Expect.Status(await f.SubscribeAsync(R.NewEndpoint(), Customers), 201);
        // A change after expiry is never sent to the expired subscription (nothing to wait for: a pause, then a look).
        var before = R.Attempts(first);
        await NewCustomerAsync(f.Http);
        await Task.Delay(1500);
        Assert.Equal(before, R.Attempts(first));
    }
}
