using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>The service with a small WAL restart threshold and a test commit observer, for the SQLite writer's tests.</summary>
public sealed class SqliteWriterFixture : ServiceFixture
{
    public const int RestartPages = 256;
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Database:SqliteWalRestartPages", RestartPages.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public TestCommitObserver Commits { get; private set; } = null!;

    protected override void Configure(WebApplicationBuilder builder) => Commits = TestCommitObserver.Register(builder);

    public string DatabaseFile => new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString).DataSource;
}
