namespace PaymentJournal;

/// <summary>
/// What /health/ready waits for after start: the warm-ups (each on a thread of its own, started once the host has
/// started), then the JIT's background work they leave behind. A method the warm-ups ran often is recompiled on the
/// runtime's tiering thread some time after they finish; a node that said ready before that would share its cores with
/// the JIT during its first requests. Readiness is held at most <see cref="MaxHold"/> from the start, warm or not.
/// </summary>
public sealed class WarmUps(ILogger<WarmUps> log)
{
    /// <summary>How long warming up may hold readiness back.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(60);

    /// <summary>The JIT counts as settled once it compiles at most this many methods in <see cref="QuietWindow"/>, twice in a row.</summary>
    public const int QuietMethods = 5;
    public static readonly TimeSpan QuietWindow = TimeSpan.FromMilliseconds(250);

    private readonly List<(string What, Task Done)> _runs = [];
    private long _startedAt;
    private volatile Task? _settled;

    /// <summary>Reads a warm-up's on/off setting (default on); anything but true or false stops the start.</summary>
    public static bool Enabled(IConfiguration configuration, string key)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value)) return true;
        return bool.TryParse(value.Trim(), out var on) ? on
            : throw new InvalidOperationException($"{key} '{value}' is not true or false.");
    }

    /// <summary>
    /// Runs <paramref name="run"/> on a background thread once the host has started; readiness waits for it (described
    /// by <paramref name="what"/> in the 503's text). Register before the host starts. The task completes when it has run.
    /// </summary>
    public Task Run(IHostApplicationLifetime lifetime, string what, Action run)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_runs) _runs.Add((what, done.Task));
        lifetime.ApplicationStarted.Register(() =>
        {
            Interlocked.CompareExchange(ref _startedAt, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
            var thread = new Thread(() =>
            {
                // At a lower priority, so that requests come first.
                Data.BackgroundPriority.Lower();
                try { run(); }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { } // the host stopped first
                catch (Exception e) { log.LogWarning(e, "The start-up warm-up of {What} failed", what); }
                finally { done.TrySetResult(); }
            }) { IsBackground = true, Name = "PaymentJournal warm-up: " + what };
            thread.Start();
        });
        return done.Task;
    }

    /// <summary>Why /health/ready should wait, or null.</summary>
    public string? ReadinessProblem()
    {
        (string What, Task Done)[] runs;
        lock (_runs) runs = [.. _runs];
        if (runs.Length == 0) return null;
        var started = Interlocked.Read(ref _startedAt);
        if (started == 0) return "the start-up warm-ups have not started";
        if (System.Diagnostics.Stopwatch.GetElapsedTime(started) >= MaxHold) return null;
        if (runs.FirstOrDefault(r => !r.Done.IsCompleted) is { What: { } running }) return $"the start-up warm-up of {running} is still running";
        _settled ??= Task.Run(JitSettledAsync);
        return _settled.IsCompleted ? null : "the JIT is still compiling what the start-up warm-ups ran";
    }

    /// <summary>
    /// Completes once the JIT has compiled at most <see cref="QuietMethods"/> methods in <see cref="QuietWindow"/>, twice in a
    /// row (or after <see cref="MaxHold"/>). The runtime counts calls towards recompiling a method only once no new method
    /// has been compiled for a while, so a warm-up that wants its code recompiled runs it again after this.
    /// </summary>
    public static async Task JitSettledAsync()
    {
        var quiet = 0;
        var last = System.Runtime.JitInfo.GetCompiledMethodCount();
        var since = System.Diagnostics.Stopwatch.GetTimestamp();
        while (quiet < 2 && System.Diagnostics.Stopwatch.GetElapsedTime(since) < MaxHold)
        {
            await Task.Delay(QuietWindow);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            quiet = now - last <= QuietMethods ? quiet + 1 : 0;
            last = now;
        }
    }
}
