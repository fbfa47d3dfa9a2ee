using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PaymentJournal.Auth;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>ApiKey mode with the default failed-authentication limit, throttling off, and every log line kept.</summary>
public sealed class DefaultFailureLimitApiKeyFixture : ApiKeyFixture
{
    public LogCapture Logs { get; } = new();
    protected override IEnumerable<KeyValuePair<string, string?>> FailureLimitSettings => [];
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Logging:LogLevel:PaymentJournal.Auth", "Information")];
    protected override void Configure(WebApplicationBuilder builder) => builder.Logging.AddProvider(Logs);
}
