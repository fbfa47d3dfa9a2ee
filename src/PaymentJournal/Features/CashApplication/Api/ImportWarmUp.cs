using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CashApplication.Api;

/// <summary>
/// Once, right after start, runs a bank statement import through the code a real one runs, so that the first import of
/// a new process does not wait for the JIT and EF Core's first compiles of it (measured: about a third of the CPU of a
/// 10,000-entry import). On SQLite the whole import runs, writes included, into a private in-memory database with the
/// service's schema, model and the demo company, which is then dropped; on PostgreSQL the files are read and matched in
/// memory only. The service's own database is not touched. Until it has run (at most <see cref="MaxReadinessHold"/>),
/// /health/ready answers 503, so that a load balancer sends no import to a cold node. Off with CashApplication:WarmUp=false.
/// </summary>
public sealed class ImportWarmUp(IHostApplicationLifetime lifetime, DatabaseOptions database, DbContextOptions<AppDb> contextOptions,
    IServiceScopeFactory scopes, CashApplicationOptions options, ILogger<ImportWarmUp> log) : IHostedService
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _startedAt;

    /// <summary>How long the warm-up may hold readiness back; past it the node is ready, warm or not.</summary>
    public static readonly TimeSpan MaxReadinessHold = TimeSpan.FromSeconds(60);

    /// <summary>Why /health/ready should wait, or null: the warm-up is still running and has not run for too long.</summary>
    public string? ReadinessProblem() =>
        !_done.Task.IsCompleted && (Interlocked.Read(ref _startedAt) is not 0 and var t && System.Diagnostics.Stopwatch.GetElapsedTime(t) < MaxReadinessHold)
            ? "the start-up warm-up of bank statement imports is still running"
            : null;

    /// <summary>Completes when the warm-up has run (or failed, or the host stopped first).</summary>
    public Task Done => _done.Task;

    /// <summary>The imports the last warm-up made: each file's name and its number of proposals (for the log and for tests).</summary>
    public IReadOnlyList<(string File, int Proposals)> Imports { get; private set; } = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            Interlocked.Exchange(ref _startedAt, System.Diagnostics.Stopwatch.GetTimestamp());
            var thread = new Thread(Run) { IsBackground = true, Name = "PaymentJournal import warm-up" };
            thread.Start();
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Reads <c>CashApplication:WarmUp</c> (default true); anything but true or false stops the start.</summary>
    public static bool Enabled(IConfiguration configuration)
    {
        var value = configuration["CashApplication:WarmUp"];
        if (string.IsNullOrWhiteSpace(value)) return true;
        return bool.TryParse(value.Trim(), out var on) ? on
            : throw new InvalidOperationException($"CashApplication:WarmUp '{value}' is not true or false.");
    }

    private void Run()
    {
        BackgroundPriority.Lower();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var stopping = lifetime.ApplicationStopping;
            var imports = database.Provider == DatabaseProvider.Sqlite
                ? ImportInMemoryAsync(stopping).GetAwaiter().GetResult()
                : MatchInMemory();
            Imports = imports;
            log.LogInformation("Import warm-up: {Files} in {Ms} ms", string.Join(", ", imports.Select(i => $"{i.File} ({i.Proposals} proposals)")),
                (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The host stopped first.
        }
        catch (Exception e)
        {
            // Only the first import's wait depends on it: say so and go on.
            log.LogWarning(e, "The import warm-up failed");
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    private async Task<List<(string File, int Proposals)>> ImportInMemoryAsync(CancellationToken ct)
    {
        // The service's own model (compiled queries are bound to it) on a database of the warm-up's own.
        Microsoft.EntityFrameworkCore.Metadata.IModel model;
        using (var scope = scopes.CreateScope()) model = scope.ServiceProvider.GetRequiredService<AppDb>().Model;
        var builder = new DbContextOptionsBuilder<AppDb>(contextOptions);
        builder.UseSqlite("Data Source=:memory:;Foreign Keys=True");
        builder.UseModel(model);
        await using var db = new AppDb(builder.Options);
        await Migrator.MigrateAsync(db, DatabaseProvider.Sqlite, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, ct: ct);
        await DemoSeed.SeedAsync(db, ct);
        var imports = new List<(string File, int Proposals)>();
        foreach (var (name, content) in Samples())
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (import, _) = await BankStatementImportsSet.ImportAsync(db, DemoSeed.CompanyId, name, content, null,
                DateOnly.FromDateTime(DateTime.UtcNow), options, ct);
            imports.Add((name, import.ProposalCount));
            await tx.CommitAsync(ct);
        }
        return imports;
    }

    /// <summary>PostgreSQL: the files read and their credits matched against a few made-up invoices, without a database.</summary>
    private List<(string File, int Proposals)> MatchInMemory()
    {
        var customer = new Matching.MatchCustomer(Guid.NewGuid(), "C00010", "Adatum Corporation");
        var invoices = Enumerable.Range(0, 20).Select(i =>
            new Matching.OpenInvoice(Guid.NewGuid(), (103001 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), "", customer.Id,
                10_000 + i * 1_000, new DateOnly(2026, 12, 1))).ToList();
        var matcher = new Matching.Matcher([customer], invoices, [], options.Settings);
        var imports = new List<(string File, int Proposals)>();
        foreach (var (name, content) in Samples())
        {
            var file = Import.StatementFile.Read(content, name, null);
            var proposals = 0;
            foreach (var s in file.Statements)
            foreach (var e in s.Entries)
            foreach (var t in e.Transactions)
                if (t.IsCredit)
                    proposals += matcher.Propose(new Matching.PaymentToMatch(Wire.ToScaled(t.Amount, 2) ?? 0, t.CounterpartyName, t.CounterpartyIban,
                        new[] { t.RemittanceText, t.StructuredReference, t.EndToEndId }.OfType<string>().Where(x => x.Length > 0).ToList())).Count;
            imports.Add((name, proposals));
        }
        return imports;
    }

    /// <summary>The demo company's camt.053 and MT940 statements, embedded from samples/bank.</summary>
    private static IEnumerable<(string Name, byte[] Content)> Samples()
    {
        var assembly = typeof(ImportWarmUp).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("warmup/", StringComparison.Ordinal)).Order())
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            yield return (resource["warmup/".Length..], copy.ToArray());
        }
    }
}
