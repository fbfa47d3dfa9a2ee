using System.Globalization;
using System.Security;
using System.Text;
using System.Text.Json;
using PaymentJournal.Features.CashApplication.Matching;

/// <summary>
/// Writes the evaluation set for a run through the service (bench/cash-match.sh): seed.sql puts its customers, open
/// invoices and known IBANs into a company of their own in a SQLite database; body.json is the import request with
/// the lines as one camt.053 statement; labels.tsv says, per statement line, which customer and invoices are right.
/// </summary>
static class Export
{
    public const string Company = "B0000000-0000-4000-8000-000000000001";

    public static void Write(EvaluationSet set, string dir, int seed)
    {
        Directory.CreateDirectory(dir);
        var numberOf = set.Customers.ToDictionary(c => c.Id, c => c.Number);
        var invoiceNumber = set.Invoices.ToDictionary(i => i.Id, i => i.Number);
        static string Q(string s) => "'" + s.Replace("'", "''") + "'";
        static string G(Guid g) => Q(g.ToString("D").ToUpperInvariant());
        const string stamp = "'2026-12-01 00:00:00'";

        using (var sql = new StreamWriter(Path.Combine(dir, "seed.sql"), false, new UTF8Encoding(false)))
        {
            sql.WriteLine("BEGIN;");
            sql.WriteLine("INSERT INTO companies (id, name, display_name, business_profile_id, created_at, version, last_modified) " +
                          $"VALUES ('{Company}', 'BENCH CASH', 'Bench cash application', '', {stamp}, 1, {stamp});");
            foreach (var c in set.Customers)
                sql.WriteLine("INSERT INTO customers (id, company_id, number, display_name, type, address_line1, address_line2, city, state, country, " +
                              "postal_code, phone_number, email, website, currency_code, blocked, credit_limit, balance_due, posting_group_id, version, last_modified) " +
                              $"VALUES ({G(c.Id)}, '{Company}', {Q(c.Number)}, {Q(c.Name)}, 'Company', '', '', '', '', 'DE', '', '', '', '', '', ' ', 0, 0, " +
                              $"'F1000000-0000-4000-8000-000000000001', 1, {stamp});");
            foreach (var i in set.Invoices)
            {
                var date = Q(i.DueDate.AddDays(-30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                sql.WriteLine("INSERT INTO sales_invoices (id, company_id, number, external_document_number, invoice_date, posting_date, due_date, customer_id, " +
                              "customer_number, customer_name, bill_to_customer_id, bill_to_customer_number, currency_code, status, total_amount_excluding_tax, " +
                              "total_tax_amount, total_amount_including_tax, remaining_amount, version, last_modified) " +
                              $"VALUES ({G(i.Id)}, '{Company}', {Q(i.Number)}, {Q(i.ExternalDocumentNumber)}, {date}, {date}, " +
                              $"{Q(i.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}, {G(i.CustomerId)}, {Q(numberOf[i.CustomerId])}, '', " +
                              $"{G(i.CustomerId)}, {Q(numberOf[i.CustomerId])}, '', 'Open', {i.RemainingCents}, 0, {i.RemainingCents}, {i.RemainingCents}, 1, {stamp});");
            }
            foreach (var m in set.Ibans)
                sql.WriteLine("INSERT INTO customer_iban_mappings (id, company_id, iban, customer_id, customer_number, payments, version, last_modified) " +
                              $"VALUES ({G(Guid.NewGuid())}, '{Company}', {Q(m.Iban)}, {G(m.CustomerId)}, {Q(numberOf[m.CustomerId])}, {m.Payments}, 1, {stamp});");
            sql.WriteLine("COMMIT;");
        }

        var xml = new StringBuilder();
        var total = set.Cases.Sum(c => c.Payment.AmountCents);
        static string Money(long cents) => (cents / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        static string X(string s) => SecurityElement.Escape(s);
        xml.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>")
            .Append($"<GrpHdr><MsgId>EVAL-{seed}</MsgId><CreDtTm>2026-12-01T18:00:00</CreDtTm></GrpHdr><Stmt><Id>EVAL-{seed}</Id>")
            .Append("<Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>")
            .Append("<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>")
            .Append($"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{Money(total)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>");
        using var labels = new StreamWriter(Path.Combine(dir, "labels.tsv"), false, new UTF8Encoding(false));
        labels.WriteLine("line\tkind\tcustomer\tinvoices");
        for (var n = 0; n < set.Cases.Count; n++)
        {
            var c = set.Cases[n];
            var p = c.Payment;
            xml.Append($"<Ntry><Amt Ccy=\"EUR\">{Money(p.AmountCents)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>")
                .Append($"<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy=\"EUR\">{Money(p.AmountCents)}</Amt><CdtDbtInd>CRDT</CdtDbtInd>");
            if (p.CounterpartyName is not null || p.CounterpartyIban is not null)
            {
                xml.Append("<RltdPties>");
                if (p.CounterpartyName is not null) xml.Append($"<Dbtr><Pty><Nm>{X(p.CounterpartyName)}</Nm></Pty></Dbtr>");
                if (p.CounterpartyIban is not null) xml.Append($"<DbtrAcct><Id><IBAN>{p.CounterpartyIban}</IBAN></Id></DbtrAcct>");
                xml.Append("</RltdPties>");
            }
            var texts = p.Texts.Where(t => t.Length > 0).ToList();
            if (texts.Count > 0) xml.Append("<RmtInf>").Append(string.Concat(texts.Select(t => $"<Ustrd>{X(t)}</Ustrd>"))).Append("</RmtInf>");
            xml.Append("</TxDtls></NtryDtls></Ntry>");
            labels.WriteLine($"{n + 1}\t{c.Kind}\t{(c.CustomerId is { } id ? numberOf[id] : "")}\t" +
                             string.Join(",", c.InvoiceIds.Select(i => invoiceNumber[i]).Order(StringComparer.Ordinal)));
        }
        xml.Append("</Stmt></BkToCstmrStmt></Document>");
        var body = JsonSerializer.Serialize(new { fileName = $"evaluation-{seed}.camt053.xml", content = Convert.ToBase64String(Encoding.UTF8.GetBytes(xml.ToString())) });
        File.WriteAllText(Path.Combine(dir, "body.json"), body);
        Console.WriteLine($"exported to {dir}: seed.sql, body.json ({body.Length} bytes), labels.tsv; company {Company}");
    }
}
