using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.WebApp;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// The warm-up reads the first page of the first journal that has lines, not of an empty journal before it: an empty
/// page would leave out the reads and the writing of rows.
/// </summary>
public sealed class WarmUpJournalTests(WarmUpJournalTests.Fixture f) : IClassFixture<WarmUpJournalTests.Fixture>
{
    public sealed class Fixture : ServiceFixture
    {
        public string Empty { get; private set; } = "";
        public string WithLines { get; private set; } = "";

        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("WebApp:WarmUp", "true")];

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            // "AAA" sorts before the demo's GENERAL and is empty; "AAB" has a line.
            Empty = (await Http.Post(CompanyPath() + "/customerPaymentJournals", new { code = "AAA", displayName = "Empty" })).Body.Str("id");
            WithLines = (await Http.Post(CompanyPath() + "/customerPaymentJournals", new { code = "AAB", displayName = "One line" })).Body.Str("id");
            Assert.Equal(201, (await Http.Post(PaymentsPath(journal: WithLines), new { customerNumber = "C00001", amount = -1 })).Status);
            await RestartServiceAsync();
        }
    }

    [Fact]
    public async Task It_reads_the_first_page_of_the_first_journal_with_lines()
    {
        var warmUp = f.Services.GetRequiredService<WarmUp>();
        await warmUp.Finished.WaitAsync(TimeSpan.FromMinutes(3));
        var reads = warmUp.Reads.Select(r => r.Path).ToList();
        Assert.All(warmUp.Reads, r => Assert.Equal(200, r.Status));
        var company = $"companies({ServiceFixture.Company})";
        // Both were counted; only the one with lines was read.
        Assert.Contains($"{company}/customerPaymentJournals({f.Empty})/customerPayments/$count", reads);
        Assert.Contains($"{company}/customerPaymentJournals({f.WithLines})/customerPayments/$count", reads);
        Assert.Contains($"{company}/customerPaymentJournals({f.WithLines})/customerPayments", reads);
        Assert.DoesNotContain($"{company}/customerPaymentJournals({f.Empty})/customerPayments", reads);
        Assert.Contains($"{ServiceFixture.Posting}{company}/customerPaymentJournals({f.WithLines})/customerPayments", reads);
    }
}
