using Microsoft.EntityFrameworkCore;
using PaymentJournal.Auth;
using PaymentJournal.Data;
using PaymentJournal.Features.Accounts;
using PaymentJournal.Features.Companies;
using PaymentJournal.Features.Contacts;
using PaymentJournal.Features.CustomerPaymentJournals;
using PaymentJournal.Features.CustomerPayments;
using PaymentJournal.Features.Customers;
using PaymentJournal.Features.Dimensions;
using PaymentJournal.Features.Journals;
using PaymentJournal.Features.Ledger;
using PaymentJournal.Features.SalesInvoices;
using PaymentJournal.OData;

namespace PaymentJournal;

/// <summary>Composition: data, the OData surfaces and their entity sets. Program.cs and the tests both start here.</summary>
public static class App
{
    public const string DefaultUrl = "http://localhost:5080";
    public const string DefaultConnectionString = "Data Source=data/paymentjournal.db";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The content root is the build output, where appsettings.json is copied; relative data paths use the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Kestrel's own request-line cap sits above ours (Limits:MaxUrlLength), so a long URL gets the contract's error body.
            k.Limits.MaxRequestLineSize = 65_536;
        });

        var dbOptions = builder.Configuration.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        dbOptions.Validate();
        var limits = builder.Configuration.GetSection("Limits").Get<Limits>() ?? new Limits();
        builder.Services.AddSingleton(dbOptions);
        if (dbOptions.Provider == DatabaseProvider.Sqlite) SqliteProcessConfig.EnsureApplied();
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton<GroupCommitter>();
        builder.Services.AddSingleton<WriteGate>();
        builder.Services.AddSingleton<DatabaseHealth>();
        AuthSetup.AddAuth(builder, limits);
        var connectionString = builder.Configuration.GetConnectionString("PaymentJournal") ?? DefaultConnectionString;
        void Use(DbContextOptionsBuilder o, string cs)
        {
            if (dbOptions.Provider == DatabaseProvider.Postgres) o.UseNpgsql(cs);
            else o.UseSqlite(PrepareSqlite(cs, Environment.CurrentDirectory)).AddInterceptors(SqliteStatementCache.Instance);
        }
        builder.Services.AddDbContextPool<AppDb>(o => Use(o, connectionString), poolSize: 256);
        // The read replica gets a pool of its own; its contexts are made per request by the endpoint, not by DI.
        builder.Services.AddSingleton(sp => new ReadReplica(sp, dbOptions, Use));

        builder.Services.AddSingleton(_ => new Catalog(new CompaniesSet(),
        [
            new CustomerPaymentJournalsSet(), new CustomerPaymentsSet(), new CustomersSet(), new ContactsSet(),
            new SalesInvoicesSet(), new SalesInvoiceLinesSet(), new AccountsSet(),
            new DimensionsSet(), new DimensionValuesSet(), new DimensionSetLinesSet(), new DimensionLinesSet(),
            new JournalsSet(), new CustomerLedgerEntriesSet(), new GeneralLedgerEntriesSet(), new LedgerDimensionSetLinesSet(),
        ]));
        builder.Services.AddSingleton<CompanyDirectory>();
        builder.Services.AddSingleton<Dispatcher>();
        builder.Services.AddSingleton<BatchHandler>();
        builder.Services.AddSingleton<ODataEndpoint>();

        var app = builder.Build();
        AuthSetup.UseAuth(app);
        MapSurfaces(app);
        return app;
    }

    private static void MapSurfaces(WebApplication app)
    {
        var catalog = app.Services.GetRequiredService<Catalog>();
        var endpoint = app.Services.GetRequiredService<ODataEndpoint>();

        // /health: the database answers and can be written; /health/live: the process is up; /health/ready: the
        // migrations ran and a write commits. None of them needs a credential.
        var health = app.Services.GetRequiredService<DatabaseHealth>();
        app.MapGet("/health", async (HttpContext http, AppDb db, CancellationToken ct) => Health(http, await health.ProblemAsync(db, ct), "Healthy"));
        app.MapGet("/health/live", () => Results.Text("Healthy"));
        app.MapGet("/health/ready", async (HttpContext http, AppDb db, CancellationToken ct) =>
            Health(http, await health.ReadinessProblemAsync(db, ct), "Ready"));

        Task V2(HttpContext http, string? rest) => endpoint.HandleAsync(http, catalog.V2, "/api/v2.0/", rest ?? "");
        Task V2Online(HttpContext http, string tenant, string environment, string? rest) =>
            endpoint.HandleAsync(http, catalog.V2, $"/v2.0/{tenant}/{environment}/api/v2.0/", rest ?? "");
        Task Graph(HttpContext http, string? rest) => endpoint.HandleAsync(http, catalog.Graph, "/beta/financials/", rest ?? "");

        app.Map("/api/v2.0/{**rest}", V2);
        app.Map("/v2.0/{tenant}/{environment}/api/v2.0/{**rest}", V2Online);
        app.Map("/beta/financials/{**rest}", Graph);
    }

    private static IResult Health(HttpContext http, string? problem, string ok)
    {
        if (problem is null) return Results.Text(ok);
        http.Response.Headers.RetryAfter = Errors.ApiErrors.DatabaseRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Text("Unhealthy: " + problem, statusCode: 503);
    }

    /// <summary>Creates the SQLite file's folder, relative paths resolving against the working directory.</summary>
    private static string PrepareSqlite(string connectionString, string contentRoot)
    {
        var csb = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(csb.DataSource) && csb.DataSource != ":memory:" && csb.Mode != Microsoft.Data.Sqlite.SqliteOpenMode.Memory)
        {
            var path = Path.IsPathRooted(csb.DataSource) ? csb.DataSource : Path.Combine(contentRoot, csb.DataSource);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            csb.DataSource = path;
        }
        csb.ForeignKeys = true;
        return csb.ToString();
    }

    /// <summary>Migrates the schema and seeds the demo company into an empty database (unless Demo:Seed=false).</summary>
    public static async Task PrepareDatabaseAsync(WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var options = app.Services.GetRequiredService<DatabaseOptions>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PaymentJournal.Startup");
        await using var startup = await Migrator.StartupLockAsync(db, options.Provider);
        await Migrator.MigrateAsync(db, options.Provider, log, sqlitePageSize: options.SqlitePageSize);
        // Under the same lock as the migrations: two nodes starting on an empty database must not both seed it.
        if (app.Configuration.GetValue("Demo:Seed", true) && await DemoSeed.SeedAsync(db))
            log.LogInformation("Seeded the demo company {CompanyId}", DemoSeed.CompanyId);
    }
}
