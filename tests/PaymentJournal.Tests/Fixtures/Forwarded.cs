using System.Net.Http.Headers;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Requests as a reverse proxy forwards them (X-Forwarded-*), and what the service answers to them.</summary>
internal static class Forwarded
{
    public static Dictionary<string, string> Headers(string? forwardedFor = null) => new()
    {
        ["X-Forwarded-Proto"] = "https", ["X-Forwarded-Host"] = "erp.example.test", ["X-Forwarded-For"] = forwardedFor ?? "203.0.113.9",
    };

    public static async Task<(int Status, string? Location, string Context, string? NextLink)> CreateAndListAsync(ServiceFixture f, HttpClient http)
    {
        var created = await http.Post(ServiceFixture.CompanyPath() + "/contacts", new { displayName = "Proxied" }, Headers());
        var page = await http.Get(ServiceFixture.CompanyPath() + "/contacts", new Dictionary<string, string>(Headers()) { ["Prefer"] = "odata.maxpagesize=1" });
        Assert.Equal(200, page.Status);
        return (created.Status, created.Response.Headers.Location?.OriginalString, created.Body.Str("@odata.context"), page.Body?["@odata.nextLink"]?.GetValue<string>());
    }
}
