using System.Globalization;
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
                   INSERT INTO customer_payments (id, company_id, journal_id, journal_code, line_number, customer_id, customer_number, contact_id,
                       posting_date, document_number, external_document_number, amount, applies_to_invoice_id, applies_to_invoice_number,
                       description, comment, balancing_account_id, version, last_modified)
                   SELECT gen_random_uuid(), company_id, journal_id, journal_code, 10000 * (g + 1), customer_id, customer_number, contact_id,
                       posting_date, document_number, external_document_number, -(g % 99999 + 1), applies_to_invoice_id, applies_to_invoice_number,
                       'Line ' || (g + 1), comment, balancing_account_id, version, last_modified
                   FROM customer_payments, generate_series(1, {Lines - 1}) AS g
                   WHERE id = '{id}'
                   """
                : $"""
                   WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < {Lines - 1})
                   INSERT INTO customer_payments (id, company_id, journal_id, journal_code, line_number, customer_id, customer_number, contact_id,
                       posting_date, document_number, external_document_number, amount, applies_to_invoice_id, applies_to_invoice_number,
                       description, comment, balancing_account_id, version, last_modified)
                   SELECT printf('B2000000-0000-4000-8000-%012d', g), company_id, journal_id, journal_code, 10000 * (g + 1), customer_id, customer_number, contact_id,
                       posting_date, document_number, external_document_number, -(g % 99999 + 1), applies_to_invoice_id, applies_to_invoice_number,
                       'Line ' || (g + 1), comment, balancing_account_id, version, last_modified
                   FROM customer_payments, n
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
        page.Request += (_, r) => { if (r.Url.Contains("/customerPayments", StringComparison.Ordinal)) lock (lineRequests) lineRequests.Add(Uri.UnescapeDataString(r.Url)); };
        await page.GotoAsync("/#/companies/" + ServiceFixture.Company + "/journals/" + f.JournalId);
        // Waits in the page, frame by frame, and reads the time in the frame that finds the first row (read after the
        // wait, it would add the round trip from the page to the test and back).
        var shown = await page.WaitForFunctionAsync("() => document.querySelector(\".grid [role=row][data-line='10000']\") && performance.now()");
        var openMs = await shown.JsonValueAsync<double>();
        Record(openMs, await page.EvaluateAsync<string>(Breakdown));

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

    // Where the time went, from the page's Navigation and Resource Timing: each file and API request, when it started
    // and ended (ms after navigation start) and how long the server took to answer its first byte.
    private const string Breakdown = """
        () => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
          .map(e => `  ${e.startTime.toFixed(0).padStart(5)} .. ${e.responseEnd.toFixed(0).padStart(5)} ms` +
            ` (first byte after ${(e.responseStart - e.requestStart).toFixed(0)} ms) ${decodeURIComponent(new URL(e.name).pathname + new URL(e.name).search)}`)
          .join('\n')
        """;

    private static void Record(double openMs, string breakdown)
    {
        var file = Environment.GetEnvironmentVariable("PAYMENTJOURNAL_WEBAPP_TIMES");
        if (string.IsNullOrEmpty(file)) return;
        File.AppendAllText(file, string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {TestDatabase.Provider} first rows of a {Lines}-line journal: {openMs:F0} ms after navigation start\n{breakdown}\n"));
    }
}
