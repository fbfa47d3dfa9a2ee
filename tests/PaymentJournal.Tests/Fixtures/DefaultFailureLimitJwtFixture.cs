using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PaymentJournal.Auth;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Jwt mode with the default failed-authentication limit.</summary>
public sealed class DefaultFailureLimitJwtFixture : JwtFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> FailureLimitSettings => [];
}
