using System.Text.Json;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.WebApp;

/// <summary>
/// Once, right after start, makes the reads the web app makes when it opens a journal (the companies, a company, its
/// journals, a journal, its first page of lines, their count and their applications) and serves its files, inside the process and on a low-priority
/// thread, so that the first user of a new process does not wait for the JIT and EF Core's query compilation of them.
/// Reads only, on the first company and its first journal that has lines (an empty one would leave out the reads of
/// rows: their related customers and dimensions, and the writing of a row); the answers go nowhere. /health/ready says
/// ready once it has finished. Off with WebApp:WarmUp=false.
/// </summary>
public sealed class WarmUp(IHostApplicationLifetime lifetime, IServiceScopeFactory scopes, ODataEndpoint endpoint, Catalog catalog,
    Microsoft.AspNetCore.Hosting.Server.IServer server, WarmUps warmUps, ILogger<WarmUp> log) : IHostedService
{
    /// <summary>
    /// The worksheet's first page: the same options, in the same shape, as the app's worksheet screen asks for (without
    /// $count: the worksheet counts the lines with a request of its own, which the warm-up makes too).
    /// </summary>
    public const string FirstPageQuery =
        "?$orderby=lineNumber&$skip=0&$top=100&$expand=customer($select=displayName),dimensionSetLines($select=code,valueCode)";

    /// <summary>The applications of the first page's lines, from the posting group, asked for with the page.</summary>
    public const string FirstApplicationsQuery =
        "?$orderby=lineNumber&$skip=0&$top=100&$select=id&$expand=applications($select=invoiceNumber,amount)";

    /// <summary>The applications of another page's lines, asked for by the line numbers the page holds (values left out).</summary>
    public const string PageApplicationsFilter = "lineNumber ge 0 and lineNumber le 0 and appliesToInvoiceNumber eq ''";
    public const string PageApplicationsQuery = "&$select=id&$expand=applications($select=invoiceNumber,amount)&$orderby=lineNumber&$top=100";

    /// <summary>The journals looked at for one with lines, at most.</summary>
    public const int JournalsLookedAt = 20;

    /// <summary>What the last warm-up read: each request's path and status (for the log and for tests).</summary>
    public IReadOnlyList<(string Path, int Status)> Reads { get; private set; } = [];

    /// <summary>Completes when the warm-up has finished, stopped or failed.</summary>
    public Task Finished { get; private set; } = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Finished = warmUps.Run(lifetime, "the web app", Run);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>On the warm-up's thread (see <see cref="WarmUps.Run"/>).</summary>
    private void Run()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var reads = new List<(string, int)>();
        try
        {
            var stopping = lifetime.ApplicationStopping;
            FetchFiles(reads, stopping);
            var companies = Read(reads, "companies", "?$select=id,name,displayName&$orderby=name", stopping);
            if (FirstId(companies) is { } company)
            {
                var root = $"companies({company})";
                Read(reads, root, "?$select=name,displayName", stopping);
                var journals = Ids(Read(reads, root + "/customerPaymentJournals", "?$orderby=code", stopping), JournalsLookedAt);
                // The first journal with lines, by their count (the count the worksheet asks for); else the first.
                Guid? journal = null;
                foreach (var id in journals)
                {
                    var count = Read(reads, $"{root}/customerPaymentJournals({id})/customerPayments/$count", "", stopping);
                    journal ??= id;
                    if (count is not null && System.Text.Encoding.ASCII.GetString(count) is not "0") { journal = id; break; }
                }
                if (journal is not null)
                {
                    var path = $"{root}/customerPaymentJournals({journal})";
                    Read(reads, path, "", stopping);
                    Read(reads, path + "/customerPayments", FirstPageQuery, stopping);
                    // The group that serves a line's applications (posting).
                    if (catalog.GroupSurfaces.FirstOrDefault(g => g.AllSets.Contains(Features.CustomerPayments.PaymentApplicationsSet.SetName)) is { } posting)
                    {
                        Read(reads, path + "/customerPayments", FirstApplicationsQuery, stopping, posting);
                        Read(reads, path + "/customerPayments", "?$filter=" + Uri.EscapeDataString(PageApplicationsFilter) + PageApplicationsQuery, stopping, posting);
                    }
                }
            }
            Reads = reads;
            log.LogInformation("Warm-up: {Count} reads in {Ms} ms ({Statuses})", reads.Count,
                (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, string.Join(", ", reads.Select(r => r.Item2)));
        }
        catch (Exception e) when (e is not (OperationCanceledException or ObjectDisposedException))
        {
            // Only the first user's wait depends on it: say so and go on (a stopping host is WarmUps' to ignore).
            log.LogWarning(e, "Warm-up stopped after {Count} reads", reads.Count);
        }
    }

    /// <summary>
    /// The page and its files, over HTTP from the server's own plain-HTTP address when it has one (they are public),
    /// so that the server's HTTP path is warm too; no file is fetched when the service listens on HTTPS only.
    /// </summary>
    private void FetchFiles(List<(string, int)> reads, CancellationToken stopping)
    {
        var addresses = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
        if (addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) is not { } address
            || !Uri.TryCreate(address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1")
                .Replace("://[::]", "://[::1]"), UriKind.Absolute, out var root))
            return;
        using var client = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(10) };
        foreach (var name in WebAppAssets.FileNames().Where(n => n != "index.html").Prepend("/").ToList())
        {
            var path = name == "/" ? "/" : WebAppAssets.Prefix + name;
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("text/html");
            using var answer = client.Send(request, stopping);
            answer.Content.ReadAsStream(stopping).CopyTo(Stream.Null);
            reads.Add((path, (int)answer.StatusCode));
        }
    }

    /// <summary>One GET of the v2.0 surface (or an API group's) through the endpoint itself, with full access; the body when it answered 200.</summary>
    private byte[]? Read(List<(string, int)> reads, string rest, string query, CancellationToken stopping, Surface? group = null)
    {
        var root = group?.Group!.Root ?? "/api/v2.0/";
        stopping.ThrowIfCancellationRequested();
        using var scope = scopes.CreateScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = stopping };
        http.Request.Method = HttpMethods.Get;
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("localhost");
        http.Request.Path = root + rest;
        http.Request.QueryString = new QueryString(query);
        http.Request.Headers.Accept = "application/json";
        http.Items[typeof(CompanyAccess)] = CompanyAccess.All;
        using var body = new MemoryStream();
        http.Response.Body = body;
        endpoint.HandleAsync(http, group ?? catalog.V2, () => root, rest).GetAwaiter().GetResult();
        reads.Add((group is null ? rest : root + rest, http.Response.StatusCode));
        return http.Response.StatusCode == 200 ? body.ToArray() : null;
    }

    private static Guid? FirstId(byte[]? json) => Ids(json, 1) is [var first, ..] ? first : null;

    private static List<Guid> Ids(byte[]? json, int max)
    {
        var ids = new List<Guid>();
        if (json is null) return ids;
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("value", out var rows)) return ids;
        foreach (var row in rows.EnumerateArray())
            if (ids.Count < max && row.TryGetProperty("id", out var id) && id.TryGetGuid(out var g)) ids.Add(g);
        return ids;
    }
}
