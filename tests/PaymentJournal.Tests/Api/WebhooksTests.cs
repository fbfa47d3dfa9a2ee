using Microsoft.EntityFrameworkCore;
using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Webhooks against a real receiver: the subscriptions entity (handshake, renew, delete, errors) and the notifications
/// of creates, updates, deletes and posts, with retries, 410 and refused URLs. Both providers.
/// </summary>
public sealed class WebhooksTests(WebhookFixture f) : IClassFixture<WebhookFixture>
{
    private WebhookReceiver R => f.Receiver;
    private static string Customers(string company = ServiceFixture.Company) => $"api/v2.0/companies({company})/customers";

    private async Task<JsonNode> SubscribeAsync(string url, string resource, string root = ServiceFixture.V2)
    {
        var r = await f.SubscribeAsync(url, resource, root: root);
        Expect.Status(r, 201);
        return r.Body!;
    }

    [Fact]
    public async Task A_subscription_is_created_after_the_handshake_and_can_be_read_back()
    {
        var url = R.NewEndpoint();
        var r = await f.SubscribeAsync(url, Customers(), "state-1");
        Expect.Status(r, 201);
        var body = r.Body!;
        var id = body.Str("subscriptionId");
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(url, body.Str("notificationUrl"));
        Assert.Equal(Customers(), body.Str("resource"));
        Assert.Equal("state-1", body.Str("clientState"));
        Assert.True(DateTimeOffset.Parse(body.Str("expirationDateTime"), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddDays(2.9));
        Assert.Equal(1, R.Handshakes(url));
        var etag = Expect.ETag(r);
        Assert.EndsWith($"/api/v2.0/subscriptions('{id}')", r.Response.Headers.Location!.ToString());

        var get = await f.Http.Get($"{ServiceFixture.V2}subscriptions('{id}')");
        Expect.Status(get, 200);
        Assert.Equal(etag, Expect.ETag(get));
        var list = await f.Http.Get(ServiceFixture.V2 + "subscriptions");
        Assert.Contains(list.Body!["value"]!.AsArray(), s => s!.Str("subscriptionId") == id);
        // Not under a company, and not on the Graph surface.
        Expect.Status(await f.Http.Get(ServiceFixture.CompanyPath() + "/subscriptions"), 404);
    }

    [Theory]
    [InlineData(WebhookReceiver.Handshake.WrongToken)]
    [InlineData(WebhookReceiver.Handshake.Fail)]
    public async Task A_failed_handshake_creates_nothing(WebhookReceiver.Handshake handshake)
    {
        var url = R.NewEndpoint(handshake);
        var r = await f.SubscribeAsync(url, Customers());
        Expect.Error(r, 400, "BadRequest_SubscriptionValidationFailed");
        Assert.Equal(1, R.Handshakes(url));
        var list = await f.Http.Get(ServiceFixture.V2 + "subscriptions");
        Assert.DoesNotContain(list.Body!["value"]!.AsArray(), s => s!.Str("notificationUrl") == url);
    }

    [Fact]
    public async Task An_unreachable_notification_url_fails_the_handshake()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop(); // nothing listens there now
        Expect.Error(await f.SubscribeAsync($"http://127.0.0.1:{port}/hook", Customers()), 400, "BadRequest_SubscriptionValidationFailed", "could not be reached");
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://100.100.100.200/hook")]
    [InlineData("ftp://127.0.0.1/hook")]
    [InlineData("/relative/hook")]
    public async Task Link_local_metadata_and_non_http_urls_are_refused(string url)
    {
        Expect.Error(await f.SubscribeAsync(url, Customers()), 400, "BadRequest_InvalidNotificationUrl");
    }

    [Theory]
    [InlineData("api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/nothingHere", 400, "BadRequest_InvalidSubscriptionResource")]
    [InlineData("api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/dimensionSetLines", 400, "BadRequest_InvalidSubscriptionResource")]
    [InlineData("api/paymentjournal/ledger/v1.0/companies(c0000000-0000-4000-8000-000000000001)/customerLedgerEntries", 400, "BadRequest_InvalidSubscriptionResource")]
    [InlineData("api/v2.0/customers", 400, "BadRequest_InvalidSubscriptionResource")]
    [InlineData("api/v2.0/companies(c0000000-0000-4000-8000-0000000000ff)/customers", 404, "Internal_RecordNotFound")]
    public async Task An_unknown_resource_is_refused_before_the_handshake(string resource, int status, string code)
    {
        var url = R.NewEndpoint();
        Expect.Error(await f.SubscribeAsync(url, resource), status, code);
        Assert.Equal(0, R.Handshakes(url));
    }

    [Fact]
    public async Task Creates_updates_and_deletes_are_notified_with_the_subscription_fields()
    {
        var url = R.NewEndpoint();
        var sub = await SubscribeAsync(url, Customers());
        var (id, _) = await NewCustomerAsync(f.Http);
        await SetBlockedAsync(f.Http, id, "Invoice");
        var current = await GetAsync(f.Http, $"{C}/customers({id})");
        Expect.Status(await f.Http.Delete($"{C}/customers({id})", current.Str("@odata.etag")), 204);

        var resource = Customers() + "(" + id + ")";
        var items = await R.WaitForAsync(url, i => i.Any(x => x.Str("changeType") == "deleted"));
        var mine = items.Where(i => i.Str("resource") == resource).Select(i => i.Str("changeType")).ToList();
        Assert.Contains("created", mine);
        Assert.Contains("updated", mine);
        Assert.Equal("deleted", mine[^1]);
        foreach (var item in items)
        {
            Assert.Equal(sub.Str("subscriptionId"), item.Str("subscriptionId"));
            Assert.Equal("secret-state", item.Str("clientState"));
            Assert.Equal(sub.Str("expirationDateTime"), item.Str("expirationDateTime"));
            Assert.True(DateTimeOffset.TryParse(item.Str("lastModifiedDateTime"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _));
        }
        var request = R.Requests(url)[0];
        Assert.True(Guid.TryParse(request.Headers["clientRequestId"], out _));
        Assert.Equal(request.Headers["clientRequestId"], request.Headers["x-ms-correlation-id"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"]);
    }

    [Fact]
    public async Task A_journal_sub_page_is_notified_of_its_own_lines_and_posting_notifies_lines_entries_and_invoices()
    {
        var journal = await NewJournalAsync(f.Http);
        var other = await NewJournalAsync(f.Http);
        var linesUrl = R.NewEndpoint();
        var linesResource = $"api/v2.0/companies({ServiceFixture.Company})/customerPaymentJournals({journal})/customerPayments";
        await SubscribeAsync(linesUrl, linesResource);
        var ledgerUrl = R.NewEndpoint();
        await SubscribeAsync(ledgerUrl, $"api/paymentjournal/ledger/v1.0/companies({ServiceFixture.Company})/customerLedgerEntries", ServiceFixture.Ledger);
        var invoicesUrl = R.NewEndpoint();
        await SubscribeAsync(invoicesUrl, $"https://example.invalid/api/v2.0/companies({ServiceFixture.Company})/salesInvoices");

        var (_, customer) = await NewCustomerAsync(f.Http);
        var (invoiceId, invoiceNumber) = await PostedInvoiceAsync(f.Http, customer, 100m);
        var line = await AddLineAsync(f.Http, journal, new { customerNumber = customer, amount = -100m, appliesToInvoiceNumber = invoiceNumber });
        await AddLineAsync(f.Http, other, new { customerNumber = customer, amount = -5m });
        var lineResource = linesResource + "(" + line.Str("id") + ")";
        await R.WaitForAsync(linesUrl, i => i.Any(x => x.Str("changeType") == "created"));
        Expect.Status(await PostJournalAsync(f.Http, journal), 204);

        var lines = await R.WaitForAsync(linesUrl, i => i.Any(x => x.Str("changeType") == "deleted"));
        Assert.All(lines, i => Assert.Equal(lineResource, i.Str("resource")));
        var entries = await R.WaitForAsync(ledgerUrl, i => i.Count >= 1);
        Assert.All(entries, i => Assert.Equal("created", i.Str("changeType")));
        Assert.All(entries, i => Assert.StartsWith($"api/paymentjournal/ledger/v1.0/companies({ServiceFixture.Company})/customerLedgerEntries(", i.Str("resource")));
        var invoices = await R.WaitForAsync(invoicesUrl, i => i.Any(x => x.Str("resource").EndsWith("(" + invoiceId + ")", StringComparison.Ordinal) && x.Str("changeType") == "updated"));
        Assert.All(invoices, i => Assert.StartsWith("https://example.invalid/api/v2.0/", i.Str("resource")));
    }

    [Fact]
    public async Task Posting_a_sales_invoice_and_deleting_what_holds_lines_notify_the_invoice_its_entries_and_the_lines()
    {
        var (_, customer) = await NewCustomerAsync(f.Http);
        var company = $"api/v2.0/companies({ServiceFixture.Company})";
        var invoicesUrl = R.NewEndpoint();
        await SubscribeAsync(invoicesUrl, company + "/salesInvoices");
        var glUrl = R.NewEndpoint();
        await SubscribeAsync(glUrl, company + "/generalLedgerEntries");
        var ledgerUrl = R.NewEndpoint();
        await SubscribeAsync(ledgerUrl, $"api/paymentjournal/ledger/v1.0/companies({ServiceFixture.Company})/customerLedgerEntries", ServiceFixture.Ledger);

        var (posted, _) = await DraftInvoiceAsync(f.Http, customer, 40m);
        Expect.Status(await f.Http.Post($"{C}/salesInvoices({posted})/Microsoft.NAV.post", null), 204);
        await R.WaitForAsync(invoicesUrl, i => i.Any(x => x.Str("resource") == $"{company}/salesInvoices({posted})" && x.Str("changeType") == "updated"));
        // The receivables entry and the revenue entry.
        await R.WaitForAsync(glUrl, i => i.Count(x => x.Str("changeType") == "created") >= 2);
        await R.WaitForAsync(ledgerUrl, i => i.Any(x => x.Str("changeType") == "created"));

        // A draft invoice's lines go with it.
        var (draft, _) = await DraftInvoiceAsync(f.Http, customer, 10m);
        var linesUrl = R.NewEndpoint();
        await SubscribeAsync(linesUrl, $"{company}/salesInvoices({draft})/salesInvoiceLines");
        var lineIds = (await f.Http.Get($"{C}/salesInvoices({draft})/salesInvoiceLines")).Body!["value"]!.AsArray().Select(l => l.Str("id")).ToList();
        Assert.NotEmpty(lineIds);
        Expect.Status(await f.Http.Delete($"{C}/salesInvoices({draft})"), 204);
        var deleted = await R.WaitForAsync(linesUrl, i => i.Count(x => x.Str("changeType") == "deleted") >= lineIds.Count);
        Assert.Equal(lineIds.Select(id => $"{company}/salesInvoices({draft})/salesInvoiceLines({id})").Order(),
            deleted.Where(x => x.Str("changeType") == "deleted").Select(x => x.Str("resource")).Order());

        // A journal's lines go with it.
        var journal = await NewJournalAsync(f.Http);
        var line = await AddLineAsync(f.Http, journal, new { customerNumber = customer, amount = -1m });
        var journalLinesUrl = R.NewEndpoint();
        var journalLines = $"{company}/customerPaymentJournals({journal})/customerPayments";
        await SubscribeAsync(journalLinesUrl, journalLines);
        Expect.Status(await f.Http.Delete($"{C}/customerPaymentJournals({journal})"), 204);
        var gone = await R.WaitForAsync(journalLinesUrl, i => i.Any(x => x.Str("changeType") == "deleted"));
        Assert.Equal($"{journalLines}({line.Str("id")})", Assert.Single(gone).Str("resource"));
    }

    [Fact]
    public async Task Posting_a_purchase_invoice_and_deleting_a_draft_notify_the_invoice_its_entries_and_the_lines()
    {
        var company = $"api/v2.0/companies({ServiceFixture.Company})";
        var invoicesUrl = R.NewEndpoint();
        await SubscribeAsync(invoicesUrl, company + "/purchaseInvoices");
        var glUrl = R.NewEndpoint();
        await SubscribeAsync(glUrl, company + "/generalLedgerEntries");
        async Task<string> DraftAsync()
        {
            var id = (await f.Http.Post($"{C}/purchaseInvoices", new { vendorNumber = "V00002", vendorInvoiceNumber = "WH-1" })).Body.Str("id");
            Expect.Status(await f.Http.Post($"{C}/purchaseInvoices({id})/purchaseInvoiceLines", new { lineObjectNumber = "8210", quantity = 1, unitCost = 7 }), 201);
            return id;
        }

        var posted = await DraftAsync();
        Expect.Status(await f.Http.Post($"{C}/purchaseInvoices({posted})/Microsoft.NAV.post", null), 204);
        await R.WaitForAsync(invoicesUrl, i => i.Any(x => x.Str("resource") == $"{company}/purchaseInvoices({posted})" && x.Str("changeType") == "updated"));
        // The expense entry and the payables entry.
        await R.WaitForAsync(glUrl, i => i.Count(x => x.Str("changeType") == "created") >= 2);

        var draft = await DraftAsync();
        var linesUrl = R.NewEndpoint();
        await SubscribeAsync(linesUrl, $"{company}/purchaseInvoices({draft})/purchaseInvoiceLines");
        var lineId = Assert.Single((await f.Http.Get($"{C}/purchaseInvoices({draft})/purchaseInvoiceLines")).Body!["value"]!.AsArray())!.Str("id");
        Expect.Status(await f.Http.Delete($"{C}/purchaseInvoices({draft})"), 204);
        var deleted = await R.WaitForAsync(linesUrl, i => i.Any(x => x.Str("changeType") == "deleted"));
        Assert.Equal($"{company}/purchaseInvoices({draft})/purchaseInvoiceLines({lineId})", Assert.Single(deleted, x => x.Str("changeType") == "deleted").Str("resource"));
    }

    [Fact]
    public async Task Failed_deliveries_are_retried_until_the_receiver_recovers()
    {
        var url = R.NewEndpoint(WebhookReceiver.Handshake.Echo, 500, 503, 429);
        await SubscribeAsync(url, Customers());
        var (id, _) = await NewCustomerAsync(f.Http);
        var items = await R.WaitForAsync(url, i => i.Count > 0);
        Assert.Contains(items, i => i.Str("resource").EndsWith("(" + id + ")", StringComparison.Ordinal));
        Assert.True(R.Attempts(url) >= 4, $"attempts: {R.Attempts(url)}");
    }

    [Fact]
    public async Task A_subscription_whose_deliveries_keep_failing_is_deleted_after_the_last_retry()
    {
        var url = R.NewEndpoint(WebhookReceiver.Handshake.Echo, Enumerable.Repeat(500, 50).ToArray());
        var sub = await SubscribeAsync(url, Customers());
        await NewCustomerAsync(f.Http);
        await WaitGoneAsync(sub.Str("subscriptionId"));
        // The first send and five retries.
        Assert.Equal(6, R.Attempts(url));
    }

    [Fact]
    public async Task Gone_drops_every_subscription_on_the_url_at_once()
    {
        var url = R.NewEndpoint(WebhookReceiver.Handshake.Echo, 410);
        var first = await SubscribeAsync(url, Customers());
        var second = await SubscribeAsync(url, $"api/v2.0/companies({ServiceFixture.Company})/salesInvoices");
        await NewCustomerAsync(f.Http);
        await WaitGoneAsync(first.Str("subscriptionId"));
        await WaitGoneAsync(second.Str("subscriptionId"));
        Assert.Equal(1, R.Attempts(url));
    }

    [Fact]
    public async Task Renew_and_delete_need_a_current_if_match()
    {
        var url = R.NewEndpoint();
        var created = await f.SubscribeAsync(url, Customers());
        var id = created.Body.Str("subscriptionId");
        var etag = Expect.ETag(created);
        var path = $"{ServiceFixture.V2}subscriptions('{id}')";

        Expect.Error(await f.Http.Patch(path, new { clientState = "new" }, null), 400, "BadRequest_InvalidToken");
        Expect.Error(await f.Http.Patch(path, new { clientState = "new" }, "W/\"999\""), 409, "Request_EntityChanged");
        var renewed = await f.Http.Patch(path, new { clientState = "new" }, etag);
        Expect.Status(renewed, 200);
        Assert.Equal(2, R.Handshakes(url));
        Assert.Equal("new", renewed.Body.Str("clientState"));
        var newTag = Expect.ETag(renewed);
        Assert.NotEqual(etag, newTag);
        Assert.True(string.CompareOrdinal(renewed.Body.Str("expirationDateTime"), created.Body.Str("expirationDateTime")) >= 0);
        Expect.Error(await f.Http.Patch(path, new { resource = Customers(SecondCompany.Id) }, newTag), 400, "BadRequest");

        // A renewal whose handshake fails changes nothing.
        var failing = R.NewEndpoint(WebhookReceiver.Handshake.WrongToken);
        Expect.Error(await f.Http.Patch(path, new { notificationUrl = failing }, newTag), 400, "BadRequest_SubscriptionValidationFailed");
        Assert.Equal(url, (await f.Http.Get(path)).Body.Str("notificationUrl"));

        Expect.Error(await f.Http.Delete(path), 400, "BadRequest_InvalidToken");
        Expect.Error(await f.Http.Delete(path, etag), 409, "Request_EntityChanged");
        Expect.Status(await f.Http.Delete(path, newTag), 204);
        Expect.Error(await f.Http.Get(path), 404, "Internal_RecordNotFound");
    }

    [Fact]
    public async Task A_subscription_sees_only_its_own_company()
    {
        var urlA = R.NewEndpoint();
        var urlB = R.NewEndpoint();
        await SubscribeAsync(urlA, Customers());
        await SubscribeAsync(urlB, Customers(SecondCompany.Id));
        var (id, _) = await NewCustomerAsync(f.Http);
        await R.WaitForAsync(urlA, i => i.Any(x => x.Str("resource").EndsWith("(" + id + ")", StringComparison.Ordinal)));
        // A change in the second company reaches its own subscription only, after the first company's.
        var (s, b, _) = await f.Http.Post($"{ServiceFixture.CompanyPath(company: SecondCompany.Id)}/customers", new { number = Make.Code("B"), displayName = "B" });
        Assert.True(s == 201, b?.ToJsonString());
        var itemsB = await R.WaitForAsync(urlB, i => i.Count > 0);
        Assert.All(itemsB, i => Assert.Contains(SecondCompany.Id, i.Str("resource")));
        Assert.DoesNotContain(R.Items(urlA), i => i.Str("resource").Contains(SecondCompany.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Subscriptions_are_in_the_metadata_of_v2_and_of_every_api_group()
    {
        foreach (var root in new[] { ServiceFixture.V2, ServiceFixture.Ledger, ServiceFixture.Posting })
        {
            var resp = await f.Http.GetAsync(root + "$metadata");
            var xml = await resp.Content.ReadAsStringAsync();
            Assert.Contains("<EntitySet Name=\"subscriptions\" EntityType=\"Microsoft.NAV.subscription\"", xml);
            Assert.Contains("<Property Name=\"clientState\" Type=\"Edm.String\" Nullable=\"false\" MaxLength=\"2048\"", xml);
        }
        Expect.Status(await f.Http.Get(ServiceFixture.Ledger + "subscriptions"), 200);
        Expect.Status(await f.Http.Get(ServiceFixture.Graph + "subscriptions"), 404);
    }

    [Fact]
    public async Task Notifications_left_by_subscriptions_that_no_longer_exist_are_purged_and_a_live_one_keeps_its_own()
    {
        // A live subscription with a notification still in its window, beside rows of two subscriptions that are gone
        // (as a change can leave when its subscription is deleted at the same moment).
        var url = R.NewEndpoint(WebhookReceiver.Handshake.Echo);
        var sub = (await SubscribeAsync(url, Customers())).Str("subscriptionId");
        var far = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        await f.WithDb(async db =>
        {
            foreach (var owner in new[] { "00000000-dead-4000-8000-000000000001", "ffffffff-dead-4000-8000-000000000002", sub })
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO webhook_outbox (subscription_id, resource, change_type, last_modified, created_at) VALUES ({0}, 'x', 'updated', {1}, {1})",
                    owner, far);
            return 0;
        });
        var until = DateTime.UtcNow.AddSeconds(30);
        while (await OutboxCountAsync(sub, mine: false) > 0)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the orphaned notifications were not purged");
            await Task.Delay(100);
        }
        Assert.Equal(1, await OutboxCountAsync(sub, mine: true));
    }

    /// <summary>The outbox rows of the subscription, or of every other one.</summary>
    private Task<int> OutboxCountAsync(string subscription, bool mine) => f.WithDb(db => mine
        ? db.Database.SqlQuery<int>($"SELECT CAST(COUNT(*) AS INTEGER) AS \"Value\" FROM webhook_outbox WHERE subscription_id = {subscription}").SingleAsync()
        : db.Database.SqlQuery<int>($"SELECT CAST(COUNT(*) AS INTEGER) AS \"Value\" FROM webhook_outbox WHERE subscription_id <> {subscription}").SingleAsync());

    private async Task WaitGoneAsync(string id)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while ((await f.Http.Get($"{ServiceFixture.V2}subscriptions('{id}')")).Status != 404)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"subscription {id} was not deleted");
            await Task.Delay(50);
        }
    }
}
