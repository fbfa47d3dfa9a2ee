using System.Net.Http.Headers;

namespace PaymentJournal.Tests.Security;

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
