namespace PaymentJournal.Tests.Api;

/// <summary>
/// Model-based posting on one node (the provider of the run): random journals from fixed seeds, posted one after
/// another and all at once, compared with the ledger model after every round (see <see cref="PostingScenarios"/>).
/// PJ_POSTING_SEED=n replays one seed; PJ_POSTING_SEEDS=n adds n random seeds, each printed when it fails.
/// </summary>
public sealed class PostingModelTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Random_journals_posted_in_turn_and_at_once_match_the_ledger_model()
    {
        var run = new PostingScenarios([f.Http, f.Http], f);
        foreach (var seed in PostingScenarios.Seeds(1, 2)) await run.RunAsync(seed);
    }
}
