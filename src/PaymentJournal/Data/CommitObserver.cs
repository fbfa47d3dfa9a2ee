namespace PaymentJournal.Data;

/// <summary>
/// Sees a write at the last moment before it becomes durable. The service registers <see cref="NoCommitObserver"/>;
/// tests register their own to hold a commit or make it fail there. Callers keep <see cref="CommitObserver.Active"/>, which is
/// null for the no-op, so the default path costs a null check.
/// </summary>
public interface ICommitObserver
{
    /// <summary>Runs on the SQLite writer's sync thread after a batch's COMMIT has returned, before the fsync of the WAL.</summary>
    void BeforeWalSync();

    /// <summary>Runs inside a journal post's transaction once every row is written, before the commit; throwing rolls the post back.</summary>
    Task BeforePostCommitAsync(Guid journalId);
}

/// <summary>The observer the service runs with: nothing.</summary>
public sealed class NoCommitObserver : ICommitObserver
{
    public void BeforeWalSync() { }
    public Task BeforePostCommitAsync(Guid journalId) => Task.CompletedTask;
}

public static class CommitObserver
{
    /// <summary>The observer to call, or null when it is the no-op.</summary>
    public static ICommitObserver? Active(ICommitObserver? observer) => observer is null or NoCommitObserver ? null : observer;
}
