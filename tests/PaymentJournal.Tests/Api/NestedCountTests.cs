using System.Globalization;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// A count under a parent ($count, and $count=true beside a page) counts the parent's rows by the parent's key once
/// the parent is known to be in the company: the same numbers as before, and still a 404 for a parent of another company.
/// </summary>
public sealed class NestedCountTests(TwoCompaniesFixture f) : IClassFixture<TwoCompaniesFixture>
{
    private static readonly string JournalOfB = ServiceFixture.CompanyPath() + $"/customerPaymentJournals({SecondCompany.Journal})";

    [Fact]
    public async Task A_journal_counts_its_own_lines_with_and_without_a_filter()
    {
        var journal = await Make.JournalId(f.Http);
        foreach (var amount in new[] { -1, -2, -3 })
            await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount });
        var lines = ServiceFixture.PaymentsPath(journal: journal);

        Assert.Equal("3", await TextAsync(lines + "/$count"));
        Assert.Equal("2", await TextAsync(lines + "/$count?$filter=amount lt -1"));
        var page = await f.Http.Get(lines + "?$count=true&$top=1");
        Assert.Equal(3, page.Body!["@odata.count"]!.GetValue<long>());
        Assert.Single(page.Body!["value"]!.AsArray());
        // Another journal's lines are not counted.
        Assert.Equal("0", await TextAsync(ServiceFixture.PaymentsPath(journal: await Make.JournalId(f.Http)) + "/$count"));
    }

    [Theory]
    [InlineData("/customerPayments/$count")]
    [InlineData("/customerPayments?$count=true")]
    [InlineData($"/customerPayments({SecondCompanyPayment})/dimensionSetLines/$count")]
    public async Task A_count_under_a_parent_of_another_company_is_404(string rest)
    {
        // Company B's journal has a line, and its line a dimension: reached through company A, neither is counted.
        var r = await f.Http.Get(JournalOfB + rest);
        Assert.Equal(404, r.Status);
        Assert.Equal("Internal_RecordNotFound", r.Body.ErrorCode());
    }

    private const string SecondCompanyPayment = "b6000000-0000-4000-8000-00000000000b";

    private async Task<string> TextAsync(string url)
    {
        var r = await f.Http.Get(url);
        Assert.Equal(200, r.Status);
        var text = await r.Response.Content.ReadAsStringAsync();
        Assert.True(long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _), text);
        return text;
    }
}
