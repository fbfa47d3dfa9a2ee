using Microsoft.EntityFrameworkCore;
using PaymentJournal.Features.Posting;
using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Api;

/// <summary>Posting sales invoices and payment journals (docs/posting.md), over HTTP on a real SQLite file.</summary>
public sealed class PostingTests(CommitObserverFixture f) : IClassFixture<CommitObserverFixture>
{
    private HttpClient Http => f.Http;

    [Fact]
    public async Task Posting_a_draft_invoice_opens_it_and_writes_balanced_entries()
    {
        var (customerId, customerNumber) = await NewCustomerAsync(Http);
        var (id, number) = await DraftInvoiceAsync(Http, customerNumber, 100m);
        var (s, _, _) = await Http.Post($"{C}/salesInvoices({id})/salesInvoiceLines", new { lineType = "Account", lineObjectNumber = "6120", quantity = 2, unitPrice = 12.25m });
        Assert.Equal(201, s);

        var (status, body, _) = await Http.Post($"{C}/salesInvoices({id})/Microsoft.NAV.post", null);
        Assert.True(status == 204, body?.ToJsonString());

        var inv = await GetAsync(Http, $"{C}/salesInvoices({id})");
        Assert.Equal("Open", inv.Str("status"));
        Assert.Equal(number, inv.Str("number")); // the number stays (docs/posting.md)
        Assert.Equal(124.5m, inv.Dec("remainingAmount"));
        Assert.Equal(124.5m, (await GetAsync(Http, $"{C}/customers({customerId})")).Dec("balanceDue"));

        var (entries, gl) = await f.WithDb(async db => (
            await db.CustomerLedgerEntries.Where(e => e.DocumentNumber == number).ToListAsync(),
            await db.GeneralLedgerEntries.Where(e => e.DocumentNumber == number).OrderBy(e => e.EntryNumber).ToListAsync()));
        var entry = Assert.Single(entries);
        Assert.Equal(("Invoice", 12450L, 12450L, true), (entry.DocumentType, entry.Amount, entry.RemainingAmount, entry.Open));
        Assert.Equal(3, gl.Count);
        Assert.Single(gl.Select(e => e.TransactionNumber).Distinct());
        Assert.Equal(("2310", 12450L), (gl[0].AccountNumber, gl[0].DebitAmount));
        Assert.Equal(new[] { ("6110", 10000L), ("6120", 2450L) }, gl.Skip(1).Select(e => (e.AccountNumber, e.CreditAmount)).OrderBy(x => x.AccountNumber));
        await LedgerInvariants.AssertHoldAsync(f);

        var (again, error, _) = await Http.Post($"{C}/salesInvoices({id})/Microsoft.NAV.post", null);
        Assert.Equal(400, again);
        Assert.Contains("only a draft can be posted", Message(error));
    }

    [Fact]
    public async Task An_invoice_that_cannot_be_posted_is_a_400_and_changes_nothing()
    {
        var (customerId, customerNumber) = await NewCustomerAsync(Http);
        var (empty, _) = await DraftInvoiceAsync(Http, customerNumber, 0m);
        var (late, _) = await DraftInvoiceAsync(Http, customerNumber, 10m, "2031-02-01");
        var (blocked, _) = await DraftInvoiceAsync(Http, customerNumber, 10m);
        var before = await LedgerInvariants.SnapshotAsync(f);

        var (s1, b1, _) = await Http.Post($"{C}/salesInvoices({empty})/Microsoft.NAV.post", null);
        Assert.Equal((400, "Application_DialogException"), (s1, b1.ErrorCode()));
        Assert.Contains("no lines", Message(b1));

        var (s2, b2, _) = await Http.Post($"{C}/salesInvoices({late})/Microsoft.NAV.post", null);
        Assert.Equal(400, s2);
        Assert.Contains("2024-01-01 to 2030-12-31", Message(b2));

        await SetBlockedAsync(Http, customerId, "Invoice");
        before = await LedgerInvariants.SnapshotAsync(f);
        var (s3, b3, _) = await Http.Post($"{C}/salesInvoices({blocked})/Microsoft.NAV.post", null);
        Assert.Equal(400, s3);
        Assert.Contains("blocked", Message(b3));
        Assert.Equal(before, await LedgerInvariants.SnapshotAsync(f));
        Assert.Equal("Draft", (await GetAsync(Http, $"{C}/salesInvoices({blocked})")).Str("status"));
    }

    [Theory]
    [InlineData("customerPaymentJournals", ServiceFixture.V2)]
    [InlineData("journals", ServiceFixture.V2)]
    [InlineData("customerPaymentJournals", ServiceFixture.Graph)]
    public async Task Posting_a_journal_writes_entries_applies_and_empties_the_journal(string via, string surface)
    {
        var (customerId, customerNumber) = await NewCustomerAsync(Http);
        var (invoiceId, invoiceNumber) = await PostedInvoiceAsync(Http, customerNumber, 100m);
        var journal = await NewJournalAsync(Http);
        var line = await AddLineAsync(Http, journal, new { customerNumber, amount = -40m, appliesToInvoiceId = invoiceId, documentNumber = "PAY-" + via[..4] });

        var (status, body, _) = await PostJournalAsync(Http, journal, via, surface);
        Assert.True(status == 204, body?.ToJsonString());

        Assert.Empty((await GetAsync(Http, $"{Journal(journal)}/customerPayments"))["value"]!.AsArray());
        var inv = await GetAsync(Http, $"{C}/salesInvoices({invoiceId})");
        Assert.Equal((60m, "Open"), (inv.Dec("remainingAmount"), inv.Str("status")));
        Assert.Equal(60m, (await GetAsync(Http, $"{C}/customers({customerId})")).Dec("balanceDue"));

        var (payment, gl, apps) = await f.WithDb(async db =>
        {
            var p = await db.CustomerLedgerEntries.SingleAsync(e => e.DocumentType == "Payment" && e.CustomerNumber == customerNumber);
            return (p, await db.GeneralLedgerEntries.Where(e => e.TransactionNumber == p.TransactionNumber).OrderBy(e => e.EntryNumber).ToListAsync(),
                await db.CustomerLedgerApplications.Where(a => a.ApplyingEntryId == p.Id).ToListAsync());
        });
        Assert.Equal((-4000L, 0L, false), (payment.Amount, payment.RemainingAmount, payment.Open));
        Assert.Equal(line.Str("documentNumber"), payment.DocumentNumber);
        Assert.Equal(new[] { ("2910", 4000L, 0L), ("2310", 0L, 4000L) }, gl.Select(e => (e.AccountNumber, e.DebitAmount, e.CreditAmount)));
        Assert.Equal(4000L, Assert.Single(apps).Amount);
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Entries_are_numbered_in_line_number_order_whatever_order_the_lines_were_created_in()
    {
        var (_, customerNumber) = await NewCustomerAsync(Http);
        var (invoice, _) = await PostedInvoiceAsync(Http, customerNumber, 25m);
        var journal = await NewJournalAsync(Http);
        // Created as 30000, 10000, 20000: posting numbers them 10000, 20000, 30000. The middle one settles an invoice.
        foreach (var (lineNumber, amount, applies) in new[] { (30000, -3m, (string?)null), (10000, -1m, null), (20000, -2m, invoice) })
            await AddLineAsync(Http, journal, applies is null
                ? new { lineNumber, customerNumber, amount, documentNumber = "ORD-" + lineNumber }
                : (object)new { lineNumber, customerNumber, amount, documentNumber = "ORD-" + lineNumber, appliesToInvoiceId = applies });

        var (status, body, _) = await PostJournalAsync(Http, journal);
        Assert.True(status == 204, body?.ToJsonString());

        var (entries, gl, apps) = await f.WithDb(async db =>
        {
            var e = await db.CustomerLedgerEntries.Where(x => x.CustomerNumber == customerNumber && x.DocumentType == "Payment").OrderBy(x => x.EntryNumber).ToListAsync();
            var tx = e.Select(x => x.TransactionNumber).ToList();
            return (e, await db.GeneralLedgerEntries.Where(x => tx.Contains(x.TransactionNumber)).OrderBy(x => x.EntryNumber).ToListAsync(),
                await db.CustomerLedgerApplications.Where(a => tx.Contains(a.TransactionNumber)).ToListAsync());
        });
        Assert.Equal(new[] { ("ORD-10000", -100L), ("ORD-20000", -200L), ("ORD-30000", -300L) }, entries.Select(e => (e.DocumentNumber, e.Amount)));
        // Each line: its customer entry n, then its balancing debit n + 1 and its receivables credit n + 2, in one
        // transaction; the next line follows at n + 3 in the next transaction.
        for (var k = 0; k < 3; k++)
        {
            var e = entries[k];
            Assert.Equal(entries[0].EntryNumber + 3 * k, e.EntryNumber);
            Assert.Equal(entries[0].TransactionNumber + k, e.TransactionNumber);
            var pair = gl.Where(g => g.TransactionNumber == e.TransactionNumber).ToList();
            Assert.Equal(new[] { (e.EntryNumber + 1, "2910", -e.Amount, 0L), (e.EntryNumber + 2, "2310", 0L, -e.Amount) },
                pair.Select(g => (g.EntryNumber, g.AccountNumber, g.DebitAmount, g.CreditAmount)));
            Assert.All(pair, g => Assert.Equal(e.DocumentNumber, g.DocumentNumber));
        }
        var app = Assert.Single(apps);
        Assert.Equal((entries[1].Id, 200L, entries[1].TransactionNumber), (app.ApplyingEntryId, app.Amount, app.TransactionNumber));
        Assert.Equal((0L, false), (entries[1].RemainingAmount, entries[1].Open));
        Assert.Equal(23m, (await GetAsync(Http, $"{C}/salesInvoices({invoice})")).Dec("remainingAmount"));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Partial_full_and_over_payments_settle_invoices_in_line_order()
    {
        var (customerId, customerNumber) = await NewCustomerAsync(Http);
        var (first, _) = await PostedInvoiceAsync(Http, customerNumber, 100m);
        var (second, _) = await PostedInvoiceAsync(Http, customerNumber, 50m);
        var journal = await NewJournalAsync(Http);
        await AddLineAsync(Http, journal, new { customerNumber, amount = -30m, appliesToInvoiceId = first });  // partial
        await AddLineAsync(Http, journal, new { customerNumber, amount = -70m, appliesToInvoiceId = first });  // settles the rest
        await AddLineAsync(Http, journal, new { customerNumber, amount = -80m, appliesToInvoiceId = second }); // 30 over
        await AddLineAsync(Http, journal, new { customerNumber, amount = -5m });                               // unapplied

        var (status, body, _) = await PostJournalAsync(Http, journal);
        Assert.True(status == 204, body?.ToJsonString());

        var a = await GetAsync(Http, $"{C}/salesInvoices({first})");
        var b = await GetAsync(Http, $"{C}/salesInvoices({second})");
        Assert.Equal((0m, "Paid"), (a.Dec("remainingAmount"), a.Str("status")));
        Assert.Equal((0m, "Paid"), (b.Dec("remainingAmount"), b.Str("status")));
        // 150 invoiced, 185 received: the customer is owed 35 (30 over-paid, 5 unapplied), left open on the payments.
        Assert.Equal(-35m, (await GetAsync(Http, $"{C}/customers({customerId})")).Dec("balanceDue"));
        var payments = await f.WithDb(db => db.CustomerLedgerEntries.Where(e => e.CustomerNumber == customerNumber && e.DocumentType == "Payment")
            .OrderBy(e => e.EntryNumber).Select(e => new { e.Amount, e.RemainingAmount, e.Open }).ToListAsync());
        Assert.Equal(new[] { (-3000L, 0L, false), (-7000L, 0L, false), (-8000L, -3000L, true), (-500L, -500L, true) },
            payments.Select(p => (p.Amount, p.RemainingAmount, p.Open)));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Every_failing_line_is_named_and_nothing_is_posted()
    {
        var (blockedId, blockedNumber) = await NewCustomerAsync(Http);
        var (_, otherNumber) = await NewCustomerAsync(Http);
        var (_, goodNumber) = await NewCustomerAsync(Http);
        var (othersInvoice, _) = await PostedInvoiceAsync(Http, otherNumber, 20m);
        var journal = await NewJournalAsync(Http);
        await AddLineAsync(Http, journal, new { lineNumber = 10000, customerNumber = goodNumber, amount = -10m });
        await AddLineAsync(Http, journal, new { lineNumber = 20000, customerNumber = goodNumber, amount = 10m });
        await AddLineAsync(Http, journal, new { lineNumber = 30000, customerNumber = blockedNumber, amount = -10m });
        await AddLineAsync(Http, journal, new { lineNumber = 40000, customerNumber = goodNumber, amount = -10m, postingDate = "2023-12-31" });
        await AddLineAsync(Http, journal, new { lineNumber = 50000, customerNumber = goodNumber, amount = -10m, appliesToInvoiceId = othersInvoice });
        await AddLineAsync(Http, journal, new { lineNumber = 60000, amount = -10m });
        await SetBlockedAsync(Http, blockedId, "All");
        var before = await LedgerInvariants.SnapshotAsync(f);

        var (status, body, _) = await PostJournalAsync(Http, journal);
        Assert.Equal((400, "Application_DialogException"), (status, body.ErrorCode()));
        var message = Message(body);
        Assert.Contains("5 of 6 lines", message);
        foreach (var n in new[] { "20000", "30000", "40000", "50000", "60000" }) Assert.Contains("Line " + n, message);
        Assert.DoesNotContain("Line 10000", message);
        Assert.Contains("2024-01-01 to 2030-12-31", message);
        var details = body!["error"]!["details"]!.AsArray().Select(d => d!["target"]!.GetValue<string>()).ToList();
        Assert.Equal(new[] { "lineNumber=20000", "lineNumber=30000", "lineNumber=40000", "lineNumber=50000", "lineNumber=60000" }, details);
        Assert.Equal(before, await LedgerInvariants.SnapshotAsync(f));
        Assert.Equal(6, (await GetAsync(Http, $"{Journal(journal)}/customerPayments"))["value"]!.AsArray().Count);
    }

    /// <summary>
    /// On SQLite the checks first run per customer and balancing account in the database (largest amount, earliest and
    /// latest date, smallest document number): one failing line among good lines of the same customer and account must
    /// still be found, and be the only line named.
    /// </summary>
    [Theory]
    [InlineData("amount")]
    [InlineData("earliest date")]
    [InlineData("latest date")]
    [InlineData("document number")]
    [InlineData("invoice already paid")]
    public async Task One_failing_line_among_good_lines_of_the_same_customer_is_named(string rule)
    {
        var (_, customerNumber) = await NewCustomerAsync(Http);
        var (invoice, _) = await PostedInvoiceAsync(Http, customerNumber, 20m);
        var paid = await NewJournalAsync(Http);
        await AddLineAsync(Http, paid, new { customerNumber, amount = -20m, appliesToInvoiceId = invoice });
        Assert.Equal(204, (await PostJournalAsync(Http, paid)).Status);

        var journal = await NewJournalAsync(Http);
        await AddLineAsync(Http, journal, new { lineNumber = 10000, customerNumber, amount = -10m, postingDate = "2025-03-01", documentNumber = "D1" });
        object bad = rule switch
        {
            "amount" => new { lineNumber = 20000, customerNumber, amount = 5m, postingDate = "2025-03-01", documentNumber = "D2" },
            "earliest date" => new { lineNumber = 20000, customerNumber, amount = -5m, postingDate = "2023-12-31", documentNumber = "D2" },
            "latest date" => new { lineNumber = 20000, customerNumber, amount = -5m, postingDate = "2031-01-01", documentNumber = "D2" },
            "document number" => new { lineNumber = 20000, customerNumber, amount = -5m, postingDate = "2025-03-01", documentNumber = "" },
            _ => new { lineNumber = 20000, customerNumber, amount = -5m, postingDate = "2025-03-01", documentNumber = "D2", appliesToInvoiceId = invoice },
        };
        var created = await AddLineAsync(Http, journal, bad);
        if (rule == "document number") Assert.Equal("", created.Str("documentNumber"));
        await AddLineAsync(Http, journal, new { lineNumber = 30000, customerNumber, amount = -7m, postingDate = "2025-06-01", documentNumber = "D3" });
        var before = await LedgerInvariants.SnapshotAsync(f);

        var (status, body, _) = await PostJournalAsync(Http, journal);
        Assert.Equal((400, "Application_DialogException"), (status, body.ErrorCode()));
        var message = Message(body);
        Assert.Contains("1 of 3 lines", message);
        Assert.Contains("Line 20000: " + rule switch
        {
            "amount" => "the amount must be negative",
            "earliest date" or "latest date" => "the posting date",
            "document number" => "the document number must have a value",
            _ => "the invoice",
        }, message);
        if (rule == "invoice already paid") Assert.Contains("is already paid", message);
        if (rule is "earliest date" or "latest date")
            Assert.Contains($"the posting date {(rule == "earliest date" ? "2023-12-31" : "2031-01-01")} is not within the range of allowed posting dates (2024-01-01 to 2030-12-31)", message);
        var details = body!["error"]!["details"]!.AsArray().Select(d => d!["target"]!.GetValue<string>()).ToList();
        Assert.Equal(new[] { "lineNumber=20000" }, details);
        Assert.Equal(before, await LedgerInvariants.SnapshotAsync(f));
        Assert.Equal(3, (await GetAsync(Http, $"{Journal(journal)}/customerPayments"))["value"]!.AsArray().Count);
    }

    /// <summary>Many lines of few customers: the balances move by each customer's sum and the invoice lines apply in line order.</summary>
    [Fact]
    public async Task A_journal_of_many_lines_per_customer_moves_each_balance_by_its_sum()
    {
        var (aId, aNumber) = await NewCustomerAsync(Http);
        var (bId, bNumber) = await NewCustomerAsync(Http);
        var (invoice, _) = await PostedInvoiceAsync(Http, aNumber, 25m);
        var journal = await NewJournalAsync(Http);
        for (var i = 1; i <= 12; i++)
            await AddLineAsync(Http, journal, new { customerNumber = i % 3 == 0 ? bNumber : aNumber, amount = -i, postingDate = $"2025-01-{i:00}" });
        // Invoices are posted today; a payment cannot be applied to a later invoice.
        await AddLineAsync(Http, journal, new { customerNumber = aNumber, amount = -20m, appliesToInvoiceId = invoice, postingDate = "2030-12-31" });
        await AddLineAsync(Http, journal, new { customerNumber = aNumber, amount = -10m, appliesToInvoiceId = invoice, postingDate = "2030-12-31" });

        var (status, body, _) = await PostJournalAsync(Http, journal);
        Assert.True(status == 204, body?.ToJsonString());
        // a: 25 invoiced; lines 1,2,4,5,7,8,10,11 (48) and 30 applied. b: lines 3,6,9,12 (30).
        Assert.Equal(25m - 48m - 30m, (await GetAsync(Http, $"{C}/customers({aId})")).Dec("balanceDue"));
        Assert.Equal(-30m, (await GetAsync(Http, $"{C}/customers({bId})")).Dec("balanceDue"));
        var inv = await GetAsync(Http, $"{C}/salesInvoices({invoice})");
        Assert.Equal((0m, "Paid"), (inv.Dec("remainingAmount"), inv.Str("status")));
        var applied = await f.WithDb(db => db.CustomerLedgerEntries.Where(e => e.CustomerNumber == aNumber && e.DocumentType == "Payment" && e.Amount <= -1000)
            .OrderBy(e => e.EntryNumber).Select(e => new { e.Amount, e.RemainingAmount }).ToListAsync());
        Assert.Equal(new[] { (-1000L, -1000L), (-1100L, -1100L), (-2000L, 0L), (-1000L, -500L) }, applied.Select(p => (p.Amount, p.RemainingAmount)));
        Assert.Empty((await GetAsync(Http, $"{Journal(journal)}/customerPayments"))["value"]!.AsArray());
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task An_empty_journal_has_nothing_to_post()
    {
        var journal = await NewJournalAsync(Http);
        var (status, body, _) = await PostJournalAsync(Http, journal, "journals");
        Assert.Equal(400, status);
        Assert.Contains("nothing to post", Message(body));
    }

    [Fact]
    public async Task A_line_s_dimensions_travel_to_its_ledger_entries()
    {
        var (_, customerNumber) = await NewCustomerAsync(Http);
        var journal = await NewJournalAsync(Http);
        var line = await AddLineAsync(Http, journal, new
        {
            customerNumber, amount = -12m,
            dimensionSetLines = new object[] { new { id = Area, valueId = AreaEurope }, new { code = "DEPARTMENT", valueCode = "SALES" } },
        });
        var (status, body, _) = await PostJournalAsync(Http, journal);
        Assert.True(status == 204, body?.ToJsonString());

        var (entryIds, lineDims) = await f.WithDb(async db =>
        {
            var p = await db.CustomerLedgerEntries.SingleAsync(e => e.CustomerNumber == customerNumber);
            var ids = await db.GeneralLedgerEntries.Where(e => e.TransactionNumber == p.TransactionNumber).Select(e => e.Id).ToListAsync();
            ids.Add(p.Id);
            return (ids, await db.PaymentDimensions.CountAsync(d => d.PaymentId == Guid.Parse(line.Str("id"))));
        });
        Assert.Equal(0, lineDims);
        foreach (var id in entryIds)
        {
            var set = id == entryIds[^1] ? "customerLedgerEntries" : "generalLedgerEntries";
            var dims = (await GetAsync(Http, $"{ServiceFixture.CompanyPath(ServiceFixture.Ledger)}/{set}({id})/dimensionSetLines"))["value"]!.AsArray();
            Assert.Equal(new[] { ("AREA", "10"), ("DEPARTMENT", "SALES") }, dims.Select(d => (d.Str("code"), d.Str("valueCode"))));
        }
        var expanded = await GetAsync(Http, $"{C}/generalLedgerEntries({entryIds[0]})?$expand=dimensionSetLines");
        Assert.Equal(2, expanded["dimensionSetLines"]!.AsArray().Count);
    }

    [Theory]
    [InlineData(ServiceFixture.V2)]
    [InlineData(ServiceFixture.Graph)]
    [InlineData(ServiceFixture.Ledger)]
    public async Task The_ledgers_are_read_only_and_queryable(string surface)
    {
        var company = ServiceFixture.CompanyPath(surface);
        // Customer ledger entries are not a page of the standard API: only the ledger group serves them.
        if (surface != ServiceFixture.Ledger) Expect.Error(await Http.Get($"{company}/customerLedgerEntries"), 404, "BadRequest_ResourceNotFound");
        foreach (var set in surface == ServiceFixture.Ledger ? new[] { "customerLedgerEntries", "generalLedgerEntries" } : ["generalLedgerEntries"])
        {
            var page = await GetAsync(Http, $"{company}/{set}?$top=2&$count=true&$select=id,entryNumber,postingDate");
            var rows = page["value"]!.AsArray();
            Assert.Equal(2, rows.Count);
            Assert.True(page["@odata.count"]!.GetValue<long>() >= 10);
            Assert.True(rows[0]!["entryNumber"]!.GetValue<long>() < rows[1]!["entryNumber"]!.GetValue<long>());
            Assert.Null(rows[0]!["description"]);
            var id = rows[0].Str("id");
            var one = await GetAsync(Http, $"{company}/{set}({id})");
            Assert.Equal(id, one.Str("id"));

            Assert.Equal(405, (await Http.Post($"{company}/{set}", new { description = "x" })).Status);
            Assert.Equal(405, (await Http.Patch($"{company}/{set}({id})", new { description = "x" }, "*")).Status);
            Assert.Equal(405, (await Http.Delete($"{company}/{set}({id})", "*")).Status);
            Assert.Equal(405, (await Http.Delete($"{company}/{set}({id})")).Status);
        }
        var filtered = (await GetAsync(Http, $"{company}/generalLedgerEntries?$filter=entryNumber gt 3 and accountNumber eq '2310' and debitAmount gt 0&$orderby=entryNumber desc"))["value"]!.AsArray();
        Assert.NotEmpty(filtered);
        Assert.All(filtered, e => Assert.True(e!["entryNumber"]!.GetValue<long>() > 3 && e.Str("accountNumber") == "2310"));
        Assert.True(filtered[0]!["entryNumber"]!.GetValue<long>() > filtered[^1]!["entryNumber"]!.GetValue<long>());
        var open = (await GetAsync(Http, $"{ServiceFixture.CompanyPath(ServiceFixture.Ledger)}/customerLedgerEntries?$filter=open and documentType eq 'Invoice'&$count=true"))["@odata.count"]!.GetValue<long>();
        Assert.True(open > 0);
        if (surface == ServiceFixture.V2)
        {
            var journals = (await GetAsync(Http, $"{company}/journals?$filter=templateDisplayName eq 'CASHRCPT' and code eq 'GENERAL'"))["value"]!.AsArray();
            Assert.Equal(ServiceFixture.General, Assert.Single(journals).Str("id"));
        }
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Two_posts_of_one_journal_at_the_same_moment_post_it_once()
    {
        var (customerId, customerNumber) = await NewCustomerAsync(Http);
        var journal = await NewJournalAsync(Http);
        var seed = f.WithDb(async db =>
        {
            // 300 lines straight into the table, so the posts overlap for longer than one small one would.
            var j = await db.CustomerPaymentJournals.SingleAsync(x => x.Id == Guid.Parse(journal));
            var customer = await db.Customers.SingleAsync(c => c.Number == customerNumber);
            for (var i = 1; i <= 300; i++)
                db.CustomerPayments.Add(new Data.CustomerPayment
                {
                    Id = Guid.NewGuid(), CompanyId = j.CompanyId, JournalId = j.Id, JournalCode = j.Code, LineNumber = i * 10000, CustomerId = customer.Id,
                    CustomerNumber = customer.Number, PostingDate = new DateOnly(2026, 6, 1), DocumentNumber = "D" + i, Amount = -i, Description = "x",
                    BalancingAccountId = j.BalancingAccountId,
                });
            return await db.SaveChangesAsync();
        });
        await seed;

        var results = await Task.WhenAll(PostJournalAsync(Http, journal), PostJournalAsync(Http, journal, "journals"), PostJournalAsync(Http, journal, "customerPaymentJournals", ServiceFixture.Graph));
        Assert.Single(results, r => r.Status == 204);
        Assert.All(results.Where(r => r.Status != 204), r => Assert.Contains("nothing to post", Message(r.Body)));
        Assert.Equal(300, await f.WithDb(db => db.CustomerLedgerEntries.CountAsync(e => e.CustomerNumber == customerNumber)));
        Assert.Equal(-300m * 301 / 2 / 100, (await GetAsync(Http, $"{C}/customers({customerId})")).Dec("balanceDue"));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Two_posts_of_one_invoice_at_the_same_moment_post_it_once()
    {
        var (_, customerNumber) = await NewCustomerAsync(Http);
        var (id, number) = await DraftInvoiceAsync(Http, customerNumber, 42m);
        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Http.Post($"{C}/salesInvoices({id})/Microsoft.NAV.post", null)));
        Assert.Single(results, r => r.Status == 204);
        Assert.All(results.Where(r => r.Status != 204), r => Assert.Equal(400, r.Status));
        Assert.Equal(1, await f.WithDb(db => db.CustomerLedgerEntries.CountAsync(e => e.DocumentNumber == number)));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task A_failure_after_every_row_is_written_leaves_nothing_behind()
    {
        var (_, customerNumber) = await NewCustomerAsync(Http);
        var (invoiceId, _) = await PostedInvoiceAsync(Http, customerNumber, 30m);
        var journal = await NewJournalAsync(Http);
        await AddLineAsync(Http, journal, new { customerNumber, amount = -30m, appliesToInvoiceId = invoiceId, dimensionSetLines = new object[] { new { code = "AREA", valueCode = "20" } } });
        await AddLineAsync(Http, journal, new { customerNumber, amount = -1m });
        var before = await LedgerInvariants.SnapshotAsync(f);

        f.Commits.BeforePostCommit[Guid.Parse(journal)] = () => throw new IOException("disk gone (injected)");
        try
        {
            var (status, body, _) = await PostJournalAsync(Http, journal);
            Assert.Equal(500, status);
            Assert.DoesNotContain("injected", body?.ToJsonString() ?? "");
        }
        finally
        {
            f.Commits.BeforePostCommit.TryRemove(Guid.Parse(journal), out _);
        }
        Assert.Equal(before, await LedgerInvariants.SnapshotAsync(f));
        await LedgerInvariants.AssertHoldAsync(f);

        var (again, _, _) = await PostJournalAsync(Http, journal);
        Assert.Equal(204, again);
        Assert.Equal("Paid", (await GetAsync(Http, $"{C}/salesInvoices({invoiceId})")).Str("status"));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Numbers_from_a_series_are_never_handed_out_twice()
    {
        var (_, customerNumber) = await NewCustomerAsync(Http);
        var created = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Http.Post($"{C}/salesInvoices", new { customerNumber })));
        Assert.All(created, r => Assert.Equal(201, r.Status));
        var numbers = created.Select(r => r.Body.Str("number")).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
    }

    private static string Message(JsonNode? body) => body?["error"]?["message"]?.GetValue<string>() ?? "<no message: " + body?.ToJsonString() + ">";
}
