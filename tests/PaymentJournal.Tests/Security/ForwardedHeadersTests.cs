using System.Net.Http.Headers;

namespace PaymentJournal.Tests.Security;

/// <summary>The service behind a load balancer on 127.0.0.1, which is listed as a trusted proxy.</summary>
public sealed class TrustedProxyFixture : ApiKeyFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> FailureLimitSettings => [];
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("ForwardedHeaders:KnownProxies", "127.0.0.1")];
}

/// <summary>A trusted proxy is configured, but requests come from elsewhere (127.0.0.1 is not it).</summary>
public sealed class OtherProxyFixture : ApiKeyFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("ForwardedHeaders:KnownNetworks", "10.20.0.0/16")];
}

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

public sealed class TrustedProxyTests(TrustedProxyFixture f) : IClassFixture<TrustedProxyFixture>
{
    [Fact]
    public async Task Absolute_urls_use_the_scheme_and_host_the_proxy_forwarded()
    {
        var (status, location, context, nextLink) = await Forwarded.CreateAndListAsync(f, f.Http);
        Assert.Equal(201, status);
        Assert.StartsWith("https://erp.example.test/api/v2.0/companies(", location);
        Assert.StartsWith("https://erp.example.test/api/v2.0/$metadata#", context);
        Assert.StartsWith("https://erp.example.test/api/v2.0/companies(", nextLink);
    }

    [Fact]
    public async Task The_failed_authentication_limit_counts_the_forwarded_client_address()
    {
        using var anonymous = f.Anonymous();
        var limit = new PaymentJournal.Auth.FailedAuthSettings().Attempts;
        var statuses = new List<int>();
        for (var i = 0; i < limit + 2; i++)
            statuses.Add((await anonymous.Get(ServiceFixture.V2 + "companies", new Dictionary<string, string>(Forwarded.Headers("198.51.100.7")) { ["X-Api-Key"] = "wrong-" + i + "-0123456789abcdef" })).Status);
        Assert.Equal(Enumerable.Repeat(401, limit).Concat([429, 429]), statuses);
        // Another client behind the same proxy is not locked out.
        Assert.Equal(200, (await anonymous.Get(ServiceFixture.V2 + "companies", new Dictionary<string, string>(Forwarded.Headers("198.51.100.8")) { ["X-Api-Key"] = ApiKeyFixture.WriterA })).Status);
        Assert.Equal(429, (await anonymous.Get(ServiceFixture.V2 + "companies", new Dictionary<string, string>(Forwarded.Headers("198.51.100.7")) { ["X-Api-Key"] = ApiKeyFixture.WriterA })).Status);
    }
}

public sealed class UntrustedForwardedHeadersTests(OtherProxyFixture f) : IClassFixture<OtherProxyFixture>
{
    [Fact]
    public async Task Forwarded_headers_from_a_sender_that_is_not_a_listed_proxy_are_ignored()
    {
        var (status, location, context, _) = await Forwarded.CreateAndListAsync(f, f.Http);
        Assert.Equal(201, status);
        var own = f.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.StartsWith(own + "/api/v2.0/", location);
        Assert.StartsWith(own + "/api/v2.0/$metadata#", context);
    }
}

public sealed class NoProxyTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    [Fact]
    public async Task Without_configured_proxies_forwarded_headers_are_ignored()
    {
        var (status, location, context, _) = await Forwarded.CreateAndListAsync(f, f.Http);
        Assert.Equal(201, status);
        var own = f.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.StartsWith(own + "/api/v2.0/", location);
        Assert.StartsWith(own + "/api/v2.0/$metadata#", context);
    }
}
