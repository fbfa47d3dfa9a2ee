using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

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
