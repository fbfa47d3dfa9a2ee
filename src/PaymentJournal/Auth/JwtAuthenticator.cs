using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PaymentJournal.OData;

namespace PaymentJournal.Auth;

/// <summary>Signing keys of Auth:Jwt: shared secrets, PEM public keys (RSA or EC) and a JWKS file.</summary>
internal static class JwtKeys
{
    public static List<SecurityKey> Read(IConfigurationSection section)
    {
        var keys = new List<SecurityKey>();
        foreach (var entry in section.GetSection("SigningKeys").GetChildren())
        {
            var where = $"Auth:Jwt:SigningKeys:{entry.Key}";
            SecurityKey key;
            if (entry["Secret"] is { Length: > 0 } secret)
            {
                byte[] bytes;
                try { bytes = Convert.FromBase64String(secret); }
                catch (FormatException) { throw new InvalidOperationException($"{where}:Secret is not base64."); }
                // HS256 needs a key of at least 256 bits (RFC 7518, section 3.2).
                if (bytes.Length < 32) throw new InvalidOperationException($"{where}:Secret is shorter than 32 bytes.");
                key = new SymmetricSecurityKey(bytes);
            }
            else if (entry["PublicKeyPem"] is { Length: > 0 } pem) key = FromPem(pem, where + ":PublicKeyPem");
            else if (entry["PublicKeyFile"] is { Length: > 0 } file)
                key = FromPem(ReadFile(file, where + ":PublicKeyFile"), where + ":PublicKeyFile");
            else if (entry["CertificateFile"] is { Length: > 0 } certificate)
                key = FromCertificate(certificate, where + ":CertificateFile");
            else throw new InvalidOperationException($"{where}: set Secret, PublicKeyPem, PublicKeyFile or CertificateFile.");
            if (entry["KeyId"] is { Length: > 0 } kid) key.KeyId = kid;
            keys.Add(key);
        }
        if (section["JwksFile"] is { Length: > 0 } jwksFile)
        {
            var text = ReadFile(jwksFile, "Auth:Jwt:JwksFile");
            try
            {
                var set = new JsonWebKeySet(text);
                var fromSet = set.GetSigningKeys();
                if (fromSet.Count == 0) throw new InvalidOperationException($"Auth:Jwt:JwksFile '{jwksFile}' holds no usable signing key.");
                keys.AddRange(fromSet);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"Auth:Jwt:JwksFile '{jwksFile}' is not a JSON Web Key Set: {e.Message}");
            }
        }
        return keys;
    }

    /// <summary>A key file's text; a file that is missing, a folder or unreadable stops the start with its name.</summary>
    private static string ReadFile(string path, string where)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new InvalidOperationException($"{where} '{full}' is a folder, not a file.");
        if (!File.Exists(full)) throw new InvalidOperationException($"{where} '{full}' does not exist.");
        try { return File.ReadAllText(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{where} '{full}' cannot be read: {e.Message}");
        }
    }

    /// <summary>An X.509 certificate file (PEM or DER): its public key, with the certificate's thumbprint as kid unless KeyId says otherwise.</summary>
    private static SecurityKey FromCertificate(string path, string where)
    {
        var full = Path.GetFullPath(path);
        ReadFile(full, where);
        try { return new X509SecurityKey(X509CertificateLoader.LoadCertificateFromFile(full)); }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"{where} '{full}' is not an X.509 certificate (PEM or DER): {e.Message}");
        }
    }

    private static SecurityKey FromPem(string pem, string where)
    {
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
            throw new InvalidOperationException($"{where} holds a private key; give the public key only.");
        if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            try { return new X509SecurityKey(X509Certificate2.CreateFromPem(pem)); }
            catch (CryptographicException) { throw new InvalidOperationException($"{where} holds a certificate that cannot be read."); }
        }
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException) { rsa.Dispose(); }
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ec.Dispose();
            throw new InvalidOperationException($"{where} is not a PEM public key (RSA or EC) or certificate.");
        }
    }
}

/// <summary>
/// Bearer tokens as Business Central and Graph take them, validated by ASP.NET Core's JwtBearer handler: a signed JWT
/// whose issuer, audience and lifetime are checked; the scopes (scp, delegated) or roles (application) decide read or
/// read-write, and a claim lists the companies. The handler runs only when the front door calls it (no default scheme).
/// </summary>
public sealed class JwtAuthenticator(JwtSettings settings)
{
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;

    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
        SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512,
    ];

    /// <summary>The handler's options from Auth:Jwt.</summary>
    public static void Configure(JwtBearerOptions options, JwtSettings settings)
    {
        options.MapInboundClaims = false;
        options.SaveToken = false;
        options.IncludeErrorDetails = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new JsonWebTokenHandler { MapInboundClaims = false, MaximumTokenSizeInBytes = 16 * 1024 });
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuers = settings.Issuers,
            ValidAudiences = settings.Audiences,
            IssuerSigningKeys = settings.SigningKeys,
            ValidAlgorithms = Algorithms,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = settings.ClockSkew,
            // The audience as configured, character for character: "paymentjournal/" is not "paymentjournal".
            IgnoreTrailingSlashWhenValidatingAudience = false,
            // A token with a kid is checked against the key with that kid only, and refused when there is none;
            // without a kid, every configured key is tried (a shared secret often has no kid).
            TryAllIssuerSigningKeys = false,
            IssuerSigningKeyResolver = (_, _, kid, _) => KeysFor(settings.SigningKeys, kid),
        };
        // The validated token itself, so that its claims are read as the payload has them.
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = static context =>
            {
                context.HttpContext.Items[typeof(JsonWebToken)] = context.SecurityToken;
                return Task.CompletedTask;
            },
        };
    }

    internal static IEnumerable<SecurityKey> KeysFor(IReadOnlyList<SecurityKey> keys, string? kid) =>
        string.IsNullOrEmpty(kid) ? keys : keys.Where(k => string.Equals(k.KeyId, kid, StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The access the request's bearer token grants (the front door has checked that there is one); a failure is
    /// logged by the exception's type name only, never with the token.
    /// </summary>
    public async Task<AuthOutcome> AuthenticateAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(Scheme);
        if (!result.Succeeded || http.Items[typeof(JsonWebToken)] is not JsonWebToken jwt)
        {
            var reason = result.Failure?.GetType().Name ?? "invalid token";
            var expired = result.Failure is SecurityTokenExpiredException;
            return AuthOutcome.Deny(expired ? "The bearer token has expired." : "The bearer token is not valid.", reason,
                "Bearer realm=\"PaymentJournal\", error=\"invalid_token\"");
        }
        http.Items.Remove(typeof(JsonWebToken));

        // The handler's identity holds the payload's claims already (an array claim gives one claim per element).
        var claims = result.Principal!.Claims;
        var granted = claims.Where(c => c.Type is "scp" or "roles" or "scope" or "role")
            .SelectMany(c => AuthSettings.Split(c.Value)).ToList();
        var canWrite = granted.Any(settings.ReadWriteScopes.Contains);
        var canRead = canWrite || granted.Any(settings.ReadScopes.Contains);
        var (all, ids) = CompanyList.FromClaims(claims.Where(c => c.Type == settings.CompaniesClaim).Select(c => c.Value));
        var principal = "jwt:" + (First(jwt, "oid") ?? First(jwt, "sub") ?? First(jwt, "azp") ?? First(jwt, "appid") ?? "unknown");
        if (!canRead)
            return AuthOutcome.Forbid(principal, "The token carries none of the scopes or roles this service accepts: "
                + string.Join(", ", settings.ReadScopes.Concat(settings.ReadWriteScopes)) + ".");
        if (!all && ids.Count == 0)
            return AuthOutcome.Forbid(principal, $"The token lists no company in its '{settings.CompaniesClaim}' claim.");
        return AuthOutcome.Allow(new CompanyAccess { AllCompanies = all, Companies = ids, CanWrite = canWrite, Principal = principal, Issuer = jwt.Issuer });
    }

    private static string? First(JsonWebToken jwt, string type) => jwt.TryGetPayloadValue<string>(type, out var v) && v.Length > 0 ? v : null;
}

/// <summary>
/// No default scheme: the authentication middleware that ASP.NET Core adds on its own then validates nothing, and the
/// JwtBearer handler runs once per request, when the front door calls it (after the failed-authentication limit).
/// </summary>
internal sealed class ExplicitSchemeProvider(Microsoft.Extensions.Options.IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
{
    public override Task<AuthenticationScheme?> GetDefaultAuthenticateSchemeAsync() => Task.FromResult<AuthenticationScheme?>(null);
}
