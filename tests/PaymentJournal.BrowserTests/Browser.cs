using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;

namespace PaymentJournal.BrowserTests;

/// <summary>
/// Debian's Chromium driven by Playwright. Playwright never downloads a browser here: without /usr/bin/chromium the
/// tests fail and say what to install.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    public IBrowser Chromium { get; private set; } = null!;

    static Browser()
    {
        // Waits are on conditions, generous for a busy 2-core machine; nothing waits on a fixed time.
        SetDefaultExpectTimeout(60_000);
    }

    public static async Task<Browser> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"The browser tests need Chromium at {ChromiumPath}: apt-get install chromium");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var b = new Browser { _playwright = await Playwright.CreateAsync() };
        b.Chromium = await b._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath, Headless = true, Timeout = 120_000,
            // As root Chromium needs --no-sandbox; /dev/shm is small in containers.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        return b;
    }

    /// <summary>A fresh page (its own session storage) at 1280x800, or the given size, in a fixed locale.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, int width = 1280, int height = 800, string locale = "en-GB")
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(), ViewportSize = new ViewportSize { Width = width, Height = height }, Locale = locale,
        });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        // An exception the app did not catch is recorded; tests assert there was none.
        page.PageError += (_, e) => { lock (PageErrors) PageErrors.Add(e); };
        return page;
    }

    public List<string> PageErrors { get; } = [];

    public async ValueTask DisposeAsync()
    {
        if (Chromium is not null) await Chromium.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <summary>Runs axe in the page and fails on any serious or critical violation, naming each.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string screen)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
        Assert.True(bad.Count == 0, $"Accessibility violations on {screen}:\n" + string.Join("\n", bad));
    }

    /// <summary>With PAYMENTJOURNAL_SCREENSHOTS=folder, saves a PNG of the page there (docs/ holds the ones in the README).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("PAYMENTJOURNAL_SCREENSHOTS");
        if (string.IsNullOrEmpty(folder)) return;
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "webapp-" + name + ".png") });
    }

    public static Regex Exactly(string text) => new("^" + Regex.Escape(text) + "$");
}

/// <summary>The service (SQLite or PostgreSQL, as the run says) and one Chromium, per test class.</summary>
public class BrowserFixture : ServiceFixture
{
    public Browser Browser { get; private set; } = null!;

    /// <summary>As the service runs by default: with the start-up warm-up.</summary>
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("WebApp:WarmUp", "true")];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Browser = await Browser.LaunchAsync();
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        await base.DisposeAsync();
    }
}
