using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace PaymentJournal.Auth;

/// <summary>
/// The "ForwardedHeaders" section: behind a load balancer, X-Forwarded-For, -Proto and -Host are taken from the
/// listed proxies only, so absolute URLs (@odata.context, next links, Location) and the client address are the ones
/// the client used. Off unless a proxy or network is listed; from any other sender the headers are ignored.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static ForwardedHeadersOptions? Read(IConfiguration config)
    {
        var section = config.GetSection("ForwardedHeaders");
        var proxies = AuthSettings.ValuesOf(section.GetSection("KnownProxies"));
        var networks = AuthSettings.ValuesOf(section.GetSection("KnownNetworks"));
        if (proxies.Count == 0 && networks.Count == 0) return null;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            // One proxy in front: only the entry it appended is believed.
            ForwardLimit = section.GetValue<int?>("ForwardLimit") ?? 1,
        };
        // The defaults trust loopback; only what is configured is trusted.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var p in proxies)
            options.KnownProxies.Add(IPAddress.TryParse(p, out var ip) ? ip
                : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{p}' is not an IP address."));
        foreach (var n in networks)
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(n, out var net) ? net
                : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{n}' is not a network in CIDR form (e.g. 10.0.0.0/8)."));
        if (options.ForwardLimit < 1) throw new InvalidOperationException("ForwardedHeaders:ForwardLimit must be at least 1.");
        var hosts = AuthSettings.ValuesOf(section.GetSection("AllowedHosts"));
        foreach (var h in hosts) options.AllowedHosts.Add(h);
        return options;
    }
}
