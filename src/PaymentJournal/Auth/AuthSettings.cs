using Microsoft.Extensions.Primitives;

namespace PaymentJournal.Auth;

public enum AuthMode
{
    None,
    ApiKey,
    Jwt,
}

/// <summary>
/// The "Auth" configuration section, read and checked once at start-up: a setting that cannot work (an empty key,
/// a hash that is not SHA-256 hex, a key file that does not exist) stops the service with a message naming it.
/// </summary>
public sealed class AuthSettings
{
    public AuthMode Mode { get; init; }
    public IReadOnlyList<ApiKeyEntry> ApiKeys { get; init; } = [];
    public JwtSettings Jwt { get; init; } = new();

    public static AuthSettings Read(IConfiguration config)
    {
        var section = config.GetSection("Auth");
        var modeText = section["Mode"];
        var mode = AuthMode.None;
        if (!string.IsNullOrWhiteSpace(modeText) && !Enum.TryParse(modeText.Trim(), ignoreCase: true, out mode))
            throw new InvalidOperationException($"Auth:Mode '{modeText}' is not one of None, ApiKey, Jwt.");
        return new AuthSettings
        {
            Mode = mode,
            ApiKeys = mode == AuthMode.ApiKey ? ReadApiKeys(section.GetSection("ApiKeys")) : [],
            Jwt = mode == AuthMode.Jwt ? JwtSettings.Read(section.GetSection("Jwt")) : new JwtSettings(),
        };
    }

    private static List<ApiKeyEntry> ReadApiKeys(IConfigurationSection section)
    {
        var result = new List<ApiKeyEntry>();
        foreach (var entry in section.GetChildren())
        {
            var where = $"Auth:ApiKeys:{entry.Key}";
            var key = entry["Key"];
            var hashHex = entry["KeyHash"];
            byte[] hash;
            if (!string.IsNullOrEmpty(key) && !string.IsNullOrEmpty(hashHex))
                throw new InvalidOperationException($"{where}: give either Key or KeyHash, not both.");
            if (!string.IsNullOrEmpty(key))
            {
                if (key.Length < 16) throw new InvalidOperationException($"{where}:Key is shorter than 16 characters; use a long random key.");
                hash = ApiKeyStore.Hash(key);
            }
            else if (!string.IsNullOrEmpty(hashHex))
            {
                try { hash = Convert.FromHexString(hashHex.Trim()); }
                catch (FormatException) { hash = []; }
                if (hash.Length != 32) throw new InvalidOperationException($"{where}:KeyHash is not a SHA-256 digest in hex (64 hex digits).");
            }
            else throw new InvalidOperationException($"{where}: neither Key nor KeyHash is set.");

            var access = entry["Access"] ?? "Read";
            var canWrite = access.Trim().ToLowerInvariant() switch
            {
                "read" => false,
                "readwrite" => true,
                _ => throw new InvalidOperationException($"{where}:Access '{access}' is not Read or ReadWrite."),
            };
            var companies = CompanyList.Parse(ValuesOf(entry.GetSection("Companies")), $"{where}:Companies");
            result.Add(new ApiKeyEntry(entry["Name"] is { Length: > 0 } name ? name : $"apikey-{entry.Key}", hash, companies.All, companies.Ids, canWrite));
        }
        if (result.Count == 0) throw new InvalidOperationException("Auth:Mode is ApiKey but no key is configured under Auth:ApiKeys.");
        return result;
    }

    /// <summary>A setting given as one value ("a,b" or "a b") or as an array (Name:0, Name:1).</summary>
    internal static List<string> ValuesOf(IConfigurationSection section)
    {
        var values = new List<string>();
        if (section.Value is { } single) values.AddRange(Split(single));
        foreach (var child in section.GetChildren())
            if (child.Value is { } v) values.AddRange(Split(v));
        return values;
    }

    internal static IEnumerable<string> Split(string value) =>
        value.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

public sealed record ApiKeyEntry(string Name, byte[] Hash, bool AllCompanies, IReadOnlySet<Guid> Companies, bool CanWrite);

/// <summary>A list of company ids, or "*" for every company.</summary>
public static class CompanyList
{
    public static (bool All, IReadOnlySet<Guid> Ids) Parse(IEnumerable<string> values, string where)
    {
        var ids = new HashSet<Guid>();
        var all = false;
        foreach (var v in values)
        {
            if (v == "*") { all = true; continue; }
            if (!Guid.TryParse(v, out var id))
                throw new InvalidOperationException($"{where}: '{v}' is not a company id (a GUID) or '*'.");
            ids.Add(id);
        }
        if (!all && ids.Count == 0) throw new InvalidOperationException($"{where} is empty: list company ids, or '*' for all companies.");
        return (all, ids);
    }

    /// <summary>Reads a token claim's companies leniently: a value that is not a GUID or '*' grants nothing.</summary>
    public static (bool All, HashSet<Guid> Ids) FromClaims(IEnumerable<string> values)
    {
        var ids = new HashSet<Guid>();
        var all = false;
        foreach (var v in values.SelectMany(AuthSettings.Split))
        {
            if (v == "*") all = true;
            else if (Guid.TryParse(v, out var id)) ids.Add(id);
        }
        return (all, ids);
    }
}

/// <summary>The "Auth:Jwt" section.</summary>
public sealed class JwtSettings
{
    public IReadOnlyList<string> Issuers { get; init; } = [];
    public IReadOnlyList<string> Audiences { get; init; } = [];
    public IReadOnlyList<Microsoft.IdentityModel.Tokens.SecurityKey> SigningKeys { get; init; } = [];
    public string CompaniesClaim { get; init; } = "companies";
    public IReadOnlySet<string> ReadWriteScopes { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> ReadScopes { get; init; } = new HashSet<string>();
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(2);

    public static readonly string[] DefaultReadWriteScopes = ["Financials.ReadWrite.All", "API.ReadWrite.All"];
    public static readonly string[] DefaultReadScopes = ["Financials.Read.All", "API.Read.All"];

    public static JwtSettings Read(IConfigurationSection section)
    {
        var issuers = AuthSettings.ValuesOf(section.GetSection("Issuer")).Concat(AuthSettings.ValuesOf(section.GetSection("Issuers"))).ToList();
        var audiences = AuthSettings.ValuesOf(section.GetSection("Audience")).Concat(AuthSettings.ValuesOf(section.GetSection("Audiences"))).ToList();
        if (issuers.Count == 0) throw new InvalidOperationException("Auth:Mode is Jwt but Auth:Jwt:Issuer is not set.");
        if (audiences.Count == 0) throw new InvalidOperationException("Auth:Mode is Jwt but Auth:Jwt:Audience is not set.");
        var keys = JwtKeys.Read(section);
        if (keys.Count == 0)
            throw new InvalidOperationException("Auth:Mode is Jwt but no signing key is configured (Auth:Jwt:SigningKeys:N:Secret, :PublicKeyPem, :PublicKeyFile, or Auth:Jwt:JwksFile).");
        var rw = AuthSettings.ValuesOf(section.GetSection("ReadWriteScopes"));
        var r = AuthSettings.ValuesOf(section.GetSection("ReadScopes"));
        var skew = section.GetValue<int?>("ClockSkewSeconds");
        return new JwtSettings
        {
            Issuers = issuers, Audiences = audiences, SigningKeys = keys,
            CompaniesClaim = section["CompaniesClaim"] is { Length: > 0 } c ? c : "companies",
            ReadWriteScopes = new HashSet<string>(rw.Count > 0 ? rw : DefaultReadWriteScopes, StringComparer.OrdinalIgnoreCase),
            ReadScopes = new HashSet<string>(r.Count > 0 ? r : DefaultReadScopes, StringComparer.OrdinalIgnoreCase),
            ClockSkew = skew is >= 0 and <= 600 ? TimeSpan.FromSeconds(skew.Value) : TimeSpan.FromMinutes(2),
        };
    }
}

internal static class StringValuesExtensions
{
    public static string? Single(this StringValues values) => values.Count == 1 ? values[0] : null;
}
