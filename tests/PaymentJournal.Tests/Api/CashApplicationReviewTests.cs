using Microsoft.EntityFrameworkCore;
using static PaymentJournal.Tests.Fixtures.CashApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// The review actions on the MT940 sample's lines: accept (first or a chosen proposal), apply by hand and split, ignore,
/// reopen, refusals of bad parameters; and a line whose invoice was paid meanwhile gets fresh proposals, never a second
/// application.
/// </summary>
public sealed class CashApplicationReviewTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    /// <summary>The MT940 sample's statement, imported by the first test of the class that asks for it.</summary>
    private async Task<(string Statement, JsonArray Lines)> ImportMt940Async()
    {
        if ((await f.Http.Get(Company() + "/bankStatementImports?$filter=fileName eq 'cronus-2026-12-02.mt940.sta'")).Body!["value"]!.AsArray() is { Count: 1 } found)
            return (StatementIds(found[0]).Single(), await LinesAsync(f.Http, StatementIds(found[0]).Single()));
        var (status, import, _) = await ImportAsync(f.Http, File.ReadAllBytes(Path.Combine(BankFiles.Samples, "cronus-2026-12-02.mt940.sta")), "cronus-2026-12-02.mt940.sta");
        Assert.Equal(201, status);
        var statement = StatementIds(import).Single();
        return (statement, await LinesAsync(f.Http, statement));
    }

    private async Task<JsonNode> LineAsync(string statement, string line) =>
        (await f.Http.Get($"{Company()}/bankStatements({statement})/bankStatementLines({line})")).Body!;

    [Fact]
    public async Task Lines_are_accepted_applied_by_hand_split_ignored_and_reopened()
    {
        var (statement, lines) = await ImportMt940Async();
        string Id(int i) => lines[i].Str("id");

        Assert.Equal(204, (await LineActionAsync(f.Http, statement, Id(0), "acceptProposal")).Status);
        var line = await LineAsync(statement, Id(0));
        Assert.Equal(("Accepted", "C00005", "103005=1117.25"), (line.Str("status"), line.Str("customerNumber"), line.Str("appliedInvoices")));

        var chosen = lines[1]!["matchProposals"]![0].Str("id");
        Assert.Equal(204, (await LineActionAsync(f.Http, statement, Id(1), "acceptProposal", new { proposalId = chosen })).Status);
        Assert.Equal("C00001", (await LineAsync(statement, Id(1))).Str("customerNumber"));

        // The partial payment of 500 split by hand over two invoices of its customer.
        Assert.Equal(204, (await LineActionAsync(f.Http, statement, Id(2), "applyToInvoices", new { customerNumber = "c00002", invoices = "103007=300, 103002=200.00" })).Status);
        line = await LineAsync(statement, Id(2));
        Assert.Equal(("Accepted", "103007=300, 103002=200", 500m), (line.Str("status"), line.Str("appliedInvoices"), line!["appliedAmount"]!.GetValue<decimal>()));

        // The stranger: no proposal to accept; applied by hand, then ignored, then reopened.
        var (status, body, _) = await LineActionAsync(f.Http, statement, Id(3), "acceptProposal");
        Assert.Equal(400, status);
        Assert.Contains("no proposals", body!["error"]!.Str("message"));
        Assert.Equal(204, (await LineActionAsync(f.Http, statement, Id(3), "applyToInvoices", new { customerId = "c0000000-0000-4000-8000-000000000003" })).Status);
        Assert.Equal("C00003", (await LineAsync(statement, Id(3))).Str("customerNumber"));
        Assert.Equal(204, (await LineActionAsync(f.Http, statement, Id(3), "ignore")).Status);
        line = await LineAsync(statement, Id(3));
        Assert.Equal(("Ignored", ""), (line.Str("status"), line.Str("customerNumber")));
        Assert.Equal(204, (await LineActionAsync(f.Http, statement, Id(3), "reopen")).Status);
        Assert.Equal("Open", (await LineAsync(statement, Id(3))).Str("status"));
    }

    public static readonly TheoryData<string, string, string> BadParameters = new()
    {
        { "acceptProposal", """{"proposalId":"nope"}""", "Edm.Guid" },
        { "acceptProposal", """{"proposal":"c0000000-0000-4000-8000-000000000003"}""", "not a parameter" },
        { "acceptProposal", """{"proposalId":"c0000000-0000-4000-8000-000000000003"}""", "no proposal" },
        { "applyToInvoices", """{"invoices":"103006"}""", "Name the customer" },
        { "applyToInvoices", """{"customerNumber":"C00001","invoices":"103002"}""", "not an invoice of customer" },
        { "applyToInvoices", """{"customerNumber":"C00001","invoices":"103006=99999"}""", "left to pay" },
        { "applyToInvoices", """{"customerNumber":"C00001","invoices":"103006=1.234"}""", "two decimals" },
        { "applyToInvoices", """{"customerNumber":"C00009"}""", "does not exist" },
        { "ignore", """{"x":1}""", "takes no parameters" },
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public async Task Bad_action_parameters_are_refused_and_change_nothing(string action, string parameters, string message)
    {
        var statement = (await ImportMt940Async()).Statement;
        var stranger = (await LinesAsync(f.Http, statement))[3]!;
        var (status, body, _) = await LineActionAsync(f.Http, statement, stranger.Str("id"), action, new StringContent(parameters, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, status);
        Assert.Contains(message, body!["error"]!.Str("message"));
        Assert.Equal(stranger.Str("status"), (await LineAsync(statement, stranger.Str("id"))).Str("status"));
    }

    [Fact]
    public async Task A_line_whose_invoice_is_paid_meanwhile_gets_fresh_proposals_and_is_not_applied_twice()
    {
        // A statement of its own: Alpine Ski House pays invoice 103004 twice over, once through another journal first.
        var text = ":20:PAIDTWICE\n:25:DE89370400440532013000\n:28C:9/1\n:60F:C261210EUR0,00\n:61:2612101210CR993,80NTRFNONREF\n:86:166?20SVWZ+RE 103004?32Alpine Ski House\n:61:2612101210CR746,90NTRFNONREF\n:86:166?20SVWZ+RE 103002?32Trey Research\n:62F:C261210EUR1740,70\n-\n";
        var (status, import, _) = await ImportTextAsync(f.Http, text, "paid-twice.sta");
        Assert.Equal(201, status);
        var statement = StatementIds(import).Single();
        var lines = await LinesAsync(f.Http, statement);
        Assert.Equal("103004=993.8", lines[0]!["matchProposals"]![0].Str("invoices"));
        Assert.Equal(204, (await LineActionAsync(f.Http, statement, lines[0].Str("id"), "acceptProposal")).Status);
        Assert.Equal(204, (await LineActionAsync(f.Http, statement, lines[1].Str("id"), "acceptProposal")).Status);
        var (status2, import2, _) = await ImportTextAsync(f.Http, text.Replace("PAIDTWICE", "PAIDTWICE2"), "paid-twice-2.sta");
        Assert.Equal(201, status2);
        var statement2 = StatementIds(import2).Single();
        var lines2 = await LinesAsync(f.Http, statement2);
        Assert.Equal("103004=993.8", lines2[0]!["matchProposals"]![0].Str("invoices"));

        // 103004 is paid by hand through a journal of its own, and posted.
        var (created, journal, _) = await f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = "HAND", displayName = "By hand", balancingAccountId = "e0000000-0000-4000-8000-000000002910" });
        Assert.Equal(201, created);
        var handPayments = $"{ServiceFixture.CompanyPath()}/customerPaymentJournals({journal.Str("id")})/customerPayments";
        Assert.Equal(201, (await f.Http.Post(handPayments, new { customerNumber = "C00004", amount = -993.80m, appliesToInvoiceNumber = "103004", postingDate = "2026-12-10" })).Status);
        var (posted, postBody, _) = await f.Http.Post($"{ServiceFixture.CompanyPath()}/customerPaymentJournals({journal.Str("id")})/Microsoft.NAV.post", "");
        Assert.True(posted == 204, postBody?.ToJsonString());

        // Transferring: the paid line is reopened with fresh proposals and a note; the other goes through.
        var (_, bank, _) = await f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = "BANK", displayName = "Bank", balancingAccountId = "e0000000-0000-4000-8000-000000002910" });
        Assert.Equal(204, (await f.Http.Post($"{Company()}/bankStatements({statement})/Microsoft.NAV.transferToJournal", new { journalId = bank.Str("id") })).Status);
        lines = await LinesAsync(f.Http, statement);
        Assert.Equal(("Open", "Transferred"), (lines[0].Str("status"), lines[1].Str("status")));
        Assert.Contains("103004 was paid", lines[0].Str("note"));
        Assert.DoesNotContain(lines[0]!["matchProposals"]!.AsArray(), p => p.Str("invoices").Contains("103004"));
        var (_, bankLines, _) = await f.Http.Get($"{ServiceFixture.CompanyPath()}/customerPaymentJournals({bank.Str("id")})/customerPayments");
        Assert.Equal(["103002"], bankLines!["value"]!.AsArray().Select(p => p.Str("appliesToInvoiceNumber")));

        // A proposal made before the invoice was paid is refused, not applied.
        var staleLine = lines2[0]!;
        var (conflict, conflictBody, _) = await LineActionAsync(f.Http, statement2, staleLine.Str("id"), "acceptProposal");
        Assert.Equal(409, conflict);
        Assert.Contains("103004 was paid", conflictBody!["error"]!.Str("message"));
        Assert.Equal("Open", (await LineAsync(statement2, staleLine.Str("id"))).Str("status"));
        Assert.Equal(204, (await LineActionAsync(f.Http, statement2, staleLine.Str("id"), "reopen")).Status);
        Assert.DoesNotContain((await LinesAsync(f.Http, statement2))[0]!["matchProposals"]!.AsArray(), p => p.Str("invoices").Contains("103004"));
    }
}
