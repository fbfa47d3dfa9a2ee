using System.Net.Http.Headers;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>The service behind a load balancer on 127.0.0.1, which is listed as a trusted proxy.</summary>
public sealed class TrustedProxyFixture : ApiKeyFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> FailureLimitSettings => [];
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("ForwardedHeaders:KnownProxies", "127.0.0.1")];
}
