using System.Collections.Concurrent;
using System.Diagnostics;

namespace PaymentJournal.Auth;

/// <summary>The "Auth:FailureLimit" section: how many refused credentials a client may send in a window. On by default.</summary>
public sealed class FailedAuthSettings
{
    public bool Enabled { get; set; } = true;
    /// <summary>Refused authentications allowed per client address (and per presented name) in one window.</summary>
    public int Attempts { get; set; } = 10;
    public int WindowSeconds { get; set; } = 60;

    public void Validate()
    {
        if (Attempts < 1 || WindowSeconds < 1)
            throw new InvalidOperationException("Auth:FailureLimit: Attempts and WindowSeconds must be at least 1.");
    }
}

/// <summary>
/// Counts refused authentications per client address. Past the limit every request from that address is a 429 with
/// Retry-After until its window ends, before the credential is even looked at, so a right guess gains nothing.
/// Not per presented name: a refused credential names no one for sure (an API key carries no name, the Basic user
/// name is ignored, a token's subject is unverified), and counting such a name would let anyone lock its owner out.
/// Independent of the Throttling section, which counts only requests with valid credentials.
/// </summary>
public sealed class FailedAuthLimit(FailedAuthSettings settings)
{
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly long _windowTicks = (long)settings.WindowSeconds * Stopwatch.Frequency;

    private sealed class Window(long start)
    {
        public long Start = start;
        public int Failures;
    }

    /// <summary>Seconds until the client may try again when it is over the limit; null when it is not.</summary>
    public int? RetryAfter(string client)
    {
        if (!settings.Enabled || !_windows.TryGetValue(client, out var w)) return null;
        var now = Stopwatch.GetTimestamp();
        lock (w)
        {
            var left = w.Start + _windowTicks - now;
            if (left <= 0 || w.Failures < settings.Attempts) return null;
            return (int)Math.Max(1, Math.Ceiling((double)left / Stopwatch.Frequency));
        }
    }

    /// <summary>Counts a refused credential; true when it is the one that reaches the limit.</summary>
    public bool Failed(string client)
    {
        if (!settings.Enabled) return false;
        var now = Stopwatch.GetTimestamp();
        if (_windows.Count > PruneAbove) Prune(now);
        var w = _windows.GetOrAdd(client, _ => new Window(now));
        lock (w)
        {
            if (now - w.Start >= _windowTicks) { w.Start = now; w.Failures = 0; }
            return ++w.Failures == settings.Attempts;
        }
    }

    private void Prune(long now)
    {
        foreach (var (key, w) in _windows)
            if (now - Volatile.Read(ref w.Start) >= _windowTicks) _windows.TryRemove(key, out _);
    }

    /// <summary>
    /// The client's address (the forwarded one when a trusted proxy sent it); an IPv6 client counts by its /64, which
    /// one subscriber usually holds whole.
    /// </summary>
    public static string ClientOf(HttpContext http)
    {
        var ip = http.Connection.RemoteIpAddress;
        if (ip is null) return "unknown";
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return ip.ToString();
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new System.Net.IPAddress(bytes) + "/64";
    }
}
