using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Tests.Fixtures;

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
