using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PaymentJournal.Auth;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Clients that connect from a loopback address of their choice, so each test is a client address of its own.</summary>
internal static class FromAddress
{
    public static HttpClient Client(Uri baseAddress, string localAddress)
    {
        var local = IPAddress.Parse(localAddress);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (ctx, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(ctx.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = baseAddress };
    }

    public static async Task<(int Status, string? RetryAfter, string Code)> SendAsync(HttpClient http, string url, Action<HttpRequestHeaders> credential)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        credential(req.Headers);
        using var resp = await http.SendAsync(req);
        var body = await resp.Content.ReadAsStringAsync();
        var code = body.Length > 0 ? JsonNode.Parse(body).ErrorCode() : "";
        return ((int)resp.StatusCode, resp.Headers.TryGetValues("Retry-After", out var v) ? v.Single() : null, code);
    }
}
