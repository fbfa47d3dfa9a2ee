namespace PaymentJournal.Tests.Security;

/// <summary>Configuration that cannot be safe stops the service before it listens.</summary>
public sealed class StartupTests
{
    private static WebApplication Build(params (string Key, string Value)[] settings) =>
        App.Build([], b => b.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))));

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080")]
    [InlineData("http://192.168.1.10:5080")]
    [InlineData("http://localhost:5080;http://[::]:5081")]
    [InlineData("http://example.com:80")]
    public void Mode_None_refuses_a_non_loopback_address_and_says_why(string urls)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Build(("urls", urls), ("Auth:Mode", "None")));
        Assert.Contains("loopback", e.Message);
        Assert.Contains("Auth:Mode", e.Message);
    }

    [Fact]
    public void Mode_None_refuses_a_non_loopback_Kestrel_endpoint()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Build(("urls", "http://localhost:5080"), ("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:5090")));
        Assert.Contains("0.0.0.0", e.Message);
    }

    [Theory]
    [InlineData("http://localhost:5080")]
    [InlineData("http://127.0.0.1:0;http://[::1]:0")]
    [InlineData("http://127.0.0.2:5080")]
    public async Task Mode_None_builds_on_loopback(string urls)
    {
        await using var app = Build(("urls", urls));
        Assert.NotNull(app);
    }

    [Fact]
    public async Task The_default_is_the_demo_quick_start_on_localhost()
    {
        await using var app = App.Build([]);
        Assert.NotNull(app);
    }

    [Fact]
    public async Task ApiKey_mode_may_listen_anywhere()
    {
        await using var app = Build(("urls", "http://0.0.0.0:5080"), ("Auth:Mode", "ApiKey"),
            ("Auth:ApiKeys:0:Key", "0123456789abcdef0123"), ("Auth:ApiKeys:0:Companies", "*"));
        Assert.NotNull(app);
    }

    [Theory]
    [InlineData("Auth:Mode", "Kerberos", "Auth:Mode")]
    [InlineData("Auth:ApiKeys:0:KeyHash", "abc", "KeyHash")]
    [InlineData("Auth:ApiKeys:0:Key", "short", "shorter than 16")]
    [InlineData("Auth:ApiKeys:0:Access", "Admin", "Access")]
    [InlineData("Auth:ApiKeys:0:Companies", "not-a-guid", "Companies")]
    public void Bad_auth_configuration_stops_the_start_with_a_message(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string>
        {
            ["Auth:Mode"] = "ApiKey", ["Auth:ApiKeys:0:Key"] = "0123456789abcdef0123", ["Auth:ApiKeys:0:Companies"] = "*",
        };
        if (key == "Auth:ApiKeys:0:KeyHash") settings.Remove("Auth:ApiKeys:0:Key");
        settings[key] = value;
        var e = Assert.Throws<InvalidOperationException>(() => Build(settings.Select(kv => (kv.Key, kv.Value)).ToArray()));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("256")]
    [InlineData("1000")]
    [InlineData("131072")]
    [InlineData("-4096")]
    public void A_page_size_SQLite_would_ignore_stops_the_start(string size)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Build(("Database:SqlitePageSize", size)));
        Assert.Contains("Database:SqlitePageSize", e.Message);
    }

    [Theory]
    [InlineData("512")]
    [InlineData("16384")]
    [InlineData("65536")]
    public async Task A_power_of_two_page_size_builds(string size)
    {
        await using var app = Build(("Database:SqlitePageSize", size));
        Assert.NotNull(app);
    }

    [Fact]
    public void ApiKey_mode_without_keys_stops_the_start()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Build(("Auth:Mode", "ApiKey")));
        Assert.Contains("Auth:ApiKeys", e.Message);
    }

    [Fact]
    public void Jwt_mode_without_keys_stops_the_start()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Build(("Auth:Mode", "Jwt"), ("Auth:Jwt:Issuer", "i"), ("Auth:Jwt:Audience", "a")));
        Assert.Contains("signing key", e.Message);
    }
}
