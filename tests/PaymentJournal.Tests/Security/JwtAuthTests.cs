using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace PaymentJournal.Tests.Security;

public sealed class JwtAuthTests(JwtFixture f) : IClassFixture<JwtFixture>
{
    private const string A = ServiceFixture.Company;
    private static readonly string Customers = ServiceFixture.CompanyPath() + "/customers";

    private async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Get(string token, string url)
    {
        using var c = f.Bearer(token);
        return await c.Get(url);
    }

    private async Task<int> CreateContact(string token)
    {
        using var c = f.Bearer(token);
        return (await c.Post(ServiceFixture.CompanyPath() + "/contacts", new { displayName = "From a token" })).Status;
    }

    [Fact]
    public async Task Each_trusted_key_is_accepted()
    {
        foreach (var credentials in new[] { f.Hs256, f.Rs256, f.Es256 })
            Assert.Equal(200, (await Get(JwtFixture.Mint(credentials, JwtFixture.Claims("Financials.ReadWrite.All", A)), Customers)).Status);
    }

    [Theory]
    [InlineData("Financials.ReadWrite.All", 201)]
    [InlineData("API.ReadWrite.All", 201)]
    [InlineData("user_impersonation Financials.ReadWrite.All", 201)]
    [InlineData("Financials.Read.All", 403)]
    [InlineData("API.Read.All", 403)]
    public async Task Scopes_decide_between_read_and_read_write(string scopes, int writeStatus)
    {
        var token = JwtFixture.Mint(f.Hs256, JwtFixture.Claims(scopes, A));
        Assert.Equal(200, (await Get(token, Customers)).Status);
        Assert.Equal(writeStatus, await CreateContact(token));
    }

    [Fact]
    public async Task Application_roles_work_like_scopes()
    {
        var claims = new Dictionary<string, object> { ["roles"] = new[] { "API.ReadWrite.All" }, ["azp"] = "daemon-app", ["companies"] = new[] { A } };
        Assert.Equal(201, await CreateContact(JwtFixture.Mint(f.Rs256, claims)));
    }

    [Fact]
    public async Task A_valid_token_without_a_known_scope_is_403()
    {
        var r = await Get(JwtFixture.Mint(f.Hs256, JwtFixture.Claims("openid profile", A)), Customers);
        Assert.Equal(403, r.Status);
        Assert.Equal("Authorization_Forbidden", r.Body.ErrorCode());
    }

    [Fact]
    public async Task A_valid_token_without_companies_is_403()
    {
        var claims = JwtFixture.Claims("Financials.ReadWrite.All");
        var r = await Get(JwtFixture.Mint(f.Hs256, claims), Customers);
        Assert.Equal(403, r.Status);
        Assert.Equal("Authorization_Forbidden", r.Body.ErrorCode());
    }

    [Fact]
    public async Task The_companies_claim_isolates_and_star_opens_all()
    {
        var onlyB = JwtFixture.Mint(f.Hs256, JwtFixture.Claims("Financials.ReadWrite.All", SecondCompany.Id));
        Assert.Equal(404, (await Get(onlyB, Customers)).Status);
        var companies = await Get(onlyB, ServiceFixture.Graph + "companies");
        Assert.Equal([SecondCompany.Id], companies.Body!["value"]!.AsArray().Select(c => c.Str("id")));
        var all = JwtFixture.Mint(f.Hs256, JwtFixture.Claims("Financials.Read.All", "*"));
        Assert.Equal(2, (await Get(all, ServiceFixture.V2 + "companies")).Body!["value"]!.AsArray().Count);
        // A space-separated string works as well as an array.
        var spaced = JwtFixture.Mint(f.Hs256, new Dictionary<string, object> { ["scp"] = "Financials.Read.All", ["companies"] = $"{A} {SecondCompany.Id}" });
        Assert.Equal(2, (await Get(spaced, ServiceFixture.V2 + "companies")).Body!["value"]!.AsArray().Count);
    }

    public static TheoryData<string, string> BadTokens()
    {
        var claims = JwtFixture.Claims("Financials.ReadWrite.All", A);
        using var otherRsa = RSA.Create(2048);
        var untrusted = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256);
        var untrustedRsa = new SigningCredentials(new RsaSecurityKey(otherRsa.ExportParameters(true)), SecurityAlgorithms.RsaSha256);
        var good = JwtFixture.Mint(untrusted, claims);
        var parts = good.Split('.');
        string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]));
        return new TheoryData<string, string>
        {
            { "untrusted secret", good },
            { "untrusted RSA key", JwtFixture.Mint(untrustedRsa, claims) },
            { "alg none", B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + "." },
            { "unsigned", JwtFixture.Mint(null, claims) },
            { "garbage", "not-a-token" },
            { "three dots", "a.b.c" },
            { "empty signature", parts[0] + "." + parts[1] + "." },
            { "tampered payload", parts[0] + "." + B64(payload.Replace("Financials", "Xinancials")) + "." + parts[2] },
        };
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_401_with_a_bearer_challenge(string what, string token)
    {
        var r = await Get(token, Customers);
        Assert.True(r.Status == 401, $"{what}: {r.Status}");
        Assert.Equal("Authentication_InvalidCredentials", r.Body.ErrorCode());
        Assert.StartsWith("Bearer", r.Response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Issuer_audience_and_lifetime_are_checked()
    {
        var claims = JwtFixture.Claims("Financials.ReadWrite.All", A);
        var now = DateTime.UtcNow;
        Assert.Equal(401, (await Get(JwtFixture.Mint(f.Hs256, claims, issuer: "https://evil.example/"), Customers)).Status);
        Assert.Equal(401, (await Get(JwtFixture.Mint(f.Hs256, claims, audience: "https://graph.microsoft.com"), Customers)).Status);
        Assert.Equal(401, (await Get(JwtFixture.Mint(f.Hs256, claims, notBefore: now.AddHours(-2), expires: now.AddMinutes(-5)), Customers)).Status);
        Assert.Equal(401, (await Get(JwtFixture.Mint(f.Hs256, claims, notBefore: now.AddMinutes(10), expires: now.AddHours(1)), Customers)).Status);
        var expired = await Get(JwtFixture.Mint(f.Hs256, claims, notBefore: now.AddHours(-2), expires: now.AddMinutes(-5)), Customers);
        Assert.Contains("invalid_token", expired.Response.Headers.WwwAuthenticate.ToString());
        Assert.Contains("expired", expired.Body!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_token_without_expiry_is_401()
    {
        var descriptor = new SecurityTokenDescriptor { Issuer = JwtFixture.Issuer, Audience = JwtFixture.Audience, Claims = JwtFixture.Claims("Financials.ReadWrite.All", A), SigningCredentials = f.Hs256 };
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
        Assert.Equal(401, (await Get(token, Customers)).Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task A_missing_bearer_token_is_401(string? header)
    {
        using var c = new HttpClient { BaseAddress = f.BaseAddress };
        if (header is not null) c.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        var r = await c.Get(Customers);
        Assert.Equal(401, r.Status);
        Assert.StartsWith("Bearer", r.Response.Headers.WwwAuthenticate.ToString());
    }
}
