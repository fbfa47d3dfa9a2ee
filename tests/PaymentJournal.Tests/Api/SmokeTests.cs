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

public sealed class NotFoundTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Theory]
    [InlineData("/api/v2.0/companies(00000000-0000-4000-8000-000000000009)/customers")]
    [InlineData("/api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/customerPaymentJournals(00000000-0000-4000-8000-000000000009)/customerPayments")]
    [InlineData("/api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/customerPaymentJournals(00000000-0000-4000-8000-000000000009)/customerPayments/$count")]
    [InlineData("/api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/customerPaymentJournals(00000000-0000-4000-8000-000000000009)/customerPayments(00000000-0000-4000-8000-000000000009)")]
    [InlineData("/beta/financials/companies/c0000000-0000-4000-8000-000000000001/customerPaymentJournals/00000000-0000-4000-8000-000000000009/customerPayments")]
    public async Task An_unknown_parent_or_entity_is_a_404_even_when_its_parent_is_not_loaded(string url)
    {
        var (status, body, _) = await f.Http.Get(url);
        Assert.Equal(404, status);
        Assert.Equal("Internal_RecordNotFound", body.ErrorCode());
    }

    [Fact]
    public async Task A_payment_is_not_found_under_another_journal()
    {
        var (s1, journal, _) = await f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = "NF-1" });
        Assert.Equal(201, s1);
        var (s2, payment, _) = await f.Http.Post(ServiceFixture.PaymentsPath(), new { customerNumber = "C00001", amount = -1 });
        Assert.Equal(201, s2);
        var (s3, body, _) = await f.Http.Get($"{ServiceFixture.CompanyPath()}/customerPaymentJournals({journal.Str("id")})/customerPayments({payment.Str("id")})");
        Assert.Equal(404, s3);
        Assert.Contains("customerPayment", body!["error"]!.Str("message"));
        var (s4, _, _) = await f.Http.Get($"{ServiceFixture.CompanyPath()}/customerPaymentJournals({journal.Str("id")})/customerPayments");
        Assert.Equal(200, s4);
    }
}
