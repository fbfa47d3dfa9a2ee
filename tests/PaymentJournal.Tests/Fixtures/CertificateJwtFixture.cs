using Microsoft.Extensions.Logging;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>A token signed by a certificate's key is accepted when the certificate is configured.</summary>
public sealed class CertificateJwtFixture : JwtFixture
{
    public readonly RSA CertKey = RSA.Create(2048);
    private string CertPath => Path.Combine(Directory, "signer.cer");

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Auth:Jwt:SigningKeys:2:CertificateFile", CertPath), new("Auth:Jwt:SigningKeys:2:KeyId", "cert-1")];

    public override async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var cert = new CertificateRequest("CN=issuer.example", CertKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await File.WriteAllBytesAsync(CertPath, cert.Export(X509ContentType.Cert));
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        CertKey.Dispose();
    }
}
