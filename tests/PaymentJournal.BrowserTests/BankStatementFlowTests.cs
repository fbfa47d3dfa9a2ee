namespace PaymentJournal.BrowserTests;

/// <summary>
/// Cash application in the browser: the demo's camt.053 uploaded, its proposals reviewed (accepted, changed by hand,
/// split across invoices, ignored), the accepted lines transferred to a new journal, and that journal posted.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BankStatementFlowTests(BrowserFixture f) : IClassFixture<BrowserFixture>
{
    private const string Camt = "cronus-2026-12-01.camt053.xml";
    private const string Code = "BANK1";

    private static ILocator Line(IPage page, int lineNumber) => page.Locator($".bank-line[data-line='{lineNumber}']");
    private static ILocator Option(IPage page, string text) => page.Locator(".lookup [role=option]", new() { HasText = text });

    [Fact]
    public async Task A_camt053_is_uploaded_reviewed_transferred_to_a_new_journal_and_posted()
    {
        var created = await f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = Code, displayName = "Bank statement receipts", balancingAccountId = "e0000000-0000-4000-8000-000000002910" });
        Assert.Equal(201, created.Status);
        var journalId = created.Body.Str("id");

        var page = await f.Browser.NewPageAsync(f.BaseAddress);
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Bank statements" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Bank statements", Exact = true })).ToBeVisibleAsync();

        // A file the service cannot read: the refusal names the position, beside the upload.
        var file = page.GetByLabel("Statement file");
        var sample = await File.ReadAllBytesAsync(Path.Combine(BankFiles.Samples, Camt));
        await file.SetInputFilesAsync(new FilePayload { Name = "broken.xml", MimeType = "application/xml", Buffer = sample[..1500] });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        var uploadError = page.Locator("#bank-upload-error");
        await Expect(uploadError).ToContainTextAsync("(at line");
        await Expect(uploadError).Not.ToContainTextAsync("{");
        await Expect(page.Locator("tbody")).ToContainTextAsync("No statement imported yet");

        await file.SetInputFilesAsync(Path.Combine(BankFiles.Samples, Camt));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(page.Locator(".upload-result")).ToContainTextAsync($"{Camt} imported: 1 statement, 6 lines");
        await Expect(uploadError).ToBeEmptyAsync();
        var row = page.Locator("tbody tr", new() { HasText = "CRONUS-2026-12-01" });
        await Expect(row.Locator("td").Nth(0)).ToHaveTextAsync("DE89370400440532013000");
        await Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("6");
        await Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("6");

        // The same file again: a 409 that names the earlier import, in words; the chosen file stays chosen.
        await file.SetInputFilesAsync(Path.Combine(BankFiles.Samples, Camt));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(uploadError).ToContainTextAsync("imported already");
        await Expect(uploadError).ToContainTextAsync(Camt);
        await Expect(uploadError.GetByRole(AriaRole.Link, new() { Name = "Open the earlier statement" })).ToBeVisibleAsync();
        Assert.Equal(Camt, await file.EvaluateAsync<string>("i => i.files[0]?.name"));

        // A CSV asks for its import profile (the demo's one stored profile is chosen already).
        await file.SetInputFilesAsync(Path.Combine(BankFiles.Samples, "cronus-2026-12-03.csv"));
        await Expect(page.GetByLabel("CSV import profile")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("CSV import profile")).ToHaveValueAsync("CRONUS-CSV");
        await Expect(uploadError).ToBeEmptyAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(page.Locator(".upload-result")).ToContainTextAsync("cronus-2026-12-03.csv imported: 1 statement, 4 lines");
        await Expect(page.GetByLabel("CSV import profile")).ToBeHiddenAsync();
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(2);
        await Browser.ScreenshotAsync(page, "bank-statements");

        await page.GetByRole(AriaRole.Link, new() { Name = "Open statement CRONUS-2026-12-01" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Statement CRONUS-2026-12-01" })).ToBeVisibleAsync();

        // Proposals with their confidence and reasons in words.
        var first = Line(page, 1).Locator("table.proposals tbody tr").First;
        await Expect(first.Locator("th")).ToContainTextAsync("C00001");
        await Expect(first).ToContainTextAsync("103001");
        await Expect(first.Locator(".confidence")).ToHaveTextAsync("High");
        await Expect(first.Locator("td.reasons li").First).Not.ToBeEmptyAsync();
        await Expect(first.Locator("td.reasons")).ToContainTextAsync("103001");
        await Expect(Line(page, 5).Locator(".confidence").First).ToHaveTextAsync("Medium");

        // Accepted as proposed.
        foreach (var (line, customer) in new[] { (1, "C00001"), (2, "C00002") })
        {
            await Line(page, line).GetByRole(AriaRole.Button, new() { Name = $"Accept {customer} for line {line}" }).ClickAsync();
            await Expect(Line(page, line)).ToHaveAttributeAsync("data-status", "Accepted");
        }
        await Expect(Line(page, 1).Locator(".applied")).ToContainTextAsync("103001 (623.45)");
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Browser.ScreenshotAsync(page, "bank-statement");

        // Split by hand across two invoices: the second found with the invoice lookup, its amount what is left.
        await Line(page, 3).GetByRole(AriaRole.Button, new() { Name = "Change line 3" }).ClickAsync();
        var form3 = Line(page, 3).Locator("form.apply-form");
        await Expect(form3.GetByLabel("Customer")).ToBeFocusedAsync();
        await Expect(form3.GetByLabel("Customer")).ToHaveValueAsync("C00003");
        await form3.GetByRole(AriaRole.Button, new() { Name = "Remove invoice 2" }).ClickAsync();
        await form3.Locator("input.amount").First.FillAsync("870.35");
        await form3.GetByRole(AriaRole.Button, new() { Name = "Add invoice" }).ClickAsync();
        await page.Keyboard.TypeAsync("10300");
        await Option(page, "103008").ClickAsync();
        await Expect(form3.Locator("input.amount").Nth(1)).ToHaveValueAsync("1487.6");
        await form3.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(Line(page, 3)).ToHaveAttributeAsync("data-status", "Accepted");
        await Expect(Line(page, 3).Locator(".applied")).ToContainTextAsync("103003 (870.35), 103008 (1,487.60)");

        // The payer who is no customer: ignored.
        await Line(page, 4).GetByRole(AriaRole.Button, new() { Name = "Ignore line 4" }).ClickAsync();
        await Expect(Line(page, 4)).ToHaveAttributeAsync("data-status", "Ignored");

        // Changed by hand: the customer found by name, an amount the API refuses (more than the invoice has left)
        // shown in the form with everything typed kept, then the right amount.
        await Line(page, 5).GetByRole(AriaRole.Button, new() { Name = "Change line 5" }).ClickAsync();
        var form5 = Line(page, 5).Locator("form.apply-form");
        await form5.GetByLabel("Customer").FillAsync("alpine");
        await Option(page, "Alpine Ski House").ClickAsync();
        await Expect(form5.GetByLabel("Customer")).ToHaveValueAsync("C00004");
        await form5.Locator("input.invoice").First.FillAsync("103004");
        await form5.Locator("input.amount").First.FillAsync("5000");
        await form5.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(form5.Locator(".field-error")).ToContainTextAsync("left to pay on sales invoice 103004");
        await Expect(form5.Locator("input.amount").First).ToHaveValueAsync("5000");
        await Expect(form5.GetByLabel("Customer")).ToHaveValueAsync("C00004");
        await form5.Locator("input.amount").First.FillAsync("993,80");
        await form5.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(Line(page, 5)).ToHaveAttributeAsync("data-status", "Accepted");
        await Expect(Line(page, 5).Locator(".applied")).ToContainTextAsync("customer C00004 · invoices 103004 (993.80)");
        await Expect(page.Locator("#stmt-counts [data-status=Accepted]")).ToHaveTextAsync("4");
        await Expect(page.Locator("#stmt-counts [data-status=Ignored]")).ToHaveTextAsync("1");

        // Transfer to the new journal, open it, post.
        await page.GetByRole(AriaRole.Button, new() { Name = "Transfer to a journal" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Transfer to a journal" });
        await Expect(dialog).ToContainTextAsync("4 accepted lines");
        await dialog.GetByLabel("Customer payment journal").SelectOptionAsync(journalId);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Transfer" }).ClickAsync();
        await Expect(page.Locator(".transfer-result")).ToContainTextAsync($"4 lines transferred to journal {Code}.");
        await Expect(Line(page, 1)).ToHaveAttributeAsync("data-status", "Transferred");
        await Expect(page.Locator("#stmt-counts [data-status=Transferred]")).ToHaveTextAsync("4");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Open journal {Code}" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Journal {Code}" })).ToBeVisibleAsync();
        await Expect(page.Locator(".grid [role=row][data-line]")).ToHaveCountAsync(4);
        await Expect(page.Locator(".grid [role=row][data-line='10000'] [data-key=appliesToInvoiceNumber]")).ToHaveTextAsync("103001");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog, new() { Name = $"Post journal {Code}?" }).GetByRole(AriaRole.Button, new() { Name = "Post", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Ledger and invoices" })).ToBeVisibleAsync();
        await Expect(page.Locator("#ledger-panel tbody tr")).ToHaveCountAsync(4);

        // The invoices applied one to a line are paid, and so are both of the split line's.
        foreach (var number in new[] { "103001", "103002", "103004", "103003", "103008" })
        {
            var invoice = await f.Http.Get(ServiceFixture.CompanyPath() + $"/salesInvoices?$filter=number eq '{number}'&$select=status,remainingAmount");
            Assert.Equal("Paid", invoice.Body!["value"]![0].Str("status"));
        }
        // Posted: the journal is empty again.
        var lines = await f.Http.Get(ServiceFixture.PaymentsPath(journal: journalId));
        Assert.Empty(lines.Body!["value"]!.AsArray());
        Assert.Empty(f.Browser.PageErrors);
    }
}
