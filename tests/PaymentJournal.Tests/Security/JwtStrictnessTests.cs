using Microsoft.IdentityModel.Tokens;

namespace PaymentJournal.Tests.Security;

/// <summary>A token is checked against the key its kid names, and its audience must be the configured one exactly.</summary>
public sealed class JwtStrictnessTests(JwtFixture f) : IClassFixture<JwtFixture>
{
    private static readonly string Companies = ServiceFixture.V2 + "companies";
    private static Dictionary<string, object> Claims => JwtFixture.Claims("Financials.ReadWrite.All", ServiceFixture.Company);

    private async Task<int> StatusOf(string token)
    {
        using var c = f.Bearer(token);
        return (await c.Get(Companies)).Status;
    }

    [Fact]
    public async Task A_kid_that_names_no_configured_key_is_401_even_when_a_configured_key_signed_it()
    {
        // The right key material under kids the service does not know.
        Assert.Equal(401, await StatusOf(JwtFixture.Mint(new SigningCredentials(new ECDsaSecurityKey(f.Ec) { KeyId = "ec-2" }, SecurityAlgorithms.EcdsaSha256), Claims)));
        Assert.Equal(401, await StatusOf(JwtFixture.Mint(new SigningCredentials(new SymmetricSecurityKey(f.Secret) { KeyId = "unknown" }, SecurityAlgorithms.HmacSha256), Claims)));
        Assert.Equal(401, await StatusOf(JwtFixture.Mint(new SigningCredentials(new RsaSecurityKey(f.Rsa) { KeyId = "ec-1" }, SecurityAlgorithms.RsaSha256), Claims)));
        // The same keys without a kid, or with their own, are accepted.
        Assert.Equal(200, await StatusOf(JwtFixture.Mint(f.Es256, Claims)));
        Assert.Equal(200, await StatusOf(JwtFixture.Mint(f.Hs256, Claims)));
        Assert.Equal(200, await StatusOf(JwtFixture.Mint(f.Rs256, Claims)));
    }

    [Theory]
    [InlineData(JwtFixture.Audience + "/")]
    [InlineData("HTTPS://API.BUSINESSCENTRAL.DYNAMICS.COM")]
    [InlineData(JwtFixture.Audience + " ")]
    [InlineData("https://api.businesscentral.dynamics.com.evil.example")]
    public async Task The_audience_must_match_exactly(string audience)
    {
        Assert.Equal(401, await StatusOf(JwtFixture.Mint(f.Hs256, Claims, audience: audience)));
        Assert.Equal(200, await StatusOf(JwtFixture.Mint(f.Hs256, Claims, audience: JwtFixture.Audience)));
    }
}
