using Microsoft.EntityFrameworkCore;
using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// One payment line settling several invoices (Business Central's Applies-to ID): the applications' entity set in the
/// posting API group, its rules and refusals, what the standard surfaces show, and posting such lines.
/// </summary>
public sealed class PaymentApplicationsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private static string PostingCompany => ServiceFixture.CompanyPath(ServiceFixture.Posting);
    private static string Line(string journal, string line) => $"{PostingCompany}/customerPaymentJournals({journal})/customerPayments({line})";
    private static string Apps(string journal, string line) => Line(journal, line) + "/applications";

    private static string DaysAgo(int days) => DateTime.UtcNow.AddDays(-days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A fresh customer with posted invoices of the given amounts (posted the given number of days ago), a journal and one line of the payment.</summary>
    private async Task<(string Customer, string CustomerNumber, List<(string Id, string Number)> Invoices, string Journal, JsonNode Line)> SetUpAsync(
        decimal payment, params (decimal Amount, int DaysAgo)[] invoices)
    {
        var (customer, number) = await NewCustomerAsync(f.Http);
        var made = new List<(string, string)>();
        foreach (var (amount, days) in invoices) made.Add(await PostedInvoiceAsync(f.Http, number, amount, DaysAgo(days)));
        var journal = await NewJournalAsync(f.Http);
        var line = await AddLineAsync(f.Http, journal, new { customerNumber = number, amount = -payment, postingDate = Today });
        return (customer, number, made, journal, line);
    }

    private async Task<JsonNode> ApplyAsync(string journal, string line, object body)
    {
        var r = await f.Http.Post(Apps(journal, line), body);
        Expect.Status(r, 201);
        return r.Body!;
    }

    private Task<int> ApplicationCountAsync(params string[] lines) => f.WithDb(db =>
    {
        var ids = lines.Select(Guid.Parse).ToList();
        return db.PaymentApplications.CountAsync(a => ids.Contains(a.PaymentId));
    });

    // ---- the entity set ----

    [Fact]
    public async Task Applications_are_served_in_the_posting_group_only()
    {
        var (_, _, invoices, journal, line) = await SetUpAsync(100m, (60m, 10));
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[0].Id });
        var list = await GetAsync(f.Http, Apps(journal, line.Str("id")));
        Assert.Single(list["value"]!.AsArray());

        // The standard roots neither serve nor advertise them.
        Expect.Status(await f.Http.Get(Route.V2.Payment(journal, line.Str("id")) + "/applications"), 404);
        Expect.Status(await f.Http.Get(Route.Graph.Payment(journal, line.Str("id")) + "/applications"), 404);
        Expect.Status(await f.Http.Post(Route.V2.Payment(journal, line.Str("id")) + "/applications", new { invoiceId = invoices[0].Id }), 404);
        foreach (var root in new[] { ServiceFixture.V2, ServiceFixture.Graph })
        {
            var metadata = await (await f.Http.GetAsync(root + "$metadata")).Content.ReadAsStringAsync();
            Assert.DoesNotContain("customerPaymentApplication", metadata);
            Assert.DoesNotContain("\"applications\"", metadata);
        }
        var posting = await (await f.Http.GetAsync(ServiceFixture.Posting + "$metadata")).Content.ReadAsStringAsync();
        Assert.Contains("<EntityType Name=\"customerPaymentApplication\">", posting);
        Assert.Contains("<NavigationProperty Name=\"applications\" Type=\"Collection(Microsoft.NAV.customerPaymentApplication)\" ContainsTarget=\"true\" />", posting);
        // The v2.0 body of a line knows no applications either.
        Expect.Error(await f.Http.Post(Route.V2.Payments(journal), new { amount = -1, applications = new[] { new { invoiceId = invoices[0].Id } } }), 400,
            "BadRequest", "The property 'applications' does not exist");
    }

    [Fact]
    public async Task Create_read_update_and_delete_with_etags_and_query_options()
    {
        var (_, _, invoices, journal, line) = await SetUpAsync(100m, (30m, 10), (50m, 5), (70m, 1));
        var lineId = line.Str("id");
        var first = await ApplyAsync(journal, lineId, new { invoiceNumber = invoices[0].Number, amount = 20m });
        Assert.Equal(invoices[0].Id, first.Str("invoiceId"));
        Assert.Equal(invoices[0].Number, first.Str("invoiceNumber"));
        Assert.Equal(lineId, first.Str("customerPaymentId"));
        Assert.Equal(20m, first.Dec("amount"));
        Assert.Equal(1, first["sequence"]!.GetValue<int>());
        var second = await ApplyAsync(journal, lineId, new { invoiceId = invoices[1].Id });
        Assert.Equal(0m, second.Dec("amount"));
        Assert.Equal(2, second["sequence"]!.GetValue<int>());
        var third = await ApplyAsync(journal, lineId, new { invoiceId = invoices[2].Id, invoiceNumber = invoices[2].Number, amount = 10m });
        Assert.Equal(3, third["sequence"]!.GetValue<int>());

        var url = Apps(journal, lineId) + $"({first.Str("id")})";
        var read = await f.Http.Get(url);
        Expect.Status(read, 200);
        var etag = Expect.ETag(read);
        Assert.Equal(first.Str("@odata.etag"), etag);

        // PATCH needs the current ETag.
        Expect.Error(await f.Http.Patch(url, new { amount = 25m }, null), 400, "BadRequest_InvalidToken");
        Expect.Error(await f.Http.Patch(url, new { amount = 25m }, "W/\"1\""), 409, "Request_EntityChanged");
        var patched = await f.Http.Patch(url, new { amount = 25m }, etag);
        Expect.Status(patched, 200);
        Assert.Equal(25m, patched.Body.Dec("amount"));
        Assert.NotEqual(etag, Expect.ETag(patched));
        // Only the amount changes; the invoice is chosen once (delete and add to apply to another).
        Expect.Error(await f.Http.Patch(url, new { invoiceId = invoices[1].Id }, "*"), 400, "BadRequest_InvalidOperation", "invoiceId");
        Expect.Error(await f.Http.Patch(url, new { sequence = 7 }, "*"), 400, "BadRequest_InvalidOperation", "sequence");

        var filtered = await GetAsync(f.Http, Apps(journal, lineId) + "?$filter=amount gt 0&$orderby=sequence desc&$count=true&$top=1");
        Assert.Equal(2, filtered["@odata.count"]!.GetValue<int>());
        Assert.Equal(third.Str("id"), Assert.Single(filtered["value"]!.AsArray())!.Str("id"));
        Assert.Equal("1", await (await f.Http.GetAsync(Apps(journal, lineId) + "/$count?$filter=amount eq 0")).Content.ReadAsStringAsync());

        Expect.Error(await f.Http.Delete(Apps(journal, lineId) + $"({second.Str("id")})", "W/\"1\""), 409, "Request_EntityChanged");
        Expect.Status(await f.Http.Delete(Apps(journal, lineId) + $"({second.Str("id")})"), 204);
        Expect.Status(await f.Http.Get(Apps(journal, lineId) + $"({second.Str("id")})"), 404);
        Assert.Equal(2, await ApplicationCountAsync(lineId));

        // An application is reached only under its own line.
        var other = await AddLineAsync(f.Http, journal, new { amount = -1 });
        Expect.Status(await f.Http.Get(Apps(journal, other.Str("id")) + $"({first.Str("id")})"), 404);
    }

    [Fact]
    public async Task A_client_chosen_id_and_an_idempotency_key_and_a_batch_work_as_for_any_set()
    {
        var (_, _, invoices, journal, line) = await SetUpAsync(100m, (30m, 10), (50m, 5));
        var lineId = line.Str("id");
        var id = Guid.NewGuid().ToString();
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString("N") };
        var a = await f.Http.Post(Apps(journal, lineId), new { id, invoiceId = invoices[0].Id }, key);
        Expect.Status(a, 201);
        Assert.Equal(id, a.Body.Str("id"));
        var replay = await f.Http.Post(Apps(journal, lineId), new { id, invoiceId = invoices[0].Id }, key);
        Expect.Status(replay, 201);
        Assert.Equal(a.Body!.ToJsonString(), replay.Body!.ToJsonString());
        Expect.Error(await f.Http.Post(Apps(journal, lineId), new { id, invoiceId = invoices[1].Id }), 409, "Internal_EntityWithSameKeyExists");

        var path = $"companies({ServiceFixture.Company})/customerPaymentJournals({journal})/customerPayments({lineId})/applications";
        var batch = new
        {
            requests = new[]
            {
                new Dictionary<string, object>
                {
                    ["id"] = "1", ["atomicityGroup"] = "g", ["method"] = "DELETE", ["url"] = $"{path}({id})",
                },
                new Dictionary<string, object>
                {
                    ["id"] = "2", ["atomicityGroup"] = "g", ["method"] = "POST", ["url"] = path,
                    ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
                    ["body"] = new { invoiceId = invoices[1].Id, amount = 40m },
                },
            },
        };
        var b = await f.Http.Post(ServiceFixture.Posting + "$batch", batch);
        Expect.Status(b, 200);
        var statuses = b.Body!["responses"]!.AsArray().Select(r => r!["status"]!.GetValue<int>()).Order().ToList();
        Assert.Equal([201, 204], statuses);
        var list = (await GetAsync(f.Http, Apps(journal, lineId)))["value"]!.AsArray();
        Assert.Equal(invoices[1].Id, Assert.Single(list)!.Str("invoiceId"));
    }

    // ---- the line on the standard surfaces ----

    [Fact]
    public async Task Adding_an_application_empties_the_single_invoice_and_moves_the_lines_etag()
    {
        var (_, _, invoices, journal, line) = await SetUpAsync(100m, (30m, 10), (50m, 5));
        var lineId = line.Str("id");
        var patched = await f.Http.Patch(Route.V2.Payment(journal, lineId), new { appliesToInvoiceNumber = invoices[0].Number }, "*");
        Expect.Status(patched, 200);
        Assert.Equal(invoices[0].Id, patched.Body.Str("appliesToInvoiceId"));

        await ApplyAsync(journal, lineId, new { invoiceId = invoices[1].Id });
        foreach (var url in new[] { Route.V2.Payment(journal, lineId), Route.Graph.Payment(journal, lineId), Line(journal, lineId) })
        {
            var shown = await GetAsync(f.Http, url);
            Assert.Equal(Guid.Empty.ToString(), shown.Str("appliesToInvoiceId"));
            Assert.Equal("", shown.Str("appliesToInvoiceNumber"));
        }
        var after = await GetAsync(f.Http, Route.V2.Payment(journal, lineId));
        Assert.NotEqual(patched.Body.Str("@odata.etag"), after.Str("@odata.etag"));

        // Sending back the empty values the line shows keeps its applications.
        Expect.Status(await f.Http.Patch(Route.V2.Payment(journal, lineId),
            new { appliesToInvoiceId = Guid.Empty.ToString(), appliesToInvoiceNumber = "", comment = "kept" }, after.Str("@odata.etag")), 200);
        Assert.Equal(1, await ApplicationCountAsync(lineId));
        // Naming one invoice removes them, as Applies-to Doc. No. clears Applies-to ID.
        Expect.Status(await f.Http.Patch(Route.Graph.Payment(journal, lineId), new { appliesToInvoiceId = invoices[0].Id }, "*"), 200);
        Assert.Equal(0, await ApplicationCountAsync(lineId));
        await ApplyAsync(journal, lineId, new { invoiceId = invoices[1].Id });
        Expect.Status(await f.Http.Patch(Route.V2.Payment(journal, lineId), new { appliesToInvoiceNumber = invoices[0].Number }, "*"), 200);
        Assert.Equal(0, await ApplicationCountAsync(lineId));
    }

    [Fact]
    public async Task Changing_the_customer_removes_the_applications_of_the_other_customers_invoices()
    {
        var (_, _, invoices, journal, line) = await SetUpAsync(100m, (30m, 10), (50m, 5));
        var lineId = line.Str("id");
        await ApplyAsync(journal, lineId, new { invoiceId = invoices[0].Id });
        await ApplyAsync(journal, lineId, new { invoiceId = invoices[1].Id });
        var (_, otherNumber) = await NewCustomerAsync(f.Http);
        Expect.Status(await f.Http.Patch(Route.V2.Payment(journal, lineId), new { comment = "same customer" }, "*"), 200);
        Assert.Equal(2, await ApplicationCountAsync(lineId));
        Expect.Status(await f.Http.Patch(Route.V2.Payment(journal, lineId), new { customerNumber = otherNumber }, "*"), 200);
        Assert.Equal(0, await ApplicationCountAsync(lineId));
    }

    [Fact]
    public async Task Bad_applications_are_refused_with_the_reason()
    {
        var (_, number, invoices, journal, line) = await SetUpAsync(100m, (30m, 10), (80m, 5), (20m, 3));
        var lineId = line.Str("id");
        var apps = Apps(journal, lineId);
        var (_, otherNumber) = await NewCustomerAsync(f.Http);
        var foreign = await PostedInvoiceAsync(f.Http, otherNumber, 10m);
        var (draft, _) = await DraftInvoiceAsync(f.Http, number, 10m);
        var (paid, paidNumber) = await PostedInvoiceAsync(f.Http, number, 10m);
        var payer = await NewJournalAsync(f.Http);
        await AddLineAsync(f.Http, payer, new { customerNumber = number, amount = -10m, appliesToInvoiceId = paid });
        Expect.Status(await PostJournalAsync(f.Http, payer), 204);

        Expect.Error(await f.Http.Post(apps, new { amount = 1m }), 400, "Application_DialogException", "invoice id or an invoice number");
        Expect.Error(await f.Http.Post(apps, new { invoiceId = Guid.NewGuid() }), 400, "Application_DialogException", "invoiceId");
        Expect.Error(await f.Http.Post(apps, new { invoiceNumber = "NOSUCH" }), 400, "Application_DialogException", "NOSUCH");
        Expect.Error(await f.Http.Post(apps, new { invoiceId = draft }), 400, "Application_DialogException", "invoiceId");
        Expect.Error(await f.Http.Post(apps, new { invoiceId = invoices[0].Id, invoiceNumber = invoices[1].Number }), 400, "Application_DialogException", "do not match");
        Expect.Error(await f.Http.Post(apps, new { invoiceId = foreign.Id }), 400, "Application_DialogException", "belongs to customer " + otherNumber);
        Expect.Error(await f.Http.Post(apps, new { invoiceId = paid }), 400, "Application_DialogException", $"invoice {paidNumber} is already paid");
        Expect.Error(await f.Http.Post(apps, new { invoiceId = invoices[0].Id, amount = -1m }), 400, "Application_FieldValidationException", "greater than zero");
        Expect.Error(await f.Http.Post(apps, new { invoiceId = invoices[0].Id, amount = 30.01m }), 400, "Application_DialogException", "remaining amount");
        Expect.Error(await f.Http.Post(apps, new { invoiceId = "nope" }), 400, "Application_InvalidGUID", "invoiceId");

        var ok = await ApplyAsync(journal, lineId, new { invoiceId = invoices[0].Id, amount = 30m });
        Expect.Error(await f.Http.Post(apps, new { invoiceNumber = invoices[0].Number }), 400, "Application_DialogException", "already applied on this payment line");
        // 30 + 70.01 is more than the payment of 100.
        Expect.Error(await f.Http.Post(apps, new { invoiceId = invoices[1].Id, amount = 70.01m }), 400, "Application_DialogException", "more than the payment");
        await ApplyAsync(journal, lineId, new { invoiceId = invoices[1].Id, amount = 70m });
        // A third without an amount is fine: it gets what is left, if anything.
        await ApplyAsync(journal, lineId, new { invoiceId = invoices[2].Id });
        Expect.Error(await f.Http.Patch(apps + $"({ok.Str("id")})", new { amount = 30.01m }, "*"), 400, "Application_DialogException", "remaining amount");
        Expect.Error(await f.Http.Patch(apps + $"({ok.Str("id")})", new { amount = -5m }, "*"), 400, "Application_FieldValidationException");
        // The line's payment cannot drop below the amounts given.
        Expect.Error(await f.Http.Patch(Route.V2.Payment(journal, lineId), new { amount = -99.99m }, "*"), 400, "Application_DialogException", "more than the payment");
        Expect.Status(await f.Http.Patch(Route.V2.Payment(journal, lineId), new { amount = -150m }, "*"), 200);

        // A line without a customer cannot be applied.
        var bare = await AddLineAsync(f.Http, journal, new { amount = -5m });
        Expect.Error(await f.Http.Post(Apps(journal, bare.Str("id")), new { invoiceId = invoices[2].Id }), 400, "Application_DialogException", "no customer");
        Assert.Equal(0, await ApplicationCountAsync(bare.Str("id")));
        Assert.Equal(3, await ApplicationCountAsync(lineId));
    }

    [Fact]
    public async Task Deleting_a_line_or_its_journal_deletes_its_applications()
    {
        var (_, number, invoices, journal, line) = await SetUpAsync(100m, (30m, 10), (50m, 5));
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[0].Id });
        var second = await AddLineAsync(f.Http, journal, new { customerNumber = number, amount = -10m });
        await ApplyAsync(journal, second.Str("id"), new { invoiceId = invoices[1].Id });
        Expect.Status(await f.Http.Delete(Route.V2.Payment(journal, line.Str("id"))), 204);
        Assert.Equal(0, await ApplicationCountAsync(line.Str("id")));
        Assert.Equal(1, await ApplicationCountAsync(second.Str("id")));
        Expect.Status(await f.Http.Delete(Route.V2.Journal(journal)), 204);
        Assert.Equal(0, await ApplicationCountAsync(second.Str("id")));
    }

    [Fact]
    public async Task The_database_deletes_the_applications_of_a_deleted_line_on_its_own()
    {
        // A cascading foreign key on SQLite (its connections enforce foreign keys), a statement-level trigger on PostgreSQL.
        var (_, _, invoices, journal, line) = await SetUpAsync(100m, (30m, 10));
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[0].Id });
        var id = Guid.Parse(line.Str("id"));
        Assert.Equal(1, await f.WithDb(db => db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM journal_lines WHERE id = {id}")));
        Assert.Equal(0, await f.WithDb(db => db.CustomerPayments.CountAsync(p => p.Id == Guid.Parse(line.Str("id")))));
        Assert.Equal(0, await ApplicationCountAsync(line.Str("id")));
    }

    [Fact]
    public async Task The_database_refuses_an_application_of_a_line_that_does_not_exist()
    {
        // A foreign key on SQLite, statement-level triggers on PostgreSQL: either way the database refuses it itself.
        var (_, _, invoices, journal, line) = await SetUpAsync(100m, (30m, 10));
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[0].Id });
        var id = Guid.Parse(line.Str("id"));
        var missing = Guid.NewGuid();
        var copy = Guid.NewGuid();
        AssertForeignKeyViolation(await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => f.WithDb(db => db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO customer_payment_applications (id, company_id, payment_id, invoice_id, invoice_number, amount, sequence, version, last_modified)
            SELECT {copy}, company_id, {missing}, invoice_id, invoice_number, amount, sequence + 1, version, last_modified
            FROM customer_payment_applications WHERE payment_id = {id}
            """))));
        AssertForeignKeyViolation(await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => f.WithDb(db =>
            db.Database.ExecuteSqlInterpolatedAsync($"UPDATE customer_payment_applications SET payment_id = {missing} WHERE payment_id = {id}"))));
        Assert.Equal(1, await ApplicationCountAsync(line.Str("id")));
        Assert.Equal(0, await f.WithDb(db => db.PaymentApplications.CountAsync(a => a.PaymentId == missing)));
    }

    private static void AssertForeignKeyViolation(System.Data.Common.DbException e) => Assert.True(e switch
    {
        Npgsql.PostgresException p => p.SqlState == Npgsql.PostgresErrorCodes.ForeignKeyViolation,
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode == 19 && s.Message.Contains("FOREIGN KEY", StringComparison.Ordinal),
        _ => false,
    }, e.ToString());

    // ---- posting ----

    private async Task<List<(decimal Amount, string Invoice)>> LedgerApplicationsOfAsync(string documentNumber) => await f.WithDb(async db =>
    {
        var payment = await db.CustomerLedgerEntries.SingleAsync(e => e.DocumentNumber == documentNumber && e.DocumentType == "Payment");
        var rows = await db.CustomerLedgerApplications.Where(a => a.ApplyingEntryId == payment.Id).ToListAsync();
        var result = new List<(decimal, string)>();
        foreach (var a in rows)
        {
            var entry = await db.CustomerLedgerEntries.SingleAsync(e => e.Id == a.AppliedEntryId);
            result.Add((a.Amount / 100m, entry.DocumentNumber));
        }
        return result.OrderBy(x => x.Item2, StringComparer.Ordinal).ToList();
    });

    private async Task AssertInvoiceAsync(string id, decimal remaining)
    {
        var inv = await GetAsync(f.Http, $"{C}/salesInvoices({id})");
        Assert.Equal(remaining, inv.Dec("remainingAmount"));
        Assert.Equal(remaining == 0 ? "Paid" : "Open", inv.Str("status"));
    }

    private async Task<decimal> PaymentEntryRemainingAsync(string documentNumber) => await f.WithDb(async db =>
        (await db.CustomerLedgerEntries.SingleAsync(e => e.DocumentNumber == documentNumber && e.DocumentType == "Payment")).RemainingAmount / 100m);

    [Fact]
    public async Task Posting_applies_the_given_amounts_as_given()
    {
        var (customer, _, invoices, journal, line) = await SetUpAsync(100m, (60m, 10), (50m, 5));
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[1].Id, amount = 50m });
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[0].Id, amount = 20m });
        Expect.Status(await PostJournalAsync(f.Http, journal), 204);
        await AssertInvoiceAsync(invoices[0].Id, 40m);
        await AssertInvoiceAsync(invoices[1].Id, 0m);
        Assert.Equal([(20m, invoices[0].Number), (50m, invoices[1].Number)], await LedgerApplicationsOfAsync(line.Str("documentNumber")));
        // What the given amounts leave of the payment stays open on its entry.
        Assert.Equal(-30m, await PaymentEntryRemainingAsync(line.Str("documentNumber")));
        Assert.Equal(10m, (await GetAsync(f.Http, $"{C}/customers({customer})")).Dec("balanceDue"));
        Assert.Equal(0, await ApplicationCountAsync(line.Str("id")));
        Assert.Empty((await GetAsync(f.Http, $"{Journal(journal)}/customerPayments"))["value"]!.AsArray());
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Without_amounts_posting_pays_the_oldest_invoices_first()
    {
        // Posted 5, 20 and 10 days ago: the oldest (due first) is paid first, then the next, and the newest gets the rest.
        var (_, _, invoices, journal, line) = await SetUpAsync(100m, (30m, 5), (40m, 20), (50m, 10));
        foreach (var (id, _) in invoices) await ApplyAsync(journal, line.Str("id"), new { invoiceId = id });
        Expect.Status(await PostJournalAsync(f.Http, journal), 204);
        await AssertInvoiceAsync(invoices[1].Id, 0m);
        await AssertInvoiceAsync(invoices[2].Id, 0m);
        await AssertInvoiceAsync(invoices[0].Id, 20m);
        Assert.Equal(0m, await PaymentEntryRemainingAsync(line.Str("documentNumber")));
        Assert.Equal(3, (await LedgerApplicationsOfAsync(line.Str("documentNumber"))).Count);
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Given_amounts_come_first_and_the_rest_goes_oldest_first()
    {
        var (_, _, invoices, journal, line) = await SetUpAsync(100m, (30m, 20), (40m, 10), (50m, 5));
        // The newest gets 45 as given; of the 55 left the oldest takes 30 and the next 25 of its 40.
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[1].Id });
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[2].Id, amount = 45m });
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[0].Id });
        Expect.Status(await PostJournalAsync(f.Http, journal), 204);
        await AssertInvoiceAsync(invoices[0].Id, 0m);
        await AssertInvoiceAsync(invoices[1].Id, 15m);
        await AssertInvoiceAsync(invoices[2].Id, 5m);
        Assert.Equal(0m, await PaymentEntryRemainingAsync(line.Str("documentNumber")));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task An_overpayment_of_several_invoices_stays_open_on_the_payment()
    {
        var (_, _, invoices, journal, line) = await SetUpAsync(100m, (30m, 20), (40m, 10));
        foreach (var (id, _) in invoices) await ApplyAsync(journal, line.Str("id"), new { invoiceId = id });
        Expect.Status(await PostJournalAsync(f.Http, journal), 204);
        await AssertInvoiceAsync(invoices[0].Id, 0m);
        await AssertInvoiceAsync(invoices[1].Id, 0m);
        Assert.Equal(-30m, await PaymentEntryRemainingAsync(line.Str("documentNumber")));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task An_invoice_paid_meanwhile_or_a_given_amount_over_what_is_left_fails_the_line_and_changes_nothing()
    {
        var (_, number, invoices, journal, line) = await SetUpAsync(100m, (30m, 20), (40m, 10));
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[0].Id });
        await ApplyAsync(journal, line.Str("id"), new { invoiceId = invoices[1].Id, amount = 40m });
        var good = await AddLineAsync(f.Http, journal, new { customerNumber = number, amount = -1m });
        // Meanwhile another journal pays the first invoice in full and 0.01 of the second.
        var other = await NewJournalAsync(f.Http);
        await AddLineAsync(f.Http, other, new { customerNumber = number, amount = -30m, appliesToInvoiceId = invoices[0].Id });
        await AddLineAsync(f.Http, other, new { customerNumber = number, amount = -0.01m, appliesToInvoiceId = invoices[1].Id });
        Expect.Status(await PostJournalAsync(f.Http, other), 204);

        var before = await LedgerInvariants.SnapshotAsync(f);
        var r = await PostJournalAsync(f.Http, journal);
        Expect.Error(r, 400, "Application_DialogException", $"Line {line["lineNumber"]}: the invoice {invoices[0].Number} is already paid");
        Assert.Contains($"applied to invoice {invoices[1].Number} is more than its remaining amount (39.99)", r.Body!["error"]!["message"]!.GetValue<string>());
        Assert.DoesNotContain($"Line {good["lineNumber"]}", r.Body!["error"]!["message"]!.GetValue<string>());
        Assert.Equal(before, await LedgerInvariants.SnapshotAsync(f));
        Assert.Equal(2, await ApplicationCountAsync(line.Str("id")));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task Two_lines_on_one_invoice_do_not_over_apply_it()
    {
        var (_, number, invoices, journal, line) = await SetUpAsync(50m, (60m, 20), (40m, 10));
        // Line 1 names the first invoice alone and pays 50 of its 60; line 2 applies to both: 10 left on the first, then 40 on the second.
        Expect.Status(await f.Http.Patch(Route.V2.Payment(journal, line.Str("id")), new { appliesToInvoiceId = invoices[0].Id }, "*"), 200);
        var second = await AddLineAsync(f.Http, journal, new { customerNumber = number, amount = -60m, documentNumber = "MULTI" + Guid.NewGuid().ToString("N")[..8] });
        await ApplyAsync(journal, second.Str("id"), new { invoiceId = invoices[0].Id, amount = 30m });
        await ApplyAsync(journal, second.Str("id"), new { invoiceId = invoices[1].Id });
        // A third line given an amount for the second invoice gets what the second line left of it: nothing.
        var third = await AddLineAsync(f.Http, journal, new { customerNumber = number, amount = -5m, documentNumber = "MULTI" + Guid.NewGuid().ToString("N")[..8] });
        await ApplyAsync(journal, third.Str("id"), new { invoiceId = invoices[1].Id, amount = 5m });
        Expect.Status(await PostJournalAsync(f.Http, journal), 204);
        await AssertInvoiceAsync(invoices[0].Id, 0m);
        await AssertInvoiceAsync(invoices[1].Id, 0m);
        Assert.Equal([(10m, invoices[0].Number), (40m, invoices[1].Number)], await LedgerApplicationsOfAsync(second.Str("documentNumber")));
        Assert.Equal(-10m, await PaymentEntryRemainingAsync(second.Str("documentNumber")));
        Assert.Empty(await LedgerApplicationsOfAsync(third.Str("documentNumber")));
        Assert.Equal(-5m, await PaymentEntryRemainingAsync(third.Str("documentNumber")));
        await LedgerInvariants.AssertHoldAsync(f);
    }

    [Fact]
    public async Task A_line_with_applications_among_many_plain_lines_posts_through_the_grouped_check()
    {
        var (customer, number, invoices, journal, line) = await SetUpAsync(70m, (30m, 20), (40m, 10));
        foreach (var (id, _) in invoices) await ApplyAsync(journal, line.Str("id"), new { invoiceId = id });
        for (var i = 0; i < 5; i++) await AddLineAsync(f.Http, journal, new { customerNumber = number, amount = -1m });
        Expect.Status(await PostJournalAsync(f.Http, journal, "journals"), 204);
        await AssertInvoiceAsync(invoices[0].Id, 0m);
        await AssertInvoiceAsync(invoices[1].Id, 0m);
        Assert.Equal(-5m, (await GetAsync(f.Http, $"{C}/customers({customer})")).Dec("balanceDue"));
        Assert.Equal(0, await ApplicationCountAsync(line.Str("id")));
        await LedgerInvariants.AssertHoldAsync(f);
    }
}

/// <summary>A webhook subscription to a line's applications hears of their changes, through the generic write path.</summary>
public sealed class PaymentApplicationWebhooksTests(WebhookFixture f) : IClassFixture<WebhookFixture>
{
    [Fact]
    public async Task A_subscription_to_a_lines_applications_is_notified_of_their_changes()
    {
        var (_, number) = await NewCustomerAsync(f.Http);
        var (invoiceId, _) = await PostedInvoiceAsync(f.Http, number, 100m);
        var journal = await NewJournalAsync(f.Http);
        var line = await AddLineAsync(f.Http, journal, new { customerNumber = number, amount = -50m });
        var other = await AddLineAsync(f.Http, journal, new { customerNumber = number, amount = -10m });
        var resource = $"api/paymentjournal/posting/v1.0/companies({ServiceFixture.Company})/customerPayments({line.Str("id")})/applications";
        var url = f.Receiver.NewEndpoint();
        Expect.Status(await f.SubscribeAsync(url, resource, root: ServiceFixture.Posting), 201);

        var lines = ServiceFixture.CompanyPath(ServiceFixture.Posting) + $"/customerPaymentJournals({journal})/customerPayments";
        Expect.Status(await f.Http.Post($"{lines}({other.Str("id")})/applications", new { invoiceId }), 201);
        var created = await f.Http.Post($"{lines}({line.Str("id")})/applications", new { invoiceId, amount = 20m });
        Expect.Status(created, 201);
        var appId = created.Body.Str("id");
        Expect.Status(await f.Http.Patch($"{lines}({line.Str("id")})/applications({appId})", new { amount = 30m }, "*"), 200);
        Expect.Status(await f.Http.Delete($"{lines}({line.Str("id")})/applications({appId})"), 204);

        var heard = await f.Receiver.WaitForAsync(url, i => i.Any(x => x.Str("changeType") == "deleted"));
        Assert.All(heard, i => Assert.Equal(resource + "(" + appId + ")", i.Str("resource")));
        Assert.Equal(["created", "deleted", "updated"], heard.Select(i => i.Str("changeType")).Order(StringComparer.Ordinal).ToList());
    }
}
