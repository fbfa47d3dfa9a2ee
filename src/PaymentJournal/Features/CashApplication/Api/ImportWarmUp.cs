using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CashApplication.Api;

/// <summary>
/// Once, right after start, runs a bank statement import through the code a real one runs, so that the first import of
/// a new process does not wait for the JIT and EF Core's first compiles of it (measured: about a third of the CPU of a
/// 10,000-entry import). On SQLite the whole import runs, writes included, into a private in-memory database with the
/// service's schema, model and the demo company, which is then dropped; on PostgreSQL the files are read and matched in
/// memory only. The service's own database is not touched. Until it has run /health/ready answers 503 (see
/// <see cref="WarmUps"/>), so that a load balancer sends no import to a cold node. Off with CashApplication:WarmUp=false.
/// </summary>
public sealed class ImportWarmUp(IHostApplicationLifetime lifetime, DatabaseOptions database, DbContextOptions<AppDb> contextOptions,
    IServiceScopeFactory scopes, CashApplicationOptions options, WarmUps warmUps, ILogger<ImportWarmUp> log) : IHostedService
{
    /// <summary>Completes when the warm-up has run (or failed, or the host stopped first).</summary>
    public Task Done { get; private set; } = Task.CompletedTask;

    /// <summary>The imports the last warm-up made: each file's name and its number of proposals (for the log and for tests).</summary>
    public IReadOnlyList<(string File, int Proposals)> Imports { get; private set; } = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Done = warmUps.Run(lifetime, "bank statement imports", Run);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>On the warm-up's thread (see <see cref="WarmUps.Run"/>, which logs a failure: only the first import's wait depends on it).</summary>
    private void Run()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var imports = database.Provider == DatabaseProvider.Sqlite
            ? ImportInMemoryAsync(lifetime.ApplicationStopping).GetAwaiter().GetResult()
            : MatchInMemory();
        Imports = imports;
        log.LogInformation("Import warm-up: {Files} in {Ms} ms", string.Join(", ", imports.Select(i => $"{i.File} ({i.Proposals} proposals)")),
            (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
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
        AddOpenInvoices(db);
        await db.SaveChangesAsync(ct);
        var imports = new List<(string File, int Proposals)>();
        foreach (var (name, content) in Samples()) imports.Add((name, await ImportAsync(db, name, content, ct)));
        // Again once the runtime counts calls, from a request's body, so that the code of every entry is recompiled now.
        await WarmUps.JitSettledAsync();
        var request = BankStatementImportsSet.ReadRequest(RequestBody(), int.MaxValue);
        imports.Add((request.FileName, await ImportAsync(db, request.FileName, request.Content, ct)));
        return imports;
    }

    /// <summary>
    /// Made-up customers with open invoices beside the demo company's few, so that the per-invoice code of reading the
    /// open invoices and building the matcher is called often enough for the JIT to recompile it during the warm-up,
    /// not in the first import of a company with 100,000 of them.
    /// </summary>
    public const int WarmUpCustomers = 20, WarmUpInvoicesEach = 20;

    private static void AddOpenInvoices(AppDb db)
    {
        foreach (var (customer, invoices) in WarmUpSet())
        {
            db.Customers.Add(new Customer
            {
                Id = customer.Id, CompanyId = DemoSeed.CompanyId, Number = customer.Number, DisplayName = customer.Name, Type = "Company",
                PostingGroupId = DemoSeed.DomesticPostingGroupId,
            });
            foreach (var i in invoices)
                db.SalesInvoices.Add(new SalesInvoice
                {
                    Id = i.Id, CompanyId = DemoSeed.CompanyId, Number = i.Number, ExternalDocumentNumber = i.ExternalDocumentNumber,
                    InvoiceDate = i.DueDate, PostingDate = i.DueDate, DueDate = i.DueDate, CustomerId = customer.Id,
                    CustomerNumber = customer.Number, CustomerName = customer.Name, BillToCustomerId = customer.Id,
                    BillToCustomerNumber = customer.Number, Status = "Open", TotalAmountExcludingTax = i.RemainingCents,
                    TotalAmountIncludingTax = i.RemainingCents, RemainingAmount = i.RemainingCents,
                });
        }
    }

    /// <summary>The made-up customers (numbers W00000 on) and their open invoices (numbers 900000 on, apart from the demo's).</summary>
    private static IEnumerable<(Matching.MatchCustomer Customer, List<Matching.OpenInvoice> Invoices)> WarmUpSet()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        for (var k = 0; k < WarmUpCustomers; k++)
        {
            var customer = new Matching.MatchCustomer(new Guid($"e0000000-0000-4000-8000-{k:D12}"), $"W{k:D5}", $"Warm-up Customer {k} Ltd");
            var invoices = new List<Matching.OpenInvoice>();
            for (var j = 0; j < WarmUpInvoicesEach; j++)
            {
                var n = k * WarmUpInvoicesEach + j;
                invoices.Add(new Matching.OpenInvoice(new Guid($"e1000000-0000-4000-8000-{n:D12}"), (900_000 + n).ToString(inv), $"PO-W{n:D5}",
                    customer.Id, 5_000 + n * 137 % 400_000, new DateOnly(2026, 11, 1).AddDays(n % 30)));
            }
            yield return (customer, invoices);
        }
    }

    private async Task<int> ImportAsync(AppDb db, string name, byte[] content, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (import, _) = await BankStatementImportsSet.ImportAsync(db, DemoSeed.CompanyId, name, content, null,
            DateOnly.FromDateTime(DateTime.UtcNow), options, ct);
        await tx.CommitAsync(ct);
        return import.ProposalCount;
    }

    /// <summary>The second generated statement as a request's JSON body, as a client sends it.</summary>
    private static byte[] RequestBody() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
    {
        ["fileName"] = SecondFile, ["content"] = Convert.ToBase64String(Generated(GeneratedEntries, "WARM-UP-2")),
    });

    /// <summary>The generated statement run a second time (another statement id, so no duplicate).</summary>
    public const string SecondFile = "warm-up-2.camt053.xml";

    /// <summary>PostgreSQL: the files read and their credits matched against a few made-up invoices, without a database.</summary>
    private List<(string File, int Proposals)> MatchInMemory()
    {
        var customer = new Matching.MatchCustomer(Guid.NewGuid(), "C00010", "Adatum Corporation");
        var invoices = Enumerable.Range(0, 20).Select(i =>
            new Matching.OpenInvoice(Guid.NewGuid(), (103001 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), "", customer.Id,
                10_000 + i * 1_000, new DateOnly(2026, 12, 1))).ToList();
        var set = WarmUpSet().ToList();
        Matching.Matcher Build() => new([customer, .. set.Select(x => x.Customer)], [.. invoices, .. set.SelectMany(x => x.Invoices)], [], options.Settings);
        var matcher = Build();
        var imports = new List<(string File, int Proposals)>();
        foreach (var (name, content) in Samples()) imports.Add((name, Match(matcher, name, content)));
        // Again once the runtime counts calls (see ImportInMemoryAsync).
        WarmUps.JitSettledAsync().GetAwaiter().GetResult();
        matcher = Build();
        var request = BankStatementImportsSet.ReadRequest(RequestBody(), int.MaxValue);
        imports.Add((request.FileName, Match(matcher, request.FileName, request.Content)));
        return imports;
    }

    private static int Match(Matching.Matcher matcher, string name, byte[] content)
    {
        var file = Import.StatementFile.Read(content, name, null);
        var proposals = 0;
        foreach (var s in file.Statements)
        foreach (var e in s.Entries)
        foreach (var t in e.Transactions)
            if (t.IsCredit)
                proposals += matcher.Propose(new Matching.PaymentToMatch(Wire.ToScaled(t.Amount, 2) ?? 0, t.CounterpartyName, t.CounterpartyIban,
                    new[] { t.RemittanceText, t.StructuredReference, t.EndToEndId }.OfType<string>().Where(x => x.Length > 0).ToList())).Count;
        return proposals;
    }

    /// <summary>Entries of the generated statement: enough calls of the per-entry code for the JIT to recompile it now.</summary>
    public const int GeneratedEntries = 200;

    /// <summary>The demo company's camt.053 and MT940 statements, embedded from samples/bank, then a generated camt.053.</summary>
    private static IEnumerable<(string Name, byte[] Content)> Samples()
    {
        foreach (var sample in Embedded()) yield return sample;
        yield return ("warm-up.camt053.xml", Generated(GeneratedEntries));
    }

    /// <summary>
    /// A camt.053 of <paramref name="entries"/> credits from the demo customers, naming the demo invoices, as a bank's
    /// day of receipts looks. The per-entry code is what a large import spends its time in; the runtime recompiles a
    /// method into its fastest form after about 30 calls, which the two samples alone do not reach.
    /// </summary>
    internal static byte[] Generated(int entries, string statementId = "WARM-UP")
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string[] names = ["Adatum Corporation", "Trey Research", "School of Fine Art", "Alpine Ski House", "Relecloud"];
        var body = new System.Text.StringBuilder();
        long total = 0;
        for (var i = 0; i < entries; i++)
        {
            var cents = 1_000 + i * 7_919 % 500_000;
            total += cents;
            var amount = (cents / 100m).ToString("0.00", inv);
            body.Append(inv, $"<Ntry><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>")
                .Append(inv, $"<ValDt><Dt>2026-12-01</Dt></ValDt><AcctSvcrRef>WARM-{i}</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>E2E-{i}</EndToEndId></Refs>")
                .Append(inv, $"<Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Nm>{names[i % names.Length]}</Nm></Dbtr>")
                .Append(inv, $"<DbtrAcct><Id><IBAN>DE{10 + i % 89}370400440532{i:D6}</IBAN></Id></DbtrAcct></RltdPties>")
                .Append(inv, $"<RmtInf><Ustrd>Invoice {103001 + i % 10} thank you</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>");
        }
        var closing = (total / 100m).ToString("0.00", inv);
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>" +
                  $"<GrpHdr><MsgId>{statementId}</MsgId><CreDtTm>2026-12-01T18:00:00</CreDtTm></GrpHdr><Stmt><Id>{statementId}</Id>" +
                  "<CreDtTm>2026-12-01T18:00:00</CreDtTm><FrToDt><FrDtTm>2026-12-01T00:00:00</FrDtTm><ToDtTm>2026-12-01T23:59:59</ToDtTm></FrToDt>" +
                  "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>" +
                  "<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>" +
                  $"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>" +
                  body + "</Stmt></BkToCstmrStmt></Document>";
        return System.Text.Encoding.UTF8.GetBytes(xml);
    }

    private static IEnumerable<(string Name, byte[] Content)> Embedded()
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
