using Microsoft.EntityFrameworkCore;
using static PaymentJournal.Tests.Fixtures.CashApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// The demo company's sample statements (samples/bank) through the API: imported, proposals accepted, the unknown payer
/// ignored, transferred to the payment journal (one invoice through appliesToInvoiceId, a combined payment through the
/// line's applications), IBANs learned, and the journal posted.
/// </summary>
public sealed class CashApplicationFlowTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(BankFiles.Samples, name));

    private static string First(JsonNode? line) =>
        line!["matchProposals"]!.AsArray() is { Count: > 0 } p ? $"{p[0].Str("customerNumber")}: {p[0].Str("invoices")} {p[0].Str("confidence")}" : "none";

    [Fact]
    public async Task The_camt053_sample_is_matched_accepted_transferred_and_posted()
    {
        var (status, import, _) = await ImportAsync(f.Http, Sample("cronus-2026-12-01.camt053.xml"), "cronus-2026-12-01.camt053.xml");
        Assert.Equal(201, status);
        var statement = StatementIds(import).Single();
        var lines = await LinesAsync(f.Http, statement);
        var credits = lines.Where(l => l!["credit"]!.GetValue<bool>()).ToList();
        Assert.Equal(
            [
                "C00001: 103001=623.45 High", "C00002: 103002=746.9 High", "C00003: 103003=870.35, 103008=1487.6 High", "none",
                "C00004: 103004=993.8 Medium",
            ],
            credits.Select(First));
        Assert.All(credits.Where(l => First(l) != "none"), l => Assert.NotEmpty(l!["matchProposals"]![0].Str("reasons")));

        foreach (var line in credits)
        {
            var action = First(line) == "none" ? "ignore" : "acceptProposal";
            Assert.Equal(204, (await LineActionAsync(f.Http, statement, line.Str("id"), action)).Status);
        }
        lines = await LinesAsync(f.Http, statement);
        Assert.Equal(["Accepted", "Accepted", "Accepted", "Ignored", "Accepted"],
            lines.Where(l => l!["credit"]!.GetValue<bool>()).Select(l => l.Str("status")));

        var before = (await f.Http.Get(ServiceFixture.PaymentsPath())).Body!["value"]!.AsArray().Count;
        var (transferred, body, _) = await f.Http.Post($"{Company()}/bankStatements({statement})/Microsoft.NAV.transferToJournal", new { journalCode = "general" });
        Assert.True(transferred == 204, body?.ToJsonString());
        lines = await LinesAsync(f.Http, statement);
        var done = lines.Where(l => l.Str("status") == "Transferred").ToList();
        Assert.Equal(4, done.Count);
        var payments = (await f.Http.Get(ServiceFixture.PaymentsPath())).Body!["value"]!.AsArray();
        Assert.Equal(before + 4, payments.Count);

        // One invoice for the whole amount: the standard application. The combined payment: applications, no appliesTo.
        var clean = payments.Single(p => p.Str("id") == done[0].Str("customerPaymentId"));
        Assert.Equal("103001", clean.Str("appliesToInvoiceNumber"));
        Assert.Equal(-623.45m, clean!["amount"]!.GetValue<decimal>());
        Assert.Equal("2026-12-01", clean.Str("postingDate"));
        var combined = payments.Single(p => p.Str("id") == done[2].Str("customerPaymentId"));
        Assert.Equal("", combined.Str("appliesToInvoiceNumber"));
        Assert.Equal(-2357.95m, combined!["amount"]!.GetValue<decimal>());
        var applications = await f.WithDb(db => db.PaymentApplications.AsNoTracking().Where(a => a.PaymentId == Guid.Parse(combined.Str("id")))
            .OrderBy(a => a.Sequence).Select(a => a.InvoiceNumber + "=" + a.Amount).ToListAsync());
        Assert.Equal(["103003=87035", "103008=148760"], applications);

        // The payers' IBANs are learned; a second transfer has nothing left to do.
        var (_, mappings, _) = await f.Http.Get(Company() + "/customerIbanMappings");
        Assert.Contains(mappings!["value"]!.AsArray(), m => m.Str("customerNumber") == "C00001" && m!["payments"]!.GetValue<int>() == 1);
        var (again, refused, _) = await f.Http.Post($"{Company()}/bankStatements({statement})/Microsoft.NAV.transferToJournal", new { journalCode = "GENERAL" });
        Assert.Equal(400, again);
        Assert.Contains("no accepted lines", refused!["error"]!.Str("message"));
        Assert.Equal(before + 4, (await f.Http.Get(ServiceFixture.PaymentsPath())).Body!["value"]!.AsArray().Count);

        // Posting works as for any line: the clean match pays its invoice.
        var (posted, postBody, _) = await f.Http.Post($"{ServiceFixture.CompanyPath()}/customerPaymentJournals({ServiceFixture.General})/Microsoft.NAV.post", "");
        Assert.True(posted == 204, postBody?.ToJsonString());
        var (_, invoice, _) = await f.Http.Get($"{ServiceFixture.CompanyPath()}/salesInvoices?$filter=number eq '103001'");
        Assert.Equal("Paid", invoice!["value"]![0].Str("status"));
        // The combined payment settles each of its invoices with the amount the transfer gave it.
        foreach (var number in new[] { "103003", "103008" })
        {
            var (_, settled, _) = await f.Http.Get($"{ServiceFixture.CompanyPath()}/salesInvoices?$filter=number eq '{number}'");
            Assert.Equal("Paid", settled!["value"]![0].Str("status"));
            Assert.Equal(0m, settled!["value"]![0]!["remainingAmount"]!.GetValue<decimal>());
        }
    }

    [Fact]
    public async Task The_CSV_sample_imports_with_the_demo_profile_and_matches_as_meant()
    {
        var (status, import, _) = await ImportAsync(f.Http, Sample("cronus-2026-12-03.csv"), "cronus-2026-12-03.csv", "CRONUS-CSV");
        Assert.Equal(201, status);
        var lines = await LinesAsync(f.Http, StatementIds(import).Single());
        Assert.Equal(4, lines.Count(l => l!["credit"]!.GetValue<bool>()));
        var first = lines.Where(l => l!["credit"]!.GetValue<bool>()).Select(First).ToList();
        Assert.StartsWith("C00004: 103009=1611.05", first[0]);
        Assert.StartsWith("C00001: 103001=623.45, 103006=1240.7", first[2]);
        Assert.Equal("none", first[3]);
    }
}
