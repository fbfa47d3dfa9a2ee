using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace PaymentJournal.Features.Webhooks;

/// <summary>
/// The HTTP side of webhooks: checks a notification URL, runs the validation handshake and posts notifications. Every
/// connection checks the address it is about to reach (so a name that later resolves elsewhere is caught too);
/// redirects are not followed. Neither the URL's query or user info nor clientState is ever logged.
/// </summary>
public sealed class NotificationClient : IDisposable
{
    private readonly WebhookOptions _options;
    private readonly HttpClient _http;

    public NotificationClient(WebhookOptions options)
    {
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Why a URL is refused before anything is sent, or null when it may be used.</summary>
    public async Task<string?> RefusalAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "The notificationUrl must be an absolute http or https URL.";
        if (uri.Fragment.Length > 0) return "The notificationUrl must not have a fragment.";
        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost, out var literal)) addresses = [literal];
        else
        {
            try { addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, ct); }
            catch (SocketException) { return "The notificationUrl's host name does not resolve."; }
        }
        if (addresses.Length == 0) return "The notificationUrl's host name does not resolve.";
        foreach (var a in addresses)
            if (Refused(a)) return "The notificationUrl reaches a link-local or cloud metadata address, which is refused (setting Webhooks:AllowLinkLocal).";
        return null;
    }

    /// <summary>Link-local and metadata addresses, unless allowed. Loopback and private ranges are allowed (local receivers).</summary>
    public bool Refused(IPAddress address)
    {
        if (_options.AllowLinkLocal) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            if (b[0] == 169 && b[1] == 254) return true; // link-local, and the usual metadata address 169.254.169.254
            if (b[0] == 100 && b[1] == 100 && b[2] == 100 && b[3] == 200) return true; // Alibaba Cloud metadata
            if (b[0] == 0) return true; // "this network": reaches the host itself on some systems
            return false;
        }
        if (address.IsIPv6LinkLocal) return true;
        // AWS's IPv6 metadata address fd00:ec2::254.
        return address.Equals(IPAddress.Parse("fd00:ec2::254"));
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = addresses.Where(a => !Refused(a)).ToArray();
        if (allowed.Length == 0) throw new HttpRequestException("The notification URL reaches a refused address.");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The handshake: POST {url}?validationToken={random} with no body; the receiver must answer 200 with the token as
    /// its body (plain text; surrounding white space or quotes are tolerated) within Webhooks:HandshakeTimeout.
    /// Returns null on success, else what went wrong (without the URL).
    /// </summary>
    public async Task<string?> HandshakeAsync(string url, string clientState, CancellationToken ct)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var target = url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "validationToken=" + token;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.HandshakeTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent([]) };
            if (clientState.Length > 0) request.Headers.TryAddWithoutValidation("ClientState", clientState);
            using var response = await _http.SendAsync(request, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK) return $"it answered {(int)response.StatusCode} instead of 200";
            var body = await ReadCappedAsync(response, 4096, timeout.Token);
            var echoed = body.Trim().Trim('"');
            return echoed == token ? null : "its answer was not the validation token";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"it did not answer within {_options.HandshakeTimeout.TotalSeconds:0.###} seconds";
        }
        catch (HttpRequestException)
        {
            return "it could not be reached";
        }
    }

    /// <summary>What a delivery attempt came to.</summary>
    public enum Outcome { Delivered, Retry, Drop }

    /// <summary>Posts one notification body; 2xx delivered, no answer/408/429/5xx retry, anything else drop (as Business Central).</summary>
    public async Task<(Outcome Outcome, int Status)> SendAsync(string url, byte[] body, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.SendTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Accept.ParseAdd("application/json");
            var correlation = Guid.NewGuid().ToString("D");
            request.Headers.TryAddWithoutValidation("clientRequestId", correlation);
            request.Headers.TryAddWithoutValidation("x-ms-correlation-id", correlation);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return (Outcome.Delivered, status);
            if (status is 408 or 429 or >= 500) return (Outcome.Retry, status);
            return (Outcome.Drop, status);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (Outcome.Retry, 0);
        }
        catch (HttpRequestException)
        {
            return (Outcome.Retry, 0);
        }
    }

    private static async Task<string> ReadCappedAsync(HttpResponseMessage response, int max, CancellationToken ct)
    {
        await using var s = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[max];
        var filled = 0;
        int n;
        while (filled < max && (n = await s.ReadAsync(buffer.AsMemory(filled), ct)) > 0) filled += n;
        return System.Text.Encoding.UTF8.GetString(buffer, 0, filled);
    }

    /// <summary>The URL as it may appear in a log: scheme, host, port and path, without user info or query.</summary>
    public static string ForLog(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Scheme + "://" + u.Authority + u.AbsolutePath : "(not a URL)";
}
