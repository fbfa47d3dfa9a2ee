using System.Text;
using PaymentJournal.Features.CashApplication.Import;

namespace PaymentJournal.Tests.Unit;

/// <summary>Bank statement files read: the public samples of every format, the formats' rules and every refusal.</summary>
public sealed class StatementFileTests
{
    private static StatementFileContent Read(string sample) => StatementFile.Read(BankFiles.Bytes(sample), sample, null);

    private static StatementFileException Refused(string text, CsvProfile? profile = null, string fileName = "file.txt") =>
        Assert.Throws<StatementFileException>(() => StatementFile.Read(Encoding.UTF8.GetBytes(text), fileName, profile));

    [Fact]
    public void Camt053_v02_reads_its_statement_balances_single_entries_and_a_batch_of_two()
    {
        var file = Read("camt053_v02_de_single_and_batch.xml");
        Assert.Equal(StatementFormat.Camt053, file.Format);
        var s = Assert.Single(file.Statements);
        Assert.Equal("0352C5320131227220503", s.StatementId);
        Assert.Equal("DE14740618130000033626", s.AccountIban);
        Assert.Equal("EUR", s.Currency);
        Assert.Equal(33.06m, s.OpeningBalance); // PRCD stands in for the missing OPBD
        Assert.Equal(23.06m, s.ClosingBalance);
        Assert.Equal(new DateOnly(2013, 12, 27), s.PeriodStart);
        Assert.Equal(4, s.Entries.Count);
        Assert.Equal(1, s.Entries.Count(e => e.IsCredit));
        Assert.Equal(5, s.Entries.Sum(e => e.Transactions.Count));
        Assert.Equal(2, s.Entries[^1].Transactions.Count);
        Assert.Equal(3.50m, s.Entries[^1].Transactions[0].Amount); // v02: the amount of a batch's part is AmtDtls/TxAmt

        var credit = Assert.Single(s.Entries, e => e.IsCredit);
        var tx = Assert.Single(credit.Transactions);
        Assert.Equal(1.00m, tx.Amount);
        Assert.Equal("Testkonto Nummer 2", tx.CounterpartyName);
        Assert.Equal("740618130100033626", tx.CounterpartyIban); // an account other than an IBAN is kept as given
        Assert.Equal("R CKBUCHUNG", tx.RemittanceText);
        Assert.Equal("2013122711085260000", tx.BankReference);
        // NOTPROVIDED is a placeholder, not a reference.
        Assert.DoesNotContain(s.Entries.SelectMany(e => e.Transactions), t => t.EndToEndId == "NOTPROVIDED");
        Assert.Contains(s.Entries.SelectMany(e => e.Transactions), t => t.EndToEndId == "EndToEndReference");
    }

    [Fact]
    public void Camt053_v04_reads_batches_as_one_transaction_each_and_marks_reversals()
    {
        var s = Assert.Single(Read("camt053_v04_ch_batches_reversals.xml").Statements);
        Assert.Equal("CH0309000000250090342", s.AccountIban);
        Assert.Equal(322152.16m, s.OpeningBalance);
        Assert.Equal(322689.77m, s.ClosingBalance);
        Assert.Equal(13, s.Entries.Count);
        Assert.Equal(5, s.Entries.Count(e => e.IsCredit));
        Assert.Equal(2, s.Entries.Count(e => e.IsReversal));
        Assert.All(s.Entries.Where(e => e.IsReversal), e => Assert.False(e.IsCredit));
        Assert.Equal(32, s.Entries.Sum(e => e.Transactions.Count));
        var batch = Assert.Single(s.Entries, e => e.Transactions.Count == 10);
        // Every part of the ten carries its creditor reference: nine 27-digit ISR references and one written out.
        Assert.Equal(9, batch.Transactions.Count(t => t.StructuredReference is { Length: 27 } r && r.All(char.IsAsciiDigit)));
        Assert.Contains(batch.Transactions, t => t.StructuredReference == "CreditorReference");
        Assert.Contains(batch.Transactions, t => t.CounterpartyName == "Hans Kaufmann");
    }

    [Fact]
    public void Camt053_v08_reads_the_v08_status_party_and_creditor_reference_and_is_refused_because_it_does_not_add_up()
    {
        var s = Assert.Single(CamtReader.Read(BankFiles.Bytes("camt053_v08_ch_party_choice.xml")));
        Assert.Equal(3, s.Entries.Count);
        Assert.Equal(2, s.Entries.Count(e => e.IsCredit));
        var transactions = s.Entries.SelectMany(e => e.Transactions).ToList();
        Assert.Contains(transactions, t => t.StructuredReference == "RF38000000000000000000552");
        Assert.Contains(transactions, t => t.RemittanceText == "INVOICE R77561");
        Assert.All(transactions.Where(t => t.IsCredit), t => Assert.NotNull(t.CounterpartyName)); // Dbtr/Pty/Nm
        Assert.All(transactions, t => Assert.NotNull(t.EndToEndId));

        var e = Assert.Throws<StatementFileException>(() => Read("camt053_v08_ch_party_choice.xml"));
        Assert.Contains("R30B4SA880HMZ9XA", e.Message);
        Assert.Contains("difference", e.Message);
        var expected = s.ClosingBalance!.Value - s.OpeningBalance!.Value - s.Entries.Sum(x => x.Signed);
        Assert.NotEqual(0m, expected);
        Assert.Contains(expected.ToString("0.00#####", System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }

    [Fact]
    public void Camt053_with_two_statements_gives_two()
    {
        var file = Read("camt053_v02_two_statements.xml");
        Assert.Equal(2, file.Statements.Count);
        Assert.All(file.Statements, s => Assert.Equal("NL26VAYB8060476890", s.AccountIban));
        Assert.Equal([18.15m, 27.00m], file.Statements.Select(s => s.OpeningBalance!.Value));
        Assert.Equal([27.00m, 20.00m], file.Statements.Select(s => s.ClosingBalance!.Value));
        Assert.True(file.Statements[0].Entries.Single().IsCredit);
        Assert.Equal(8.85m, file.Statements[0].Entries.Single().Amount);
    }

    [Fact]
    public void Mt940_with_26_messages_reads_every_line_and_joins_statements_split_over_messages()
    {
        var file = Read("mt940_de_sepa_26_messages.sta");
        Assert.Equal(StatementFormat.Mt940, file.Format);
        var entries = file.Statements.SelectMany(s => s.Entries).ToList();
        Assert.Equal(97, entries.Count);
        Assert.Equal(2, entries.Count(e => e.IsReversal));
        Assert.All(entries.Where(e => e.IsReversal), e => Assert.False(e.IsCredit)); // RC: a reversed credit is a debit
        Assert.Equal(41, entries.Count(e => e.IsCredit));
        Assert.Equal(56, entries.Count(e => !e.IsCredit));
        // Six statements are split over several messages (:60M:/:62M:), so fewer statements than messages.
        Assert.Equal(26 - CountContinuations("mt940_de_sepa_26_messages.sta"), file.Statements.Count);
        Assert.All(file.Statements, s => Assert.Equal("EUR", s.Currency));
        Assert.Contains(entries, e => e.Amount == 300m && e.IsCredit); // "CR300,": funds code R, no decimals

        // The German structured :86: with subfields broken over lines.
        var richter = Assert.Single(entries, e => e.BankReference == "0724710290621954").Transactions.Single();
        Assert.Equal("DE42100100100043921105", richter.CounterpartyIban);
        Assert.StartsWith("Richter Renate 70 Zeichen", richter.CounterpartyName);
        Assert.Equal("EndToEndIdTFNR2000400001", richter.EndToEndId);
        Assert.StartsWith("TO 13 TFNr 20004 Eingangskanal Mint", richter.RemittanceText);
        Assert.Equal("0724710290621954", richter.BankReference);
    }

    private static int CountContinuations(string sample) =>
        Encoding.ASCII.GetString(BankFiles.Bytes(sample)).Split('\n').Count(l => l.StartsWith(":60M:", StringComparison.Ordinal));

    [Fact]
    public void Mt940_from_three_banks_reads_the_old_28_tag_a_second_61_line_and_the_Polish_subfields()
    {
        var file = Read("mt940_three_banks_multi_message.sta");
        Assert.Equal(["DEM", "EUR", "PLN"], file.Statements.Select(s => s.Currency));
        Assert.Equal([84349.74m, 2187.95m, 40000m], file.Statements.Select(s => s.OpeningBalance!.Value));
        var entries = file.Statements.SelectMany(s => s.Entries).ToList();
        Assert.Equal(16, entries.Count);
        Assert.Equal(7, entries.Count(e => e.IsCredit));
        Assert.Equal("45050050/76198810", file.Statements[0].AccountOther);
        Assert.Equal(new DateOnly(2013, 10, 17), file.Statements[0].Entries[0].ValueDate);
        Assert.Equal(620.3m, file.Statements[0].Entries[1].Amount);

        var polish = file.Statements[2].Entries[0].Transactions.Single();
        Assert.Equal("PL08106000760000777777777777", polish.CounterpartyIban);
        Assert.StartsWith("HUTA SZKLA TOPIC UL", polish.CounterpartyName);
        Assert.Contains("FAKTURA 333/2", polish.RemittanceText);
        var salary = file.Statements[1].Entries[1].Transactions.Single();
        Assert.Equal("Gehalt OktoberFirmaMustermannGmbH", salary.RemittanceText);
        Assert.Equal("55555", salary.BankReference);
    }

    private static readonly CsvProfile German = new()
    {
        Code = "DE-BANK", Delimiter = ';', DecimalSeparator = ',', DateFormat = "dd.MM.yyyy", Currency = "EUR",
        AccountIban = "DE89 3704 0044 0532 0130 00",
        BookingDateColumn = "Buchungstag", ValueDateColumn = "Valuta", CreditColumn = "Haben", DebitColumn = "Soll",
        CounterpartyNameColumn = "Name", CounterpartyIbanColumn = "IBAN", RemittanceColumn = "Verwendungszweck", BalanceColumn = "Saldo",
    };

    [Fact]
    public void Csv_with_a_profile_reads_credit_and_debit_columns_a_decimal_comma_and_a_running_balance_newest_first()
    {
        const string csv = """
            Buchungstag;Valuta;Name;IBAN;Verwendungszweck;Soll;Haben;Saldo
            03.12.2026;03.12.2026;"Adatum Corporation";DE44 5001 0517 5407 3249 31;"Rechnung 103004; danke";;1.250,50;2.000,00
            02.12.2026;02.12.2026;Miete GmbH;;Miete Dezember;500,00;;749,50
            """;
        var file = StatementFile.Read(Encoding.UTF8.GetBytes(csv), "december.csv", German);
        Assert.Equal(StatementFormat.Csv, file.Format);
        var s = Assert.Single(file.Statements);
        Assert.Equal("december", s.StatementId);
        Assert.Equal("DE89370400440532013000", s.AccountIban);
        Assert.Equal(1249.50m, s.OpeningBalance);
        Assert.Equal(2000.00m, s.ClosingBalance);
        var paid = s.Entries[0].Transactions.Single();
        Assert.True(paid.IsCredit);
        Assert.Equal(1250.50m, paid.Amount);
        Assert.Equal("Adatum Corporation", paid.CounterpartyName);
        Assert.Equal("DE44500105175407324931", paid.CounterpartyIban);
        Assert.Equal("Rechnung 103004; danke", paid.RemittanceText); // the delimiter inside quotes
        Assert.False(s.Entries[1].IsCredit);
        Assert.Equal(new DateOnly(2026, 12, 2), s.PeriodStart);
    }

    [Fact]
    public void Csv_without_a_header_names_columns_by_number_and_reads_a_signed_amount()
    {
        var profile = new CsvProfile
        {
            Code = "PLAIN", HasHeader = false, BookingDateColumn = "1", AmountColumn = "3", RemittanceColumn = "2", CurrencyColumn = "4",
        };
        var file = StatementFile.Read(Encoding.UTF8.GetBytes("2026-12-01,Invoice 103001,100.25,USD\n2026-12-02,Fee,-1.5,USD\n\n"), "x.csv", profile);
        var s = Assert.Single(file.Statements);
        Assert.Null(s.OpeningBalance);
        Assert.Equal([100.25m, -1.5m], s.Entries.Select(e => e.Signed));
        Assert.Equal("USD", s.Currency);
    }

    [Theory]
    [InlineData("Buchungstag;Valuta;Name;IBAN;Verwendungszweck;Soll;Haben;Saldo\n32.12.2026;;A;;x;;1,00;1,00", "row 2", "Buchungstag")]
    [InlineData("Buchungstag;Valuta;Name;IBAN;Verwendungszweck;Soll;Haben;Saldo\n01.12.2026;;A;;x;;1.0.0,x;1,00", "row 2", "Haben")]
    [InlineData("Buchungstag;Valuta;Name;IBAN;Verwendungszweck;Soll;Haben\n01.12.2026;;A;;x;;1,00", "row 1", "Saldo")]
    [InlineData("Buchungstag;Valuta;Name;IBAN;Verwendungszweck;Soll;Haben;Saldo\n01.12.2026;;A;;x;;;5,00", "row 2", "no amount")]
    [InlineData("Buchungstag;Valuta;Name;IBAN;Verwendungszweck;Soll;Haben;Saldo\n01.12.2026;;A;;x;;1,00;9,00\n02.12.2026;;B;;y;;1,00;9,50", "statement", "difference")]
    public void Csv_that_does_not_fit_its_profile_is_refused_naming_the_row_and_column(string csv, string position, string named)
    {
        var e = Refused(csv, German);
        Assert.StartsWith(position, e.Position);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void Csv_needs_a_profile_and_a_profile_must_make_sense()
    {
        Assert.Contains("csvProfile", Refused("date,amount\n2026-12-01,1.00").Message);
        var e = Refused("a;b\n1;2", German with { DecimalSeparator = ';' });
        Assert.Equal("profile", e.Position);
        Assert.Contains("Name either", Refused("a,b", new CsvProfile { Code = "X", BookingDateColumn = "a", Currency = "EUR" }).Message);
    }

    [Fact]
    public void A_DTD_or_external_entity_is_refused_and_never_resolved()
    {
        var secret = Path.Combine(Path.GetTempPath(), "pj-entity-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(secret, "SECRET");
        try
        {
            var xml = $"""
                <?xml version="1.0"?>
                <!DOCTYPE Document [ <!ENTITY x SYSTEM "file://{secret}"> ]>
                <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&x;</Id></Stmt></BkToCstmrStmt></Document>
                """;
            var e = Refused(xml);
            Assert.Contains("DTD", e.Message);
            Assert.DoesNotContain("SECRET", e.Message);
            Assert.StartsWith("line 2", e.Position);
            // An internal entity expansion (a billion laughs) is refused the same way.
            Assert.Contains("DTD", Refused("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\">]><d>&a;</d>").Message);
        }
        finally { File.Delete(secret); }
    }

    [Fact]
    public void Truncated_or_malformed_camt_is_refused_naming_the_line()
    {
        var full = Encoding.UTF8.GetString(BankFiles.Bytes("camt053_v02_two_statements.xml"));
        var e = Refused(full[..(full.Length / 2)]);
        Assert.Matches(@"^line \d+, column \d+$", e.Position);
        var badAmount = full.Replace(">8.85<", ">8,85<");
        var amount = Refused(badAmount);
        Assert.Contains("'8,85'", amount.Message);
        Assert.Contains("Ntry/Amt", amount.Position);
        Assert.Contains("CdtDbtInd", Refused(full.Replace("<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>MAYBE</CdtDbtInd>")).Message);
        Assert.Contains("not a camt.053", Refused("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\"/>").Message);
        Assert.Contains("not a date", Refused(full.Replace("<Dt>2015-01-02</Dt>", "<Dt>02.01.2015</Dt>")).Message);
    }

    [Fact]
    public void Camt054_notifications_read_without_balances()
    {
        const string xml = """
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M1</MsgId></GrpHdr>
            <Ntfctn><Id>N-1</Id><Acct><Id><IBAN>CH9300762011623852957</IBAN></Id><Ccy>CHF</Ccy></Acct>
            <Ntry><Amt Ccy="CHF">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><DtTm>2026-12-01T23:30:00+01:00</DtTm></BookgDt>
            <NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>
            <TxDtls><Refs><EndToEndId>E1</EndToEndId></Refs><Amt Ccy="CHF">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
              <RltdPties><Dbtr><Pty><Nm>Adatum</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>CH5604835012345678009</IBAN></Id></DbtrAcct></RltdPties>
              <RmtInf><Strd><RfrdDocInf><Nb>103001</Nb></RfrdDocInf></Strd><Strd><RfrdDocInf><Nb>103002</Nb></RfrdDocInf></Strd></RmtInf></TxDtls>
            <TxDtls><Amt Ccy="CHF">200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RmtInf><Ustrd>Inv 103003</Ustrd></RmtInf></TxDtls>
            </NtryDtls></Ntry>
            <Ntry><Amt Ccy="CHF">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts><BookgDt><Dt>2026-12-02</Dt></BookgDt></Ntry>
            </Ntfctn></BkToCstmrDbtCdtNtfctn></Document>
            """;
        var file = StatementFile.Read(Encoding.UTF8.GetBytes(xml), "n.xml", null);
        Assert.Equal(StatementFormat.Camt054, file.Format);
        var s = Assert.Single(file.Statements);
        Assert.Null(s.OpeningBalance);
        var entry = Assert.Single(s.Entries); // the pending entry is not booked
        Assert.Equal(new DateOnly(2026, 12, 1), entry.BookingDate); // the date as written, whatever the offset
        Assert.Equal([100m, 200m], entry.Transactions.Select(t => t.Amount));
        Assert.Equal("103001 103002", entry.Transactions[0].StructuredReference);
        Assert.Equal("CH5604835012345678009", entry.Transactions[0].CounterpartyIban);
        Assert.Equal("Adatum", entry.Transactions[0].CounterpartyName);
    }

    [Theory]
    [InlineData(":61:0709040904CR30O,NTRFNONREF", "line 5")]
    [InlineData(":61:0713040904CR300,NTRFNONREF", "line 5")]
    [InlineData(":61:0709041304CR300,NTRFNONREF", "line 5")]
    [InlineData(":61:0709040904CR3,00,NTRFNONREF", "line 5")]
    public void Mt940_with_a_bad_amount_or_date_is_refused_naming_the_line(string line, string position)
    {
        var text = $":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C070903EUR100,00\n{line}\n:62F:C070904EUR400,00\n-\n";
        Assert.Equal(position, Refused(text).Position);
        // The same file with a good line is read.
        var good = StatementFile.Read(Encoding.UTF8.GetBytes(text.Replace(line, ":61:0709040904CR300,NTRFNONREF")), "ok.sta", null);
        Assert.Equal("DE89370400440532013000", good.Statements.Single().AccountIban);
    }

    [Fact]
    public void Wrong_encodings_are_refused()
    {
        var utf16 = Encoding.Unicode.GetBytes(":20:REF\n:25:X\n");
        Assert.Contains("UTF-16", Assert.Throws<StatementFileException>(() => StatementFile.Read(utf16, "x.sta", null)).Message);
        var latin1 = Encoding.Latin1.GetBytes("Buchungstag;Valuta;Name;IBAN;Verwendungszweck;Soll;Haben;Saldo\n01.12.2026;;Müller;;x;;1,00;1,00\n");
        var e = Assert.Throws<StatementFileException>(() => StatementFile.Read(latin1, "x.csv", German));
        Assert.Equal("line 2, byte 76", e.Position); // the ü of Müller
        // Named in the profile, the same bytes read.
        var read = StatementFile.Read(latin1, "x.csv", German with { Encoding = "iso-8859-1" });
        Assert.Equal("Müller", read.Statements[0].Entries[0].Transactions[0].CounterpartyName);
        Assert.Equal("byte 0", Assert.Throws<StatementFileException>(() => StatementFile.Read([], "x", null)).Position);
    }

    [Fact]
    public void The_file_hash_is_the_SHA256_of_its_bytes()
    {
        var bytes = BankFiles.Bytes("camt053_v02_de_single_and_batch.xml");
        Assert.Equal("c1d4d1afecb51e3597cd8c4396bcacf11ba8ab7d2352f9831c26e2cdaa2c2c4d", StatementFile.Read(bytes, "a.xml", null).FileHash);
    }
}
