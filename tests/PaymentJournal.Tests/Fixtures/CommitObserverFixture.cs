namespace PaymentJournal.Tests.Fixtures;

/// <summary>The service with a <see cref="TestCommitObserver"/> in place of its no-op, for tests that make a commit fail.</summary>
public class CommitObserverFixture : ServiceFixture
{
    public TestCommitObserver Commits { get; private set; } = null!;

    protected override void Configure(WebApplicationBuilder builder) => Commits = TestCommitObserver.Register(builder);
}
