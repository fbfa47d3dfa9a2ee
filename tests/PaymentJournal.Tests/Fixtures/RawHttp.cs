using System.Net.Sockets;
using System.Text;

namespace PaymentJournal.Tests.Fixtures;

public static class RawHttp
{
    /// <summary>Sends raw bytes and reads the status line; used to hold a request open or to send what HttpClient refuses to.</summary>
    public static async Task<(TcpClient Client, NetworkStream Stream)> OpenAsync(Uri baseAddress)
    {
        var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        return (client, client.GetStream());
    }

    public static async Task<string> ReadResponseAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[16384];
        var sb = new StringBuilder();
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                sb.Append(Encoding.UTF8.GetString(buffer, 0, read));
                var text = sb.ToString();
                var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headerEnd < 0) continue;
                var lengthLine = text[..headerEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim());
                if (Encoding.UTF8.GetByteCount(text[(headerEnd + 4)..]) >= length) break;
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        return sb.ToString();
    }
}
