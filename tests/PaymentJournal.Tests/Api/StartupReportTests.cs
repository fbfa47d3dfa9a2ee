using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>The start-up log block, where the database file lands, and when the demo company is seeded.</summary>
[Trait("Category", "Slow")]
public sealed class StartupReportTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pj-startup-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<string> _databases = [];
    private static DatabaseProvider Provider => TestDatabase.Provider;

    public Task InitializeAsync() { Directory.CreateDirectory(_dir); return Task.CompletedTask; }

    public async Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var cs in _databases) await TestDatabase.DropAsync(Provider, cs);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private async Task<(WebApplication App, LogCapture Logs, string ConnectionString)> BuildAsync(string[] args, params (string Key, string Value)[] settings)
    {
        var cs = await TestDatabase.CreateAsync(Provider, _dir, "db" + _databases.Count);
        _databases.Add(cs);
        var logs = new LogCapture();
        var all = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Database:Provider"] = Provider.ToString(),
            ["ConnectionStrings:PaymentJournal"] = cs,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:PaymentJournal.Startup"] = "Information",
        };
        foreach (var (k, v) in settings) all[k] = v;
        var app = App.Build(args, b =>
        {
            b.Configuration.AddInMemoryCollection(all);
            b.Logging.AddProvider(logs);
        });
        return (app, logs, cs);
    }

    private static async Task<int> CompaniesAsync(WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<AppDb>().Companies.CountAsync();
    }

    [Fact]
    public async Task The_start_up_block_names_version_database_auth_addresses_surfaces_and_the_demo_data_without_a_password()
    {
        var (app, logs, cs) = await BuildAsync([], ("Demo:Seed", "true"));
        await using (app)
        {
            await App.PrepareDatabaseAsync(app);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            var block = logs.Entries.SingleOrDefault(e => e.Contains(" started (", StringComparison.Ordinal));
            Assert.True(block is not null, string.Join("\n", logs.Entries));
            Assert.Contains(StartupReport.Version, block);
            Assert.Contains("auth:       None", block);
            Assert.Contains("listening:  " + address, block);
            Assert.Contains("/api/v2.0/", block);
            Assert.Contains("/beta/financials/", block);
            Assert.Contains("emulator:   off", block);
            Assert.Contains($"demo data:  seeded the demo company {DemoSeed.CompanyId}", block);
            if (Provider == DatabaseProvider.Sqlite)
            {
                Assert.Contains("database:   SQLite " + Path.Combine(_dir, "db0.db"), block);
            }
            else
            {
                var pg = new Npgsql.NpgsqlConnectionStringBuilder(cs);
                Assert.Contains($"database:   PostgreSQL {pg.Host}:{pg.Port}/{pg.Database}", block);
                if (!string.IsNullOrEmpty(pg.Password)) Assert.DoesNotContain(pg.Password, string.Join("\n", logs.Entries));
            }
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Outside_Development_the_demo_company_is_not_seeded_unless_Demo_Seed_is_on()
    {
        var (production, _, _) = await BuildAsync(["--environment", "Production"]);
        await using (production)
        {
            await App.PrepareDatabaseAsync(production);
            Assert.Equal(0, await CompaniesAsync(production));
            Assert.Contains("Demo:Seed is off", production.Services.GetRequiredService<StartupReport>().DemoData);
        }
        var (development, _, _) = await BuildAsync(["--environment", "Development"]);
        await using (development)
        {
            await App.PrepareDatabaseAsync(development);
            Assert.Equal(1, await CompaniesAsync(development));
        }
        var (asked, _, _) = await BuildAsync(["--environment", "Production"], ("Demo:Seed", "true"));
        await using (asked)
        {
            await App.PrepareDatabaseAsync(asked);
            Assert.Equal(1, await CompaniesAsync(asked));
        }
        var (refused, _, _) = await BuildAsync(["--environment", "Development"], ("Demo:Seed", "false"));
        await using (refused)
        {
            await App.PrepareDatabaseAsync(refused);
            Assert.Equal(0, await CompaniesAsync(refused));
        }
    }

    [Fact]
    public async Task A_relative_SQLite_path_resolves_against_the_working_directory_and_a_new_file_is_announced_with_its_absolute_path()
    {
        await using var node = ServiceNode.Launch("relative", "Data Source=data/relative.db", "--Database:Provider=Sqlite");
        await node.WaitListeningAsync(TimeSpan.FromMinutes(3)); // a process start on a busy machine
        var expected = Path.Combine(node.WorkDirectory, "data", "relative.db");
        for (var i = 0; i < 300 && !node.Output.Contains("demo data:", StringComparison.Ordinal); i++) await Task.Delay(100);
        Assert.Contains($"No database file at {expected}: creating a new, empty one", node.Output);
        Assert.Contains("database:   SQLite " + expected, node.Output);
        Assert.True(File.Exists(expected), node.Output);
    }

    [Fact]
    public async Task A_second_service_on_the_same_SQLite_file_refuses_to_start_and_a_later_one_starts()
    {
        var file = Path.Combine(_dir, "owned.db");
        var cs = "Data Source=" + file;
        await using (var first = ServiceNode.Launch("owner", cs, "--Database:Provider=Sqlite"))
        {
            await first.WaitListeningAsync(TimeSpan.FromMinutes(3));
            await using var second = ServiceNode.Launch("second", cs, "--Database:Provider=Sqlite");
            for (var i = 0; i < 1200 && !(second.HasExited && second.Output.Contains("did not start", StringComparison.Ordinal)); i++) await Task.Delay(100);
            Assert.True(second.HasExited, second.Output);
            Assert.Contains($"PaymentJournal did not start: Database: another PaymentJournal process serves {file}", second.Output);
            Assert.False(first.HasExited, first.Output);
        }
        // The lock goes with the process that held it.
        await using var later = ServiceNode.Launch("later", cs, "--Database:Provider=Sqlite");
        await later.WaitListeningAsync(TimeSpan.FromMinutes(3));
        Assert.False(later.HasExited, later.Output);
    }
}
