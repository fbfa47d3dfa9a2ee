using PaymentJournal.Features.CashApplication.Import;
using PaymentJournal.Features.CashApplication.Matching;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// The demo company's sample statements (samples/bank) read, add up, and match its open invoices as they are meant to:
/// some by number, some by amount and name, one combined payment, a partial one, and a payer who is no customer in each.
/// </summary>
public sealed class DemoStatementsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    /// <summary>How the demo's CSV export reads.</summary>
    public static readonly CsvProfile DemoCsv = new()
    {
        Code = "CRONUS-CSV", Delimiter = ';', DecimalSeparator = ',', DateFormat = "dd.MM.yyyy", Currency = "EUR",
        AccountIban = "DE89370400440532013000", BookingDateColumn = "Date", CounterpartyNameColumn = "Payer",
        CounterpartyIbanColumn = "IBAN", RemittanceColumn = "Text", AmountColumn = "Amount", BalanceColumn = "Balance",
    };

    private async Task<Matcher> DemoMatcherAsync()
    {
        var company = ServiceFixture.CompanyPath();
        var (_, customers, _) = await f.Http.Get(company + "/customers?$select=id,number,displayName");
        var (_, invoices, _) = await f.Http.Get(company + "/salesInvoices?$filter=status eq 'Open'&$select=id,number,externalDocumentNumber,customerId,remainingAmount,dueDate");
        return new Matcher(
            customers!["value"]!.AsArray().Select(c => new MatchCustomer(Guid.Parse(c.Str("id")), c.Str("number"), c.Str("displayName"))),
            invoices!["value"]!.AsArray().Select(i => new OpenInvoice(Guid.Parse(i.Str("id")), i.Str("number"), i.Str("externalDocumentNumber"),
                Guid.Parse(i.Str("customerId")), (long)Math.Round(i!["remainingAmount"]!.GetValue<decimal>() * 100), DateOnly.Parse(i.Str("dueDate")))),
            [], new MatchSettings());
    }

    /// <summary>Each credit's first proposal as "customer: invoice=amount,... confidence", or "none".</summary>
    private static async Task<List<string>> FirstProposalsAsync(Matcher matcher, string file, CsvProfile? profile = null)
    {
        var content = StatementFile.Read(await File.ReadAllBytesAsync(Path.Combine(BankFiles.Samples, file)), file, profile);
        return content.Statements.SelectMany(s => s.Entries).Where(e => e.IsCredit).SelectMany(e => e.Transactions).Select(t =>
        {
            var p = matcher.Propose(new PaymentToMatch((long)(t.Amount * 100), t.CounterpartyName, t.CounterpartyIban,
                new[] { t.RemittanceText, t.StructuredReference, t.EndToEndId }.OfType<string>().ToList())).FirstOrDefault();
            return p is null ? "none"
                : $"{p.CustomerNumber}: {string.Join(",", p.Applications.Select(a => $"{a.InvoiceNumber}={a.AmountCents / 100m:0.00}"))} {p.Confidence}";
        }).ToList();
    }

    [Fact]
    public async Task The_camt053_sample_matches_by_number_by_amount_and_name_a_combined_payment_and_leaves_a_stranger()
    {
        Assert.Equal(
            [
                "C00001: 103001=623.45 High",
                "C00002: 103002=746.90 High",
                "C00003: 103003=870.35,103008=1487.60 High",
                "none",
                "C00004: 103004=993.80 Medium",
            ],
            await FirstProposalsAsync(await DemoMatcherAsync(), "cronus-2026-12-01.camt053.xml"));
    }

    [Fact]
    public async Task The_MT940_sample_matches_a_SEPA_reference_a_name_and_amount_a_partial_payment_and_leaves_a_stranger()
    {
        Assert.Equal(
            ["C00005: 103005=1117.25 High", "C00001: 103006=1240.70 High", "C00002: 103007=500.00 Medium", "none"],
            await FirstProposalsAsync(await DemoMatcherAsync(), "cronus-2026-12-02.mt940.sta"));
    }

    [Fact]
    public async Task The_CSV_sample_matches_a_number_written_apart_a_name_and_amount_two_invoices_by_their_sum_and_leaves_a_stranger()
    {
        Assert.Equal(
            ["C00004: 103009=1611.05 High", "C00005: 103010=1734.50 High", "C00001: 103001=623.45,103006=1240.70 High", "none"],
            await FirstProposalsAsync(await DemoMatcherAsync(), "cronus-2026-12-03.csv", DemoCsv));
    }

    [Fact]
    public void The_three_samples_follow_each_other_on_one_account()
    {
        var camt = StatementFile.Read(File.ReadAllBytes(Path.Combine(BankFiles.Samples, "cronus-2026-12-01.camt053.xml")), "a", null).Statements.Single();
        var mt940 = StatementFile.Read(File.ReadAllBytes(Path.Combine(BankFiles.Samples, "cronus-2026-12-02.mt940.sta")), "b", null).Statements.Single();
        var csv = StatementFile.Read(File.ReadAllBytes(Path.Combine(BankFiles.Samples, "cronus-2026-12-03.csv")), "c", DemoCsv).Statements.Single();
        Assert.All(new[] { camt, mt940, csv }, s => Assert.Equal("DE89370400440532013000", s.AccountIban));
        Assert.Equal(camt.ClosingBalance, mt940.OpeningBalance);
        Assert.Equal(mt940.ClosingBalance, csv.OpeningBalance);
        Assert.Equal(new DateOnly(2026, 12, 1), camt.PeriodStart);
        Assert.Equal(new DateOnly(2026, 12, 1), camt.PeriodEnd);
    }
}
