using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// A real HTTP receiver (Kestrel on loopback, in the test process) for webhook tests: each path is an endpoint of its
/// own, which answers the validation handshake as told and answers notifications with the statuses queued for it
/// (200 once the queue is empty), and records every notification body it gets.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public enum Handshake { Echo, WrongToken, Fail }

    public sealed record Received(string Path, JsonNode Body, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At);

    private sealed class Endpoint
    {
        public Handshake Handshake = Handshake.Echo;
        public readonly ConcurrentQueue<int> Statuses = new();
        public int Handshakes;
        public int Attempts;
    }

    private readonly ConcurrentDictionary<string, Endpoint> _endpoints = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private WebApplication? _app;
    public string Root { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Map("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        receiver._app = app;
        receiver.Root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return receiver;
    }

    /// <summary>As a status: the notification gets no answer at all until its sender goes away.</summary>
    public const int NoAnswer = 0;

    /// <summary>A new endpoint's URL; <paramref name="statuses"/> are its first answers to notifications.</summary>
    public string NewEndpoint(Handshake handshake = Handshake.Echo, params int[] statuses)
    {
        var path = "/hooks/" + Guid.NewGuid().ToString("N");
        var e = new Endpoint { Handshake = handshake };
        foreach (var s in statuses) e.Statuses.Enqueue(s);
        _endpoints[path] = e;
        return Root + path;
    }

    public int Handshakes(string url) => _endpoints[new Uri(url).AbsolutePath].Handshakes;
    public int Attempts(string url) => _endpoints[new Uri(url).AbsolutePath].Attempts;

    /// <summary>The notification items received at the endpoint so far, in arrival order.</summary>
    public List<JsonNode> Items(string url)
    {
        var path = new Uri(url).AbsolutePath;
        return _received.Where(r => r.Path == path).SelectMany(r => r.Body["value"]!.AsArray().Select(i => i!)).ToList();
    }

    public List<Received> Requests(string url)
    {
        var path = new Uri(url).AbsolutePath;
        return _received.Where(r => r.Path == path).ToList();
    }

    /// <summary>Waits until the endpoint's items satisfy <paramref name="done"/> (a generous limit: it only guards against a hang).</summary>
    public async Task<List<JsonNode>> WaitForAsync(string url, Func<List<JsonNode>, bool> done, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var items = Items(url);
            if (done(items)) return items;
            if (DateTime.UtcNow > until) throw new TimeoutException($"the receiver did not get what was expected; it has {items.Count} items: {string.Join(", ", items.Select(i => i.ToJsonString()))}");
            await Task.Delay(50);
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (!_endpoints.TryGetValue(path, out var e)) { http.Response.StatusCode = 404; return; }
        var token = http.Request.Query["validationToken"].ToString();
        if (token.Length > 0)
        {
            Interlocked.Increment(ref e.Handshakes);
            switch (e.Handshake)
            {
                case Handshake.Echo:
                    http.Response.ContentType = "text/plain";
                    await http.Response.WriteAsync(token);
                    return;
                case Handshake.WrongToken:
                    await http.Response.WriteAsync("not-the-token");
                    return;
                default:
                    http.Response.StatusCode = 500;
                    return;
            }
        }
        using var reader = new StreamReader(http.Request.Body);
        var text = await reader.ReadToEndAsync();
        Interlocked.Increment(ref e.Attempts);
        var status = e.Statuses.TryDequeue(out var s) ? s : 200;
        if (status == NoAnswer)
        {
            try { await Task.Delay(Timeout.Infinite, http.RequestAborted); }
            catch (OperationCanceledException) { }
            return;
        }
        if (status is >= 200 and < 300)
        {
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            _received.Enqueue(new Received(path, JsonNode.Parse(text)!, headers, DateTimeOffset.UtcNow));
        }
        http.Response.StatusCode = status;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The service with short webhook windows and retries, and a receiver beside it.</summary>
public class WebhookFixture : ServiceFixture
{
    public WebhookReceiver Receiver { get; private set; } = null!;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Webhooks:Delay", "00:00:00.300"),
        new("Webhooks:PollInterval", "00:00:00.100"),
        new("Webhooks:RefreshInterval", "00:00:00.500"),
        new("Webhooks:HandshakeTimeout", "00:00:03"),
        new("Webhooks:SendTimeout", "00:00:05"),
        new("Webhooks:Lease", "00:00:10"),
        new("Webhooks:RetryDelays:0", "00:00:00.200"),
        .. Extra,
    ];

    protected virtual IEnumerable<KeyValuePair<string, string?>> Extra => [];

    public override async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
        await WithDb(async db => { await SecondCompany.SeedAsync(db); return 0; });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    /// <summary>Subscribes the endpoint to a resource on an API root (v2.0 by default); returns the answer.</summary>
    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SubscribeAsync(string url, string resource, string clientState = "secret-state", string root = V2) =>
        Http.Post(root + "subscriptions", new { notificationUrl = url, resource, clientState });
}

/// <summary>API keys limited to companies, with a receiver beside the service.</summary>
public sealed class WebhookApiKeyFixture : ApiKeyFixture
{
    public WebhookReceiver Receiver { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
