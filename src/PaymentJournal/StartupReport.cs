using System.Reflection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PaymentJournal.Data;

namespace PaymentJournal;

/// <summary>
/// What this process runs with, logged as one block once the server listens: version, provider, the database
/// (the absolute SQLite path, or PostgreSQL's host and database, never a password), auth mode, surfaces and
/// whether the demo company was seeded.
/// </summary>
public sealed class StartupReport
{
    public const string Category = "PaymentJournal.Startup";

    public required DatabaseProvider Provider { get; init; }
    /// <summary>The database as the log names it: an absolute path, or host/database for PostgreSQL.</summary>
    public required string Database { get; init; }
    /// <summary>The SQLite database's absolute path; null on PostgreSQL or in memory.</summary>
    public string? SqliteFile { get; init; }
    public string? ReadReplica { get; init; }
    public required string AuthMode { get; init; }
    public required string Environment { get; init; }
    public string Emulator { get; init; } = "off";
    /// <summary>What happened to the demo company; set by <see cref="App.PrepareDatabaseAsync"/>.</summary>
    public string DemoData { get; set; } = "not checked (the database was not prepared)";

    public static string Version { get; } =
        typeof(StartupReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>A connection string as the log may show it: the SQLite file's absolute path, or PostgreSQL's host:port/database and user.</summary>
    public static string DescribeDatabase(DatabaseProvider provider, string connectionString)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            var pg = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            var user = string.IsNullOrEmpty(pg.Username) ? "" : $" as {pg.Username}";
            return $"PostgreSQL {pg.Host}:{pg.Port}/{pg.Database}{user}";
        }
        var path = App.SqlitePath(connectionString);
        return path is null ? "SQLite in memory" : $"SQLite {path}";
    }

    public void Log(ILogger log, IServer server)
    {
        var urls = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var roots = urls.Count == 0 ? "(no address)" : string.Join(", ", urls.Select(u => u.TrimEnd('/')));
        log.LogInformation(
            "PaymentJournal {Version} started ({Environment})" +
            "\n  database:   {Database}{Replica}" +
            "\n  auth:       {AuthMode}" +
            "\n  listening:  {Urls}" +
            "\n  surfaces:   /api/v2.0/ and /v2.0/{{tenant}}/{{environment}}/api/v2.0/, /v2.0/{{environment}}/api/v2.0/ (Business Central API v2.0), /beta/financials/ (Graph beta financials), /api/paymentjournal/{{group}}/v1.0/ (our own API groups), /health, /openapi/, /docs" +
            "\n  emulator:   {Emulator}" +
            "\n  demo data:  {DemoData}",
            Version, Environment, Database, ReadReplica is null ? "" : "\n  replica:    " + ReadReplica, AuthMode, roots, Emulator, DemoData);
    }
}
