using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;
using PaymentJournal.WebApp;

namespace PaymentJournal.Tests.Api;

/// <summary>The start-up warm-up makes the web app's first reads once, and every one of them succeeds.</summary>
public sealed partial class WarmUpTests(WarmUpTests.Fixture f) : IClassFixture<WarmUpTests.Fixture>
{
    /// <summary>As the service runs by default, under an API key (the warm-up runs inside the process, without one).</summary>
    public sealed class Fixture : ServiceFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("WebApp:WarmUp", "true"),
            new("Auth:Mode", "ApiKey"),
            new("Auth:ApiKeys:0:Name", "warm"), new("Auth:ApiKeys:0:Key", "warm-up-key-0123456789abcdef0123"),
            new("Auth:ApiKeys:0:Companies", "*"), new("Auth:ApiKeys:0:Access", "ReadWrite"),
        ];
    }

    private async Task<IReadOnlyList<(string Path, int Status)>> ReadsAsync()
    {
        var warmUp = f.Services.GetRequiredService<WarmUp>();
        // It runs on its own thread after start; a busy machine may take a while.
        for (var waited = 0; warmUp.Reads.Count == 0; waited += 50)
        {
            Assert.True(waited < 180_000, "the warm-up did not finish within 3 minutes");
            await Task.Delay(50);
        }
        return warmUp.Reads;
    }

    [Fact]
    public async Task It_reads_the_page_its_files_and_the_first_journal_of_the_first_company_and_every_answer_is_200()
    {
        var reads = await ReadsAsync();
        Assert.All(reads, r => Assert.Equal(200, r.Status));
        var paths = reads.Select(r => r.Path).ToList();
        Assert.Contains("/", paths);
        foreach (var name in new WebAppAssets().Names.Where(n => n != "index.html")) Assert.Contains(WebAppAssets.Prefix + name, paths);
        var company = await FirstIdAsync("/api/v2.0/companies?$select=id,name&$orderby=name");
        var journal = await FirstIdAsync($"/api/v2.0/companies({company})/customerPaymentJournals?$orderby=code&$top=1");
        Assert.Contains($"companies({company})/customerPaymentJournals({journal})/customerPayments", paths);
        Assert.Contains($"companies({company})/customerPaymentJournals({journal})/customerPayments/$count", paths);
        // The first page's applications and another page's, from the posting group.
        Assert.Equal(2, paths.Count(p => p == $"{ServiceFixture.Posting}companies({company})/customerPaymentJournals({journal})/customerPayments"));
    }

    private async Task<string> FirstIdAsync(string url)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        req.Headers.Add("X-Api-Key", "warm-up-key-0123456789abcdef0123");
        using var answer = await f.Http.SendAsync(req);
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<JsonNode>())!["value"]![0]!["id"]!.GetValue<string>();
    }

    [Fact]
    public void Its_first_page_asks_what_the_worksheet_asks()
    {
        // The warm-up is worth something only if it compiles the same query the app sends.
        var script = ReadAsset("js/screens/worksheet.js");
        var expand = ExpandConstant().Match(script).Groups[1].Value;
        var pageSize = PageSizeConstant().Match(script).Groups[1].Value;
        Assert.NotEmpty(expand);
        Assert.EndsWith("$expand=" + expand, WarmUp.FirstPageQuery);
        // The page goes without $count: the worksheet counts with a request of its own, and so does the warm-up.
        Assert.DoesNotContain("$count", WarmUp.FirstPageQuery);
        Assert.Contains("readCount", script);
        Assert.Contains("$top=" + pageSize + "&", WarmUp.FirstPageQuery);
        Assert.Contains("$orderby: 'lineNumber'", script);
        // The page's early start of the same reads (its inline script) asks for the same page.
        var earlyScript = WebAppTests.InlineScript(ReadAsset("index.html"));
        Assert.Equal(expand, ExpandConstant().Match(earlyScript).Groups[1].Value);
        Assert.Equal(pageSize, PageSizeConstant().Match(earlyScript).Groups[1].Value);
        Assert.Contains("$orderby: 'lineNumber', $skip: 0, $top: PageSize, $expand: Expand", earlyScript);
        Assert.Contains("$orderby: 'lineNumber', $skip: p * PageSize, $top: PageSize, $expand: Expand", script);
        // The applications of the first page's lines, asked for with the page, and of another page's, by its line numbers.
        var applications = ApplicationsConstant().Match(script).Groups[1].Value;
        Assert.NotEmpty(applications);
        Assert.Equal(applications, ApplicationsConstant().Match(earlyScript).Groups[1].Value);
        Assert.Equal(WarmUp.FirstApplicationsQuery, "?$orderby=lineNumber&$skip=0&$top=" + pageSize + "&$select=id&$expand=" + applications);
        Assert.Contains("$orderby: 'lineNumber', $skip: 0, $top: PageSize, $select: 'id', $expand: Applications", script);
        Assert.Contains("$orderby: 'lineNumber', $skip: 0, $top: PageSize, $select: 'id', $expand: Applications", earlyScript);
        Assert.Contains("$filter: `lineNumber ge ${Math.min(...open)} and lineNumber le ${Math.max(...open)} and appliesToInvoiceNumber eq ''`", script);
        Assert.Equal(WarmUp.PageApplicationsFilter, "lineNumber ge 0 and lineNumber le 0 and appliesToInvoiceNumber eq ''");
        Assert.Contains("$select: 'id', $expand: Applications, $orderby: 'lineNumber', $top: PageSize", script);
        Assert.Equal(WarmUp.PageApplicationsQuery, "&$select=id&$expand=" + applications + "&$orderby=lineNumber&$top=" + pageSize);
    }

    [Fact]
    public async Task The_service_says_ready_once_the_warm_up_has_finished()
    {
        for (var waited = 0; (await f.Http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK; waited += 50)
        {
            Assert.True(waited < 180_000, "not ready within 3 minutes");
            await Task.Delay(50);
        }
        Assert.True(f.Services.GetRequiredService<WarmUp>().Finished.IsCompleted);
        Assert.NotEmpty(f.Services.GetRequiredService<WarmUp>().Reads);
    }

    [Fact]
    public void A_bad_switch_stops_the_start()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            App.Build([], b => b.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("WebApp:WarmUp", "sometimes")])));
        Assert.StartsWith("WebApp:WarmUp", e.Message);
    }

    private static string ReadAsset(string name)
    {
        using var stream = typeof(WebAppAssets).Assembly.GetManifestResourceStream("webapp/" + name)
            ?? throw new InvalidOperationException("no embedded " + name);
        return new StreamReader(stream).ReadToEnd();
    }

    [GeneratedRegex(@"const Expand = '([^']+)';")]
    private static partial Regex ExpandConstant();

    [GeneratedRegex(@"const Applications = '([^']+)';")]
    private static partial Regex ApplicationsConstant();

    [GeneratedRegex(@"const PageSize = (\d+);")]
    private static partial Regex PageSizeConstant();
}
