using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// The service in Jwt mode trusting three keys: a shared secret (HS256), an RSA public key given as PEM (RS256) and
/// an EC key from a JWKS file (ES256); and the means to mint tokens with them, or with keys it does not trust.
/// </summary>
public class JwtFixture : ServiceFixture
{
    public const string Issuer = "https://login.example.test/tenant-1/v2.0";
    public const string Audience = "https://api.businesscentral.dynamics.com";

    public readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);
    public readonly RSA Rsa = RSA.Create(2048);
    public readonly ECDsa Ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private string JwksPath => Path.Combine(Directory, "jwks.json");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Auth:Mode", "Jwt"),
        new("Auth:Jwt:Issuer", Issuer),
        new("Auth:Jwt:Audience", Audience),
        new("Auth:Jwt:SigningKeys:0:Secret", Convert.ToBase64String(Secret)),
        new("Auth:Jwt:SigningKeys:1:PublicKeyPem", Rsa.ExportSubjectPublicKeyInfoPem()),
        new("Auth:Jwt:JwksFile", JwksPath),
        new("Auth:Jwt:ClockSkewSeconds", "0"),
        .. FailureLimitSettings,
        .. ExtraSettings,
    ];

    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    /// <summary>
    /// Most tests send many refused credentials from one address on purpose, so the failed-authentication limit is
    /// raised here; FailedAuthLimitTests override this to run with the default.
    /// </summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> FailureLimitSettings => [new("Auth:FailureLimit:Attempts", "1000000")];

    public override async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var q = Ec.ExportParameters(false).Q;
        await File.WriteAllTextAsync(JwksPath, $$"""
            {"keys":[{"kty":"EC","crv":"P-256","use":"sig","alg":"ES256","kid":"ec-1","x":"{{Base64UrlEncoder.Encode(q.X)}}","y":"{{Base64UrlEncoder.Encode(q.Y)}}"}]}
            """);
        await base.InitializeAsync();
        await WithDb(async db => { await SecondCompany.SeedAsync(db); return 0; });
    }

    public SigningCredentials Hs256 => new(new SymmetricSecurityKey(Secret), SecurityAlgorithms.HmacSha256);
    public SigningCredentials Rs256 => new(new RsaSecurityKey(Rsa), SecurityAlgorithms.RsaSha256);
    public SigningCredentials Es256 => new(new ECDsaSecurityKey(Ec) { KeyId = "ec-1" }, SecurityAlgorithms.EcdsaSha256);

    public static string Mint(SigningCredentials? credentials, Dictionary<string, object> claims, string issuer = Issuer, string audience = Audience,
        DateTime? expires = null, DateTime? notBefore = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer, Audience = audience, IssuedAt = now.AddMinutes(-1), NotBefore = notBefore ?? now.AddMinutes(-1),
            Expires = expires ?? now.AddMinutes(30), Claims = claims, SigningCredentials = credentials,
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public static Dictionary<string, object> Claims(string scopes, params string[] companies) => new()
    {
        ["scp"] = scopes, ["oid"] = "00000000-0000-0000-0000-00000000beef", ["companies"] = companies,
    };

    public HttpClient Bearer(string token)
    {
        var c = new HttpClient { BaseAddress = BaseAddress };
        c.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return c;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Rsa.Dispose();
        Ec.Dispose();
    }
}
