using System.Collections.Concurrent;
using System.Diagnostics;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// Real faults under a running service: files made immutable (chattr +i, which stops root too, where the file system
/// supports it) and a small tmpfs that can be filled. Both need root on Linux; what is missing is said, once, as the
/// reason a test is skipped.
/// </summary>
public static class Faults
{
    private static readonly Lazy<string?> NoImmutable = new(ProbeImmutable);
    private static readonly Lazy<string?> NoTmpfs = new(ProbeTmpfs);

    /// <summary>Why files cannot be made immutable here, or null when they can.</summary>
    public static string? WhyNoImmutable => NoImmutable.Value;

    /// <summary>Why a tmpfs cannot be mounted here, or null when it can.</summary>
    public static string? WhyNoTmpfs => NoTmpfs.Value;

    /// <summary>chattr +i (or -i) on those of <paramref name="files"/> that exist.</summary>
    public static void SetImmutable(bool on, params string[] files)
    {
        var existing = files.Where(File.Exists).ToArray();
        if (existing.Length > 0) Run("chattr", [on ? "+i" : "-i", .. existing]);
    }

    public static void MountTmpfs(string directory, int megabytes)
    {
        Directory.CreateDirectory(directory);
        Run("mount", ["-t", "tmpfs", "-o", $"size={megabytes}m,mode=700", "tmpfs", directory]);
    }

    public static void Unmount(string directory) => Run("umount", ["-l", directory]);

    /// <summary>Writes a file until the file system is full; returns how many bytes it took.</summary>
    public static long Fill(string file)
    {
        var chunk = new byte[64 * 1024];
        long written = 0;
        using var s = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                s.Write(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            // ENOSPC: full
        }
        return written;
    }

    private static string? ProbeImmutable()
    {
        if (!OperatingSystem.IsLinux()) return "chattr +i needs Linux";
        if (Environment.UserName != "root") return "chattr +i needs root (run the suite as root to include this test)";
        var probe = Path.Combine(Path.GetTempPath(), "pj-immutable-probe-" + Guid.NewGuid().ToString("N")[..8]);
        File.WriteAllText(probe, "x");
        try
        {
            try { Run("chattr", ["+i", probe]); }
            catch (InvalidOperationException e) { return $"chattr +i does not work on the file system of {Path.GetTempPath()}: {e.Message}"; }
            try
            {
                File.AppendAllText(probe, "y");
                return "chattr +i did not stop a write here";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
        finally
        {
            try { Run("chattr", ["-i", probe]); } catch (InvalidOperationException) { }
            File.Delete(probe);
        }
    }

    private static string? ProbeTmpfs()
    {
        if (!OperatingSystem.IsLinux()) return "a tmpfs needs Linux";
        if (Environment.UserName != "root") return "mounting a tmpfs needs root (run the suite as root to include this test)";
        var dir = Path.Combine(Path.GetTempPath(), "pj-tmpfs-probe-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            MountTmpfs(dir, 1);
            Unmount(dir);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return "a tmpfs cannot be mounted here: " + e.Message;
        }
        finally
        {
            try { Directory.Delete(dir); } catch (IOException) { }
        }
    }

    private static void Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err.Trim()}");
    }

    /// <summary>Polls <paramref name="check"/> until it holds; fails with <paramref name="what"/> if it never does.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> check, string what, int maxSeconds = 120)
    {
        var deadline = Stopwatch.StartNew();
        while (!await check())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(maxSeconds)) Assert.Fail("Never happened: " + what);
            await Task.Delay(100);
        }
    }

    /// <summary>The status of a health endpoint, and its Retry-After header when it has one.</summary>
    public static async Task<(int Status, string Body, bool RetryAfter)> HealthAsync(HttpClient http, string path)
    {
        using var resp = await http.GetAsync(path);
        return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync(), resp.Headers.RetryAfter is not null);
    }
}

/// <summary>A SQLite fact that needs files made immutable; skipped, with the reason, where that cannot be done.</summary>
public sealed class ReadOnlyFileFactAttribute : FactAttribute
{
    public ReadOnlyFileFactAttribute()
    {
        if (TestDatabase.Provider != DatabaseProvider.Sqlite) Skip = "SQLite file fault: runs in the SQLite run of the suite";
        else if (Faults.WhyNoImmutable is { } why) Skip = "Cannot make the database file read-only here: " + why;
    }
}

/// <summary>A SQLite fact that needs a small tmpfs; skipped, with the reason, where one cannot be mounted.</summary>
public sealed class FullDiskFactAttribute : FactAttribute
{
    public FullDiskFactAttribute()
    {
        if (TestDatabase.Provider != DatabaseProvider.Sqlite) Skip = "SQLite file fault: runs in the SQLite run of the suite";
        else if (Faults.WhyNoTmpfs is { } why) Skip = "Cannot fill a small file system here: " + why;
    }
}

/// <summary>A fact of the PostgreSQL run (PAYMENTJOURNAL_TEST_PROVIDER=postgres).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestDatabase.Provider != DatabaseProvider.Postgres) Skip = "PostgreSQL fault: runs in the postgres run of the suite (PAYMENTJOURNAL_TEST_PROVIDER=postgres)";
    }
}

/// <summary>
/// Writes without pause from a few clients (single POSTs of payments, and non-atomic JSON $batches of three), keeping
/// every answer: which writes were acknowledged, and how each failure was answered.
/// </summary>
public sealed class WriteLoad : IAsyncDisposable
{
    public sealed record Answer(long Seq, int Status, string? Id, bool RetryAfter, string? Code, bool InBatch);

    private readonly ConcurrentQueue<Answer> _answers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http;
    private readonly Task[] _workers;
    private long _seq;
    private long _n;

    private WriteLoad(Uri baseAddress, int singles, int batches)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(90) };
        _workers = [.. Enumerable.Range(0, singles).Select(_ => Task.Run(SinglesAsync)), .. Enumerable.Range(0, batches).Select(_ => Task.Run(BatchesAsync))];
    }

    public static WriteLoad Start(Uri baseAddress, int singles = 3, int batches = 1) => new(baseAddress, singles, batches);

    public IReadOnlyList<Answer> Answers => [.. _answers];

    /// <summary>A mark in the stream of answers: what comes after it was answered later.</summary>
    public long Mark => Interlocked.Read(ref _seq);

    public IReadOnlyList<Guid> Acknowledged => [.. _answers.Where(a => a.Status == 201).Select(a => Guid.Parse(a.Id!))];

    /// <summary>Waits until <paramref name="count"/> answers after <paramref name="after"/> match.</summary>
    public Task WaitForAsync(Func<Answer, bool> match, int count, string what, long after = 0) =>
        Faults.EventuallyAsync(() =>
        {
            if (_workers.FirstOrDefault(w => w.IsFaulted) is { } broken) throw broken.Exception!;
            return Task.FromResult(_answers.Count(a => a.Seq > after && match(a)) >= count);
        }, what);

    private static object Payment(long n) => new { customerNumber = "C00001", amount = -1, externalDocumentNumber = "LOAD" + n };

    private async Task SinglesAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var n = Interlocked.Increment(ref _n);
            var (status, body, resp) = await _http.Post(ServiceFixture.PaymentsPath(), Payment(n));
            _answers.Enqueue(new Answer(Interlocked.Increment(ref _seq), status, status == 201 ? body.Str("id") : null,
                resp.Headers.RetryAfter is not null, status >= 400 ? body.ErrorCode() : null, false));
            if (status >= 500) await Task.Delay(20); // as a client backing off
        }
    }

    private async Task BatchesAsync()
    {
        var url = ServiceFixture.PaymentsPath()[ServiceFixture.V2.Length..];
        while (!_stop.IsCancellationRequested)
        {
            var requests = Enumerable.Range(1, 3).Select(i => new Dictionary<string, object>
            {
                ["id"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["method"] = "POST", ["url"] = url,
                ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
                ["body"] = Payment(Interlocked.Increment(ref _n)),
            }).ToArray();
            var (status, body, _) = await _http.Post(ServiceFixture.V2 + "$batch", new { requests });
            if (status != 200)
            {
                // The batch as a whole failed: that must not happen, whatever its requests met.
                _answers.Enqueue(new Answer(Interlocked.Increment(ref _seq), status, null, false, body.ErrorCode(), true));
                continue;
            }
            var failed = false;
            foreach (var r in body!["responses"]!.AsArray())
            {
                var partStatus = r!["status"]!.GetValue<int>();
                failed |= partStatus >= 500;
                _answers.Enqueue(new Answer(Interlocked.Increment(ref _seq), partStatus, partStatus == 201 ? r["body"].Str("id") : null,
                    r["headers"]?["retry-after"] is not null, partStatus >= 400 ? r["body"].ErrorCode() : null, true));
            }
            if (failed) await Task.Delay(20);
        }
    }

    /// <summary>Stops the clients and waits for their last answers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        try { await Task.WhenAll(_workers); }
        finally
        {
            _http.Dispose();
        }
    }

    /// <summary>
    /// Every failure was a database fault answered honestly (503 or 507, with Retry-After and a database error code),
    /// never a 500, and no $batch failed as a whole.
    /// </summary>
    public void AssertHonest(params int[] allowedFaultStatuses)
    {
        var answers = Answers;
        var dishonest = answers.Where(a => a.Status != 201 && !(allowedFaultStatuses.Contains(a.Status) && a.RetryAfter
                                                                && a.Code?.StartsWith("Internal_Database", StringComparison.Ordinal) == true)).ToList();
        Assert.True(dishonest.Count == 0,
            $"{dishonest.Count} of {answers.Count} answers were neither 201 nor an honest fault answer, e.g. " +
            string.Join("; ", dishonest.Take(5).Select(a => $"{a.Status} {a.Code} (batch: {a.InBatch}, Retry-After: {a.RetryAfter})")));
    }
}
