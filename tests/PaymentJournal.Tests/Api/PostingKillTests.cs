using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using Xunit.Abstractions;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// All or nothing when the process dies: the service runs as a child process, posts a journal of 60,000 lines and is
/// killed (SIGKILL) while the post writes; the database it leaves must hold either the whole posting or none of it.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PostingKillTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pj-kill-" + Guid.NewGuid().ToString("N")[..12]);
    private const int Lines = 60_000;

    [Fact]
    public async Task A_post_killed_midway_leaves_no_partial_posting()
    {
        Directory.CreateDirectory(_dir);
        var db = Path.Combine(_dir, "kill.db");
        var port = FreePort();
        using var service = Start(db, port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitHealthyAsync(http, service);
        SeedLines(db);

        var wal = db + "-wal";
        var walBefore = File.Exists(wal) ? new FileInfo(wal).Length : 0;
        var post = http.PostAsync($"{ServiceFixture.CompanyPath()}/customerPaymentJournals({ServiceFixture.General})/Microsoft.NAV.post", null);
        // Kill once the post has written a few megabytes of its transaction to the WAL (it is mid-write then).
        var watch = Stopwatch.StartNew();
        while (!post.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(60) && (File.Exists(wal) ? new FileInfo(wal).Length : 0) < walBefore + 4_000_000)
            await Task.Delay(5);
        var completed = post.IsCompleted;
        service.Kill(entireProcessTree: true);
        await service.WaitForExitAsync();
        // A kill while the request is still connecting surfaces as a bare SocketException; its answer does not matter here.
        try { await post; } catch (HttpRequestException) { } catch (TaskCanceledException) { } catch (System.Net.Sockets.SocketException) { }
        output.WriteLine(completed ? "the post finished before the kill" : $"killed mid-post after {watch.ElapsedMilliseconds} ms");

        SqliteConnection.ClearAllPools();
        var options = new DbContextOptionsBuilder<AppDb>().UseSqlite($"Data Source={db}").Options;
        await using var ctx = new AppDb(options);
        var left = await ctx.CustomerPayments.CountAsync();
        var posted = await ctx.CustomerLedgerEntries.CountAsync(e => e.DocumentType == "Payment");
        Assert.True((left, posted) is (Lines, 0) or (0, Lines), $"partial posting: {left} lines left, {posted} payment entries");
        Assert.Equal(0, await ctx.GeneralLedgerEntries.CountAsync(e => e.DocumentType == "Payment") - 2 * posted);
        var errors = await LedgerInvariants.ViolationsAsync(ctx, Guid.Parse(ServiceFixture.Company));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static Process Start(string db, int port)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "PaymentJournal.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", $"http://127.0.0.1:{port}", "--ConnectionStrings:PaymentJournal", $"Data Source={db}", "--Logging:LogLevel:Default", "Warning", "--Demo:Seed", "true" },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory,
        };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task WaitHealthyAsync(HttpClient http, Process service)
    {
        // Gives up only on a hang: a process start on a busy machine can take minutes.
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(service.HasExited, "the service exited at start");
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("the service did not start");
    }

    private static void SeedLines(string db)
    {
        using var conn = new SqliteConnection($"Data Source={db}");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"""
            WITH RECURSIVE n(i, h) AS (SELECT 1, hex(randomblob(16)) UNION ALL SELECT i + 1, hex(randomblob(16)) FROM n WHERE i < {Lines})
            INSERT INTO journal_lines (id, company_id, journal_id, journal_code, line_number, account_id, account_number, contact_id,
              posting_date, document_number, external_document_number, amount, applies_to_invoice_id, applies_to_invoice_number, description,
              comment, balancing_account_id, version, last_modified)
            SELECT upper(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-8' || substr(h, 18, 3) || '-' || substr(h, 21, 12)),
              j.company_id, j.id, j.code, n.i * 10, 'C0000000-0000-4000-8000-000000000001', 'C00001', '', '{PostingApi.Today}', 'K' || n.i, '', -(100 + n.i % 50),
              CASE WHEN n.i % 7 = 0 THEN 'D1000000-0000-4000-8000-000000000001' ELSE '00000000-0000-0000-0000-000000000000' END, '', 'kill test', '',
              j.balancing_account_id, 1, '2026-06-01 00:00:00'
            FROM n CROSS JOIN journal_batches j
            WHERE j.id = '{ServiceFixture.General.ToUpperInvariant()}'
            """;
        cmd.ExecuteNonQuery();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
