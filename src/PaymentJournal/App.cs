using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PaymentJournal.Auth;
using PaymentJournal.Data;
using PaymentJournal.Emulator;
using PaymentJournal.Features.Accounts;
using PaymentJournal.Features.CashApplication.Api;
using PaymentJournal.Features.Companies;
using PaymentJournal.Features.Contacts;
using PaymentJournal.Features.CustomerPaymentJournals;
using PaymentJournal.Features.CustomerPayments;
using PaymentJournal.Features.Customers;
using PaymentJournal.Features.Dimensions;
using PaymentJournal.Features.GeneralJournals;
using PaymentJournal.Features.Journals;
using PaymentJournal.Features.Ledger;
using PaymentJournal.Features.PurchaseInvoices;
using PaymentJournal.Features.SalesInvoices;
using PaymentJournal.Features.VendorPayments;
using PaymentJournal.Features.Vendors;
using PaymentJournal.OData;
using PaymentJournal.OpenApi;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal;

/// <summary>Composition: data, the OData surfaces and their entity sets. Program.cs and the tests both start here.</summary>
public static class App
{
    public const string DefaultUrl = "http://localhost:5080";
    public const string DefaultConnectionString = "Data Source=data/paymentjournal.db";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The content root is the build output, where appsettings.json is copied; a relative SQLite path resolves against
        // the working directory, and the start-up log names the absolute path (and warns when the file is new).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Kestrel's own request-line cap sits above ours (Limits:MaxUrlLength), so a long URL gets the service's error body.
            k.Limits.MaxRequestLineSize = 65_536;
            // Header values that are not UTF-8 reach the service marked, so it can answer them with its error body.
            k.RequestHeaderEncodingSelector = static _ => WellFormed.HeaderEncoding;
        });

        var dbOptions = builder.Configuration.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        dbOptions.Validate();
        var limits = builder.Configuration.GetSection("Limits").Get<Limits>() ?? new Limits();
        var emulator = builder.Configuration.GetSection("Emulator").Get<EmulatorOptions>() ?? new EmulatorOptions();
        builder.Services.AddSingleton(dbOptions);
        if (dbOptions.Provider == DatabaseProvider.Sqlite) SqliteProcessConfig.EnsureApplied();
        builder.Services.AddSingleton(limits);
        // Tests may have registered their own observer (configure runs first).
        builder.Services.TryAddSingleton<ICommitObserver, NoCommitObserver>();
        builder.Services.AddSingleton<GroupCommitter>();
        builder.Services.AddSingleton<WriteGate>();
        builder.Services.AddSingleton<DatabaseHealth>();
        AuthSetup.AddAuth(builder, limits);
        Features.Idempotency.IdempotencySetup.Add(builder);
        Features.Webhooks.WebhookSetup.Add(builder);
        var telemetry = Telemetry.TelemetrySetup.Add(builder);
        var connectionString = builder.Configuration.GetConnectionString("PaymentJournal") ?? DefaultConnectionString;
        void Use(DbContextOptionsBuilder o, string cs)
        {
            if (dbOptions.Provider == DatabaseProvider.Postgres) o.UseNpgsql(Data.Postgres.PostgresConnections.WithDefaults(cs)).AddInterceptors(Data.Postgres.PostgresHeldWrite.Interceptor);
            else o.UseSqlite(PrepareSqlite(cs)).AddInterceptors(SqliteStatementCache.Instance);
            if (telemetry.On) o.AddInterceptors(new Telemetry.DbTiming(dbOptions.Provider == DatabaseProvider.Postgres ? "postgresql" : "sqlite"));
        }
        var readOnly = dbOptions.ReadOnlyConnectionString;
        builder.Services.AddSingleton(new StartupReport
        {
            Provider = dbOptions.Provider,
            Database = StartupReport.DescribeDatabase(dbOptions.Provider, connectionString),
            SqliteFile = dbOptions.Provider == DatabaseProvider.Sqlite ? SqlitePath(connectionString) : null,
            ReadReplica = string.IsNullOrEmpty(readOnly) ? null : StartupReport.DescribeDatabase(dbOptions.Provider, readOnly),
            AuthMode = builder.Configuration["Auth:Mode"] ?? "None",
            Environment = builder.Environment.EnvironmentName,
            Emulator = !emulator.Enabled ? "off"
                : AuthSetup.ListenAddresses(builder.Configuration).All(AuthSetup.IsLoopback) ? "on: /emulator/ (loopback callers only)"
                : "on: /emulator/, answering loopback callers only; every other caller gets a 403",
        });
        builder.Services.AddDbContextPool<AppDb>(o => Use(o, connectionString), poolSize: 256);
        // The read replica gets a pool of its own; its contexts are made per request by the endpoint, not by DI.
        builder.Services.AddSingleton(sp => new ReadReplica(sp, dbOptions, Use));

        builder.Services.AddSingleton(sp => new Catalog(new CompaniesSet(),
        [
            .. StandardSets(sp.GetRequiredService<ICommitObserver>(), sp.GetRequiredService<Features.Webhooks.WebhookOutbox>()),
            .. CashApplicationSetup.Sets(sp),
        ], ApiGroups, sp.GetServices<IModelAddition>()));
        builder.Services.AddSingleton(builder.Configuration.GetSection("CashApplication").Get<CashApplicationOptions>() ?? new CashApplicationOptions());
        builder.Services.AddSingleton<CompanyDirectory>();
        builder.Services.AddSingleton<Dispatcher>();
        builder.Services.AddSingleton<BatchHandler>();
        builder.Services.AddSingleton<ODataEndpoint>();
        builder.Services.AddSingleton(emulator);
        builder.Services.AddSingleton<RequestGate>();
        builder.Services.AddSingleton(_ => SnapshotStore.For(dbOptions.Provider, emulator));
        builder.Services.AddSingleton<EmulatorEndpoints>();
        builder.Services.AddSingleton<ApiDocuments>();
        builder.Services.AddSingleton<SqliteOwner>();
        builder.Services.AddSingleton<WarmUps>();
        if (WarmUps.Enabled(builder.Configuration, "CashApplication:WarmUp"))
        {
            builder.Services.AddSingleton<ImportWarmUp>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ImportWarmUp>());
        }
        if (WarmUps.Enabled(builder.Configuration, "WebApp:WarmUp"))
        {
            builder.Services.AddSingleton<WebApp.WarmUp>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<WebApp.WarmUp>());
        }

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<StartupReport>()
            .Log(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(StartupReport.Category), app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()));
        Telemetry.TelemetrySetup.Use(app);
        // The browser app's files are public (ahead of authentication); its data comes from the API.
        WebApp.WebAppAssets.Use(app);
        AuthSetup.UseAuth(app);
        // Only with the emulator on do requests pass its gate (a reset or restore waits for them, and they for it).
        if (emulator.Enabled) app.UseMiddleware<RequestGateMiddleware>();
        Features.Idempotency.IdempotencySetup.Use(app);
        MapSurfaces(app);
        Telemetry.TelemetrySetup.Map(app);
        EmulatorEndpoints.Map(app);
        DocsEndpoints.Map(app);
        return app;
    }

    /// <summary>The entity sets of Business Central's pages and of the ledger (cash application's come from its setup).</summary>
    public static EntitySetDef[] StandardSets(ICommitObserver? observer = null, Features.Webhooks.WebhookOutbox? webhooks = null) =>
    [
        new CustomerPaymentJournalsSet(observer, webhooks), new CustomerPaymentsSet(), new CustomersSet(), new ContactsSet(),
        new SalesInvoicesSet(webhooks), new SalesInvoiceLinesSet(), new AccountsSet(),
        new DimensionsSet(), new DimensionValuesSet(), new DimensionSetLinesSet(), new DimensionLinesSet(), new PaymentApplicationsSet(),
        new JournalsSet(observer, webhooks), new CustomerLedgerEntriesSet(), new GeneralLedgerEntriesSet(), new LedgerDimensionSetLinesSet(),
        new PurchaseInvoicesSet(webhooks), new PurchaseInvoiceLinesSet(),
        new VendorsSet(), new VendorLedgerEntriesSet(), new VendorPaymentJournalsSet(webhooks), new VendorPaymentsSet(),
        new JournalLinesSet(),
    ];

    /// <summary>
    /// Our own API groups, for what Business Central's standard v2.0 API does not have (README, "Extensions"). A new
    /// group is one more entry here: its routes, service document, $metadata and $batch follow.
    /// </summary>
    public static readonly ApiGroup[] ApiGroups =
    [
        new()
        {
            Name = "ledger", Sets = ["customerLedgerEntries", "generalLedgerEntries", "vendorLedgerEntries"],
            NotStandard = ["customerLedgerEntries", "vendorLedgerEntries"],
        },
        new()
        {
            // Business Central posts a customer payment journal from its page, not through the API; the journals page's
            // post stays on v2.0. The v2.0 alias is kept for the clients of this service that post there. A line's
            // applications to several invoices (Applies-to ID) are a sub-page of its customerPayments here only.
            Name = "posting", Sets = ["customerPaymentJournals", "customerPayments"], Actions = ["customerPaymentJournals/post"],
            NotStandard = ["customerPaymentJournals/post", PaymentApplicationsSet.SetName], StandardAliases = ["customerPaymentJournals/post"],
        },
        CashApplicationSetup.Group,
    ];

    private static void MapSurfaces(WebApplication app)
    {
        var catalog = app.Services.GetRequiredService<Catalog>();
        var endpoint = app.Services.GetRequiredService<ODataEndpoint>();

        // /health: the database answers and can be written; /health/live: the process is up; /health/ready: the
        // migrations ran, a write commits and the start-up warm-ups (when on) have finished. None of them needs a credential.
        var health = app.Services.GetRequiredService<DatabaseHealth>();
        var warmUps = app.Services.GetRequiredService<WarmUps>();
        app.MapGet("/health", async (HttpContext http, AppDb db, CancellationToken ct) => Health(http, await health.ProblemAsync(db, ct), "Healthy"));
        app.MapGet("/health/live", () => Results.Text("Healthy"));
        app.MapGet("/health/ready", async (HttpContext http, AppDb db, CancellationToken ct) =>
            Health(http, warmUps.ReadinessProblem() ?? await health.ReadinessProblemAsync(db, ct), "Ready"));

        Task V2(HttpContext http, string? rest) => endpoint.HandleAsync(http, catalog.V2, static () => "/api/v2.0/", rest ?? "");
        // The tenant and environment are echoed into absolute URLs: checked before anything runs.
        Task V2Online(HttpContext http, string tenant, string environment, string? rest) =>
            endpoint.HandleAsync(http, catalog.V2, () => UrlParts.OnlineRoot(tenant, environment), rest ?? "");
        // The online form without the tenant (Business Central takes it from the token).
        Task V2OnlineEnvironment(HttpContext http, string environment, string? rest) =>
            endpoint.HandleAsync(http, catalog.V2, () => UrlParts.OnlineRoot(environment), rest ?? "");
        Task Graph(HttpContext http, string? rest) => endpoint.HandleAsync(http, catalog.Graph, static () => "/beta/financials/", rest ?? "");

        app.Map("/api/v2.0/{**rest}", V2);
        app.Map("/v2.0/{tenant}/{environment}/api/v2.0/{**rest}", V2Online);
        app.Map("/v2.0/{environment}/api/v2.0/{**rest}", V2OnlineEnvironment);
        app.Map("/beta/financials/{**rest}", Graph);

        // An OpenAPI document for every root mapped here: /openapi/v2.0.json, /openapi/beta.json, /openapi/{publisher}/{group}/v1.0.json.
        var docs = app.Services.GetRequiredService<ApiDocuments>();
        var onlineParameters = new Dictionary<string, (string, string)>
        {
            ["tenant"] = ("contoso.onmicrosoft.com", "the tenant: a GUID or a domain name"),
            ["environment"] = ("production", "the environment: letters, digits, - and _"),
        };
        docs.Add(new ApiDocument("v2.0", "Business Central API v2.0", catalog.V2, ["/api/v2.0", "/v2.0/{tenant}/{environment}/api/v2.0"], onlineParameters));
        docs.Add(new ApiDocument("beta", "Microsoft Graph beta financials", catalog.Graph, ["/beta/financials"]));

        foreach (var surface in catalog.GroupSurfaces)
        {
            var group = surface.Group!;
            var api = $"{ApiGroup.Publisher}/{group.Name}/{group.Version}";
            var root = group.Root;
            app.Map(root + "{**rest}", (HttpContext http, string? rest) => endpoint.HandleAsync(http, surface, () => root, rest ?? ""));
            app.Map("/v2.0/{tenant}/{environment}/api/" + api + "/{**rest}", (HttpContext http, string tenant, string environment, string? rest) =>
                endpoint.HandleAsync(http, surface, () => UrlParts.OnlineRoot(tenant, environment, api), rest ?? ""));
            docs.Add(new ApiDocument(api, $"PaymentJournal API group {group.Name}", surface, [root.TrimEnd('/'), "/v2.0/{tenant}/{environment}/api/" + api], onlineParameters));
        }
    }

    private static IResult Health(HttpContext http, string? problem, string ok)
    {
        if (problem is null) return Results.Text(ok);
        http.Response.Headers.RetryAfter = Errors.ApiErrors.DatabaseRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Text("Unhealthy: " + problem, statusCode: 503);
    }

    /// <summary>The SQLite file's absolute path (a relative one resolves against the working directory); null in memory.</summary>
    public static string? SqlitePath(string connectionString)
    {
        var csb = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(csb.DataSource) || csb.DataSource == ":memory:" || csb.Mode == Microsoft.Data.Sqlite.SqliteOpenMode.Memory) return null;
        return Path.GetFullPath(csb.DataSource);
    }

    /// <summary>Creates the SQLite file's folder and pins the connection string to the absolute path.</summary>
    private static string PrepareSqlite(string connectionString)
    {
        var csb = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        if (SqlitePath(connectionString) is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            csb.DataSource = path;
        }
        csb.ForeignKeys = true;
        return csb.ToString();
    }

    /// <summary>Demo:Seed, whose default is on in Development (the quick start) and off elsewhere.</summary>
    public static bool SeedDemo(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue("Demo:Seed", environment.IsDevelopment());

    /// <summary>Migrates the schema and seeds the demo company into an empty database when <see cref="SeedDemo"/> says so.</summary>
    public static async Task PrepareDatabaseAsync(WebApplication app)
    {
        var options = app.Services.GetRequiredService<DatabaseOptions>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(StartupReport.Category);
        var report = app.Services.GetRequiredService<StartupReport>();
        // Before the first context: a SQLite context opens (and so creates) its file when it is made.
        if (report.SqliteFile is { } path)
        {
            app.Services.GetRequiredService<SqliteOwner>().Take(path);
            if (!File.Exists(path)) log.LogWarning("No database file at {Path}: creating a new, empty one", path);
        }
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        await using var startup = await Migrator.StartupLockAsync(db, options.Provider);
        await Migrator.MigrateAsync(db, options.Provider, log, sqlitePageSize: options.SqlitePageSize);
        // Under the same lock as the migrations: two nodes starting on an empty database must not both seed it.
        if (!SeedDemo(app.Configuration, app.Environment))
            report.DemoData = "not seeded (Demo:Seed is off; its default is on only in Development)";
        else if (await DemoSeed.SeedAsync(db))
        {
            log.LogInformation("Seeded the demo company {CompanyId}", DemoSeed.CompanyId);
            report.DemoData = $"seeded the demo company {DemoSeed.CompanyId} into the empty database";
        }
        else
            report.DemoData = "not seeded: the database already holds data";
    }
}
