using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using System.Text;
using static PaymentJournal.Tests.Fixtures.CashApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Importing bank statement files through the cashApplication group: every format (the public sample files beside the
/// checkout and small made ones), the refusals, which store nothing, duplicates, company isolation and the group's $metadata.
/// </summary>
public sealed class CashApplicationImportTests(TwoCompaniesFixture f) : IClassFixture<TwoCompaniesFixture>
{
    private Task<int> CountAsync(string table) => f.WithDb(async db =>
    {
        var conn = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM " + table;
            return Convert.ToInt32(await cmd.ExecuteScalarAsync());
        }
        finally { await db.Database.CloseConnectionAsync(); }
    });

    [Theory]
    [InlineData("camt053_v02_de_single_and_batch.xml", "camt.053", 1, 5)]
    [InlineData("camt053_v02_two_statements.xml", "camt.053", 2, -1)]
    [InlineData("camt053_v04_ch_batches_reversals.xml", "camt.053", 1, 32)]
    [InlineData("mt940_de_sepa_26_messages.sta", "MT940", -1, 97)]
    [InlineData("mt940_three_banks_multi_message.sta", "MT940", 3, -1)]
    public async Task A_public_sample_file_is_imported_with_its_statements_and_lines(string file, string format, int statements, int lines)
    {
        var (status, body, response) = await ImportAsync(f.Http, BankFiles.Bytes(file), file);
        Assert.Equal(201, status);
        Assert.Equal(format, body.Str("format"));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BankFiles.Bytes(file))), body.Str("fileHash"));
        var ids = StatementIds(body);
        Assert.Equal(body!["numberOfStatements"]!.GetValue<int>(), ids.Length);
        if (statements >= 0) Assert.Equal(statements, ids.Length);
        if (lines >= 0) Assert.Equal(lines, body["numberOfLines"]!.GetValue<int>());
        Assert.NotNull(response.Headers.Location);

        // The import reads back, its statements are there with their lines, and every line belongs to one of them.
        var (_, again, _) = await f.Http.Get($"{Company()}/bankStatementImports({body.Str("id")})?$expand=bankStatements");
        Assert.Equal(ids.Order(), again!["bankStatements"]!.AsArray().Select(s => s.Str("id")).Order());
        int total = 0, proposals = 0;
        foreach (var id in ids)
        {
            var (_, statement, _) = await f.Http.Get($"{Company()}/bankStatements({id})");
            Assert.Equal(format, statement.Str("format"));
            Assert.Equal(body.Str("id"), statement.Str("bankStatementImportId"));
            var list = await LinesAsync(f.Http, id);
            Assert.Equal(statement!["numberOfLines"]!.GetValue<int>(), list.Count);
            total += list.Count;
            proposals += list.Sum(l => l!["matchProposals"]!.AsArray().Count);
        }
        Assert.Equal(body["numberOfLines"]!.GetValue<int>(), total);
        Assert.Equal(body["numberOfProposals"]!.GetValue<int>(), proposals);
        Assert.Equal(proposals, again["numberOfProposals"]!.GetValue<int>());
    }

    [Fact]
    public async Task Camt054_and_CSV_with_a_stored_profile_are_imported()
    {
        const string xml = """
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M1</MsgId></GrpHdr>
            <Ntfctn><Id>N-IMPORT-1</Id><Acct><Id><IBAN>CH9300762011623852957</IBAN></Id><Ccy>CHF</Ccy></Acct>
            <Ntry><Amt Ccy="CHF">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>
            <NtryDtls><TxDtls><Amt Ccy="CHF">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RmtInf><Ustrd>Inv 103003</Ustrd></RmtInf></TxDtls>
            <TxDtls><Amt Ccy="CHF">200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RmtInf><Ustrd>Inv 103004</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
            </Ntfctn></BkToCstmrDbtCdtNtfctn></Document>
            """;
        var (status, body, _) = await ImportTextAsync(f.Http, xml, "n.xml");
        Assert.Equal(201, status);
        Assert.Equal("camt.054", body.Str("format"));
        var (_, statement, _) = await f.Http.Get($"{Company()}/bankStatements({StatementIds(body).Single()})");
        Assert.False(statement!["hasBalances"]!.GetValue<bool>());
        Assert.Equal(2, (await LinesAsync(f.Http, statement.Str("id"))).Count);

        var (created, profile, _) = await f.Http.Post(Company() + "/csvImportProfiles", new
        {
            code = "plain", delimiter = ",", decimalSeparator = ".", dateFormat = "yyyy-MM-dd", currencyCode = "USD",
            bookingDateColumn = "date", amountColumn = "amount", remittanceColumn = "text", counterpartyNameColumn = "payer",
        });
        Assert.Equal(201, created);
        Assert.Equal("PLAIN", profile.Str("code"));
        (status, body, _) = await ImportTextAsync(f.Http, "date,payer,text,amount\n2026-11-30,Trey Research,Invoice 103002,746.90\n2026-11-30,Bank,Fee,-2.50\n", "nov.csv", "plain");
        Assert.Equal(201, status);
        Assert.Equal("CSV", body.Str("format"));
        var lines = await LinesAsync(f.Http, StatementIds(body).Single());
        Assert.Equal([true, false], lines.Select(l => l!["credit"]!.GetValue<bool>()));
        Assert.Equal("C00002", lines[0]!["matchProposals"]![0].Str("customerNumber"));
        Assert.Empty(lines[1]!["matchProposals"]!.AsArray());
    }

    public static readonly TheoryData<string, string?, string, string> Refusals = new()
    {
        { "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><Stmt><Id>1", null, "line 1", "truncated" },
        {
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><Stmt><Id>S1</Id>\n" +
            "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n" +
            "<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>\n" +
            "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>\n" +
            "<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-01</Dt></BookgDt></Ntry>\n" +
            "<Ntry>\n<Amt Ccy=\"EUR\">1,00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-01</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>",
            null, "line 7, element Document/BkToCstmrStmt/Stmt/Ntry/Amt", "camt amount"
        },
        { "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><d>&x;</d>", null, "line 2", "DTD" },
        { ":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C070903EUR100,00\n:61:0709040904CR30O,NTRFNONREF\n:62F:C070904EUR400,00\n-\n", null, "line 5", "MT940 amount" },
        { ":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C070903EUR100,00\n:61:0713040904CR300,NTRFNONREF\n:62F:C070904EUR400,00\n-\n", null, "line 5", "MT940 date" },
        { ":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C070903EUR100,00\n:61:0709040904CR300,NTRFNONREF\n:62F:C070904EUR401,00\n-\n", null, "statement", "balance" },
        { "Date;Payer;IBAN;Text;Amount;Balance\n01.12.2026;A;;x;abc;5,00\n", "CRONUS-CSV", "row 2", "CSV not fitting" },
        { "date,amount\n2026-12-01,1.00\n", null, "line 1", "CSV without a profile" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_bad_file_is_refused_naming_where_and_nothing_is_stored(string text, string? profile, string position, string why)
    {
        var before = (await CountAsync("bank_statement_imports"), await CountAsync("bank_statement_lines"));
        var (status, body, _) = await ImportTextAsync(f.Http, text, why + ".dat", profile);
        Assert.Equal(400, status);
        Assert.Equal("BadRequest_InvalidStatementFile", body.ErrorCode());
        Assert.Contains("(at " + position, body!["error"]!.Str("message"));
        Assert.Equal(before, (await CountAsync("bank_statement_imports"), await CountAsync("bank_statement_lines")));
    }

    [Fact]
    public async Task A_statement_that_does_not_add_up_names_the_difference()
    {
        var (status, body, _) = await ImportAsync(f.Http, BankFiles.Bytes("camt053_v08_ch_party_choice.xml"), "v08.xml");
        Assert.Equal(400, status);
        Assert.Contains("difference", body!["error"]!.Str("message"));
    }

    [Fact]
    public async Task Bad_base64_wrong_encoding_an_unknown_profile_and_a_file_over_the_limit_are_refused()
    {
        var (status, body, _) = await f.Http.Post(Company() + "/bankStatementImports", new { fileName = "x.sta", content = "QUJD!RA==" });
        Assert.Equal(400, status);
        Assert.Contains("content character 5", body!["error"]!.Str("message"));

        (status, body, _) = await ImportAsync(f.Http, [0x44, 0x61, 0x74, 0x65, 0x0A, 0xC3, 0x28, 0x0A], "latin.csv", "CRONUS-CSV");
        Assert.Equal(400, status);
        Assert.Contains("UTF-8", body!["error"]!.Str("message"));

        (status, body, _) = await ImportTextAsync(f.Http, "a,b\n", "x.csv", "NOSUCH");
        Assert.Equal(400, status);
        Assert.Contains("NOSUCH", body!["error"]!.Str("message"));

        (status, body, _) = await f.Http.Post(Company() + "/bankStatementImports", new { fileName = "x.sta", content = "QUJD", extra = 1 });
        Assert.Equal(400, status);

        var limit = f.Services.GetRequiredService<PaymentJournal.OData.Limits>().MaxStatementFileBytes;
        (status, body, _) = await ImportAsync(f.Http, new byte[limit + 10], "big.bin");
        Assert.Equal(400, status);
        Assert.Contains("limit", body!["error"]!.Str("message"));
    }

    [Theory]
    [InlineData("\"QUJDRA==\"")]
    [InlineData("\"QUJD\\/w==\"")] // an escaped slash
    [InlineData("\"\\u0051UJDRA==\"")] // a letter written as an escape
    [InlineData("\"QUJD\\r\\nRA==\"")] // a line break
    [InlineData("\"QUJD RA==\"")]
    [InlineData("\"QR==\"")] // bits set that the padding leaves unused
    [InlineData("\"QUJDRB==\"")]
    [InlineData("\"QUJ=\"")]
    [InlineData("\"QUI=\"")]
    [InlineData("\"\"")]
    [InlineData("\"QUJDRA\"")] // not a multiple of four
    [InlineData("\"QU=DRA==\"")] // '=' before the end
    [InlineData("\"QUJD\\u00e9A==\"")] // not base64
    [InlineData("\"QUJD\\u002B\\u002f8=\"")] // '+' and '/' escaped, as System.Text.Json writes them
    [InlineData("\"\\u0051R==\"")]
    [InlineData("\"QUJD\\u005C\"")] // an escaped backslash
    [InlineData("\"QUJD\\\\/w==\"")]
    [InlineData("\"QUJD\\tRA==\"")] // a tab
    public void The_content_is_decoded_as_base64_however_the_JSON_writes_it(string json)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"fileName\":\"x.sta\",\"content\":{json}}}");
        byte[]? expected;
        try { expected = Convert.FromBase64String(System.Text.Json.JsonSerializer.Deserialize<string>(json)!); }
        catch (FormatException) { expected = null; }
        if (expected is null)
            Assert.Equal("BadRequest_InvalidStatementFile",
                Assert.Throws<PaymentJournal.Errors.ApiException>(() => PaymentJournal.Features.CashApplication.Api.BankStatementImportsSet.ReadRequest(body, 1000)).Code);
        else Assert.Equal(expected, PaymentJournal.Features.CashApplication.Api.BankStatementImportsSet.ReadRequest(body, 1000).Content);
    }

    [Fact]
    public async Task The_same_file_or_the_same_statement_again_is_a_409_naming_the_earlier_import()
    {
        var text = ":20:DUP\n:25:DE11111111111111111111\n:28C:7/1\n:60F:C261201EUR100,00\n:61:2612011201CR50,00NTRFNONREF\n:86:Payment\n:62F:C261201EUR150,00\n-\n";
        var (status, first, _) = await ImportTextAsync(f.Http, text, "a.sta");
        Assert.Equal(201, status);
        var (again, body, _) = await ImportTextAsync(f.Http, text, "a-again.sta");
        Assert.Equal(409, again);
        Assert.Contains(first.Str("id"), body!["error"]!.Str("message"));
        // Another file (a different :86:) with the same account, statement id and period.
        var (same, body2, _) = await ImportTextAsync(f.Http, text.Replace(":86:Payment", ":86:Payment again"), "b.sta");
        Assert.Equal(409, same);
        Assert.Contains(first.Str("id"), body2!["error"]!.Str("message"));
    }

    [Fact]
    public async Task The_same_file_sent_by_several_requests_at_once_is_stored_once_and_the_others_get_a_409()
    {
        var text = ":20:RACE\n:25:DE33333333333333333333\n:28C:3/1\n:60F:C261201EUR0,00\n:61:2612011201CR10,00NTRFNONREF\n:62F:C261201EUR10,00\n-\n";
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => ImportTextAsync(f.Http, text, $"race-{i}.sta")));
        Assert.Single(answers, a => a.Status == 201);
        Assert.All(answers.Where(a => a.Status != 201), a =>
        {
            Assert.Equal(409, a.Status);
            Assert.Equal("Request_EntityAlreadyExists", a.Body.ErrorCode());
        });
        Assert.Equal(1, await CountAsync("bank_statements WHERE account_iban = 'DE33333333333333333333'"));
        Assert.Equal(1, await CountAsync("bank_statement_lines l JOIN bank_statements s ON s.id = l.bank_statement_id WHERE s.account_iban = 'DE33333333333333333333'"));
    }

    [Fact]
    public async Task Another_company_sees_none_of_the_statements()
    {
        var text = ":20:ISO\n:25:DE22222222222222222222\n:28C:1/1\n:60F:C261201EUR0,00\n:61:2612011201CR10,00NTRFNONREF\n:62F:C261201EUR10,00\n-\n";
        var (status, body, _) = await ImportTextAsync(f.Http, text, "iso.sta");
        Assert.Equal(201, status);
        var statement = StatementIds(body).Single();
        var other = Company(SecondCompany.Id);
        Assert.Equal(404, (await f.Http.Get($"{other}/bankStatements({statement})")).Status);
        Assert.Equal(404, (await f.Http.Get($"{other}/bankStatementImports({body.Str("id")})")).Status);
        Assert.Equal(404, (await f.Http.Get($"{other}/bankStatements({statement})/bankStatementLines")).Status);
        var (_, list, _) = await f.Http.Get($"{other}/bankStatements");
        Assert.DoesNotContain(list!["value"]!.AsArray(), s => s.Str("id") == statement);
        var line = (await LinesAsync(f.Http, statement))[0].Str("id");
        Assert.Equal(404, (await f.Http.Post($"{other}/bankStatements({statement})/bankStatementLines({line})/Microsoft.NAV.ignore", "")).Status);
        Assert.Equal(404, (await f.Http.Post($"{other}/bankStatements({statement})/Microsoft.NAV.transferToJournal", new { journalCode = "GENERAL" })).Status);
    }

    private static object Req(string id, string method, string url, object? body = null, string? group = null) =>
        new Dictionary<string, object?>
        {
            ["id"] = id, ["method"] = method, ["url"] = url, ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
            ["body"] = body, ["atomicityGroup"] = group,
        }.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public async Task A_batch_on_the_group_imports_and_an_atomic_group_that_fails_stores_nothing()
    {
        var company = $"companies({ServiceFixture.Company})";
        string File(string id) => Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $":20:{id}\n:25:DE44444444444444444444\n:28C:1/1\n:60F:C261201EUR0,00\n:61:2612011201CR10,00NTRFNONREF\n:62F:C261201EUR10,00\n-\n"));
        var (status, body, _) = await f.Http.Post(Root + "$batch", new
        {
            requests = new[]
            {
                Req("1", "POST", company + "/bankStatementImports", new { fileName = "b1.sta", content = File("BATCH1") }),
                Req("2", "GET", company + "/bankStatementImports?$filter=fileName eq 'b1.sta'"),
                Req("3", "POST", company + "/bankStatementImports", new { fileName = "b2.sta", content = File("BATCH2") }, group: "g"),
                Req("4", "POST", company + "/csvImportProfiles", new { code = "BATCH" }, group: "g"),
            },
        });
        Assert.Equal(200, status);
        var r = body!["responses"]!.AsArray().OrderBy(x => x.Str("id")).ToList();
        Assert.Equal([201, 200, 424, 400], r.Select(x => x!["status"]!.GetValue<int>()));
        Assert.Single(r[1]!["body"]!["value"]!.AsArray());
        var (_, list, _) = await f.Http.Get(Company() + "/bankStatementImports?$filter=fileName eq 'b2.sta'");
        Assert.Empty(list!["value"]!.AsArray());
    }

    [Fact]
    public async Task The_group_has_its_own_metadata_with_the_sets_and_actions_and_the_standard_API_does_not_show_them()
    {
        var response = await f.Http.GetAsync(Root + "$metadata");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var xml = await response.Content.ReadAsStringAsync();
        foreach (var name in new[] { "bankStatementImports", "bankStatements", "csvImportProfiles", "customerIbanMappings" })
            Assert.Contains($"<EntitySet Name=\"{name}\"", xml);
        foreach (var action in new[] { "acceptProposal", "applyToInvoices", "ignore", "reopen", "transferToJournal" })
            Assert.Contains($"<Action Name=\"{action}\" IsBound=\"true\"", xml);
        Assert.Contains("<Parameter Name=\"proposalId\" Type=\"Edm.Guid\"", xml);
        Assert.Contains("<NavigationProperty Name=\"matchProposals\"", xml);
        var standard = await (await f.Http.GetAsync(ServiceFixture.V2 + "$metadata")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("bankStatement", standard);
        Assert.Equal(404, (await f.Http.Get(ServiceFixture.CompanyPath() + "/bankStatements")).Status);
    }
}
