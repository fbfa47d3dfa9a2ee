using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>The service on the suite's provider, its errors kept so that a failing query shows the server's side.</summary>
public class FilterFixture : ServiceFixture
{
    public LogCapture Logs { get; } = new();
    protected override void Configure(WebApplicationBuilder builder) => builder.Logging.AddProvider(Logs);
    public string LastError() => Logs.Entries.LastOrDefault(e => e.Contains("Exception", StringComparison.Ordinal)) ?? "";
}
