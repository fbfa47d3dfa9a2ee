using System.Net.Http.Headers;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>A trusted proxy is configured, but requests come from elsewhere (127.0.0.1 is not it).</summary>
public sealed class OtherProxyFixture : ApiKeyFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("ForwardedHeaders:KnownNetworks", "10.20.0.0/16")];
}
