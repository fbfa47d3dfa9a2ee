using Microsoft.Extensions.Logging;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace PaymentJournal.Tests.Security;

/// <summary>The JwtBearer handler runs once per request, only when the front door asks, and a token never reaches the log.</summary>
public sealed class JwtHandlerTests(TracedJwtFixture f) : IClassFixture<TracedJwtFixture>
{
    private const string Validated = "Successfully validated the token";

    private int ValidatedCount() => f.Logs.Entries.Count(e => e.Contains(Validated, StringComparison.Ordinal));

    [Fact]
    public async Task A_request_validates_its_token_once_and_a_health_probe_not_at_all()
    {
        using var c = f.Bearer(JwtFixture.Mint(f.Hs256, JwtFixture.Claims("Financials.Read.All", ServiceFixture.Company)));
        var before = ValidatedCount();
        Assert.Equal(200, (await c.Get(ServiceFixture.V2 + "companies")).Status);
        Assert.Equal(before + 1, ValidatedCount());
        Assert.Equal(200, (int)(await c.GetAsync("/health/live")).StatusCode);
        Assert.Equal(before + 1, ValidatedCount());
    }

    [Fact]
    public async Task The_handlers_own_log_lines_hold_no_token()
    {
        var now = DateTime.UtcNow;
        var claims = JwtFixture.Claims("Financials.ReadWrite.All", ServiceFixture.Company);
        var tokens = new[]
        {
            JwtFixture.Mint(f.Hs256, claims),
            JwtFixture.Mint(f.Hs256, claims, notBefore: now.AddHours(-2), expires: now.AddHours(-1)),
            JwtFixture.Mint(f.Hs256, claims, audience: "someone-else"),
            JwtFixture.Mint(f.Hs256, claims, issuer: "https://evil.example/"),
            JwtFixture.Mint(new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256), claims),
        };
        foreach (var token in tokens)
        {
            using var c = f.Bearer(token);
            await c.Get(ServiceFixture.CompanyPath() + "/customers");
        }
        // The handler did log: its failures are there, by type.
        Assert.Contains(f.Logs.Entries, e => e.Contains("JwtBearer", StringComparison.Ordinal) && e.Contains("SecurityTokenExpiredException", StringComparison.Ordinal));
        foreach (var token in tokens)
        {
            var parts = token.Split('.');
            foreach (var part in new[] { parts[1], parts[2], Convert.ToBase64String(f.Secret) })
            {
                var hit = f.Logs.Entries.FirstOrDefault(e => e.Contains(part, StringComparison.Ordinal));
                Assert.True(hit is null, $"a token or key is in the log: {hit}");
            }
        }
    }
}

/// <summary>Key and certificate files that cannot be used stop the start with a message naming the setting and the file.</summary>
public sealed class JwtKeyFileStartupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pj-jwt-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static WebApplication Build(params (string Key, string Value)[] settings) =>
        App.Build([], b => b.Configuration.AddInMemoryCollection(
            new (string Key, string Value)[] { ("Auth:Mode", "Jwt"), ("Auth:Jwt:Issuer", "https://issuer.example"), ("Auth:Jwt:Audience", "paymentjournal") }
                .Concat(settings).Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))));

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static TheoryData<string> FileSettings => ["Auth:Jwt:SigningKeys:0:PublicKeyFile", "Auth:Jwt:SigningKeys:0:CertificateFile", "Auth:Jwt:JwksFile"];

    [Theory]
    [MemberData(nameof(FileSettings))]
    public void A_missing_file_stops_the_start(string setting)
    {
        var missing = Path.Combine(_dir, "nowhere.pem");
        var e = Assert.Throws<InvalidOperationException>(() => Build((setting, missing)));
        Assert.StartsWith("Auth:", e.Message);
        Assert.Contains(setting, e.Message);
        Assert.Contains(missing, e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Theory]
    [MemberData(nameof(FileSettings))]
    public void A_folder_instead_of_a_file_stops_the_start(string setting)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Build((setting, _dir)));
        Assert.Contains(setting, e.Message);
        Assert.Contains("is a folder", e.Message);
    }

    [Theory]
    [InlineData("Auth:Jwt:SigningKeys:0:PublicKeyFile", "not a PEM public key")]
    [InlineData("Auth:Jwt:SigningKeys:0:CertificateFile", "not an X.509 certificate")]
    [InlineData("Auth:Jwt:JwksFile", "not a JSON Web Key Set")]
    public void A_file_that_holds_something_else_stops_the_start(string setting, string expected)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Build((setting, Write("garbage.txt", "this is not key material"))));
        Assert.Contains(setting, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task A_certificate_as_PEM_or_DER_file_or_inline_PEM_builds()
    {
        using var rsa = RSA.Create(2048);
        using var cert = new CertificateRequest("CN=issuer.example", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var der = Path.Combine(_dir, "signer.cer");
        File.WriteAllBytes(der, cert.Export(X509ContentType.Cert));
        var pem = Write("signer.crt", cert.ExportCertificatePem());
        await using var app = Build(("Auth:Jwt:SigningKeys:0:CertificateFile", der), ("Auth:Jwt:SigningKeys:1:CertificateFile", pem),
            ("Auth:Jwt:SigningKeys:2:PublicKeyPem", cert.ExportCertificatePem()));
        Assert.NotNull(app);
    }
}

public sealed class CertificateJwtTests(CertificateJwtFixture f) : IClassFixture<CertificateJwtFixture>
{
    [Fact]
    public async Task A_token_signed_with_the_certificates_key_is_accepted_under_its_kid()
    {
        var claims = JwtFixture.Claims("Financials.Read.All", ServiceFixture.Company);
        using var good = f.Bearer(JwtFixture.Mint(new SigningCredentials(new RsaSecurityKey(f.CertKey) { KeyId = "cert-1" }, SecurityAlgorithms.RsaSha256), claims));
        Assert.Equal(200, (await good.Get(ServiceFixture.V2 + "companies")).Status);
        using var wrongKid = f.Bearer(JwtFixture.Mint(new SigningCredentials(new RsaSecurityKey(f.CertKey) { KeyId = "cert-2" }, SecurityAlgorithms.RsaSha256), claims));
        Assert.Equal(401, (await wrongKid.Get(ServiceFixture.V2 + "companies")).Status);
    }
}
