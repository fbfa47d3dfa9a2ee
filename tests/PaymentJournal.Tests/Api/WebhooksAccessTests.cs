namespace PaymentJournal.Tests.Api;

/// <summary>A credential limited to some companies can subscribe to those only, and sees only their subscriptions.</summary>
public sealed class WebhooksAccessTests(WebhookApiKeyFixture f) : IClassFixture<WebhookApiKeyFixture>
{
    private static object Body(string url, string company) =>
        new { notificationUrl = url, resource = $"api/v2.0/companies({company})/customers", clientState = "s" };

    private HttpClient As(string key)
    {
        var http = f.Anonymous();
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    [Fact]
    public async Task A_credential_cannot_subscribe_to_another_company_nor_see_its_subscriptions()
    {
        var url = f.Receiver.NewEndpoint();
        // Writer A is limited to the demo company.
        Expect.Error(await f.Http.Post(ServiceFixture.V2 + "subscriptions", Body(url, SecondCompany.Id)), 404, "Internal_RecordNotFound");
        Assert.Equal(0, f.Receiver.Handshakes(url));

        using var adminHttp = As(ApiKeyFixture.Admin);
        var admin = await adminHttp.Post(ServiceFixture.V2 + "subscriptions", Body(url, SecondCompany.Id));
        Expect.Status(admin, 201);
        var id = admin.Body.Str("subscriptionId");
        var mine = await f.Http.Get(ServiceFixture.V2 + "subscriptions");
        Expect.Status(mine, 200);
        Assert.DoesNotContain(mine.Body!["value"]!.AsArray(), s => s!.Str("subscriptionId") == id);
        Expect.Error(await f.Http.Get($"{ServiceFixture.V2}subscriptions('{id}')"), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Send(HttpMethod.Delete, $"{ServiceFixture.V2}subscriptions('{id}')", ifMatch: "*"), 404, "Internal_RecordNotFound");

        // A read-only credential cannot subscribe.
        using var reader = As(ApiKeyFixture.ReaderA);
        Expect.Error(await reader.Post(ServiceFixture.V2 + "subscriptions", Body(url, ServiceFixture.Company)), 403, "Authorization_Forbidden");
    }
}
