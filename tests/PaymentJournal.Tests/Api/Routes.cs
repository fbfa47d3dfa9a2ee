using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// One URL shape of the API: v2.0, v2.0 in its online form, Graph with slash keys and Graph with
/// parenthesis keys. Theories name them by string so that each shape is its own test case.
/// </summary>
public sealed record Route(string Name, string Root, bool SlashKeys)
{
    public const string Company = ServiceFixture.Company;

    public static Route Of(string name) => name switch
    {
        "v2" => new(name, "/api/v2.0/", false),
        "v2-online" => new(name, "/v2.0/contoso/production/api/v2.0/", false),
        "v2-online-env" => new(name, "/v2.0/production/api/v2.0/", false),
        "graph" => new(name, "/beta/financials/", true),
        "graph-paren" => new(name, "/beta/financials/", false),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static Route V2 => Of("v2");
    public static Route Graph => Of("graph");

    public bool IsGraph => Root.StartsWith("/beta/", StringComparison.Ordinal);
    /// <summary>What a context URL starts with: Graph's paths go from its financials singleton.</summary>
    public string Context => Root + "$metadata#" + (IsGraph ? "financials/" : "");
    public string Key(string set, string id) => SlashKeys ? $"{set}/{id}" : $"{set}({id})";
    public string CompanyUrl => Root + Key("companies", Company);
    public string Set(string set) => CompanyUrl + "/" + set;
    public string Entity(string set, string id) => CompanyUrl + "/" + Key(set, id);
    public string Journal(string id) => Entity("customerPaymentJournals", id);
    public string Payments(string journal) => Journal(journal) + "/customerPayments";
    public string Payment(string journal, string id) => Journal(journal) + "/" + Key("customerPayments", id);
    public override string ToString() => Name;
}

/// <summary>Row-making helpers for the API tests: each test makes the rows it changes.</summary>
public static class Make
{
    private static int _counter;

    /// <summary>A code no other test uses (Code[10]).</summary>
    public static string Code(string prefix = "T") =>
        prefix + Interlocked.Increment(ref _counter).ToString("D4", System.Globalization.CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..(9 - prefix.Length - 3)].ToUpperInvariant();

    public static async Task<JsonNode> Journal(HttpClient http, Route? route = null, string? balancingAccountId = null)
    {
        route ??= Route.V2;
        var body = new Dictionary<string, object> { ["code"] = Code("J"), ["displayName"] = "Test journal" };
        if (balancingAccountId is not null) body["balancingAccountId"] = balancingAccountId;
        var (status, json, _) = await http.Post(route.Set("customerPaymentJournals"), body);
        Assert.True(status == 201, $"journal create: {status} {json?.ToJsonString()}");
        return json!;
    }

    public static async Task<string> JournalId(HttpClient http) => (await Journal(http)).Str("id");

    public static async Task<JsonNode> Payment(HttpClient http, string journalId, object body, Route? route = null)
    {
        route ??= Route.V2;
        var (status, json, _) = await http.Post(route.Payments(journalId), body);
        Assert.True(status == 201, $"payment create: {status} {json?.ToJsonString()}");
        return json!;
    }

    public static async Task<JsonNode> Customer(HttpClient http, string displayName = "Test customer", string? blocked = null)
    {
        var body = new Dictionary<string, object> { ["displayName"] = displayName };
        if (blocked is not null) body["blocked"] = blocked;
        var (status, json, _) = await http.Post(Route.V2.Set("customers"), body);
        Assert.True(status == 201, $"customer create: {status} {json?.ToJsonString()}");
        return json!;
    }

    public static async Task<JsonNode> DraftInvoice(HttpClient http, string customerNumber = "C00001")
    {
        var (status, json, _) = await http.Post(Route.V2.Set("salesInvoices"), new { customerNumber });
        Assert.True(status == 201, $"invoice create: {status} {json?.ToJsonString()}");
        return json!;
    }
}

/// <summary>Assertions shared by the API tests.</summary>
public static class Expect
{
    /// <summary>The service's error body: status, code, and the correlation id in the header and at the end of the message.</summary>
    public static void Error((int Status, JsonNode? Body, HttpResponseMessage Response) r, int status, string code, string? messagePart = null)
    {
        Assert.True(r.Status == status && r.Body.ErrorCode() == code,
            $"expected {status} {code}, got {r.Status} {r.Body?.ToJsonString()}");
        var message = r.Body!["error"]!["message"]!.GetValue<string>();
        var correlation = r.Response.Headers.GetValues("ms-correlation-x").Single();
        Assert.True(Guid.TryParse(correlation, out _), correlation);
        Assert.EndsWith(correlation + ".", message);
        if (messagePart is not null) Assert.Contains(messagePart, message, StringComparison.OrdinalIgnoreCase);
    }

    public static void Status((int Status, JsonNode? Body, HttpResponseMessage Response) r, int status) =>
        Assert.True(r.Status == status, $"expected {status}, got {r.Status} {r.Body?.ToJsonString()}");

    /// <summary>@odata.etag is a weak ETag and the ETag header carries the same tag.</summary>
    public static string ETag((int Status, JsonNode? Body, HttpResponseMessage Response) r)
    {
        var tag = r.Body.Str("@odata.etag");
        Assert.Matches("^W/\"[^\"]+\"$", tag);
        Assert.Equal(tag, r.Response.Headers.ETag?.ToString());
        return tag;
    }
}

/// <summary>A fingerprint of the whole database: every table's row count and a hash of its rows.</summary>
public static class DbSnapshot
{
    public static async Task<string> Take(ServiceFixture f)
    {
        var tables = await f.TableNamesAsync();
        return await f.WithDb(async db => await Fingerprint(db, tables));
    }

    private static async Task<string> Fingerprint(PaymentJournal.Data.AppDb db, IReadOnlyList<string> tables)
    {
        await db.Database.OpenConnectionAsync();
        try
        {
            var conn = db.Database.GetDbConnection();
            var sb = new StringBuilder();
            foreach (var table in tables)
            {
                var rows = new List<string>();
                using var cmd = conn.CreateCommand();
                cmd.CommandText = $"SELECT * FROM \"{table}\"";
                using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var values = new object[reader.FieldCount];
                    reader.GetValues(values);
                    rows.Add(string.Join("|", values.Select(v => v is byte[] b ? Convert.ToHexString(b) : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))));
                }
                rows.Sort(StringComparer.Ordinal);
                var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", rows))))[..16];
                sb.Append(table).Append(':').Append(rows.Count).Append(':').Append(hash).Append('\n');
            }
            return sb.ToString();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
