using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.Data;

namespace PaymentJournal.BrowserTests;

/// <summary>
/// A journal of 100,000 lines opens with its first rows and scrolls anywhere, reading only the pages in view from the
/// server. Its open time is recorded (PAYMENTJOURNAL_WEBAPP_TIMES=file, for bench/webapp-open.sh), never asserted: the
/// time from navigation start to the frame that shows the first row, in a service started on the journal and ready.
/// </summary>
[Trait("Category", "Slow")]
public sealed class LargeJournalTests(LargeJournalTests.Fixture f) : IClassFixture<LargeJournalTests.Fixture>
{
    public const int Lines = 100_000;

    public sealed class Fixture : BrowserFixture
    {
        public string JournalId { get; private set; } = "";

        /// <summary>Each request the service answered: path and query, when it came (Stopwatch ticks) and how long the service took.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<(string Url, long Start, TimeSpan Took)> Served { get; } = new();

        // For the breakdown: the service's own time for each request, beside what the browser saw.
        protected override void Configure(WebApplicationBuilder builder) =>
            builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new ServedTimes(Served));

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var journal = await Http.Post(CompanyPath() + "/customerPaymentJournals",
                new { code = "BIG", displayName = "One hundred thousand lines", balancingAccountId = "e0000000-0000-4000-8000-000000002910" });
            JournalId = journal.Body.Str("id");
            var first = await Http.Post(PaymentsPath(journal: JournalId), new { customerNumber = "C00001", amount = -1, description = "Line 1" });
            Assert.Equal(201, first.Status);
            // The other lines are copies of the first, made in SQL: line k has line number 10000 * k.
            var id = first.Body.Str("id");
            var sql = Provider == DatabaseProvider.Postgres
                ? $"""
                   INSERT INTO journal_lines (id, company_id, journal_id, journal_code, line_number, account_id, account_number, contact_id,
                       posting_date, document_number, external_document_number, amount, applies_to_invoice_id, applies_to_invoice_number,
                       description, comment, balancing_account_id, version, last_modified)
                   SELECT gen_random_uuid(), company_id, journal_id, journal_code, 10000 * (g + 1), account_id, account_number, contact_id,
                       posting_date, document_number, external_document_number, -(g % 99999 + 1), applies_to_invoice_id, applies_to_invoice_number,
                       'Line ' || (g + 1), comment, balancing_account_id, version, last_modified
                   FROM journal_lines, generate_series(1, {Lines - 1}) AS g
                   WHERE id = '{id}'
                   """
                : $"""
                   WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < {Lines - 1})
                   INSERT INTO journal_lines (id, company_id, journal_id, journal_code, line_number, account_id, account_number, contact_id,
                       posting_date, document_number, external_document_number, amount, applies_to_invoice_id, applies_to_invoice_number,
                       description, comment, balancing_account_id, version, last_modified)
                   SELECT printf('B2000000-0000-4000-8000-%012d', g), company_id, journal_id, journal_code, 10000 * (g + 1), account_id, account_number, contact_id,
                       posting_date, document_number, external_document_number, -(g % 99999 + 1), applies_to_invoice_id, applies_to_invoice_number,
                       'Line ' || (g + 1), comment, balancing_account_id, version, last_modified
                   FROM journal_lines, n
                   WHERE id = '{id.ToUpperInvariant()}'
                   """;
            await ExecuteSqlAsync(sql);
            var count = await Http.Get(PaymentsPath(journal: JournalId) + "/$count");
            Assert.Equal(Lines.ToString(CultureInfo.InvariantCulture), await count.Response.Content.ReadAsStringAsync());
            // Users open a deployment once its readiness probe says ready: the service starts anew on the journal (its
            // lines were written behind its back) and the page is opened once /health/ready answers 200.
            await RestartServiceAsync();
            for (var waited = 0; (await Http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK; waited += 100)
            {
                Assert.True(waited < 180_000, "the service was not ready within 3 minutes");
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task A_journal_of_100000_lines_opens_on_its_first_rows_and_scrolls_reading_only_pages_in_view()
    {
        var page = await f.Browser.NewPageAsync(f.BaseAddress);
        var lineRequests = new List<string>();
        var apiRequests = new List<string>();
        page.Request += (_, r) =>
        {
            if (r.Url.Contains("/customerPayments", StringComparison.Ordinal)) lock (lineRequests) lineRequests.Add(Uri.UnescapeDataString(r.Url));
            if (r.Url.Contains("/api/", StringComparison.Ordinal)) lock (apiRequests) apiRequests.Add(Uri.UnescapeDataString(r.Url));
        };
        // The page itself looks for the first row in every frame from its start and keeps the time of the frame that
        // shows it (a wait sent from the test after the page has loaded would start late and read its own start).
        await page.AddInitScriptAsync(FirstRowWatch);
        var (openedAt, pausedBefore, gen2Before) = (System.Diagnostics.Stopwatch.GetTimestamp(), GC.GetTotalPauseDuration(), GC.CollectionCount(2));
        await page.GotoAsync("/#/companies/" + ServiceFixture.Company + "/journals/" + f.JournalId);
        // How this was timed before, for comparison: a wait sent from the test once the page has loaded.
        var polling = page.WaitForFunctionAsync("() => document.querySelector(\".grid [role=row][data-line='10000']\") && performance.now()");
        var shown = await page.WaitForFunctionAsync("() => window.firstRowShownAt");
        var openMs = await shown.JsonValueAsync<double>();
        var polled = await (await polling).JsonValueAsync<double>();
        var breakdown = await page.EvaluateAsync<string>(Breakdown) + "\n" + ServerSide(openedAt, pausedBefore, gen2Before)
            + string.Create(CultureInfo.InvariantCulture, $"\n  a wait sent from the test after the page's load event, as timed before, read {polled:F0} ms");
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PAYMENTJOURNAL_WEBAPP_TIMES")))
            breakdown += "\n" + await WarmTimesAsync(apiRequests);
        Record(openMs, breakdown);

        // The page's inline script started the first reads (its policy let it run) and the screen took their answers:
        // the company, the journal, the first page, the count and the first page's applications were each asked for once.
        Assert.Equal(1, await page.EvaluateAsync<int>("() => performance.getEntriesByName('page: early reads started').length"));
        string[] opening;
        lock (apiRequests) opening = [.. apiRequests];
        var journalPath = $"/api/v2.0/companies({ServiceFixture.Company})/customerPaymentJournals({f.JournalId})";
        Assert.Single(opening, url => url.EndsWith($"/api/v2.0/companies({ServiceFixture.Company})?$select=name,displayName", StringComparison.Ordinal));
        Assert.Single(opening, url => url.EndsWith(journalPath, StringComparison.Ordinal));
        Assert.Single(opening, url => url.Contains(journalPath + "/customerPayments?$orderby=lineNumber&$skip=0&$top=100&$expand=", StringComparison.Ordinal));
        Assert.Single(opening, url => url.EndsWith(journalPath + "/customerPayments/$count", StringComparison.Ordinal));
        Assert.Single(opening, url => url.Contains(ServiceFixture.Posting, StringComparison.Ordinal) && url.Contains("$skip=0&", StringComparison.Ordinal));

        await Expect(page.Locator("#ws-totals")).ToContainTextAsync("Lines: 100,000");
        var grid = page.Locator(".grid");
        Assert.InRange(await page.Locator(".grid-canvas [role=row]").CountAsync(), 10, 100);

        // The middle, by the scroll bar.
        await grid.EvaluateAsync("g => { g.scrollTop = 50000 * 36; }");
        await Expect(page.Locator("[role=row][aria-rowindex='50002'] [data-key=lineNumber]")).ToHaveTextAsync("500010000");
        // The end, by the keyboard.
        await page.Locator("[role=row][aria-rowindex='50002'] [data-key=description]").ClickAsync();
        await page.Keyboard.PressAsync("Control+End");
        await Expect(page.Locator($"[role=row][aria-rowindex='{Lines + 1}'] [data-key=lineNumber]")).ToHaveTextAsync("1000000000");
        await Expect(page.Locator($"[role=row][aria-rowindex='{Lines + 1}'] [data-key=dimensions]")).ToBeFocusedAsync();
        Assert.InRange(await page.Locator(".grid-canvas [role=row]").CountAsync(), 10, 100);

        // Every read of lines was one page of 100 (no read of the whole journal: its total is summed on request only),
        // and the journal was counted once, by a request of its own.
        string[] all;
        lock (lineRequests) all = [.. lineRequests];
        var counts = all.Where(url => url.Contains("/customerPayments/$count", StringComparison.Ordinal)).ToArray();
        var seen = all.Except(counts).ToArray();
        Assert.Single(counts);
        // The first page's applications were asked for with the page, for the same window of lines, not for the line
        // numbers the page answered.
        var firstApplications = Assert.Single(all, url => url.Contains(ServiceFixture.Posting, StringComparison.Ordinal) && url.Contains("$skip=0&", StringComparison.Ordinal));
        Assert.Contains("?$orderby=lineNumber&$skip=0&$top=100&$select=id&$expand=applications(", firstApplications, StringComparison.Ordinal);
        Assert.NotEmpty(seen);
        Assert.All(seen, url => Assert.Contains("$top=100", url, StringComparison.Ordinal));
        Assert.True(seen.Length < 40, $"{seen.Length} reads of lines");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sum the amounts" })).ToBeVisibleAsync();
        Assert.Empty(f.Browser.PageErrors);
    }

    private const string FirstRowWatch = """
        (() => {
          const look = () => {
            if (document.querySelector(".grid [role=row][data-line='10000']")) window.firstRowShownAt = performance.now();
            else requestAnimationFrame(look);
          };
          requestAnimationFrame(look);
        })()
        """;

    // Where the time went, from the page's Navigation and Resource Timing: each file and API request, when it started
    // and ended (ms after navigation start) and how long the server took to answer its first byte; then the app's own
    // marks (performance.mark: when its modules ran, when the first page's data was in, when the first rows were placed).
    private const string Breakdown = """
        () => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
          .map(e => `  ${e.startTime.toFixed(0).padStart(5)} .. ${e.responseEnd.toFixed(0).padStart(5)} ms` +
            ` (first byte after ${(e.responseStart - e.requestStart).toFixed(0)} ms) ${decodeURIComponent(new URL(e.name).pathname + new URL(e.name).search)}`)
          .concat(performance.getEntriesByType('mark').map(m => `  ${m.startTime.toFixed(0).padStart(5)} ms: ${m.name}`))
          .join('\n')
        """;

    private sealed class ServedTimes(System.Collections.Concurrent.ConcurrentQueue<(string, long, TimeSpan)> served) : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (http, call) =>
            {
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                await call(http);
                served.Enqueue((Uri.UnescapeDataString(http.Request.Path + http.Request.QueryString), start, System.Diagnostics.Stopwatch.GetElapsedTime(start)));
            });
            next(app);
        };
    }

    /// <summary>The open's API requests made again one at a time, three rounds, each timed in the service (warm and alone).</summary>
    private async Task<string> WarmTimesAsync(List<string> apiRequests)
    {
        string[] urls;
        lock (apiRequests) urls = [.. apiRequests.Distinct()];
        var report = new System.Text.StringBuilder("  the same requests again, one at a time (ms in the service, 3 rounds):");
        foreach (var url in urls)
        {
            var path = new Uri(url).PathAndQuery;
            var times = new List<string>();
            for (var round = 0; round < 3; round++)
            {
                var before = f.Served.Count;
                using var answer = await f.Http.GetAsync(path);
                // The service notes a request after its answer has gone, so the client may have it first.
                await ServedAsync(before + 1);
                times.Add(f.Served.Skip(before).First().Took.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture));
            }
            report.Append(CultureInfo.InvariantCulture, $"\n    {string.Join(" / ", times)} {Uri.UnescapeDataString(path)}");
        }
        // And all at once, as the page asks for them (each context and connection of the service now used before).
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var served = f.Served.Count;
        await Task.WhenAll(urls.Select(async url => { using var answer = await f.Http.GetAsync(new Uri(url).PathAndQuery); }));
        await ServedAsync(served + urls.Length);
        var together = f.Served.Where(r => r.Start >= start).Select(r => r.Took.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture));
        report.Append(CultureInfo.InvariantCulture, $"\n  the same requests at once, ms in the service: {string.Join(" / ", together)}");
        return report.ToString();
    }

    private async Task ServedAsync(int count)
    {
        for (var waited = 0; f.Served.Count < count && waited < 10_000; waited += 10) await Task.Delay(10);
    }

    /// <summary>What the service did during the open: each request's time in the service, and the process's GC pauses.</summary>
    private string ServerSide(long openedAt, TimeSpan pausedBefore, int gen2Before)
    {
        var lines = f.Served.Where(r => r.Start >= openedAt).OrderBy(r => r.Start).Select(r => string.Create(CultureInfo.InvariantCulture,
            $"  at +{System.Diagnostics.Stopwatch.GetElapsedTime(openedAt, r.Start).TotalMilliseconds:F0} (the test's clock): {r.Took.TotalMilliseconds:F0} ms in the service {r.Url}"));
        return string.Join("\n", lines) + string.Create(CultureInfo.InvariantCulture,
            $"\n  GC pauses in the process during the open: {(GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds:F0} ms, {GC.CollectionCount(2) - gen2Before} gen2; thread pool threads {ThreadPool.ThreadCount}");
    }

    private static void Record(double openMs, string breakdown)
    {
        var file = Environment.GetEnvironmentVariable("PAYMENTJOURNAL_WEBAPP_TIMES");
        if (string.IsNullOrEmpty(file)) return;
        File.AppendAllText(file, string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {TestDatabase.Provider} first rows of a {Lines}-line journal: {openMs:F0} ms after navigation start\n{breakdown}\n"));
    }
}
