using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Features.CashApplication.Matching;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CashApplication.Api;

/// <summary>An amount of a line applied to one invoice, in cents (0: what is left, oldest first).</summary>
public sealed record Applied(Guid InvoiceId, string Number, long Cents)
{
    /// <summary>As stored: one "invoiceId:cents:number" per line.</summary>
    public static string Data(IEnumerable<Applied> list) =>
        string.Join("\n", list.Select(a => a.InvoiceId.ToString("D") + ":" + a.Cents.ToString(CultureInfo.InvariantCulture) + ":" + a.Number));

    public static List<Applied> Parse(string data)
    {
        var result = new List<Applied>();
        foreach (var line in data.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            result.Add(new Applied(Guid.Parse(parts[0]), parts[2], long.Parse(parts[1], CultureInfo.InvariantCulture)));
        }
        return result;
    }

    /// <summary>For reading: "103003=870.35, 103008" (a number alone: no amount given).</summary>
    public static string Text(IEnumerable<Applied> list) =>
        string.Join(", ", list.Select(a => a.Cents == 0 ? a.Number : a.Number + "=" + Wire.FromScaled(a.Cents, 2).ToString(CultureInfo.InvariantCulture)));
}

/// <summary>Settings of cash application (configuration section "CashApplication").</summary>
public sealed class CashApplicationOptions
{
    /// <summary>An amount within this many cents of an invoice's remaining amount counts as equal.</summary>
    public long ToleranceCents { get; set; }
    /// <summary>... or within this share of the payment, in percent (the larger of the two applies).</summary>
    public decimal TolerancePercent { get; set; }

    public MatchSettings Settings => new(ToleranceCents, TolerancePercent);
}

/// <summary>The matcher over a company's customers, open invoices and learned IBANs, and turning its proposals into rows.</summary>
public static class LineMatching
{
    public static async Task<Matcher> ForCompanyAsync(AppDb db, Guid company, CashApplicationOptions options, CancellationToken ct) =>
        await await StartForCompanyAsync(db, company, options, ct);

    /// <summary>
    /// Reads the company's customers, open invoices and learned IBANs, and builds the matcher from them on the thread
    /// pool (the returned task), so that the caller can go on writing meanwhile.
    /// </summary>
    public static async Task<Task<Matcher>> StartForCompanyAsync(AppDb db, Guid company, CashApplicationOptions options, CancellationToken ct)
    {
        var customers = await db.Customers.AsNoTracking().Where(c => c.CompanyId == company)
            .Select(c => new MatchCustomer(c.Id, c.Number, c.DisplayName)).ToListAsync(ct);
        // A company may have 100,000 open invoices: read straight into the matcher's records.
        var raw = new RawSql(db);
        var invoices = await raw.ReadAllAsync(
            "SELECT id, number, external_document_number, customer_id, remaining_amount, due_date FROM sales_invoices " +
            "WHERE company_id = @p0 AND status = 'Open' AND remaining_amount > 0",
            r => new OpenInvoice(r.Guid(0), r.String(1), r.String(2), r.Guid(3), r.Int64(4), r.Date(5)), ct, raw.Guid(company));
        var ibans = await db.CustomerIbanMappings.AsNoTracking().Where(m => m.CompanyId == company)
            .Select(m => new IbanMapping(m.Iban, m.CustomerId, m.Payments)).ToListAsync(ct);
        return Task.Run(() => new Matcher(customers, invoices, ibans, options.Settings), ct);
    }

    /// <summary>The proposals for a credit line, as rows (none for a debit or a reversal).</summary>
    public static List<BankMatchProposal> Propose(Matcher matcher, BankStatementLine line)
    {
        if (!line.IsCredit || line.IsReversal) return [];
        var texts = new[] { line.RemittanceText, line.StructuredReference, line.EndToEndId }.Where(t => t.Length > 0).ToList();
        var proposals = matcher.Propose(new PaymentToMatch(line.Amount, NullIfEmpty(line.CounterpartyName), NullIfEmpty(line.CounterpartyIban), texts));
        var rows = new List<BankMatchProposal>(proposals.Count);
        for (var i = 0; i < proposals.Count; i++)
        {
            var p = proposals[i];
            var applied = p.Applications.Select(a => new Applied(a.InvoiceId, a.InvoiceNumber, a.AmountCents)).ToList();
            rows.Add(new BankMatchProposal
            {
                Id = SequentialIds.Next(), CompanyId = line.CompanyId, LineId = line.Id, Rank = i + 1,
                CustomerId = p.CustomerId, CustomerNumber = p.CustomerNumber, CustomerName = p.CustomerName,
                Invoices = Applied.Text(applied), ApplicationsData = Applied.Data(applied), Amount = applied.Sum(a => a.Cents),
                Score = p.Score, Confidence = p.Confidence.ToString(), Reasons = string.Join("; ", p.Reasons),
            });
        }
        return rows;
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
