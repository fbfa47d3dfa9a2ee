using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>API-key authentication with every log line captured at the most detailed level.</summary>
public sealed class LoggedApiKeyFixture : ApiKeyFixture
{
    public LogCapture Logs { get; } = new();
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => LogCapture.TraceEverything;
    protected override void Configure(WebApplicationBuilder builder) => builder.Logging.AddProvider(Logs);
}
