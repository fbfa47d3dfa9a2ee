using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// A commit observer a test sets to hold a commit or make it fail at the last moment. A fixture registers it with
/// <see cref="Register"/> from its <c>Configure</c>; the service then uses it in place of its no-op.
/// </summary>
public sealed class TestCommitObserver : ICommitObserver
{
    /// <summary>Runs on the SQLite writer's sync thread before each fsync of the WAL, while set.</summary>
    public volatile Action? BeforeWalSyncAction;

    /// <summary>By journal id: runs inside the post's transaction after every row is written, before the commit.</summary>
    public ConcurrentDictionary<Guid, Func<Task>> BeforePostCommit { get; } = new();

    public void BeforeWalSync() => BeforeWalSyncAction?.Invoke();

    public Task BeforePostCommitAsync(Guid journalId) =>
        BeforePostCommit.TryGetValue(journalId, out var hook) ? hook() : Task.CompletedTask;

    public static TestCommitObserver Register(WebApplicationBuilder builder)
    {
        var observer = new TestCommitObserver();
        builder.Services.AddSingleton<ICommitObserver>(observer);
        return observer;
    }
}
