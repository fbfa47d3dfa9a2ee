using System.Text;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Tests.Security;

/// <summary>
/// Values the client sends that come back in absolute URLs and headers: the tenant and environment segments of the
/// online URL form are checked before anything runs (a 400 that writes nothing), and no header of an answer, or of a
/// part of a multipart $batch answer, can carry CR, LF or a non-ASCII character.
/// </summary>
public sealed class EchoedValuesTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    private const string Customers = "/api/v2.0/companies(" + ServiceFixture.Company + ")/customers";

    public static TheoryData<string, string> BadSegments => new()
    {
        { "caf%C3%A9", "production" },
        { "t%0d%0aX-Injected:%20yes%0d%0a%0d%0a--fake", "production" },
        { "t%0aX-Injected:%20yes", "production" },
        { "t%0d", "production" },
        { "a%20b", "production" },
        { "-contoso", "production" },
        { "contoso-", "production" },
        { "contoso..com", "production" },
        { "contoso_com", "production" },
        { "a%2Fb", "production" },
        { "%E2%80%AEcontoso", "production" },
        { new string('a', 64), "production" },
        { string.Join(".", Enumerable.Repeat(new string('a', 60), 5)), "production" },
        { "contoso", "caf%C3%A9" },
        { "contoso", "prod%0d%0aX-Injected:%20yes" },
        { "contoso", "prod%0a" },
        { "contoso", "prod.uction" },
        { "contoso", "prod%20uction" },
        { "contoso", "prod%25" },
        { "contoso", new string('e', 31) },
        { "contoso", "%F0%9F%98%80" },
    };

    [Theory]
    [MemberData(nameof(BadSegments))]
    public async Task A_tenant_or_environment_Business_Central_would_not_name_is_a_400_that_writes_nothing(string tenant, string environment)
    {
        var name = "Echo " + Guid.NewGuid().ToString("N");
        var url = $"/v2.0/{tenant}/{environment}/api/v2.0/companies({ServiceFixture.Company})/customers";
        var post = await f.Http.Post(url, new { displayName = name });
        Assert.Equal(400, post.Status);
        Assert.Equal("BadRequest", post.Body.ErrorCode());
        Assert.False(post.Response.Headers.Contains("X-Injected"));
        Assert.Null(post.Response.Headers.Location);
        // The refusal does not echo the segment back.
        Assert.DoesNotContain("Injected", post.Body!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, await f.WithDb(db => db.Customers.CountAsync(c => c.DisplayName == name)));

        Assert.Equal(400, (await f.Http.Get(url)).Status);
        var batch = await MultipartBatchAsync($"/v2.0/{tenant}/{environment}/api/v2.0/$batch", name, contentId: "1");
        Assert.Equal(400, batch.Status);
        Assert.DoesNotContain("X-Injected", batch.Text, StringComparison.Ordinal);
        Assert.Equal(0, await f.WithDb(db => db.Customers.CountAsync(c => c.DisplayName == name)));
    }

    /// <summary>Every printable ASCII character and a few others, escaped, in either segment: an answer is a 201 that wrote or a 400 that did not.</summary>
    [Fact]
    public async Task Whatever_a_segment_holds_the_answer_says_whether_the_write_happened()
    {
        var characters = Enumerable.Range(0x20, 0x5F).Select(c => ((char)c).ToString())
            .Concat(["\t", "\r", "\n", "\0", "\u007f", "\u00e9", "\u00a0", "\u202e", "\ud83d\ude00", "\u4e2d"]);
        foreach (var c in characters)
        {
            foreach (var tenantSide in new[] { true, false })
            {
                var segment = "a" + Uri.EscapeDataString(c) + "b";
                var url = tenantSide
                    ? $"/v2.0/{segment}/production/api/v2.0/companies({ServiceFixture.Company})/customers"
                    : $"/v2.0/contoso/{segment}/api/v2.0/companies({ServiceFixture.Company})/customers";
                var name = "Char " + Guid.NewGuid().ToString("N");
                var r = await f.Http.Post(url, new { displayName = name });
                var written = await f.WithDb(db => db.Customers.CountAsync(x => x.DisplayName == name));
                Assert.True(r.Status is 201 or 400, $"'{c}' ({(tenantSide ? "tenant" : "environment")}): {r.Status}");
                Assert.True((r.Status == 201) == (written == 1), $"'{c}': {r.Status} with {written} written");
                var valid = char.IsAsciiLetterOrDigit(c[0]) && c.Length == 1 || c == "-" || (c == "_" && !tenantSide) || (c == "." && tenantSide);
                Assert.True(valid == (r.Status == 201), $"'{c}' ({(tenantSide ? "tenant" : "environment")}): {r.Status}");
            }
        }
    }

    [Theory]
    [InlineData("contoso", "production")]
    [InlineData("contoso.onmicrosoft.com", "Production")]
    [InlineData("7e5b1c2a-0a8d-4b7e-9d35-2f4c6a8b9e01", "sandbox_2-test")]
    [InlineData("a-b.c-d.example", "e")]
    [InlineData("contoso", "abcdefghijklmnopqrstuvwxyz0123")]
    public async Task Valid_tenant_and_environment_names_are_served_and_echoed_as_sent(string tenant, string environment)
    {
        var root = $"/v2.0/{tenant}/{environment}/api/v2.0/";
        var post = await f.Http.Post(root + $"companies({ServiceFixture.Company})/customers", new { displayName = "Online " + tenant });
        Assert.Equal(201, post.Status);
        var absolute = f.BaseAddress.GetLeftPart(UriPartial.Authority) + root;
        Assert.StartsWith(absolute + $"companies({ServiceFixture.Company})/customers(", post.Response.Headers.Location!.OriginalString);
        Assert.StartsWith(absolute + "$metadata#", post.Body.Str("@odata.context"));
    }

    [Fact]
    public async Task No_header_line_of_a_multipart_batch_answer_carries_CR_LF_or_non_ASCII()
    {
        var name = "Batch " + Guid.NewGuid().ToString("N");
        // A Content-ID with a lone CR and one with non-ASCII letters: both come back, neither splits a line.
        foreach (var contentId in new[] { "a\rX-Injected: yes", "caf\u00e9-\u202e" })
        {
            var r = await MultipartBatchAsync("/v2.0/contoso/production/api/v2.0/$batch", name, contentId);
            Assert.Equal(200, r.Status);
            Assert.Contains("HTTP/1.1 201 Created", r.Text, StringComparison.Ordinal);
            foreach (var line in r.Text.Split("\r\n"))
            {
                if (line.StartsWith('{')) continue; // a part's JSON body
                Assert.DoesNotContain('\r', line);
                Assert.DoesNotContain('\n', line);
                Assert.True(line.All(c => c is >= ' ' and <= '~'), $"a header line with a control or non-ASCII character: {line}");
                Assert.False(line.StartsWith("X-Injected", StringComparison.OrdinalIgnoreCase), line);
            }
            Assert.Contains("Location: " + f.BaseAddress.GetLeftPart(UriPartial.Authority) + "/v2.0/contoso/production/api/v2.0/companies(", r.Text, StringComparison.Ordinal);
        }
        Assert.Equal(2, await f.WithDb(db => db.Customers.CountAsync(c => c.DisplayName == name)));
    }

    [Fact]
    public async Task Every_header_of_an_answer_is_printable_ASCII_whatever_the_request_carried()
    {
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 };
        using var http = new HttpClient(handler) { BaseAddress = f.BaseAddress };
        var name = "Headers " + Guid.NewGuid().ToString("N");
        using var req = new HttpRequestMessage(HttpMethod.Post, $"/v2.0/contoso/production/api/v2.0/companies({ServiceFixture.Company})/customers")
        {
            Content = HttpJson.Json(new { displayName = name }),
        };
        req.Headers.TryAddWithoutValidation("X-Api-Key", ApiKeyFixture.WriterA);
        req.Headers.TryAddWithoutValidation("Prefer", "return=minimal, caf\u00e9");
        req.Headers.TryAddWithoutValidation("Content-ID", "\u00fcber");
        using var resp = await http.SendAsync(req);
        Assert.Equal(204, (int)resp.StatusCode);
        foreach (var (_, values) in resp.Headers.NonValidated)
            foreach (var v in values) Assert.True(v.All(c => c is >= ' ' and <= '~'), v);
        Assert.Equal(1, await f.WithDb(db => db.Customers.CountAsync(c => c.DisplayName == name)));
    }

    [Fact]
    public void Header_values_are_made_safe_and_the_service_own_values_are_unchanged()
    {
        Assert.Equal("W/\"JzQ0OzEn\"", OData.UrlParts.SafeHeader("W/\"JzQ0OzEn\""));
        Assert.Equal("http://h/api/v2.0/companies(1)", OData.UrlParts.SafeHeader("http://h/api/v2.0/companies(1)"));
        Assert.Equal("a%0D%0AX-Injected: yes", OData.UrlParts.SafeHeader("a\r\nX-Injected: yes"));
        Assert.Equal("caf%C3%A9", OData.UrlParts.SafeHeader("caf\u00e9"));
        Assert.Equal("%7F%00", OData.UrlParts.SafeHeader("\u007f\0"));
    }

    private async Task<(int Status, string Text)> MultipartBatchAsync(string url, string displayName, string contentId)
    {
        var boundary = "batch_" + Guid.NewGuid().ToString("N");
        var body = $"--{boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: {contentId}\r\n\r\n" +
                   $"POST companies({ServiceFixture.Company})/customers HTTP/1.1\r\nContent-Type: application/json\r\n\r\n" +
                   $"{{\"displayName\":\"{displayName}\"}}\r\n--{boundary}--\r\n";
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/mixed; boundary=" + boundary);
        using var resp = await f.Http.PostAsync(url, content);
        return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
    }
}
