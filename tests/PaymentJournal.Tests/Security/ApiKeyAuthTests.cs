using System.Net.Http.Headers;
using System.Text;

namespace PaymentJournal.Tests.Security;

public sealed class ApiKeyAuthTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    private static void AssertErrorBody(int expectedStatus, string expectedCode, (int Status, JsonNode? Body, HttpResponseMessage Response) r)
    {
        Assert.Equal(expectedStatus, r.Status);
        Assert.Equal(expectedCode, r.Body.ErrorCode());
        Assert.Contains("CorrelationId", r.Body!["error"]!["message"]!.GetValue<string>());
        Assert.True(r.Response.Headers.Contains("ms-correlation-x"));
    }

    [Theory]
    [InlineData(ServiceFixture.V2 + "companies")]
    [InlineData(ServiceFixture.Graph + "companies")]
    [InlineData("/v2.0/tenant/production/api/v2.0/companies")]
    [InlineData(ServiceFixture.V2 + "$metadata")]
    [InlineData(ServiceFixture.V2)]
    [InlineData("/no/such/route")]
    public async Task No_credential_is_401_with_a_challenge_and_the_error_body(string url)
    {
        using var anonymous = f.Anonymous();
        var r = await anonymous.Get(url);
        AssertErrorBody(401, "Authentication_InvalidCredentials", r);
        Assert.Contains("Basic", r.Response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData(ApiKeyFixture.WriterA + "x")]
    [InlineData(" ")]
    public async Task A_wrong_key_is_401(string key)
    {
        using var client = f.With(key);
        AssertErrorBody(401, "Authentication_InvalidCredentials", await client.Get(ServiceFixture.V2 + "companies"));
    }

    [Fact]
    public async Task A_hash_sent_as_the_key_is_401()
    {
        using var client = f.With(ApiKeyFixture.Sha256Hex(ApiKeyFixture.ReaderA));
        Assert.Equal(401, (await client.Get(ServiceFixture.V2 + "companies")).Status);
    }

    [Fact]
    public async Task A_key_sees_only_its_companies()
    {
        async Task<string[]> Ids(string key, string surface)
        {
            using var client = f.With(key);
            var (status, body, _) = await client.Get(surface + "companies");
            Assert.Equal(200, status);
            return body!["value"]!.AsArray().Select(c => c.Str("id")).Order().ToArray();
        }
        foreach (var surface in new[] { ServiceFixture.V2, ServiceFixture.Graph })
        {
            Assert.Equal([ServiceFixture.Company], await Ids(ApiKeyFixture.WriterA, surface));
            Assert.Equal([ServiceFixture.Company], await Ids(ApiKeyFixture.ReaderA, surface));
            Assert.Equal([SecondCompany.Id], await Ids(ApiKeyFixture.WriterB, surface));
            Assert.Equal(new[] { ServiceFixture.Company, SecondCompany.Id }.Order().ToArray(), await Ids(ApiKeyFixture.Admin, surface));
        }
    }

    [Theory]
    [InlineData("anyone")]
    [InlineData("")]
    public async Task The_key_works_as_the_password_of_basic_auth(string user)
    {
        using var client = f.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + ApiKeyFixture.WriterA)));
        Assert.Equal(200, (await client.Get(ServiceFixture.CompanyPath() + "/customers")).Status);
    }

    [Theory]
    [InlineData("Basic " + "d3Jvbmc6cGFzc3dvcmQ=")] // wrong:password
    [InlineData("Basic !!!notbase64")]
    [InlineData("Basic ")]
    [InlineData("Bearer abc.def.ghi")]
    [InlineData("Digest username=x")]
    public async Task A_bad_authorization_header_is_401(string header)
    {
        using var client = f.Anonymous();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        AssertErrorBody(401, "Authentication_InvalidCredentials", await client.Get(ServiceFixture.V2 + "companies"));
    }

    [Fact]
    public async Task Two_keys_in_one_request_are_401()
    {
        using var client = f.Anonymous();
        using var req = new HttpRequestMessage(HttpMethod.Get, ServiceFixture.V2 + "companies");
        req.Headers.TryAddWithoutValidation("X-Api-Key", [ApiKeyFixture.WriterA, ApiKeyFixture.Admin]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(req)).StatusCode);
    }

    [Fact]
    public async Task A_read_key_cannot_write_and_gets_403_with_nothing_changed()
    {
        using var reader = f.With(ApiKeyFixture.ReaderA);
        var before = await f.WithDb(db => Task.FromResult(db.Customers.Count()));
        var create = await reader.Post(ServiceFixture.CompanyPath() + "/customers", new { displayName = "Not allowed" });
        AssertErrorBody(403, "Authorization_Forbidden", create);
        var customer = ServiceFixture.CompanyPath() + "/customers(" + Data.DemoSeed.CustomerId(1) + ")";
        AssertErrorBody(403, "Authorization_Forbidden", await reader.Patch(customer, new { displayName = "Renamed" }, "*"));
        AssertErrorBody(403, "Authorization_Forbidden", await reader.Delete(customer, "*"));
        AssertErrorBody(403, "Authorization_Forbidden",
            await reader.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals(" + ServiceFixture.General + ")/Microsoft.NAV.post", null));
        Assert.Equal(200, (await reader.Get(customer)).Status);
        Assert.Equal(before, await f.WithDb(db => Task.FromResult(db.Customers.Count())));
    }

    [Fact]
    public async Task A_write_key_writes()
    {
        var r = await f.Http.Post(ServiceFixture.CompanyPath() + "/contacts", new { displayName = "Written with a key" });
        Assert.Equal(201, r.Status);
    }

    [Fact]
    public async Task Health_is_open_and_says_nothing_else()
    {
        using var anonymous = f.Anonymous();
        var resp = await anonymous.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("Healthy", await resp.Content.ReadAsStringAsync());
        Assert.False(resp.Headers.Contains("Server"));
        Assert.False(resp.Headers.Contains("X-Powered-By"));
    }
}
