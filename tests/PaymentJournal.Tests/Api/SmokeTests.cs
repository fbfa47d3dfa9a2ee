namespace PaymentJournal.Tests.Api;

public sealed class SmokeTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Health_and_demo_company_answer()
    {
        var (status, _, resp) = await f.Http.Get("/health");
        Assert.Equal(200, status);
        Assert.Equal("Healthy", await resp.Content.ReadAsStringAsync());
        var (s2, body, _) = await f.Http.Get(ServiceFixture.V2 + "companies");
        Assert.Equal(200, s2);
        Assert.Equal(ServiceFixture.Company, body!["value"]![0]!.Str("id"));
    }
}
