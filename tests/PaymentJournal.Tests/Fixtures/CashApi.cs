using System.Text;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Requests of the cashApplication API group.</summary>
public static class CashApi
{
    public const string Root = "/api/paymentjournal/cashApplication/v1.0/";
    public static string Company(string company = ServiceFixture.Company) => $"{Root}companies({company})";

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> ImportAsync(HttpClient http, byte[] file, string fileName,
        string? csvProfile = null, string company = ServiceFixture.Company)
    {
        var body = new Dictionary<string, string> { ["fileName"] = fileName, ["content"] = Convert.ToBase64String(file) };
        if (csvProfile is not null) body["csvProfile"] = csvProfile;
        return http.Post(Company(company) + "/bankStatementImports", body);
    }

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> ImportTextAsync(HttpClient http, string text, string fileName, string? csvProfile = null) =>
        ImportAsync(http, Encoding.UTF8.GetBytes(text), fileName, csvProfile);

    /// <summary>The lines of a statement, in order, with their proposals expanded.</summary>
    public static async Task<JsonArray> LinesAsync(HttpClient http, string statementId)
    {
        var (status, body, _) = await http.Get($"{Company()}/bankStatements({statementId})/bankStatementLines?$expand=matchProposals");
        Assert.Equal(200, status);
        return body!["value"]!.AsArray();
    }

    public static string[] StatementIds(JsonNode? import) => import.Str("bankStatementIds").Split(',');

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> LineActionAsync(HttpClient http, string statementId, string lineId,
        string action, object? parameters = null) =>
        http.Post($"{Company()}/bankStatements({statementId})/bankStatementLines({lineId})/Microsoft.NAV.{action}", parameters ?? "");
}
