using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// `PaymentJournal backup` and `restore` as an operator runs them: processes of their own beside the running service
/// (real Kestrel, in this process) on a SQLite file. They run in both suite runs; on PostgreSQL the commands point to pg_dump.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BackupTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pj-backup-" + Guid.NewGuid().ToString("N")[..10]);
    private string Live => Path.Combine(_dir, "live", "live.db");
    private static string Cs(string path) => "Data Source=" + path;

    public Task InitializeAsync() { Directory.CreateDirectory(_dir); return Task.CompletedTask; }
    public Task DisposeAsync()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    /// <summary>The service on a SQLite file (the demo company seeded into a new one), listening on a free loopback port.</summary>
    private sealed class Service : IAsyncDisposable
    {
        private readonly WebApplication _app;
        public HttpClient Http { get; }
        public string DemoData => _app.Services.GetRequiredService<StartupReport>().DemoData;

        private Service(WebApplication app, HttpClient http) { _app = app; Http = http; }

        public static async Task<Service> StartAsync(string path)
        {
            var app = App.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["urls"] = "http://127.0.0.1:0", ["Database:Provider"] = "Sqlite", ["ConnectionStrings:PaymentJournal"] = Cs(path),
                ["Demo:Seed"] = "true", ["Logging:LogLevel:Default"] = "Warning", ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "None",
            }));
            await App.PrepareDatabaseAsync(app);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Service(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(120) });
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            // The pooled contexts' SQLite connections close when they are collected, and the last one to close writes the
            // WAL into the file: done now, so that the file does not change under a test that compares it later.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    [SqliteFact] // an in-process service on SQLite: EF Core keeps one provider's compiled queries per process
    public async Task A_backup_taken_under_write_load_restores_into_a_service_with_its_data_and_every_ledger_invariant()
    {
        var acknowledged = new ConcurrentQueue<(string Id, long Order)>();
        long order = 0;
        long backupStartedAt = long.MaxValue;
        (int Exit, string Out, string Err) backup;
        await using (var live = await Service.StartAsync(Live))
        {
            using var stop = new CancellationTokenSource();
            var failures = new ConcurrentQueue<string>();
            async Task Payments(int customer)
            {
                while (!stop.IsCancellationRequested)
                {
                    var (s, body, _) = await live.Http.Post(ServiceFixture.PaymentsPath(), new { customerNumber = $"C0000{customer}", amount = -1.25m });
                    if (s != 201) { failures.Enqueue($"POST {s} {body?.ToJsonString()}"); return; }
                    acknowledged.Enqueue((body.Str("id"), Interlocked.Increment(ref order)));
                }
            }
            async Task Postings()
            {
                while (!stop.IsCancellationRequested)
                {
                    var journal = await PostingApi.NewJournalAsync(live.Http);
                    // Posting removes the journal's lines: these show in the backup as ledger entries, not payments.
                    for (var i = 1; i <= 3; i++)
                        await PostingApi.AddLineAsync(live.Http, journal, new { customerNumber = $"C0000{i}", amount = -2.5m });
                    Interlocked.Increment(ref order);
                    var (s, body, _) = await PostingApi.PostJournalAsync(live.Http, journal);
                    if (s != 204) { failures.Enqueue($"post {s} {body?.ToJsonString()}"); return; }
                }
            }
            var load = new[] { Payments(1), Payments(2), Postings(), Postings() };
            while (Interlocked.Read(ref order) < 100 && failures.IsEmpty) await Task.Delay(20);

            Interlocked.Exchange(ref backupStartedAt, Interlocked.Read(ref order));
            backup = await RunCliAsync("backup", Path.Combine(_dir, "snapshot.db"), "--ConnectionStrings:PaymentJournal=" + Cs(Live));
            var atEnd = Interlocked.Read(ref order);
            // Writes went on while the backup ran, and after it.
            while (Interlocked.Read(ref order) < atEnd + 20 && failures.IsEmpty) await Task.Delay(20);
            await stop.CancelAsync();
            await Task.WhenAll(load);
            Assert.True(failures.IsEmpty, string.Join("\n", failures));
        }
        Assert.True(backup.Exit == 0, backup.Out + backup.Err);
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => f.EndsWith(".tmp", StringComparison.Ordinal));

        var restoredPath = Path.Combine(_dir, "fresh", "restored.db");
        var restore = await RunCliAsync("restore", Path.Combine(_dir, "snapshot.db"), "--ConnectionStrings:PaymentJournal=" + Cs(restoredPath));
        Assert.True(restore.Exit == 0, restore.Out + restore.Err);

        await using var node = await Service.StartAsync(restoredPath);
        Assert.Equal("not seeded: the database already holds data", node.DemoData);
        var mustHave = acknowledged.Where(a => a.Order <= backupStartedAt).Select(a => a.Id).ToList();
        Assert.True(mustHave.Count >= 50, $"only {mustHave.Count} payments before the backup");
        var (status, one, _) = await node.Http.Get($"{ServiceFixture.CompanyPath()}/customerPayments({mustHave[^1]})");
        Assert.True(status == 200, one?.ToJsonString());

        var options = new DbContextOptionsBuilder<AppDb>().UseSqlite(Cs(restoredPath)).Options;
        await using (var db = new AppDb(options))
        {
            var ids = (await db.CustomerPayments.Select(p => p.Id).ToListAsync()).Select(g => g.ToString()).ToHashSet();
            var missing = mustHave.Where(id => !ids.Contains(id)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} payments acknowledged before the backup are missing from it");
            var violations = await LedgerInvariants.ViolationsAsync(db, Guid.Parse(ServiceFixture.Company));
            Assert.True(violations.Count == 0, "Ledger invariants violated in the restored database:\n" + string.Join("\n", violations));
            Assert.True(await db.GeneralLedgerEntries.CountAsync() > 0, "the backup holds no posted journal");
        }
        // The restored database takes writes again.
        var (created, body2, _) = await node.Http.Post(ServiceFixture.PaymentsPath(), new { customerNumber = "C00001", amount = -1m });
        Assert.True(created == 201, body2?.ToJsonString());
    }

    [SqliteFact]
    public async Task Restore_refuses_while_the_service_has_the_database_open_and_leaves_it_as_it_was()
    {
        var snapshot = Path.Combine(_dir, "snapshot.db");
        await using var live = await Service.StartAsync(Live);
        var (s, payment, _) = await live.Http.Post(ServiceFixture.PaymentsPath(), new { customerNumber = "C00001", amount = -3m });
        Assert.Equal(201, s);
        var backup = await RunCliAsync("backup", snapshot, "--ConnectionStrings:PaymentJournal=" + Cs(Live));
        Assert.True(backup.Exit == 0, backup.Err);

        var restore = await RunCliAsync("restore", snapshot, "--ConnectionStrings:PaymentJournal=" + Cs(Live));
        Assert.Equal(1, restore.Exit);
        Assert.Contains("in use", restore.Err);
        Assert.Contains("stop the service", restore.Err);
        var (after, _, _) = await live.Http.Get($"{ServiceFixture.CompanyPath()}/customerPayments({payment.Str("id")})");
        Assert.Equal(200, after);
        var (more, _, _) = await live.Http.Post(ServiceFixture.PaymentsPath(), new { customerNumber = "C00001", amount = -4m });
        Assert.Equal(201, more);
    }

    [Fact]
    public async Task A_failed_backup_says_why_exits_non_zero_and_leaves_the_previous_backup_and_no_partial_file()
    {
        var target = Path.Combine(_dir, "good.db");
        await using (var live = await Service.StartAsync(Live)) { }
        var first = await RunCliAsync("backup", target, "--ConnectionStrings:PaymentJournal=" + Cs(Live));
        Assert.True(first.Exit == 0, first.Err);
        var good = await File.ReadAllBytesAsync(target);

        // The database to back up is not a database any more: the backup fails and the previous one stays.
        var broken = Path.Combine(_dir, "broken.db");
        await File.WriteAllTextAsync(broken, "not a database at all, just text that is long enough to be read as a header");
        var failed = await RunCliAsync("backup", target, "--ConnectionStrings:PaymentJournal=" + Cs(broken));
        Assert.Equal(1, failed.Exit);
        Assert.Contains("not a readable SQLite database", failed.Err);
        Assert.Equal(good, await File.ReadAllBytesAsync(target));

        var missingFolder = await RunCliAsync("backup", Path.Combine(_dir, "no-such-folder", "b.db"), "--ConnectionStrings:PaymentJournal=" + Cs(Live));
        Assert.Equal(1, missingFolder.Exit);
        Assert.Contains("does not exist", missingFolder.Err);
        var underAFile = await RunCliAsync("backup", Path.Combine(broken, "b.db"), "--ConnectionStrings:PaymentJournal=" + Cs(Live));
        Assert.Equal(1, underAFile.Exit);
        Assert.Contains("not a folder", underAFile.Err);
        var noDatabase = await RunCliAsync("backup", target, "--ConnectionStrings:PaymentJournal=" + Cs(Path.Combine(_dir, "none.db")));
        Assert.Equal(1, noDatabase.Exit);
        Assert.Contains("no database at", noDatabase.Err);
        Assert.False(File.Exists(Path.Combine(_dir, "none.db")), "a failed backup created the database it looked for");

        Assert.Equal(good, await File.ReadAllBytesAsync(target));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));
    }

    [Fact]
    public async Task Restore_checks_the_file_before_it_replaces_anything()
    {
        await using (var live = await Service.StartAsync(Live)) { }
        var before = await File.ReadAllBytesAsync(Live);

        var text = Path.Combine(_dir, "text.db");
        await File.WriteAllTextAsync(text, "SQLite format 3? no: just text, and enough of it to fill a header of one hundred bytes......");
        var notDb = await RunCliAsync("restore", text, "--ConnectionStrings:PaymentJournal=" + Cs(Live));
        Assert.Equal(1, notDb.Exit);
        Assert.Contains("not a readable SQLite database", notDb.Err);

        var other = Path.Combine(_dir, "other.db");
        await using (var conn = new Microsoft.Data.Sqlite.SqliteConnection(Cs(other) + ";Pooling=False"))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "CREATE TABLE t (x INTEGER)";
            await cmd.ExecuteNonQueryAsync();
        }
        var foreign = await RunCliAsync("restore", other, "--ConnectionStrings:PaymentJournal=" + Cs(Live));
        Assert.Equal(1, foreign.Exit);
        Assert.Contains("not a PaymentJournal one", foreign.Err);

        var missing = await RunCliAsync("restore", Path.Combine(_dir, "missing.db"), "--ConnectionStrings:PaymentJournal=" + Cs(Live));
        Assert.Equal(1, missing.Exit);
        Assert.Contains("no file at", missing.Err);

        Assert.Equal(before, await File.ReadAllBytesAsync(Live));
    }

    [Fact]
    public async Task On_PostgreSQL_the_commands_point_to_its_own_tools()
    {
        foreach (var command in new[] { "backup", "restore" })
        {
            var r = await RunCliAsync(command, Path.Combine(_dir, "x.db"), "--Database:Provider=Postgres",
                "--ConnectionStrings:PaymentJournal=Host=127.0.0.1;Database=pj;Username=pj;Password=secret");
            Assert.Equal(2, r.Exit);
            Assert.Contains("pg_dump", r.Err);
            Assert.DoesNotContain("secret", r.Err + r.Out);
        }
        var usage = await RunCliAsync("backup");
        Assert.Equal(2, usage.Exit);
        Assert.Contains("Usage", usage.Err);
    }

    /// <summary>`dotnet PaymentJournal.dll ARGS` from the build output beside the tests, in the test's folder.</summary>
    private async Task<(int Exit, string Out, string Err)> RunCliAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PaymentJournal.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(psi)!;
        Watchdog.KillWithOwner(Environment.ProcessId, process.Id);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
