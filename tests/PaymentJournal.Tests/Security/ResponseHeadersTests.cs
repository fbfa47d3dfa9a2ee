using System.Text;

namespace PaymentJournal.Tests.Security;

/// <summary>Every answer says nosniff and no-store, successes and errors alike; none names the server.</summary>
public sealed class ResponseHeadersTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    [Fact]
    public async Task Every_kind_of_answer_carries_nosniff_and_no_store()
    {
        using var anonymous = f.Anonymous();
        using var batch = new StringContent("{\"requests\":[{\"id\":\"1\",\"method\":\"GET\",\"url\":\"companies\"}]}", Encoding.UTF8, "application/json");
        var answers = new List<(string What, HttpResponseMessage Response)>
        {
            ("GET 200", (await f.Http.Get(ServiceFixture.CompanyPath() + "/customers")).Response),
            ("POST 201", (await f.Http.Post(ServiceFixture.CompanyPath() + "/contacts", new { displayName = "Headers" })).Response),
            ("$metadata", (await f.Http.Get(ServiceFixture.V2 + "$metadata")).Response),
            ("$batch", await f.Http.PostAsync(ServiceFixture.V2 + "$batch", batch)),
            ("401", (await anonymous.Get(ServiceFixture.V2 + "companies")).Response),
            ("404", (await f.Http.Get(ServiceFixture.CompanyPath(company: SecondCompany.Id) + "/customers")).Response),
            ("400", (await f.Http.Get("/v2.0/caf%C3%A9/production/api/v2.0/companies")).Response),
            ("405", (await f.Http.Send(HttpMethod.Put, ServiceFixture.V2 + "companies")).Response),
            ("health", (await anonymous.Get("/health")).Response),
        };
        foreach (var (what, r) in answers)
        {
            Assert.True(r.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) && nosniff.Single() == "nosniff", what);
            Assert.True(r.Headers.CacheControl?.NoStore == true, what + ": " + r.Headers.CacheControl);
            Assert.False(r.Headers.Contains("Server"), what);
        }
    }
}
