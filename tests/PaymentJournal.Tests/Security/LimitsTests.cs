using Microsoft.Extensions.DependencyInjection;
using System.Net.Sockets;
using System.Text;

namespace PaymentJournal.Tests.Security;

public sealed class ThrottleAndTimeoutTests(TightLimitsFixture f) : IClassFixture<TightLimitsFixture>
{
    [Fact]
    public async Task The_window_limit_is_per_credential_and_answers_429_with_Retry_After()
    {
        using var client = f.With(ApiKeyFixture.ReaderA);
        var statuses = new List<int>();
        for (var i = 0; i < 5; i++) statuses.Add((await client.Get(ServiceFixture.V2 + "companies")).Status);
        Assert.All(statuses, s => Assert.Equal(200, s));
        var throttled = await client.Get(ServiceFixture.V2 + "companies");
        Assert.Equal(429, throttled.Status);
        Assert.Equal("Request_TooManyRequests", throttled.Body.ErrorCode());
        var retryAfter = throttled.Response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 300);
        // Another credential has its own window; /health is never throttled.
        using var other = f.With(ApiKeyFixture.WriterB);
        Assert.Equal(200, (await other.Get(ServiceFixture.V2 + "companies")).Status);
        using var anonymous = f.Anonymous();
        for (var i = 0; i < 8; i++) Assert.Equal(200, (await anonymous.Get("/health")).Status);
    }

    [Fact]
    public async Task Concurrency_beyond_the_limit_is_429_and_a_stalled_request_times_out_with_408()
    {
        // Hold one request of the admin key open: it announces a body and sends only part of it.
        var (tcp, stream) = await RawHttp.OpenAsync(f.BaseAddress);
        using (tcp)
        {
            var head = $"POST {ServiceFixture.CompanyPath()}/contacts HTTP/1.1\r\nHost: {f.BaseAddress.Authority}\r\nX-Api-Key: {ApiKeyFixture.Admin}\r\n" +
                       "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"displayName\":";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            // Until the server has given it the admin key's one slot (read on the server, asking nothing of it under that key).
            var throttle = f.Services.GetRequiredService<PaymentJournal.Auth.Throttle>();
            var giveUp = DateTime.UtcNow.AddMinutes(1);
            while (throttle.Running("key:admin") == 0)
            {
                Assert.True(DateTime.UtcNow < giveUp, "The held request never got its concurrency slot.");
                await Task.Delay(10);
            }
            using var admin = f.With(ApiKeyFixture.Admin);
            var second = await admin.Get(ServiceFixture.V2 + "companies");
            Assert.Equal(429, second.Status);
            Assert.Equal("Request_TooManyRequests", second.Body.ErrorCode());
            Assert.NotNull(second.Response.Headers.RetryAfter);

            // The stalled request runs into the 2-second request timeout: 408, with the service's error body.
            var response = await RawHttp.ReadResponseAsync(stream, TimeSpan.FromSeconds(15));
            Assert.StartsWith("HTTP/1.1 408", response);
            Assert.Contains("\"code\":\"Request_Timeout\"", response);
        }
        using var again = f.With(ApiKeyFixture.Admin);
        Assert.Equal(200, (await again.Get(ServiceFixture.V2 + "companies")).Status);
    }
}

public sealed class RequestLimitsTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    [Fact]
    public async Task A_body_over_the_limit_is_413_and_changes_nothing()
    {
        var before = await DbSnapshot.TakeAsync(f);
        var big = "{\"displayName\":\"" + new string('x', 1_100_000) + "\"}";
        var r = await f.Http.Post(ServiceFixture.CompanyPath() + "/customers", big);
        Assert.Equal(413, r.Status);
        Assert.Equal("BadRequest_RequestTooLarge", r.Body.ErrorCode());

        // Chunked, without a Content-Length: the limit holds while reading.
        using var req = new HttpRequestMessage(HttpMethod.Post, ServiceFixture.CompanyPath() + "/customers")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))),
        };
        req.Content.Headers.ContentType = new("application/json");
        req.Headers.TransferEncodingChunked = true;
        var chunked = await f.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    [Fact]
    public async Task A_url_over_the_limit_is_414()
    {
        var r = await f.Http.Get(ServiceFixture.CompanyPath() + "/customers?$select=" + new string('a', 8_300));
        Assert.Equal(414, r.Status);
        Assert.Equal("BadRequest_UriTooLong", r.Body.ErrorCode());
        // Far beyond it, Kestrel refuses the request line itself; still a 414, and the service stays up.
        var huge = await f.Http.GetAsync(ServiceFixture.CompanyPath() + "/customers?$select=" + new string('a', 20_000));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, huge.StatusCode);
        Assert.Equal(200, (await f.Http.Get(ServiceFixture.V2 + "companies")).Status);
    }

    [Fact]
    public async Task Headers_over_the_limit_are_431()
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, ServiceFixture.V2 + "companies");
        req.Headers.TryAddWithoutValidation("X-Padding", new string('p', 40_000));
        var r = await f.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, r.StatusCode);

        using var many = new HttpRequestMessage(HttpMethod.Get, ServiceFixture.V2 + "companies");
        for (var i = 0; i < 150; i++) many.Headers.TryAddWithoutValidation("X-H" + i, "v");
        var r2 = await f.Http.SendAsync(many);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, r2.StatusCode);
        Assert.Equal(200, (await f.Http.Get(ServiceFixture.V2 + "companies")).Status);
    }

    [Fact]
    public async Task A_batch_over_the_request_limit_is_a_4xx_and_runs_nothing()
    {
        var before = await DbSnapshot.TakeAsync(f);
        var requests = Enumerable.Range(1, 101).Select(i => new
        {
            id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), method = "POST", url = $"companies({ServiceFixture.Company})/contacts",
            headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" }, body = new { displayName = "batch " + i },
        });
        var r = await f.Http.Post(ServiceFixture.V2 + "$batch", new { requests });
        Assert.InRange(r.Status, 400, 499);
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    [Fact]
    public async Task A_key_in_an_oversized_header_is_never_looked_at()
    {
        using var c = f.Anonymous();
        c.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", new string('k', 20_000));
        Assert.Equal(401, (await c.Get(ServiceFixture.V2 + "companies")).Status);
    }
}
