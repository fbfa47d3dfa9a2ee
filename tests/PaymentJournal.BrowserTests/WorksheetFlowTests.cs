using System.Text.RegularExpressions;

namespace PaymentJournal.BrowserTests;

/// <summary>A cash receipt journal from creation to posted ledger entries, in the browser, on the real service.</summary>
[Trait("Category", "Slow")]
public sealed class WorksheetFlowTests(BrowserFixture f) : IClassFixture<BrowserFixture>
{
    private const string Code = "WEB1";

    private static ILocator Row(IPage page, int lineNumber) => page.Locator($".grid [role=row][data-line='{lineNumber}']");
    private static ILocator Cell(IPage page, int lineNumber, string key) => Row(page, lineNumber).Locator($"[data-key={key}]");
    private static ILocator Editor(IPage page) => page.Locator(".grid input.editor");
    private static ILocator Option(IPage page, string text) => page.Locator(".lookup [role=option]", new() { HasText = text });

    [Fact]
    public async Task A_journal_is_filled_through_the_lookups_meets_a_conflict_fails_to_post_is_fixed_and_posts()
    {
        var page = await f.Browser.NewPageAsync(f.BaseAddress);
        await page.GotoAsync("/");
        // One company: the app opens it at once.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Payment journals" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open journal GENERAL" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "New journal" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "New journal" });
        await dialog.GetByLabel("Code").FillAsync(Code);
        await dialog.GetByLabel("Name").FillAsync("Receipts from the browser");
        await Expect(dialog.GetByLabel("Balancing account")).ToHaveValueAsync("e0000000-0000-4000-8000-000000002910");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var journalRow = page.Locator("tbody tr", new() { HasText = "Receipts from the browser" });
        await Expect(journalRow.Locator("td").Nth(2)).ToHaveTextAsync("0");
        await Expect(journalRow.Locator("td").Nth(3)).ToHaveTextAsync("0.00");
        await Browser.ScreenshotAsync(page, "journals");

        await page.GetByRole(AriaRole.Link, new() { Name = $"Open journal {Code}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Journal {Code}" })).ToBeVisibleAsync();

        // Line 1: the customer found by name, the invoice from the customer's open invoices; the amount follows it.
        await AddLineAsync(page, 10000, "adatum", "Adatum Corporation");
        await PickInvoiceAsync(page, 10000, "103001", "-623.45");
        // Its dimensions, set in a dialog.
        await Cell(page, 10000, "dimensions").ClickAsync();
        await page.Keyboard.PressAsync("Enter");
        var dimensions = page.GetByRole(AriaRole.Dialog, new() { Name = "Dimensions of line 10000" });
        await dimensions.GetByLabel("Area").SelectOptionAsync("10");
        await dimensions.GetByLabel("Department").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        await dimensions.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Cell(page, 10000, "dimensions")).ToContainTextAsync("AREA: 10");
        await Expect(Cell(page, 10000, "dimensions")).ToContainTextAsync("DEPARTMENT: ");
        // Line 2: the customer found by number.
        await AddLineAsync(page, 20000, "c00002", "Trey Research");
        await PickInvoiceAsync(page, 20000, "103002", "-746.90");
        // Line 3: a receipt typed with the wrong sign, which the post refuses.
        await AddLineAsync(page, 30000, "alpine", "Alpine Ski House");
        await EditAsync(page, 30000, "amount", "100");
        await Expect(Cell(page, 30000, "amount")).ToHaveTextAsync("100.00");
        await Expect(page.Locator("#ws-total")).ToHaveTextAsync("-1,270.35");

        // A customer the API does not know: its refusal shows by the line, in words, and what was typed stays.
        await Cell(page, 30000, "customerNumber").ClickAsync();
        await page.Keyboard.PressAsync("Enter");
        await Editor(page).FillAsync("ZZ404");
        await Expect(Option(page, "No match")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(Cell(page, 30000, "customerNumber")).ToHaveTextAsync("ZZ404");
        await Expect(Cell(page, 30000, "customerNumber")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#ws-cell-error")).ToContainTextAsync("Line 30000: ");
        await Expect(page.Locator("#ws-cell-error")).ToContainTextAsync("does not match to a Customer");
        await Expect(page.Locator("#ws-cell-error")).Not.ToContainTextAsync("CorrelationId");
        await Expect(page.Locator("#ws-cell-error")).Not.ToContainTextAsync("{");
        // Escape in the cell drops the refused value: the line shows what is saved.
        await page.Keyboard.PressAsync("Enter");
        await Expect(Editor(page)).ToHaveValueAsync("ZZ404");
        await page.Keyboard.PressAsync("Escape");
        await Expect(Cell(page, 30000, "customerNumber")).ToHaveTextAsync("C00004");
        await Expect(page.Locator("#ws-cell-error")).ToBeHiddenAsync();

        // An edit: line 1's description.
        await EditAsync(page, 10000, "description", "Paid by transfer");
        await Expect(Row(page, 10000).Locator("[data-key=status]")).ToBeEmptyAsync();
        Assert.Equal("Paid by transfer", (await LineAsync(10000))["description"]!.GetValue<string>());

        // A concurrent edit: line 2 changes behind the browser's back; the browser's edit meets the newer version.
        var line2 = await LineAsync(20000);
        var changed = await f.Http.Patch(PaymentUrl(line2), new { description = "Changed elsewhere" }, line2["@odata.etag"]!.GetValue<string>());
        Assert.Equal(200, changed.Status);
        await EditAsync(page, 20000, "description", "My own words");
        var conflict = page.GetByRole(AriaRole.Dialog, new() { Name = "Line 20000 was changed by someone else" });
        await Expect(conflict).ToContainTextAsync("Changed elsewhere");
        await Expect(conflict).ToContainTextAsync("My own words");
        await conflict.GetByRole(AriaRole.Button, new() { Name = "Reload the line" }).ClickAsync();
        await Expect(Cell(page, 20000, "description")).ToHaveTextAsync("Changed elsewhere");
        Assert.Equal("Changed elsewhere", (await LineAsync(20000))["description"]!.GetValue<string>());

        // Post: refused for line 3, which the grid marks with the reason.
        await PostAsync(page);
        var problems = page.Locator(".problems");
        await Expect(problems).ToContainTextAsync("Line 30000");
        await Expect(problems).ToContainTextAsync("the amount must be negative");
        await Expect(Row(page, 30000)).ToHaveClassAsync(new Regex("has-error"));
        await Expect(Row(page, 30000).Locator("[data-key=status]")).ToContainTextAsync("the amount must be negative");
        await Expect(Row(page, 10000)).Not.ToHaveClassAsync(new Regex("has-error"));
        await Browser.ScreenshotAsync(page, "worksheet");

        // Fixed from the problem list: the link goes to the line; the corrected amount clears the mark.
        await problems.GetByRole(AriaRole.Button, new() { Name = "Line 30000" }).ClickAsync();
        await EditAsync(page, 30000, "amount", "-100");
        await Expect(Cell(page, 30000, "amount")).ToHaveTextAsync("-100.00");
        await Expect(Row(page, 30000)).Not.ToHaveClassAsync(new Regex("has-error"));

        await PostAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Ledger and invoices" })).ToBeVisibleAsync();
        var entries = page.Locator("#ledger-panel tbody tr");
        await Expect(entries).ToHaveCountAsync(3);
        foreach (var customer in new[] { "C00001", "C00002", "C00004" })
            await Expect(entries.Filter(new() { HasText = customer })).ToHaveCountAsync(1);
        await Expect(entries.Filter(new() { HasText = "Payment" })).ToHaveCountAsync(3);
        await Browser.ScreenshotAsync(page, "ledger");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Sales invoices" }).ClickAsync();
        await page.GetByLabel("Invoice no.").FillAsync("103001");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        var invoice = page.Locator("#ledger-panel tbody tr");
        await Expect(invoice).ToHaveCountAsync(1);
        await Expect(invoice.Locator("td").Nth(6)).ToHaveTextAsync("Paid");
        await Expect(invoice.Locator("td").Nth(5)).ToHaveTextAsync("0.00");
        await Browser.ScreenshotAsync(page, "invoices");
        Assert.Empty(f.Browser.PageErrors);
    }

    [Fact]
    public async Task A_journal_is_renamed_and_deleted_from_the_list_and_a_refused_name_keeps_what_was_typed()
    {
        var page = await f.Browser.NewPageAsync(f.BaseAddress);
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new() { Name = "New journal" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "New journal" });
        // A code the API refuses: the reason shows by the field and the dialog keeps the input.
        await dialog.GetByLabel("Code").FillAsync("GENERAL");
        await dialog.GetByLabel("Name").FillAsync("A second general journal");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(dialog.Locator(".field-error").First).ToContainTextAsync("GENERAL");
        await Expect(dialog.GetByLabel("Code")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(dialog.GetByLabel("Name")).ToHaveValueAsync("A second general journal");
        await dialog.GetByLabel("Code").FillAsync("TEMP");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open journal TEMP" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Rename TEMP" }).ClickAsync();
        var rename = page.GetByRole(AriaRole.Dialog, new() { Name = "Rename journal TEMP" });
        await rename.GetByLabel("Code").FillAsync("TEMP2");
        await rename.GetByLabel("Name").FillAsync("Renamed");
        await rename.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open journal TEMP2" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete TEMP2" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open journal TEMP2" })).ToHaveCountAsync(0);
        var left = await f.Http.Get(ServiceFixture.CompanyPath() + "/customerPaymentJournals?$filter=startswith(code,'TEMP')");
        Assert.Empty(left.Body!["value"]!.AsArray());
        Assert.Empty(f.Browser.PageErrors);
    }

    [Fact]
    public async Task A_line_added_while_the_journal_is_still_loading_is_kept_and_counted()
    {
        var journal = await f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals",
            new { code = "WEB3", displayName = "Added while loading" });
        var journalId = journal.Body.Str("id");
        var page = await f.Browser.NewPageAsync(f.BaseAddress);
        // The answer to the journal's first read of its lines (no lines yet) reaches the page late, after New line has
        // been pressed: an app that creates the line at once gets that answer after its own and must not lose the line;
        // an app that waits for the read gets it after at most two seconds.
        var pressed = new TaskCompletionSource();
        var created = new TaskCompletionSource();
        page.Response += (_, r) => { if (r.Request.Method == "POST" && r.Url.EndsWith("/customerPayments")) created.TrySetResult(); };
        var held = 0;
        await page.RouteAsync(new Regex(@"/customerPayments\?"), async route =>
        {
            if (route.Request.Method != "GET" || Interlocked.Exchange(ref held, 1) != 0) { await route.ContinueAsync(); return; }
            var before = await route.FetchAsync();
            await pressed.Task;
            await Task.WhenAny(created.Task, Task.Delay(TimeSpan.FromSeconds(2)));
            await route.FulfillAsync(new() { Response = before });
        });
        await page.GotoAsync($"/#/companies/{ServiceFixture.Company}/journals/{journalId}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Journal WEB3" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New line" }).ClickAsync();
        pressed.SetResult();

        await Expect(Cell(page, 10000, "customerNumber")).ToBeFocusedAsync();
        await Expect(page.Locator("#ws-totals")).ToContainTextAsync("Lines: 1");
        await Expect(page.Locator(".empty")).ToHaveCountAsync(0);
        var lines = await f.Http.Get(ServiceFixture.PaymentsPath(journal: journalId));
        Assert.Single(lines.Body!["value"]!.AsArray());
        Assert.Empty(f.Browser.PageErrors);
    }

    [Fact]
    public async Task A_line_settling_two_invoices_shows_both_and_one_invoice_typed_in_their_place_replaces_them()
    {
        var journal = await f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = "WEB4", displayName = "Several invoices" });
        var journalId = journal.Body.Str("id");
        // One line settling two invoices of C00003 (an amount given for the first, the rest to the second), made
        // through the posting group's applications, and a line applied to one invoice the standard way.
        var line = await f.Http.Post(ServiceFixture.PaymentsPath(journal: journalId), new { customerNumber = "C00003", amount = -2000 });
        Assert.Equal(201, line.Status);
        var applications = ServiceFixture.CompanyPath(ServiceFixture.Posting) + $"/customerPaymentJournals({journalId})/customerPayments({line.Body.Str("id")})/applications";
        Assert.Equal(201, (await f.Http.Post(applications, new { invoiceNumber = "103003", amount = 870.35 })).Status);
        Assert.Equal(201, (await f.Http.Post(applications, new { invoiceNumber = "103008" })).Status);
        Assert.Equal(201, (await f.Http.Post(ServiceFixture.PaymentsPath(journal: journalId), new { customerNumber = "C00001", amount = -10, appliesToInvoiceNumber = "103001" })).Status);

        var page = await f.Browser.NewPageAsync(f.BaseAddress);
        await page.GotoAsync($"/#/companies/{ServiceFixture.Company}/journals/{journalId}");
        var applied = Cell(page, 10000, "appliesToInvoiceNumber");
        await Expect(applied).ToHaveTextAsync("103003, 103008 (2)");
        await Expect(applied).ToHaveAttributeAsync("title", "Applied to invoice 103003: 870.35; invoice 103008: what is left of the payment, oldest first");
        await Expect(Cell(page, 20000, "appliesToInvoiceNumber")).ToHaveTextAsync("103001");

        // One invoice typed in the cell: the line names it, and its applications are gone (as the API does).
        await Cell(page, 10000, "appliesToInvoiceNumber").ClickAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(Editor(page)).ToHaveValueAsync("");
        await Editor(page).FillAsync("103008");
        await Expect(Option(page, "103008")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(applied).ToHaveTextAsync("103008");
        // What was typed shows as a draft until the line is saved.
        await Expect(applied).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(applied).ToHaveTextAsync("103008");
        await Expect(applied).Not.ToHaveAttributeAsync("title", new Regex("."));
        var saved = await f.Http.Get(ServiceFixture.PaymentsPath(journal: journalId) + "?$filter=lineNumber eq 10000");
        Assert.Equal("103008", saved.Body!["value"]![0].Str("appliesToInvoiceNumber"));
        Assert.Empty((await f.Http.Get(applications)).Body!["value"]!.AsArray());
        Assert.Empty(f.Browser.PageErrors);
    }

    private static async Task AddLineAsync(IPage page, int lineNumber, string search, string customerName)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "New line" }).ClickAsync();
        // The new line's customer cell has the focus; Enter opens the lookup.
        await Expect(Cell(page, lineNumber, "customerNumber")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Editor(page).FillAsync(search);
        await Expect(Option(page, customerName)).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(Cell(page, lineNumber, "customerName")).ToHaveTextAsync(customerName);
    }

    private static async Task PickInvoiceAsync(IPage page, int lineNumber, string invoice, string amount)
    {
        await Cell(page, lineNumber, "appliesToInvoiceNumber").ClickAsync();
        await page.Keyboard.PressAsync("Enter");
        await Option(page, invoice).ClickAsync();
        await Expect(Cell(page, lineNumber, "amount")).ToHaveTextAsync(amount);
        await Expect(Cell(page, lineNumber, "appliesToInvoiceNumber")).ToHaveTextAsync(invoice);
    }

    private static async Task EditAsync(IPage page, int lineNumber, string key, string text)
    {
        await Cell(page, lineNumber, key).ClickAsync();
        await page.Keyboard.PressAsync("Enter");
        await Editor(page).FillAsync(text);
        await page.Keyboard.PressAsync("Enter");
        await Expect(Editor(page)).ToHaveCountAsync(0);
    }

    private static async Task PostAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Post", Exact = true }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog, new() { Name = $"Post journal {Code}?" });
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Post", Exact = true }).ClickAsync();
    }

    private async Task<JsonNode> LineAsync(int lineNumber)
    {
        var journals = await f.Http.Get(ServiceFixture.CompanyPath() + $"/customerPaymentJournals?$filter=code eq '{Code}'");
        var id = journals.Body!["value"]![0]!["id"]!.GetValue<string>();
        var lines = await f.Http.Get(ServiceFixture.PaymentsPath(journal: id) + $"?$filter=lineNumber eq {lineNumber}");
        return lines.Body!["value"]![0]!;
    }

    private static string PaymentUrl(JsonNode line) =>
        ServiceFixture.CompanyPath() + $"/customerPayments({line["id"]!.GetValue<string>()})";
}
