using System.Net.Sockets;
using System.Text;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Throttling and timeouts on tight limits, so the tests can reach them quickly.</summary>
public sealed class TightLimitsFixture : ApiKeyFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Throttling:Enabled", "true"),
        new("Throttling:RequestsPerWindow", "5"),
        new("Throttling:WindowSeconds", "300"),
        new("Throttling:MaxConcurrent", "1"),
        new("Throttling:MaxQueue", "0"),
        new("Limits:RequestTimeoutSeconds", "2"),
    ];
}
