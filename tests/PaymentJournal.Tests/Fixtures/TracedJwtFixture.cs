using Microsoft.Extensions.Logging;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>The service in Jwt mode logging everything, ASP.NET Core's authentication handlers included.</summary>
public sealed class TracedJwtFixture : JwtFixture
{
    public LogCapture Logs { get; } = new();
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [.. LogCapture.TraceEverything, new("Logging:LogLevel:Microsoft.AspNetCore", "Trace")];
    protected override void Configure(WebApplicationBuilder builder) => builder.Logging.AddProvider(Logs);
}
