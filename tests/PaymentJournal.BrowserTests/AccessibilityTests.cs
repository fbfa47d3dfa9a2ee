namespace PaymentJournal.BrowserTests;

/// <summary>An axe scan of every screen (and its dialogs), at 1280x800 and in a narrow window: no serious or critical violation.</summary>
[Trait("Category", "Slow")]
public sealed class AccessibilityTests(AccessibilityTests.Fixture f) : IClassFixture<AccessibilityTests.Fixture>
{
    /// <summary>Two companies, so the company picker shows, and the demo's camt.053 imported for the bank statement screens.</summary>
    public sealed class Fixture : BrowserFixture
    {
        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await WithDb(async db => { await SecondCompany.SeedAsync(db); return 0; });
            const string camt = "cronus-2026-12-01.camt053.xml";
            var imported = await CashApi.ImportAsync(Http, await File.ReadAllBytesAsync(Path.Combine(BankFiles.Samples, camt)), camt);
            if (imported.Status != 201) throw new InvalidOperationException($"The sample statement was not imported: {imported.Status}");
        }
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(420, 800)]
    public async Task Every_screen_passes_an_accessibility_scan(int width, int height)
    {
        var line = await f.Http.Post(ServiceFixture.PaymentsPath(), new { customerNumber = "C00003", amount = -12.5, appliesToInvoiceNumber = "103003" });
        Assert.Equal(201, line.Status);
        var page = await f.Browser.NewPageAsync(f.BaseAddress, width, height);
        var size = $"{width}x{height}";

        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Companies" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "CRONUS Demo Company" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page, "companies " + size);
        if (width == 1280) await Browser.ScreenshotAsync(page, "companies");

        await page.GetByRole(AriaRole.Link, new() { Name = "CRONUS Demo Company" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open journal GENERAL" })).ToBeVisibleAsync();
        await Expect(page.Locator("tbody tr").First.Locator("td").Nth(3)).Not.ToHaveTextAsync("…");
        await Browser.AssertAccessibleAsync(page, "journals " + size);
        await page.GetByRole(AriaRole.Button, new() { Name = "New journal" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "New journal" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page, "new journal dialog " + size);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "Open journal GENERAL" }).ClickAsync();
        await Expect(page.Locator(".grid [role=row][data-line]").First).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page, "worksheet " + size);
        // The customer lookup open in a cell.
        await page.Locator(".grid [role=row][data-line]").First.Locator("[data-key=customerNumber]").ClickAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".lookup [role=option]").First).ToContainTextAsync("C0000");
        await Browser.AssertAccessibleAsync(page, "worksheet with the customer lookup " + size);
        await page.Keyboard.PressAsync("Escape");

        await page.GotoAsync($"/#/companies/{ServiceFixture.Company}/ledger?view=gl");
        await Expect(page.Locator("#ledger-panel tbody tr").First).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page, "ledger " + size);
        await page.GotoAsync($"/#/companies/{ServiceFixture.Company}/ledger?view=invoices");
        await Expect(page.Locator("#ledger-panel tbody tr").First).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page, "invoices " + size);

        await page.GotoAsync($"/#/companies/{ServiceFixture.Company}/bank");
        var statement = page.Locator("tbody tr").First;
        await Expect(statement.Locator("td").Last).Not.ToHaveTextAsync("…");
        await Browser.AssertAccessibleAsync(page, "bank statements " + size);
        await statement.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator(".bank-line table.proposals").First).ToBeVisibleAsync();
        await Expect(page.Locator("#stmt-counts strong").First).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page, "bank statement " + size);
        // Applying a line by hand, with the customer lookup open.
        await page.GetByRole(AriaRole.Button, new() { Name = "Change line 3" }).ClickAsync();
        await Expect(page.Locator(".lookup [role=option]").First).ToContainTextAsync("C00003");
        await Browser.AssertAccessibleAsync(page, "bank statement line applied by hand " + size);
        await page.Keyboard.PressAsync("Escape");
        await page.GetByRole(AriaRole.Button, new() { Name = "Transfer to a journal" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Transfer to a journal" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page, "transfer dialog " + size);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        Assert.Empty(f.Browser.PageErrors);
    }
}

/// <summary>Under Auth:Mode ApiKey the app asks for the key once and keeps it for the browser session.</summary>
[Trait("Category", "Slow")]
public sealed class SignInTests(SignInTests.Fixture f) : IClassFixture<SignInTests.Fixture>
{
    public const string Key = "browser-key-0123456789abcdef0123456789";

    public sealed class Fixture : BrowserFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            .. base.Settings,
            new("Auth:Mode", "ApiKey"),
            new("Auth:ApiKeys:0:Name", "browser"), new("Auth:ApiKeys:0:Key", Key), new("Auth:ApiKeys:0:Companies", "*"), new("Auth:ApiKeys:0:Access", "ReadWrite"),
        ];

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await WithDb(async db => { await SecondCompany.SeedAsync(db); return 0; });
        }
    }

    [Fact]
    public async Task The_key_is_asked_for_once_a_wrong_one_is_refused_in_words_and_the_right_one_is_kept_for_the_session()
    {
        // The app's own files need no credential; the service document still does.
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Http.GetAsync("/api/v2.0/")).StatusCode);
        var page = await f.Browser.NewPageAsync(f.BaseAddress);
        await page.GotoAsync("/");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Sign in" });
        await Expect(dialog).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page, "sign-in dialog");

        await dialog.GetByLabel("Key or token").FillAsync("not-the-key");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.Locator("p").First).Not.ToBeEmptyAsync();
        await Expect(dialog).Not.ToContainTextAsync("{");

        await dialog.GetByLabel("Key or token").FillAsync(Key);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Companies" })).ToBeVisibleAsync();

        // A reload in the same tab keeps the key: no second question.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "CRONUS Demo Company" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        Assert.Equal(Key, await page.EvaluateAsync<string>("() => JSON.parse(sessionStorage.getItem('paymentjournal.credential')).value"));
        Assert.Empty(f.Browser.PageErrors);
    }

    [Fact]
    public async Task With_the_key_a_bank_statement_is_uploaded_a_proposal_accepted_and_the_line_transferred()
    {
        const string camt = "cronus-2026-12-01.camt053.xml";
        var page = await f.Browser.NewPageAsync(f.BaseAddress);
        await page.GotoAsync($"/#/companies/{ServiceFixture.Company}/bank");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Sign in" });
        // Without a key nothing was read ahead of the screen (each refusal counts against the failed-authentication limit).
        Assert.Null(await page.EvaluateAsync<string?>("() => document.documentElement.dataset.auth ?? null"));
        await dialog.GetByLabel("Key or token").FillAsync(Key);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Bank statements", Exact = true })).ToBeVisibleAsync();

        await page.GetByLabel("Statement file").SetInputFilesAsync(Path.Combine(BankFiles.Samples, camt));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(page.Locator(".upload-result")).ToContainTextAsync($"{camt} imported: 1 statement, 6 lines");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open statement CRONUS-2026-12-01" }).ClickAsync();

        var line = page.Locator(".bank-line[data-line='1']");
        await line.GetByRole(AriaRole.Button, new() { Name = "Accept C00001 for line 1" }).ClickAsync();
        await Expect(line).ToHaveAttributeAsync("data-status", "Accepted");
        await page.GetByRole(AriaRole.Button, new() { Name = "Transfer to a journal" }).ClickAsync();
        var transfer = page.GetByRole(AriaRole.Dialog, new() { Name = "Transfer to a journal" });
        await transfer.GetByLabel("Customer payment journal").SelectOptionAsync(ServiceFixture.General);
        await transfer.GetByRole(AriaRole.Button, new() { Name = "Transfer" }).ClickAsync();
        await Expect(page.Locator(".transfer-result")).ToContainTextAsync("1 line transferred to journal");
        await Expect(line).ToHaveAttributeAsync("data-status", "Transferred");

        // Asked once: every request of the screens went with the key.
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        using var request = new HttpRequestMessage(HttpMethod.Get, ServiceFixture.PaymentsPath() + "?$filter=appliesToInvoiceNumber eq '103001'");
        request.Headers.Add("X-Api-Key", Key);
        var lines = JsonNode.Parse(await (await f.Http.SendAsync(request)).Content.ReadAsStringAsync());
        Assert.Single(lines!["value"]!.AsArray());
        Assert.Empty(f.Browser.PageErrors);
    }
}
