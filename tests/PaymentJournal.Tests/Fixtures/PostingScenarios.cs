using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Reads the database behind the service(s), for checks that look past the API.</summary>
public interface IDbAccess
{
    Task<T> WithDb<T>(Func<AppDb, Task<T>> work);
}

/// <summary>A PostgreSQL database that service nodes share, read with a context of its own.</summary>
public sealed class NpgsqlDbAccess(string connectionString) : IDbAccess
{
    public async Task<T> WithDb<T>(Func<AppDb, Task<T>> work)
    {
        await using var db = new AppDb(new DbContextOptionsBuilder<AppDb>().UseNpgsql(connectionString).Options);
        return await work(db);
    }
}

/// <summary>
/// Random payment journals from a seed, over fresh customers and posted invoices: partial, exact and over-payments,
/// several lines on one invoice, lines on the same invoices across journals, now and then a line on a paid invoice.
/// Each round posts its journals one after another or all at once (through the given nodes in turn), then compares
/// the database with a <see cref="LedgerModel"/> and checks the ledger invariants. Posts at once must match the model
/// of some order of those posts, both in which were refused and in what they left. A failure names its seed.
/// </summary>
public sealed class PostingScenarios(IReadOnlyList<HttpClient> nodes, IDbAccess db)
{
    /// <summary>The variable that replays one seed, and the one that adds that many random seeds to the fixed ones.</summary>
    public const string SeedVariable = "PJ_POSTING_SEED", SeedsVariable = "PJ_POSTING_SEEDS";

    /// <summary>The fixed seeds, or the one in <see cref="SeedVariable"/>, plus <see cref="SeedsVariable"/> random ones.</summary>
    public static IReadOnlyList<int> Seeds(params int[] fixedSeeds)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var one)) return [one];
        var extra = int.TryParse(Environment.GetEnvironmentVariable(SeedsVariable), out var n) ? n : 0;
        return fixedSeeds.Concat(Enumerable.Range(0, extra).Select(_ => Random.Shared.Next())).ToList();
    }

    public async Task RunAsync(int seed, int rounds = 4)
    {
        var replay = $"seed {seed} (replay with {SeedVariable}={seed})";
        var rnd = new Random(seed);
        var model = new LedgerModel();
        var customers = new List<(string Id, string Number)>();
        for (var i = rnd.Next(2, 4); i > 0; i--)
        {
            var c = await NewCustomerAsync(Node(rnd));
            customers.Add(c);
            model.AddCustomer(c.Id);
        }
        var invoices = new List<(string Id, string CustomerId)>();
        async Task NewInvoiceAsync()
        {
            var c = customers[rnd.Next(customers.Count)];
            var cents = rnd.Next(1, 2001) * 100L + rnd.Next(100);
            var (id, _) = await PostedInvoiceAsync(Node(rnd), c.Number, cents / 100m);
            invoices.Add((id, c.Id));
            model.AddInvoice(id, c.Id, cents);
        }
        for (var i = rnd.Next(2, 5); i > 0; i--) await NewInvoiceAsync();
        var (cash, receivables) = await db.WithDb(LedgerModel.AccountsAsync);
        model.SetAccounts(cash, receivables);
        await CompareAsync(model, $"{replay}, after the set-up");

        for (var round = 0; round < rounds; round++)
        {
            if (round > 0 && rnd.Next(2) == 0) await NewInvoiceAsync();
            var journals = new List<LedgerModel.Journal>();
            for (var j = rnd.Next(2, 5); j > 0; j--)
            {
                var lines = new List<LedgerModel.Line>();
                for (var i = rnd.Next(1, 5); i > 0; i--) lines.Add(NewLine(rnd, model, customers, invoices, $"R{round}J{journals.Count}L{lines.Count}"));
                journals.Add(await CreateAsync(Node(rnd), lines));
            }
            model = await PostRoundAsync(model, journals, atOnce: round % 2 == 1, $"{replay}, round {round}");
        }
    }

    /// <summary>
    /// Posts the journals one after another (comparing with the model after each) or all at once (the outcome must be
    /// that of some order of them), then checks the ledger invariants; returns the model after the round.
    /// </summary>
    public async Task<LedgerModel> PostRoundAsync(LedgerModel model, IReadOnlyList<LedgerModel.Journal> journals, bool atOnce, string where)
    {
        if (!atOnce)
        {
            for (var k = 0; k < journals.Count; k++)
            {
                var status = await PostAsync(nodes[k % nodes.Count], journals[k], where);
                var posted = model.Post(journals[k]);
                Assert.True(posted == (status == 204), $"{where}: journal {k} answered {status}, the model says {(posted ? "posted" : "refused")}");
                await CompareAsync(model, $"{where}, journal {k} (posted one after another)");
            }
        }
        else
        {
            var statuses = await Task.WhenAll(journals.Select((j, k) => PostAsync(nodes[k % nodes.Count], j, where)));
            var observed = await db.WithDb(model.ObserveAsync);
            var match = Permutations(journals.Count).Select(order =>
            {
                var m = model.Clone();
                return order.All(k => m.Post(journals[k]) == (statuses[k] == 204)) && m.Render() == observed ? m : null;
            }).FirstOrDefault(m => m is not null);
            if (match is null)
            {
                var inOrder = model.Clone();
                foreach (var j in journals) inOrder.Post(j);
                Assert.Fail($"{where}: {journals.Count} posts at once answered {string.Join(", ", statuses)}, which no order of them explains. " +
                            $"Against posting them in journal order:\n{LedgerModel.Diff(inOrder.Render(), observed)}");
            }
            model = match!;
        }
        var violations = await db.WithDb(d => LedgerInvariants.ViolationsAsync(d, Guid.Parse(ServiceFixture.Company)));
        Assert.True(violations.Count == 0, $"{where}: ledger invariants violated:\n" + string.Join("\n", violations));
        return model;
    }

    private HttpClient Node(Random rnd) => nodes[rnd.Next(nodes.Count)];

    private static LedgerModel.Line NewLine(Random rnd, LedgerModel model, List<(string Id, string Number)> customers,
        List<(string Id, string CustomerId)> invoices, string documentNumber)
    {
        var c = customers[rnd.Next(customers.Count)];
        var own = invoices.Where(i => i.CustomerId == c.Id).Select(i => i.Id).ToList();
        var open = own.Where(i => model.Remaining(i) > 0).ToList();
        string? invoice = null;
        if (own.Count > 0 && rnd.Next(100) < 75)
        {
            // Mostly an open invoice; now and then any of the customer's, which may be paid (the journal is then refused).
            if (open.Count > 0 && rnd.Next(12) > 0) invoice = open[rnd.Next(open.Count)];
            else if (rnd.Next(3) == 0) invoice = own[rnd.Next(own.Count)];
        }
        long cents;
        if (invoice is null) cents = rnd.Next(1, 100_000);
        else
        {
            // Against what the invoice had open before this round: partial, exact or over.
            var remaining = Math.Max(model.Remaining(invoice), 1);
            cents = rnd.Next(3) switch
            {
                0 => rnd.NextInt64(1, Math.Max(remaining, 2)),
                1 => remaining,
                _ => remaining + rnd.Next(1, 50_000),
            };
        }
        return new LedgerModel.Line(c.Id, c.Number, invoice, cents, documentNumber);
    }

    public static async Task<LedgerModel.Journal> CreateAsync(HttpClient http, List<LedgerModel.Line> lines)
    {
        var id = await NewJournalAsync(http);
        foreach (var l in lines)
            await AddLineAsync(http, id, new
            {
                customerNumber = l.CustomerNumber, amount = -l.Cents / 100m, documentNumber = l.DocumentNumber,
                appliesToInvoiceId = l.InvoiceId ?? Guid.Empty.ToString(),
            });
        return new LedgerModel.Journal(id, lines);
    }

    /// <summary>Posts; a refusal must be the 400 that says an invoice is already paid, and anything else is a failure.</summary>
    private static async Task<int> PostAsync(HttpClient http, LedgerModel.Journal journal, string where)
    {
        var (status, body, _) = await PostJournalAsync(http, journal.Id);
        var refusedAsPaid = status == 400 && (body?["error"]?["message"]?.GetValue<string>() ?? "").Contains("is already paid", StringComparison.Ordinal);
        Assert.True(status == 204 || refusedAsPaid, $"{where}: the post of journal {journal.Id} answered {status} {body?.ToJsonString()}");
        return status;
    }

    public async Task CompareAsync(LedgerModel model, string where)
    {
        var observed = await db.WithDb(model.ObserveAsync);
        var expected = model.Render();
        Assert.True(expected == observed, $"{where}: the ledger differs from the model:\n{LedgerModel.Diff(expected, observed)}");
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0) { yield return []; yield break; }
        foreach (var rest in Permutations(n - 1))
            for (var at = 0; at <= rest.Length; at++)
                yield return [.. rest[..at], n - 1, .. rest[at..]];
    }
}
