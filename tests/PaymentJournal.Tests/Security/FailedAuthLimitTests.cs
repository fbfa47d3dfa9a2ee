using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PaymentJournal.Auth;

namespace PaymentJournal.Tests.Security;

/// <summary>
/// Refused credentials are counted per client address, on by default even with throttling off: past the limit the
/// address gets 429 with Retry-After for everything, a right key included; other addresses go on as before.
/// </summary>
public sealed class FailedAuthLimitApiKeyTests(DefaultFailureLimitApiKeyFixture f) : IClassFixture<DefaultFailureLimitApiKeyFixture>
{
    private static readonly int Limit = new FailedAuthSettings().Attempts;
    private const string Url = ServiceFixture.V2 + "companies";

    private static Action<HttpRequestHeaders> Key(string key) => h => h.Add("X-Api-Key", key);
    private static Action<HttpRequestHeaders> Basic(string user, string key) =>
        h => h.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + key)));

    private async Task GuessUntilLockedAsync(HttpClient attacker, Func<int, Action<HttpRequestHeaders>> guess, Action<HttpRequestHeaders> right)
    {
        Assert.False(f.Services.GetRequiredService<Throttle>().Enabled);
        var statuses = new List<(int Status, string? RetryAfter, string Code)>();
        for (var i = 0; i < Limit + 5; i++) statuses.Add(await FromAddress.SendAsync(attacker, Url, guess(i)));
        Assert.All(statuses.Take(Limit), s => Assert.Equal(401, s.Status));
        Assert.All(statuses.Skip(Limit), s =>
        {
            Assert.Equal(429, s.Status);
            Assert.Equal("Request_TooManyRequests", s.Code);
            Assert.True(int.TryParse(s.RetryAfter, out var seconds) && seconds >= 1, $"Retry-After '{s.RetryAfter}'");
        });
        // The right credential from the locked address gets no further: a lucky guess would learn nothing.
        Assert.Equal(429, (await FromAddress.SendAsync(attacker, Url, right)).Status);
    }

    [Fact]
    public async Task Fifteen_wrong_keys_in_X_Api_Key_end_in_429_for_that_address_only()
    {
        using var attacker = FromAddress.Client(f.BaseAddress, "127.0.0.21");
        await GuessUntilLockedAsync(attacker, i => Key("wrong-key-" + i + "-0123456789abcdef"), Key(ApiKeyFixture.WriterA));
        using var other = FromAddress.Client(f.BaseAddress, "127.0.0.22");
        Assert.Equal(200, (await FromAddress.SendAsync(other, Url, Key(ApiKeyFixture.WriterA))).Status);
        Assert.Equal(401, (await FromAddress.SendAsync(other, Url, Key("still-wrong-0123456789abcdef"))).Status);
        // /health stays open to everyone.
        Assert.Equal(HttpStatusCode.OK, (await attacker.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_in_Basic_authentication_end_in_429_whatever_the_user_name()
    {
        using var attacker = FromAddress.Client(f.BaseAddress, "127.0.0.23");
        await GuessUntilLockedAsync(attacker, i => Basic("user" + i, "wrong-password-" + i + "-0123456789"), Basic("user", ApiKeyFixture.WriterA));
        using var other = FromAddress.Client(f.BaseAddress, "127.0.0.24");
        Assert.Equal(200, (await FromAddress.SendAsync(other, Url, Basic("user", ApiKeyFixture.WriterA))).Status);
    }

    [Fact]
    public async Task Right_keys_are_never_counted()
    {
        using var client = FromAddress.Client(f.BaseAddress, "127.0.0.25");
        for (var i = 0; i < Limit * 3; i++) Assert.Equal(200, (await FromAddress.SendAsync(client, Url, Key(ApiKeyFixture.ReaderA))).Status);
        // A 403 (a valid key without the right) is not a failed authentication either.
        for (var i = 0; i < Limit * 2; i++)
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, ServiceFixture.CompanyPath() + "/contacts") { Content = HttpJson.Json(new { displayName = "x" }) };
            req.Headers.Add("X-Api-Key", ApiKeyFixture.ReaderA);
            Assert.Equal(403, (int)(await client.SendAsync(req)).StatusCode);
        }
        Assert.Equal(200, (await FromAddress.SendAsync(client, Url, Key(ApiKeyFixture.ReaderA))).Status);
    }

    [Fact]
    public async Task Every_refused_authentication_is_logged_without_the_secret()
    {
        using var client = FromAddress.Client(f.BaseAddress, "127.0.0.26");
        var secrets = Enumerable.Range(0, Limit + 2).Select(i => $"logged-secret-{i}-{Guid.NewGuid():N}").ToList();
        foreach (var s in secrets) await FromAddress.SendAsync(client, Url, Key(s));
        var lines = f.Logs.Entries.Where(e => e.Contains("127.0.0.26", StringComparison.Ordinal)).ToList();
        Assert.Equal(Limit, lines.Count(l => l.Contains("Request refused with 401", StringComparison.Ordinal)));
        Assert.Equal(2, lines.Count(l => l.Contains("Request refused with 429", StringComparison.Ordinal)));
        Assert.Single(lines, l => l.Contains("sent too many refused credentials", StringComparison.Ordinal));
        foreach (var s in secrets) Assert.DoesNotContain(f.Logs.Entries, e => e.Contains(s, StringComparison.Ordinal));
    }
}

public sealed class FailedAuthLimitJwtTests(DefaultFailureLimitJwtFixture f) : IClassFixture<DefaultFailureLimitJwtFixture>
{
    [Fact]
    public async Task Forged_tokens_end_in_429_for_that_address_and_the_right_token_is_refused_there_too()
    {
        var limit = new FailedAuthSettings().Attempts;
        var claims = JwtFixture.Claims("Financials.ReadWrite.All", ServiceFixture.Company);
        var good = JwtFixture.Mint(f.Hs256, claims);
        using var wrongKey = System.Security.Cryptography.RSA.Create(2048);
        var forged = JwtFixture.Mint(new Microsoft.IdentityModel.Tokens.SigningCredentials(
            new Microsoft.IdentityModel.Tokens.RsaSecurityKey(wrongKey), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSha256), claims);
        Action<HttpRequestHeaders> Bearer(string t) => h => h.Authorization = new AuthenticationHeaderValue("Bearer", t);

        using var attacker = FromAddress.Client(f.BaseAddress, "127.0.0.31");
        var statuses = new List<int>();
        for (var i = 0; i < limit + 3; i++) statuses.Add((await FromAddress.SendAsync(attacker, ServiceFixture.V2 + "companies", Bearer(i % 2 == 0 ? forged : "not.a.token" + i))).Status);
        Assert.All(statuses.Take(limit), s => Assert.Equal(401, s));
        Assert.All(statuses.Skip(limit), s => Assert.Equal(429, s));
        var locked = await FromAddress.SendAsync(attacker, ServiceFixture.V2 + "companies", Bearer(good));
        Assert.Equal(429, locked.Status);
        Assert.NotNull(locked.RetryAfter);
        using var other = FromAddress.Client(f.BaseAddress, "127.0.0.32");
        Assert.Equal(200, (await FromAddress.SendAsync(other, ServiceFixture.V2 + "companies", Bearer(good))).Status);
    }
}
