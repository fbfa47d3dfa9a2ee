using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Tests.Api;

/// <summary>Many writers at once: every write commits or fails on its own, and numbering never repeats.</summary>
public sealed class ConcurrencyTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Concurrent_creates_get_distinct_line_and_document_numbers()
    {
        var (s, journal, _) = await f.Http.Post(ServiceFixture.CompanyPath() + "/customerPaymentJournals", new { code = "CC-1" });
        Assert.Equal(201, s);
        var url = $"{ServiceFixture.CompanyPath()}/customerPaymentJournals({journal.Str("id")})/customerPayments";
        // Distinct external document numbers make every line take the next number of the journal's series.
        var results = await Task.WhenAll(Enumerable.Range(1, 60).Select(i =>
            f.Http.Post(url, new { customerNumber = "C00001", amount = -i, externalDocumentNumber = $"EXT{i}" })));
        Assert.All(results, r => Assert.Equal(201, r.Status));
        var lines = results.Select(r => r.Body!["lineNumber"]!.GetValue<int>()).ToList();
        var docs = results.Select(r => r.Body.Str("documentNumber")).ToList();
        Assert.Equal(60, lines.Distinct().Count());
        Assert.Equal(60, docs.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 60).Select(i => i * 10000), lines.Order());
    }

    [Fact]
    public async Task A_failing_write_among_concurrent_ones_takes_nothing_else_with_it()
    {
        var before = await f.WithDb(db => db.CustomerPayments.CountAsync());
        var results = await Task.WhenAll(Enumerable.Range(1, 40).Select(i =>
            f.Http.Post(ServiceFixture.PaymentsPath(), new { customerNumber = i % 4 == 0 ? "NOSUCH" : "C00002", amount = -i })));
        Assert.Equal(10, results.Count(r => r.Status == 400));
        Assert.Equal(30, results.Count(r => r.Status == 201));
        Assert.Equal(before + 30, await f.WithDb(db => db.CustomerPayments.CountAsync()));
    }

    [Fact]
    public async Task Two_patches_with_the_same_etag_let_exactly_one_win()
    {
        var (_, created, _) = await f.Http.Post(ServiceFixture.PaymentsPath(), new { customerNumber = "C00003", amount = -5 });
        var url = $"{ServiceFixture.PaymentsPath()}({created.Str("id")})";
        var etag = created.Str("@odata.etag");
        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => f.Http.Patch(url, new { amount = -i }, etag)));
        Assert.Equal(1, results.Count(r => r.Status == 200));
        Assert.Equal(7, results.Count(r => r.Status == 409));
        Assert.All(results.Where(r => r.Status == 409), r => Assert.Equal("Request_EntityChanged", r.Body.ErrorCode()));
    }
}
