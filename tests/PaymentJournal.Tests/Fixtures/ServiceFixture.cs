using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// The real service on real Kestrel (loopback, a free port) over a fresh database of its own, seeded with the
/// demo company: a SQLite file, or a PostgreSQL database when PAYMENTJOURNAL_TEST_PROVIDER=postgres (see
/// <see cref="TestDatabase"/>). One per test class; each test makes its own rows.
/// </summary>
public class ServiceFixture : IAsyncLifetime, IDbAccess
{
    public const string Company = "c0000000-0000-4000-8000-000000000001";
    public const string General = "f0000000-0000-4000-8000-000000000001";
    public const string V2 = "/api/v2.0/";
    public const string Graph = "/beta/financials/";
    /// <summary>Our own API groups (what Business Central's standard API does not have).</summary>
    public const string Ledger = "/api/paymentjournal/ledger/v1.0/";
    public const string Posting = "/api/paymentjournal/posting/v1.0/";

    private WebApplication? _app;
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "pj-tests-" + Guid.NewGuid().ToString("N")[..12]);
    /// <summary>The provider this run tests; tests that look at the database directly go through <see cref="WithDb{T}"/>.</summary>
    public virtual DatabaseProvider Provider => TestDatabase.Provider;
    public string ConnectionString { get; private set; } = "";
    public HttpClient Http { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;

    /// <summary>Extra configuration (key, value) for a fixture subclass, e.g. auth settings.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    /// <summary>A hook for a fixture subclass to change the builder further, e.g. to add a logger provider.</summary>
    protected virtual void Configure(WebApplicationBuilder builder) { }

    public virtual async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        ConnectionString = await CreateDatabaseAsync();
        await StartServiceAsync();
    }

    /// <summary>Stops the service and starts it anew on the same database, as a new process would (on a new port).</summary>
    protected async Task RestartServiceAsync()
    {
        Http.Dispose();
        await _app!.StopAsync();
        await _app.DisposeAsync();
        await StartServiceAsync();
    }

    private async Task StartServiceAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Database:Provider"] = Provider.ToString(),
            ["ConnectionStrings:PaymentJournal"] = ConnectionString,
            // The test host runs as Production, where the demo company is off by default.
            ["Demo:Seed"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "None",
            // The start-up warm-up only shortens a first user's wait; most tests start many hosts and skip it.
            ["WebApp:WarmUp"] = "false",
            ["CashApplication:WarmUp"] = "false",
        };
        foreach (var (k, v) in Settings) settings[k] = v;
        _app = App.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            Configure(b);
        });
        await App.PrepareDatabaseAsync(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public virtual async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (ConnectionString.Length > 0) await DropDatabaseAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    /// <summary>The fixture's fresh database (a subclass may put it elsewhere); returns its connection string.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => TestDatabase.CreateAsync(Provider, Directory, "test");

    protected virtual Task DropDatabaseAsync() => TestDatabase.DropAsync(Provider, ConnectionString);

    /// <summary>A scope with the service's own DbContext, to look at the database behind the API.</summary>
    public async Task<T> WithDb<T>(Func<AppDb, Task<T>> work)
    {
        using var scope = Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDb>());
    }

    /// <summary>Runs a statement on the service's database behind its back (to break or inspect it), on either provider.</summary>
    public Task ExecuteSqlAsync(string sql) => WithDb(async db => await db.Database.ExecuteSqlRawAsync(sql));

    /// <summary>The names of the service's tables (schema_migrations included), on either provider, sorted.</summary>
    public Task<IReadOnlyList<string>> TableNamesAsync() => WithDb<IReadOnlyList<string>>(async db =>
    {
        var conn = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = Provider == DatabaseProvider.Postgres
                ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            var names = new List<string>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) names.Add(r.GetString(0));
            names.Sort(StringComparer.Ordinal);
            return names;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    });

    public static string CompanyPath(string surface = V2, string company = Company) =>
        surface == Graph ? $"{Graph}companies/{company}" : $"{surface}companies({company})";

    public static string PaymentsPath(string surface = V2, string journal = General) =>
        surface == V2 ? $"{CompanyPath(V2)}/customerPaymentJournals({journal})/customerPayments"
                      : $"{CompanyPath(Graph)}/customerPaymentJournals/{journal}/customerPayments";
}

/// <summary>Small helpers for JSON over HTTP.</summary>
public static class HttpJson
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
    public static StringContent Json(object value) => Json(JsonSerializer.Serialize(value));

    public static async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Send(this HttpClient http, HttpMethod method, string url,
        object? body = null, string? ifMatch = null, IDictionary<string, string>? headers = null)
    {
        using var req = new HttpRequestMessage(method, url);
        if (body is not null) req.Content = body as HttpContent ?? (body is string s ? Json(s) : Json(body));
        if (ifMatch is not null) req.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (headers is not null) foreach (var (k, v) in headers) req.Headers.TryAddWithoutValidation(k, v);
        var resp = await http.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        JsonNode? node = null;
        if (text.Length > 0 && resp.Content.Headers.ContentType?.MediaType?.Contains("json") == true) node = JsonNode.Parse(text);
        return ((int)resp.StatusCode, node, resp);
    }

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Get(this HttpClient http, string url, IDictionary<string, string>? headers = null) =>
        http.Send(HttpMethod.Get, url, headers: headers);
    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Post(this HttpClient http, string url, object? body, IDictionary<string, string>? headers = null) =>
        http.Send(HttpMethod.Post, url, body ?? "", headers: headers);
    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Patch(this HttpClient http, string url, object body, string? ifMatch) =>
        http.Send(HttpMethod.Patch, url, body, ifMatch);
    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Delete(this HttpClient http, string url, string? ifMatch = null) =>
        http.Send(HttpMethod.Delete, url, ifMatch: ifMatch);

    public static string ErrorCode(this JsonNode? body) => body?["error"]?["code"]?.GetValue<string>() ?? "<no error body>";
    public static string Str(this JsonNode? node, string name) => node?[name]?.GetValue<string>() ?? throw new InvalidOperationException($"no string '{name}' in {node?.ToJsonString()}");
}
