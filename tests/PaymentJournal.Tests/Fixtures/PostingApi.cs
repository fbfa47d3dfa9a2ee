using System.Globalization;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Making the rows a posting test needs through the API itself: journals, lines, posted invoices, customers.</summary>
public static class PostingApi
{
    public const string Cash = "e0000000-0000-4000-8000-000000002910";
    public const string Receivables = "e0000000-0000-4000-8000-000000002310";
    public const string Revenue = "e0000000-0000-4000-8000-000000006110";
    public const string Area = "f3000000-0000-4000-8000-000000000001";
    public const string AreaEurope = "f4000000-0000-4000-8000-000000000001";
    public const string Department = "f3000000-0000-4000-8000-000000000002";
    public const string DepartmentSales = "f4000000-0000-4000-8000-000000000006";

    public static string C => ServiceFixture.CompanyPath();
    public static string Journal(string id, string surface = ServiceFixture.V2) =>
        surface == ServiceFixture.V2 ? $"{ServiceFixture.CompanyPath()}/customerPaymentJournals({id})" : $"{ServiceFixture.CompanyPath(ServiceFixture.Graph)}/customerPaymentJournals/{id}";

    public static async Task<string> NewJournalAsync(HttpClient http)
    {
        var code = "J" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var (s, body, _) = await http.Post($"{C}/customerPaymentJournals", new { code, displayName = "test " + code, balancingAccountId = Cash });
        Assert.True(s == 201, body?.ToJsonString());
        return body.Str("id");
    }

    public static async Task<JsonNode> AddLineAsync(HttpClient http, string journalId, object line)
    {
        var (s, body, _) = await http.Post($"{Journal(journalId)}/customerPayments", line);
        Assert.True(s == 201, body?.ToJsonString());
        return body!;
    }

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostJournalAsync(HttpClient http, string journalId, string via = "customerPaymentJournals", string surface = ServiceFixture.V2) =>
        via == "journals"
            ? http.Post($"{C}/journals({journalId})/Microsoft.NAV.post", null)
            : http.Post($"{Journal(journalId, surface)}/Microsoft.NAV.post", null);

    public static async Task<(string Id, string Number)> NewCustomerAsync(HttpClient http)
    {
        var (s, body, _) = await http.Post($"{C}/customers", new { displayName = "Customer " + Guid.NewGuid().ToString("N")[..6] });
        Assert.True(s == 201, body?.ToJsonString());
        return (body.Str("id"), body.Str("number"));
    }

    public static async Task SetBlockedAsync(HttpClient http, string customerId, string blocked)
    {
        var current = await GetAsync(http, $"{C}/customers({customerId})");
        var (s, body, _) = await http.Patch($"{C}/customers({customerId})", new { blocked }, current.Str("@odata.etag"));
        Assert.True(s == 200, body?.ToJsonString());
    }

    /// <summary>A draft invoice of one line for the amount, posted; returns (id, number).</summary>
    public static async Task<(string Id, string Number)> PostedInvoiceAsync(HttpClient http, string customerNumber, decimal amount, string? postingDate = null)
    {
        var (id, number) = await DraftInvoiceAsync(http, customerNumber, amount, postingDate);
        var (s, body, _) = await http.Post($"{C}/salesInvoices({id})/Microsoft.NAV.post", null);
        Assert.True(s == 204, body?.ToJsonString());
        return (id, number);
    }

    public static async Task<(string Id, string Number)> DraftInvoiceAsync(HttpClient http, string customerNumber, decimal amount, string? postingDate = null)
    {
        var (s, inv, _) = await http.Post($"{C}/salesInvoices", postingDate is null
            ? new { customerNumber }
            : (object)new { customerNumber, postingDate, invoiceDate = postingDate, dueDate = postingDate });
        Assert.True(s == 201, inv?.ToJsonString());
        var id = inv.Str("id");
        if (amount != 0)
        {
            var (s2, line, _) = await http.Post($"{C}/salesInvoices({id})/salesInvoiceLines",
                new { lineType = "Account", lineObjectNumber = "6110", quantity = 1, unitPrice = amount });
            Assert.True(s2 == 201, line?.ToJsonString());
        }
        return (id, inv.Str("number"));
    }

    public static async Task<JsonNode> GetAsync(HttpClient http, string url)
    {
        var (s, body, _) = await http.Get(url);
        Assert.True(s == 200, url + " -> " + body?.ToJsonString());
        return body!;
    }

    public static decimal Dec(this JsonNode? node, string name) => node![name]!.GetValue<decimal>();
    public static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
