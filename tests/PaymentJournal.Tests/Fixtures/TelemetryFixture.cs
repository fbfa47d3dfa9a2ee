using System.Text;
using Microsoft.Extensions.Logging;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>ApiKey mode with Prometheus metrics on and every log line captured.</summary>
public sealed class TelemetryFixture : ApiKeyFixture
{
    public LogCapture Logs { get; } = new();
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Telemetry:Metrics:Enabled", "true"),
        new("Logging:LogLevel:PaymentJournal", "Information"),
    ];
    protected override void Configure(WebApplicationBuilder builder) => builder.Logging.AddProvider(Logs);

    public IEnumerable<string> Lines(string category) => Logs.Entries.Where(e => e.StartsWith(category + " ", StringComparison.Ordinal));
}
