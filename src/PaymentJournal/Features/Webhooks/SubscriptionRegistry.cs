using System.Linq.Expressions;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Webhooks;

/// <summary>A subscription as the write paths match it against a change.</summary>
public sealed record ActiveSubscription(string Id, string Resource, long ExpiresAt, Func<object, Guid>? ParentOf, Guid ParentId);

/// <summary>
/// The live subscriptions in memory, by company and entity set, so that a write with none to notify pays one dictionary
/// lookup. Re-read from the database after a subscription changes on this node and every Webhooks:RefreshInterval
/// (changes made on other nodes).
/// </summary>
public sealed class SubscriptionRegistry(WebhookStore store, IServiceProvider services)
{
    private volatile Dictionary<(Guid Company, string Set), ActiveSubscription[]> _bySet = new();
    private readonly SemaphoreSlim _reload = new(1, 1);

    /// <summary>True when no subscription exists at all (the common case).</summary>
    public bool Empty => _bySet.Count == 0;

    public ActiveSubscription[] For(Guid company, string set) =>
        _bySet.Count != 0 && _bySet.TryGetValue((company, set), out var subs) ? subs : [];

    public async Task ReloadAsync(CancellationToken ct = default)
    {
        await _reload.WaitAsync(ct);
        try
        {
            var all = await store.AllAsync(ct);
            var now = store.Now();
            var next = new Dictionary<(Guid, string), List<ActiveSubscription>>();
            foreach (var s in all)
            {
                if (s.ExpiresAt <= now) continue;
                Func<object, Guid>? parentOf = null;
                if (s.ParentNav.Length > 0)
                {
                    var nav = ParentNavigation(s);
                    if (nav?.ChildForeignKey is null) continue;
                    parentOf = Compile(nav.ChildForeignKey);
                }
                var key = (s.CompanyId, s.EntitySet);
                if (!next.TryGetValue(key, out var list)) next[key] = list = [];
                list.Add(new ActiveSubscription(s.Id, s.Resource, s.ExpiresAt, parentOf, s.ParentId));
            }
            _bySet = next.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        }
        finally
        {
            _reload.Release();
        }
    }

    private NavigationDef? ParentNavigation(Subscription s)
    {
        // Resolved late: the catalog's sets are built with the outbox, which needs this registry.
        foreach (var set in services.GetRequiredService<Catalog>().Sets)
            if (set.Navigations.FirstOrDefault(n => n.Name == s.ParentNav && n.TargetSet == s.EntitySet && n.IsCollection) is { } nav)
                return nav;
        return null;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<LambdaExpression, Func<object, Guid>> Compiled = new();

    private static Func<object, Guid> Compile(LambdaExpression fk) => Compiled.GetOrAdd(fk, e =>
    {
        var o = Expression.Parameter(typeof(object), "o");
        var body = new Rebind(e.Parameters[0], Expression.Convert(o, e.Parameters[0].Type)).Visit(e.Body);
        return Expression.Lambda<Func<object, Guid>>(body, o).Compile();
    });

    private sealed class Rebind(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
