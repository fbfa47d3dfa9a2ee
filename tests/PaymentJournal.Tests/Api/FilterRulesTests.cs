using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// $filter and $orderby answers that must follow OData's rules on every database: literals in `in` lists, integer
/// expressions compared with each other, characters outside the BMP, Unicode case mapping and whitespace, and
/// strings in code-point order.
/// </summary>
public abstract class FilterRulesTestsBase(FilterFixture f)
{
    private static readonly string C = ServiceFixture.CompanyPath();

    /// <summary>A journal holding one payment per row (line numbers 10000, 20000, ... in row order); its payments' path.</summary>
    protected async Task<string> Journal(params (string Description, string Comment, string Date)[] rows)
    {
        var (status, body, _) = await f.Http.Post(C + "/customerPaymentJournals", new { code = "F" + Guid.NewGuid().ToString("N")[..8] });
        Assert.True(status == 201, f.LastError());
        var path = $"{C}/customerPaymentJournals({body.Str("id")})/customerPayments";
        foreach (var (description, comment, date) in rows)
        {
            var (s, b, _) = await f.Http.Post(path, new { customerNumber = "C00001", amount = -10m, description, comment, postingDate = date });
            Assert.True(s == 201, b?.ToJsonString() + f.LastError());
        }
        return path;
    }

    /// <summary>The rows (1 for line 10000, ...) a filter selects, in line order.</summary>
    protected async Task<string> Rows(string path, string filter)
    {
        var url = $"{path}?$filter={Uri.EscapeDataString(filter)}&$orderby=lineNumber&$select=lineNumber";
        var (status, body, _) = await f.Http.Get(url);
        Assert.True(status == 200, $"{filter} -> {status} {body?.ToJsonString()} {f.LastError()}");
        return string.Join(",", body!["value"]!.AsArray().Select(x => x!["lineNumber"]!.GetValue<int>() / 10000));
    }

    protected async Task<List<string>> Descriptions(string path, string query)
    {
        var (status, body, _) = await f.Http.Get($"{path}?{query}&$select=description");
        Assert.True(status == 200, $"{query} -> {status} {body?.ToJsonString()} {f.LastError()}");
        return body!["value"]!.AsArray().Select(x => x!["description"]!.GetValue<string>()).ToList();
    }

    [Fact]
    public async Task Dates_and_timestamps_in_an_in_list()
    {
        var p = await Journal(("a", "", "2024-02-29"), ("b", "", "2025-01-01"), ("c", "", "2024-03-01"));
        Assert.Equal("1", await Rows(p, "postingDate in (2024-02-29)"));
        Assert.Equal("1,2", await Rows(p, "postingDate in (2024-02-29, 2025-01-01)"));
        Assert.Equal(await Rows(p, "postingDate eq 2024-02-29"), await Rows(p, "postingDate in (2024-02-29)"));

        var (_, row, _) = await f.Http.Get($"{p}?$filter=lineNumber eq 20000&$select=lastModifiedDateTime");
        var stamp = row!["value"]![0]!["lastModifiedDateTime"]!.GetValue<string>();
        Assert.Equal("2", await Rows(p, $"lastModifiedDateTime in ({stamp})"));
        Assert.Equal("2", await Rows(p, $"lastModifiedDateTime in (1999-01-01T00:00:00Z, {stamp})"));
    }

    [Fact]
    public async Task An_empty_string_in_an_in_list()
    {
        var p = await Journal(("a", "x", "2025-01-01"), ("b", "", "2025-01-01"), ("c", "y", "2025-01-01"));
        Assert.Equal("1,2", await Rows(p, "comment in ('x','')"));
        Assert.Equal("2", await Rows(p, "comment in ('')"));
    }

    [Fact]
    public async Task Backslashes_commas_and_quotes_in_an_in_list_are_the_characters_themselves()
    {
        var p = await Journal(("back\\slash", "", "2025-01-01"), ("a\\tb", "", "2025-01-01"), ("a\tb", "", "2025-01-01"),
            ("x,y", "", "2025-01-01"), ("it's \"so\"", "", "2025-01-01"), ("a) or (1 eq 1", "", "2025-01-01"));
        Assert.Equal("1", await Rows(p, "description in ('back\\slash')"));
        Assert.Equal("2", await Rows(p, "description in ('a\\tb')"));
        Assert.Equal(await Rows(p, "description eq 'a\\tb'"), await Rows(p, "description in ('a\\tb')"));
        Assert.Equal("3", await Rows(p, "description in ('a\tb')"));
        Assert.Equal("4,5", await Rows(p, "description in ('x,y', 'it''s \"so\"')"));
        Assert.Equal("6", await Rows(p, "description in ('a) or (1 eq 1')"));
    }

    [Fact]
    public async Task Two_integer_expressions_compare()
    {
        var p = await Journal(("abc", "ab", "2024-04-10"), ("a", "abcd", "2025-01-01"), ("-", "--", "2024-05-03"));
        Assert.Equal("1,2,3", await Rows(p, "lineNumber eq lineNumber"));
        Assert.Equal("1", await Rows(p, "length(description) gt length(comment)"));
        Assert.Equal("", await Rows(p, "year(postingDate) eq month(postingDate)"));
        Assert.Equal("1", await Rows(p, "year(postingDate) sub 2020 eq month(postingDate)"));
        Assert.Equal("1", await Rows(p, "day(postingDate) gt month(postingDate) add lineNumber div 10000"));
        Assert.Equal("2", await Rows(p, "lineNumber sub length(comment) eq 19996"));
    }

    [Fact]
    public async Task Characters_outside_the_basic_plane_count_as_one()
    {
        var p = await Journal(("😀x", "😀😀", "2025-01-01"), ("x😀", "a😀😀", "2025-01-01"), ("xy", "😀", "2025-01-01"));
        Assert.Equal("1", await Rows(p, "startswith(description,'😀')"));
        Assert.Equal("1,2", await Rows(p, "endswith(comment,'😀😀')"));
        Assert.Equal("2", await Rows(p, "endswith(description,'😀')"));
        Assert.Equal("1", await Rows(p, "substring(description,0,1) eq '😀'"));
        Assert.Equal("1,2,3", await Rows(p, "length(description) eq 2"));
        Assert.Equal("1", await Rows(p, "indexof(description,'x') eq 1"));
        Assert.Equal("2", await Rows(p, "length(comment) eq 3"));
        Assert.Equal("1,2,3", await Rows(p, "length('😀') eq 1"));
    }

    [Fact]
    public async Task Case_mapping_is_unicode()
    {
        var p = await Journal(("CAFÉ", "", "2025-01-01"), ("café", "", "2025-01-01"), ("ÀÖØÞ", "", "2025-01-01"), ("Ωμέγα", "", "2025-01-01"));
        Assert.Equal("1,2", await Rows(p, "tolower(description) eq 'café'"));
        Assert.Equal("1,2", await Rows(p, "toupper(description) eq 'CAFÉ'"));
        Assert.Equal("3", await Rows(p, "tolower(description) eq 'àöøþ'"));
        Assert.Equal("4", await Rows(p, "toupper(description) eq 'ΩΜΈΓΑ'"));
        Assert.Equal("4", await Rows(p, "contains(tolower(description),'ωμ')"));
    }

    [Fact]
    public async Task Trim_removes_unicode_whitespace_at_both_ends()
    {
        var p = await Journal(("\tpad\u00A0", "", "2025-01-01"), (" pad ", "", "2025-01-01"), ("\u3000\u2003pad\n\r", "", "2025-01-01"),
            ("p a d", "", "2025-01-01"), ("pad\u200B", "", "2025-01-01"));
        Assert.Equal("1,2,3", await Rows(p, "trim(description) eq 'pad'"));
        Assert.Equal("4", await Rows(p, "trim(description) eq 'p a d'"));
        Assert.Equal("1,2,3", await Rows(p, "length(trim(description)) eq 3"));
    }

    private static readonly string[] Awkward =
        ["b", "B", "a", "A", "é", "E", "_x", "😀", "\uFF01", "a b", "ab", "Z", "z", "-1", "10", "9", "ä", "Å"];

    [Fact]
    public async Task Strings_order_by_code_point()
    {
        var p = await Journal(Awkward.Select(d => (d, "", "2025-01-01")).ToArray());
        var expected = Awkward.OrderBy(s => s, CodePointOrder.Instance).ToList();
        Assert.Equal(expected, await Descriptions(p, "$orderby=description"));
        Assert.Equal(Enumerable.Reverse(expected), await Descriptions(p, "$orderby=description desc"));
        Assert.Equal(expected.Where(s => CodePointOrder.Instance.Compare(s, "a") > 0).ToList(),
            await Descriptions(p, "$filter=description gt 'a'&$orderby=description"));
        Assert.Equal(expected.Where(s => CodePointOrder.Instance.Compare(s, "\uFF01") < 0).ToList(),
            await Descriptions(p, "$filter=description lt '\uFF01'&$orderby=description"));

        // Computed strings too, and pages read with skip tokens.
        var lower = Awkward.OrderBy(s => SqlText.ToLower(s), CodePointOrder.Instance).ThenBy(s => s, CodePointOrder.Instance).ToList();
        Assert.Equal(lower, await Descriptions(p, "$orderby=tolower(description),description"));
        Assert.Equal(expected.Where(s => CodePointOrder.Instance.Compare(SqlText.ToLower(s), "b") > 0).ToList(),
            await Descriptions(p, "$filter=tolower(description) gt 'b'&$orderby=description"));
        var paged = new List<string>();
        string? next = $"{p}?$orderby=description&$select=description";
        while (next is not null)
        {
            var (status, body, _) = await f.Http.Get(next, new Dictionary<string, string> { ["Prefer"] = "odata.maxpagesize=5" });
            Assert.Equal(200, status);
            paged.AddRange(body!["value"]!.AsArray().Select(x => x!["description"]!.GetValue<string>()));
            next = body["@odata.nextLink"]?.GetValue<string>();
        }
        Assert.Equal(expected, paged);
    }
}

public sealed class FilterRulesTests(FilterFixture f) : FilterRulesTestsBase(f), IClassFixture<FilterFixture>;

public sealed class FilterRulesIcuTests(IcuPostgresFixture f) : FilterRulesTestsBase(f), IClassFixture<IcuPostgresFixture>
{
    [Fact]
    public async Task The_database_default_is_an_icu_collation()
    {
        if (f.Provider != DatabaseProvider.Postgres) return;
        var provider = await f.WithDb(async db =>
        {
            var conn = db.Database.GetDbConnection();
            await conn.OpenAsync();
            try
            {
                await using var cmd = conn.CreateCommand();
                cmd.CommandText = "SELECT datlocprovider::text || ' ' || coalesce(daticulocale, '') FROM pg_database WHERE datname = current_database()";
                return (string)(await cmd.ExecuteScalarAsync())!;
            }
            finally
            {
                await conn.CloseAsync();
            }
        });
        Assert.Equal("i en-US", provider);
    }
}
