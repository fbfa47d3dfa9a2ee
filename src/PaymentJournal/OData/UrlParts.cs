using System.Text;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>
/// The parts of a request that are echoed into absolute URLs and headers: the tenant and environment segments of
/// the online URL form are checked against the names Business Central allows before anything runs, and every
/// header value that leaves the service is made safe, so nothing between a commit and its answer can fail on them.
/// </summary>
public static class UrlParts
{
    /// <summary>
    /// The company a request path names: the key of its companies segment, companies(id) or companies('id'), or on
    /// Graph the segment after it (companies/id); null when it names none.
    /// </summary>
    public static Guid? CompanyOf(ReadOnlySpan<char> path)
    {
        const string name = "companies";
        for (var at = path.IndexOf(name, StringComparison.Ordinal); at >= 0;)
        {
            var after = path[(at + name.Length)..];
            if (at > 0 && path[at - 1] == '/')
            {
                if (after.StartsWith('('))
                {
                    var close = after.IndexOf(')');
                    if (close > 0 && Guid.TryParse(after[1..close].Trim('\''), out var id)) return id;
                }
                else if (after.StartsWith('/'))
                {
                    var segment = after[1..];
                    var slash = segment.IndexOf('/');
                    if (slash >= 0) segment = segment[..slash];
                    if (segment.Length == 36 && Guid.TryParse(segment, out var id)) return id;
                }
            }
            var next = after.IndexOf(name, StringComparison.Ordinal);
            if (next < 0) break;
            at += name.Length + next;
        }
        return null;
    }

    /// <summary>Business Central environment names: letters, digits, '-' and '_', at most 30 characters, not starting or ending with '-'.</summary>
    public static bool IsEnvironment(string value)
    {
        if (value.Length is 0 or > 30 || value[0] == '-' || value[^1] == '-') return false;
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        return true;
    }

    /// <summary>An Entra tenant: a GUID, or a domain name (labels of ASCII letters, digits and inner '-', at most 253 characters).</summary>
    public static bool IsTenant(string value)
    {
        if (Guid.TryParseExact(value, "D", out _)) return true;
        if (value.Length is 0 or > 253) return false;
        foreach (var label in value.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            foreach (var c in label)
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }
        return true;
    }

    /// <summary>The service root path of the online form, or a 400 that does not echo what was sent.</summary>
    public static string OnlineRoot(string tenant, string environment, string api = "v2.0")
    {
        if (!IsTenant(tenant))
            throw ApiErrors.BadRequest("The tenant segment of the URL is not a tenant id (a GUID) or a domain name.");
        if (!IsEnvironment(environment))
            throw ApiErrors.BadRequest("The environment segment of the URL is not a valid environment name (letters, digits, '-' and '_', at most 30 characters, not starting or ending with '-').");
        return $"/v2.0/{tenant}/{environment}/api/{api}/";
    }

    /// <summary>The service root path of the online form without a tenant, or a 400 that does not echo what was sent.</summary>
    public static string OnlineRoot(string environment)
    {
        if (!IsEnvironment(environment))
            throw ApiErrors.BadRequest("The environment segment of the URL is not a valid environment name (letters, digits, '-' and '_', at most 30 characters, not starting or ending with '-').");
        return $"/v2.0/{environment}/api/v2.0/";
    }

    /// <summary>
    /// A header value that cannot split a header or be refused by the server: control characters (CR and LF among
    /// them) and anything outside printable ASCII are percent-encoded as UTF-8. Values the service makes are unchanged.
    /// </summary>
    public static string SafeHeader(string value)
    {
        var clean = true;
        foreach (var c in value)
            if (c is < ' ' or > '~') { clean = false; break; }
        if (clean) return value;
        var sb = new StringBuilder(value.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is < (byte)' ' or > (byte)'~') sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append((char)b);
        }
        return sb.ToString();
    }
}
