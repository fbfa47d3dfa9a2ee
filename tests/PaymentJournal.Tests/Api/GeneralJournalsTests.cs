using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// journals and their journalLines: general journals (template GENERAL) on the journal core, lines of G/L accounts with
/// Business Central's fields and errors, posted by journals({id})/Microsoft.NAV.post into balanced G/L entries.
/// Runs on the test database of the run (SQLite or PostgreSQL).
/// </summary>
public sealed class GeneralJournalsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private const string Cash = "2910", Expense = "8210", Payables = "5410";
    private static string Journals => Route.V2.Set("journals");
    private static string Journal(string id) => Route.V2.Entity("journals", id);
    private static string Lines(string journal) => Journal(journal) + "/journalLines";
    private static decimal Dec(JsonNode? node, string name) => node![name]!.GetValue<decimal>();

    private async Task<string> NewJournalAsync()
    {
        var code = "GJ" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var created = await f.Http.Post(Journals, new { code, displayName = "General " + code, balancingAccountId = DemoSeed.AccountId(Cash) });
        Expect.Status(created, 201);
        Assert.Equal(("GENERAL", Cash), (created.Body.Str("templateDisplayName"), created.Body.Str("balancingAccountNumber")));
        return created.Body.Str("id");
    }

    /// <summary>A posting account made for one test, so no other test's entries move its net change.</summary>
    private async Task<Account> NewAccountAsync(bool blocked = false, string type = "Posting")
    {
        var number = "7" + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var account = new Account
        {
            Id = Guid.NewGuid(), CompanyId = Guid.Parse(ServiceFixture.Company), Number = number, DisplayName = "Test account " + number,
            Category = "Expense", SubCategory = "Operating Expenses", Blocked = blocked, AccountType = type, DirectPosting = true,
        };
        await f.WithDb(async db => { db.Accounts.Add(account); return await db.SaveChangesAsync(); });
        return account;
    }

    [Fact]
    public async Task Journals_lists_every_template_and_a_new_journal_is_a_general_one()
    {
        var id = await NewJournalAsync();
        var list = await f.Http.Get(Journals + "?$top=500");
        Expect.Status(list, 200);
        var templates = list.Body!["value"]!.AsArray().Select(j => j!.Str("templateDisplayName")).Distinct().ToList();
        Assert.Contains("CASHRCPT", templates);
        Assert.Contains("PAYMENT", templates);
        Assert.Contains("GENERAL", templates);
        var filtered = await f.Http.Get(Journals + "?$filter=templateDisplayName eq 'GENERAL'");
        Assert.All(filtered.Body!["value"]!.AsArray(), j => Assert.Equal("GENERAL", j!.Str("templateDisplayName")));
        // Not a customer or vendor payment journal.
        Expect.Error(await f.Http.Get(Route.V2.Entity("customerPaymentJournals", id)), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Get(Route.V2.Entity("vendorPaymentJournals", id)), 404, "Internal_RecordNotFound");
        // Rename, a code taken within the template, delete.
        var renamed = await f.Http.Patch(Journal(id), new { displayName = "Renamed" }, "*");
        Expect.Status(renamed, 200);
        Assert.Equal("Renamed", renamed.Body.Str("displayName"));
        Expect.Error(await f.Http.Post(Journals, new { code = renamed.Body.Str("code") }), 409, "Internal_EntityWithSameKeyExists", "Journal Template Name='GENERAL'");
        Expect.Error(await f.Http.Post(Journals, new { code = "X", templateDisplayName = "PAYMENT" }), 400, "BadRequest_InvalidOperation", "templateDisplayName");
        Expect.Status(await f.Http.Delete(Journal(id)), 204);
        Expect.Error(await f.Http.Get(Journal(id)), 404, "Internal_RecordNotFound");
    }

    [Fact]
    public async Task A_line_takes_its_account_by_id_or_number_and_its_defaults_from_the_journal()
    {
        var journal = await NewJournalAsync();
        var first = await f.Http.Post(Lines(journal), new { accountNumber = Expense, amount = 50, postingDate = "2026-02-01" });
        Expect.Status(first, 201);
        var line = first.Body!;
        Assert.Equal(("G/L Account", DemoSeed.AccountId(Expense).ToString("D"), "Office Supplies"), (line.Str("accountType"), line.Str("accountId"), line.Str("description")));
        Assert.Equal(("G/L Account", DemoSeed.AccountId(Cash).ToString("D"), Cash), (line.Str("balanceAccountType"), line.Str("balancingAccountId"), line.Str("balancingAccountNumber")));
        Assert.Equal((10000, journal, 50m), (line["lineNumber"]!.GetValue<int>(), line.Str("journalId"), Dec(line, "amount")));
        Assert.EndsWith("-00001", line.Str("documentNumber"));

        // Its own balancing account; by id; a negative amount is a credit.
        var second = await f.Http.Post(Lines(journal), new { accountId = DemoSeed.AccountId(Cash), balancingAccountNumber = Payables, amount = -20 });
        Expect.Status(second, 201);
        Assert.Equal((Cash, Payables), (second.Body.Str("accountNumber"), second.Body.Str("balancingAccountNumber")));
        var expanded = await f.Http.Get(Lines(journal) + $"({line.Str("id")})?$expand=account");
        Assert.Equal(Expense, expanded.Body!["account"]!.Str("number"));
        Expect.Status(await f.Http.Post(Lines(journal) + $"({line.Str("id")})/dimensionSetLines", new { code = "AREA", valueCode = "10" }), 201);
        var patched = await f.Http.Patch(Lines(journal) + $"({line.Str("id")})", new { amount = 75.5m, comment = "more" }, "*");
        Expect.Status(patched, 200);
        Assert.Equal((75.5m, "more"), (Dec(patched.Body, "amount"), patched.Body.Str("comment")));
        var lines = await f.Http.Get(Lines(journal));
        Assert.Equal(2, lines.Body!["value"]!.AsArray().Count);
    }

    [Fact]
    public async Task Line_rules_refuse_with_Business_Central_errors_and_change_nothing()
    {
        var journal = await NewJournalAsync();
        var created = await f.Http.Post(Lines(journal), new { accountNumber = Expense, amount = 1 });
        Expect.Status(created, 201);
        var lineUrl = Lines(journal) + $"({created.Body.Str("id")})";
        var blocked = await NewAccountAsync(blocked: true);
        var heading = await NewAccountAsync(type: "Heading");
        var before = await DbSnapshot.TakeAsync(f);
        const string dialog = "Application_DialogException";
        Expect.Error(await f.Http.Post(Lines(journal), new { accountId = Guid.NewGuid() }), 400, dialog, "The \"accountId\" does not match to an Account.");
        Expect.Error(await f.Http.Post(Lines(journal), new { accountNumber = "GHOST" }), 400, dialog, "The \"accountNumber\" does not match to an Account.");
        Expect.Error(await f.Http.Post(Lines(journal), new { accountId = DemoSeed.AccountId(Cash), accountNumber = Expense }), 400, dialog,
            "The account values do not match to a specific Account.");
        Expect.Error(await f.Http.Post(Lines(journal), new { balancingAccountNumber = "GHOST" }), 400, dialog, "The \"balancingAccountNumber\" does not match to an Account.");
        Expect.Error(await f.Http.Post(Lines(journal), new { accountNumber = blocked.Number }), 400, dialog, $"Blocked must be equal to 'No'  in G/L Account: No.={blocked.Number}");
        Expect.Error(await f.Http.Post(Lines(journal), new { accountNumber = heading.Number }), 400, dialog, "Account Type must be equal to 'Posting'");
        Expect.Error(await f.Http.Post(Lines(journal), new { accountType = "Customer", accountNumber = "C00001" }), 400, "BadRequest_NotSupported", "Customer");
        Expect.Error(await f.Http.Post(Lines(journal), new { accountType = "Nonsense" }), 400, "Application_EvaluateException", "accountType");
        Expect.Error(await f.Http.Post(Lines(journal), new { lineNumber = 10000 }), 409, "Internal_EntityWithSameKeyExists", "Journal Template Name='GENERAL'");
        Expect.Error(await f.Http.Post(Lines(journal), new { journalId = Guid.NewGuid() }), 400, "BadRequest_InvalidOperation", "journalId");
        Expect.Error(await f.Http.Patch(lineUrl, new { journalDisplayName = "OTHER" }, "*"), 400, dialog, "The Journal Batch Display Name isn't editable.");
        // Under a payment journal (journals serves every batch) a general line has no place.
        Expect.Error(await f.Http.Post(Lines(ServiceFixture.General), new { accountNumber = Expense, amount = 1 }), 400, dialog, "template CASHRCPT");
        Assert.Empty((await f.Http.Get(Lines(ServiceFixture.General))).Body!["value"]!.AsArray());
        // journalLines live under their journal only.
        Expect.Error(await f.Http.Get(Route.V2.Set("journalLines")), 404, "BadRequest_ResourceNotFound");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    [Fact]
    public async Task Posting_writes_balanced_entries_moves_the_accounts_and_empties_the_journal()
    {
        var journal = await NewJournalAsync();
        var debit = await NewAccountAsync();
        var credit = await NewAccountAsync();
        Expect.Status(await f.Http.Post(Lines(journal), new { accountNumber = debit.Number, amount = 120.25m, postingDate = "2026-03-01",
            dimensionSetLines = new[] { new { code = "DEPARTMENT", valueCode = "ADM" } } }), 201);
        Expect.Status(await f.Http.Post(Lines(journal), new { accountNumber = credit.Number, amount = -20, balancingAccountNumber = debit.Number }), 201);
        var cashBefore = Dec((await f.Http.Get(Route.V2.Entity("accounts", DemoSeed.AccountId(Cash).ToString("D")))).Body, "netChange");

        Expect.Status(await f.Http.Post(Journal(journal) + "/Microsoft.NAV.post", null), 204);

        Assert.Empty((await f.Http.Get(Lines(journal))).Body!["value"]!.AsArray());
        var accounts = await f.WithDb(db => db.Accounts.AsNoTracking().Where(a => a.Id == debit.Id || a.Id == credit.Id).ToDictionaryAsync(a => a.Id, a => a.NetChange));
        // The first account: 120.25 debited by its own line and 20.00 as the second line's balancing account (which takes
        // minus the line's -20.00); the second account: 20.00 credited.
        Assert.Equal((14025L, -2000L), (accounts[debit.Id], accounts[credit.Id]));
        Assert.Equal(cashBefore - 120.25m, Dec((await f.Http.Get(Route.V2.Entity("accounts", DemoSeed.AccountId(Cash).ToString("D")))).Body, "netChange"));
        var entries = await f.WithDb(db => db.GeneralLedgerEntries.AsNoTracking().Where(e => e.AccountId == debit.Id).OrderBy(e => e.EntryNumber).ToListAsync());
        Assert.Equal([(12025L, 12025L, 0L), (2000L, 2000L, 0L)], entries.Select(e => (e.Amount, e.DebitAmount, e.CreditAmount)));
        Assert.All(entries, e => Assert.Equal((" ", Guid.Empty), (e.DocumentType, e.CustomerId)));
        var first = await f.WithDb(db => db.GeneralLedgerEntries.AsNoTracking().Where(e => e.TransactionNumber == entries[0].TransactionNumber && e.CompanyId == entries[0].CompanyId)
            .OrderBy(e => e.EntryNumber).ToListAsync());
        Assert.Equal([(Cash, -12025L), (debit.Number, 12025L)], first.Select(e => (e.AccountNumber, e.Amount)));
        Assert.Equal(2, await f.WithDb(db => db.LedgerEntryDimensions.CountAsync(d => first.Select(e => e.Id).Contains(d.EntryId) && d.ValueCode == "ADM")));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task A_post_with_one_bad_line_posts_nothing_and_names_every_failing_line()
    {
        var journal = await NewJournalAsync();
        var account = await NewAccountAsync();
        Expect.Status(await f.Http.Post(Lines(journal), new { accountNumber = account.Number, amount = 10 }), 201);
        Expect.Status(await f.Http.Post(Lines(journal), new { accountNumber = account.Number, amount = 0 }), 201);
        Expect.Status(await f.Http.Post(Lines(journal), new { amount = 3 }), 201);
        Expect.Status(await f.Http.Post(Lines(journal), new { accountNumber = account.Number, amount = 4, postingDate = "2031-01-01" }), 201);
        await f.WithDb(db => db.Accounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.Blocked, true)));
        var before = await DbSnapshot.TakeAsync(f);
        var refused = await f.Http.Post(Journal(journal) + "/Microsoft.NAV.post", null);
        Expect.Error(refused, 400, "Application_DialogException", "4 of 4 lines cannot be posted");
        var message = refused.Body!["error"]!["message"]!.GetValue<string>();
        Assert.Contains($"Line 10000: the G/L account {account.Number} is blocked", message, StringComparison.Ordinal);
        Assert.Contains("Line 20000: the amount must not be zero", message, StringComparison.Ordinal);
        Assert.Contains("Line 30000: accountId or accountNumber must have a value", message, StringComparison.Ordinal);
        Assert.Contains("Line 40000:", message, StringComparison.Ordinal);
        Assert.Contains("is not within the range of allowed posting dates", message, StringComparison.Ordinal);
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
        await LedgerInvariants.AssertHoldAsync(f);
    }
}
