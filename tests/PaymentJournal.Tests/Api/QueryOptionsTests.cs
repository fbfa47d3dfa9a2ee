using System.Globalization;

namespace PaymentJournal.Tests.Api;

/// <summary>Query options over HTTP: every option on the entity sets, paging with skip tokens, and the limits.</summary>
public sealed class QueryOptionsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private static readonly string C = ServiceFixture.CompanyPath();

    private async Task<string> NewJournalWithPayments(string code, int count)
    {
        var (status, body, _) = await f.Http.Post(C + "/customerPaymentJournals", new { code });
        Assert.Equal(201, status);
        var id = body.Str("id");
        for (var i = 1; i <= count; i++)
        {
            var (s, _, _) = await f.Http.Post($"{C}/customerPaymentJournals({id})/customerPayments", new
            {
                customerNumber = $"C0000{i % 5 + 1}", amount = -(i * 100 + 0.25m), description = i % 2 == 0 ? $"even {i}" : $"odd {i}",
                postingDate = new DateOnly(2025, 1, 1).AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                documentNumber = $"D{i:D4}", externalDocumentNumber = $"X{i}",
            });
            Assert.Equal(201, s);
        }
        return id;
    }

    private async Task<JsonArray> Values(string url)
    {
        var (status, body, _) = await f.Http.Get(url);
        Assert.True(status == 200, url + " -> " + status + " " + body?.ToJsonString());
        return body!["value"]!.AsArray();
    }

    [Fact]
    public async Task Filter_orderby_select_top_skip_and_count_run_on_payments()
    {
        var j = await NewJournalWithPayments("QO-1", 12);
        var p = $"{C}/customerPaymentJournals({j})/customerPayments";

        var lt = await Values(p + "?$filter=amount lt -500&$orderby=lineNumber&$top=20");
        Assert.Equal(8, lt.Count); // -500.25 ... -1200.25
        Assert.All(lt, x => Assert.True(x!["amount"]!.GetValue<decimal>() < -500));
        Assert.Equal(lt.Select(x => x!["lineNumber"]!.GetValue<int>()).Order(), lt.Select(x => x!["lineNumber"]!.GetValue<int>()));

        var desc = await Values(p + "?$orderby=amount desc,lineNumber&$top=3&$skip=1&$select=amount");
        Assert.Equal([-200.25m, -300.25m, -400.25m], desc.Select(x => x!["amount"]!.GetValue<decimal>()));
        Assert.Null(desc[0]!["description"]);
        Assert.Null(desc[0]!["id"]); // only what was selected, as Business Central answers

        var (_, counted, _) = await f.Http.Get(p + "?$filter=contains(description,'even')&$count=true&$top=2");
        Assert.Equal(6, counted!["@odata.count"]!.GetValue<int>());
        Assert.Equal(2, counted["value"]!.AsArray().Count);

        var (cs, _, cr) = await f.Http.Get(p + "/$count?$filter=startswith(description,'odd') and postingDate ge 2025-01-05");
        Assert.Equal(200, cs);
        Assert.Equal("4", await cr.Content.ReadAsStringAsync()); // odd 5, 7, 9, 11

        Assert.Equal(2, (await Values(p + "?$filter=documentNumber in ('D0001','D0003','NONE')")).Count);
        Assert.Equal(11, (await Values(p + "?$filter=not (lineNumber eq 10000)")).Count);
        Assert.Single(await Values(p + "?$filter=amount mul -1 add 0.75 eq 101"));
        // Code fields compare in upper case, as Business Central stores them.
        Assert.Equal(6, (await Values($"{C}/customerPayments?$filter=journalId eq {j} and (customerNumber eq 'C00002' or customerNumber eq 'c00003')")).Count);
        Assert.Equal(3, (await Values($"{C}/customerPayments?$filter=journalId eq {j} and customerNumber in ('C00002')")).Count);
    }

    public static TheoryData<string> Sets() =>
    [
        "customerPaymentJournals", "customers", "contacts", "salesInvoices", "accounts", "dimensions", "vendors",
        "salesInvoices(d1000000-0000-4000-8000-000000000001)/salesInvoiceLines", "dimensions(f3000000-0000-4000-8000-000000000001)/dimensionValues",
    ];

    [Theory]
    [MemberData(nameof(Sets))]
    public async Task Every_entity_set_pages_counts_and_selects(string set)
    {
        var all = await Values($"{C}/{set}");
        Assert.NotEmpty(all);
        var (_, counted, _) = await f.Http.Get($"{C}/{set}?$count=true&$top=1&$select=id");
        Assert.True(counted!["@odata.count"]!.GetValue<int>() >= all.Count);
        Assert.Single(counted["value"]!.AsArray());
        Assert.Equal(["@odata.etag", "id"], counted["value"]![0]!.AsObject().Select(kv => kv.Key));
        var id = all[0]!.Str("id");
        Assert.Single(await Values($"{C}/{set}?$filter=id eq {id}"));
        var byIdDesc = await Values($"{C}/{set}?$orderby=id desc");
        Assert.Equal(all.Select(x => x.Str("id")).OrderDescending(StringComparer.Ordinal), byIdDesc.Select(x => x.Str("id")));
    }

    [Fact]
    public async Task Expand_takes_nested_select_filter_orderby_and_top()
    {
        var j = await NewJournalWithPayments("QO-2", 6);
        var (_, body, _) = await f.Http.Get($"{C}/customerPaymentJournals?$filter=id eq {j}&$expand=customerPayments($select=amount;$filter=amount lt -200;$orderby=amount;$top=2)");
        var payments = body!["value"]![0]!["customerPayments"]!.AsArray();
        Assert.Equal([-600.25m, -500.25m], payments.Select(x => x!["amount"]!.GetValue<decimal>()));
        Assert.Null(payments[0]!["description"]);
        var (_, single, _) = await f.Http.Get($"{C}/customerPaymentJournals({j})/customerPayments?$top=1&$expand=customer($select=displayName),customerPaymentJournal");
        Assert.NotNull(single!["value"]![0]!["customer"]!["displayName"]);
        Assert.Equal("QO-2", single["value"]![0]!["customerPaymentJournal"]!.Str("code"));
    }

    [Fact]
    public async Task Server_paging_stays_correct_while_rows_are_inserted_and_deleted_between_pages()
    {
        var j = await NewJournalWithPayments("QO-3", 25);
        var p = $"{C}/customerPaymentJournals({j})/customerPayments";
        var original = (await Values(p)).Select(x => (Id: x.Str("id"), Line: x!["lineNumber"]!.GetValue<int>())).ToList();
        var headers = new Dictionary<string, string> { ["Prefer"] = "odata.maxpagesize=10" };
        var seen = new List<(string Id, int Line)>();
        var deleted = new HashSet<string>();
        string? url = p + "?$orderby=lineNumber";
        var pages = 0;
        while (url is not null)
        {
            var (status, body, resp) = await f.Http.Get(url, headers);
            Assert.Equal(200, status);
            Assert.Equal("odata.maxpagesize=10", resp.Headers.GetValues("Preference-Applied").Single());
            seen.AddRange(body!["value"]!.AsArray().Select(x => (x.Str("id"), x!["lineNumber"]!.GetValue<int>())));
            url = body["@odata.nextLink"]?.GetValue<string>();
            pages++;
            if (pages == 1)
            {
                // Between pages: a row before the cursor and a row after it disappear, new rows appear at both ends.
                foreach (var victim in new[] { original[2], original[15] })
                {
                    var (_, v, _) = await f.Http.Get($"{p}({victim.Id})");
                    Assert.Equal(204, (await f.Http.Delete($"{p}({victim.Id})", v.Str("@odata.etag"))).Status);
                    deleted.Add(victim.Id);
                }
                Assert.Equal(201, (await f.Http.Post(p, new { customerNumber = "C00001", amount = -1, lineNumber = 5 })).Status);
                Assert.Equal(201, (await f.Http.Post(p, new { customerNumber = "C00001", amount = -1, lineNumber = 999999 })).Status);
            }
        }
        Assert.True(pages >= 3);
        Assert.Equal(seen.Select(s => s.Id).Distinct().Count(), seen.Count); // never twice
        Assert.Equal(seen.Select(s => s.Line).Order(), seen.Select(s => s.Line)); // in order
        foreach (var row in original.Where(o => !deleted.Contains(o.Id)))
            Assert.Contains(row.Id, seen.Select(s => s.Id)); // nothing that stayed was skipped
        Assert.Contains(999999, seen.Select(s => s.Line)); // a row inserted after the cursor is reached
        Assert.DoesNotContain(original[15].Id, seen.Select(s => s.Id)); // a row deleted ahead of the cursor is not
    }

    [Fact]
    public async Task Top_larger_than_the_page_carries_the_rest_into_the_next_link()
    {
        var j = await NewJournalWithPayments("QO-4", 7);
        var headers = new Dictionary<string, string> { ["Prefer"] = "odata.maxpagesize=3" };
        var (_, first, _) = await f.Http.Get($"{C}/customerPaymentJournals({j})/customerPayments?$top=5", headers);
        Assert.Equal(3, first!["value"]!.AsArray().Count);
        var next = first["@odata.nextLink"]!.GetValue<string>();
        Assert.Contains("$top=2", next);
        var (_, second, _) = await f.Http.Get(next, headers);
        Assert.Equal(2, second!["value"]!.AsArray().Count);
        Assert.Null(second["@odata.nextLink"]);
    }

    [Theory]
    [InlineData("?$top=100001", "BadRequest_InvalidQueryOption")]
    [InlineData("?$top=-1", "BadRequest_InvalidQueryOption")]
    [InlineData("?$skip=abc", "BadRequest_InvalidQueryOption")]
    [InlineData("?$filter=nosuch eq 1", "BadRequest_InvalidQueryOption")]
    [InlineData("?$filter=round(amount) eq 1", "BadRequest_NotSupported")]
    [InlineData("?$orderby=nosuch", "BadRequest_InvalidQueryOption")]
    [InlineData("?$select=nosuch", "BadRequest_InvalidQueryOption")]
    [InlineData("?$expand=nosuch", "BadRequest_InvalidQueryOption")]
    [InlineData("?$search=abc", "BadRequest_NotSupported")]
    [InlineData("?$apply=groupby((amount))", "BadRequest_NotSupported")]
    [InlineData("?$foo=1", "BadRequest_NotSupported")]
    [InlineData("?$skiptoken=garbage", "BadRequest_InvalidQueryOption")]
    [InlineData("?$top=1&$top=2", "BadRequest_InvalidQueryOption")]
    [InlineData("?$expand=customer($expand=nosuch)", "BadRequest_InvalidQueryOption")]
    public async Task Bad_query_options_are_a_400_naming_the_problem(string query, string code)
    {
        var (status, body, _) = await f.Http.Get(ServiceFixture.PaymentsPath() + query);
        Assert.Equal(400, status);
        Assert.Equal(code, body.ErrorCode());
    }

    [Fact]
    public async Task Limits_are_checked_before_the_database()
    {
        var many = string.Join(" or ", Enumerable.Range(1, 60).Select(i => $"lineNumber eq {i}"));
        var (s1, b1, _) = await f.Http.Get(ServiceFixture.PaymentsPath() + "?$filter=" + Uri.EscapeDataString(many));
        Assert.Equal(400, s1);
        Assert.Contains("nodes", b1!["error"]!.Str("message"));

        var (s2, _, _) = await f.Http.Get($"{C}/customerPaymentJournals?$expand=customerPayments($expand=customer($expand=nosuch))");
        Assert.Equal(400, s2);

        var (s3, b3, _) = await f.Http.Get(ServiceFixture.PaymentsPath() + "?$filter=description eq '" + new string('x', 9000) + "'");
        Assert.Equal(414, s3);
        Assert.Equal("BadRequest_UriTooLong", b3.ErrorCode());

        var big = "{\"comment\":\"" + new string('x', 1_100_000) + "\"}";
        var (s4, b4, _) = await f.Http.Post(ServiceFixture.PaymentsPath(), big);
        Assert.Equal(413, s4);
        Assert.Equal("BadRequest_RequestTooLarge", b4.ErrorCode());
    }
}
