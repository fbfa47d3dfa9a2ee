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

        app.MapGet("/health", async (AppDb db, CancellationToken ct) =>
            await db.Database.CanConnectAsync(ct) ? Results.Text("Healthy") : Results.Text("Unhealthy", statusCode: 503));

        Task V2(HttpContext http, string? rest) => endpoint.HandleAsync(http, catalog.V2, static () => "/api/v2.0/", rest ?? "");
        // The tenant and environment are echoed into absolute URLs: checked before anything runs.
        Task V2Online(HttpContext http, string tenant, string environment, string? rest) =>
            endpoint.HandleAsync(http, catalog.V2, () => UrlParts.OnlineRoot(tenant, environment), rest ?? "");
        Task Graph(HttpContext http, string? rest) => endpoint.HandleAsync(http, catalog.Graph, static () => "/beta/financials/", rest ?? "");

        app.Map("/api/v2.0/{**rest}", V2);
        app.Map("/v2.0/{tenant}/{environment}/api/v2.0/{**rest}", V2Online);
        app.Map("/beta/financials/{**rest}", Graph);
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
