using System.Security.Cryptography;
using System.Text;
using PaymentJournal.OData;

namespace PaymentJournal.Auth;

/// <summary>
/// API keys, held as SHA-256 digests only. A presented key is hashed and compared with every configured digest in
/// constant time, without stopping at a match, so neither the timing nor the order of the keys tells anything.
/// </summary>
public sealed class ApiKeyStore(IReadOnlyList<ApiKeyEntry> keys)
{
    /// <summary>Longer than any sensible key; a longer one is not hashed at all.</summary>
    public const int MaxKeyLength = 512;

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public CompanyAccess? Find(string presented)
    {
        if (presented.Length == 0 || presented.Length > MaxKeyLength) return null;
        var hash = Hash(presented);
        ApiKeyEntry? match = null;
        foreach (var k in keys)
            if (CryptographicOperations.FixedTimeEquals(hash, k.Hash)) match ??= k;
        return match is null ? null : new CompanyAccess
        {
            AllCompanies = match.AllCompanies, Companies = match.Companies, CanWrite = match.CanWrite, Principal = "key:" + match.Name,
        };
    }
}
