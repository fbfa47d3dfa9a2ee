using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using PaymentJournal.Errors;

namespace PaymentJournal.Auth;

/// <summary>
/// The "Throttling" section: per-credential limits shaped like Business Central online's operational limits
/// (requests per 5-minute sliding window, concurrent requests with a queue behind them). Off unless Enabled.
/// </summary>
public sealed class ThrottleSettings
{
    public bool Enabled { get; set; }
    /// <summary>Production (6,000 per 5 minutes, i.e. 600/min) or Sandbox (3,000 per 5 minutes); explicit values override it.</summary>
    public string? Preset { get; set; }
    public int? RequestsPerWindow { get; set; }
    public int? WindowSeconds { get; set; }
    public int? MaxConcurrent { get; set; }
    public int? MaxQueue { get; set; }

    public (int Requests, int WindowSeconds, int Concurrent, int Queue) Resolve()
    {
        var (requests, window, concurrent, queue) = (Preset?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "production" => (6000, 300, 5, 95),
            "sandbox" => (3000, 300, 5, 95),
            _ => throw new InvalidOperationException($"Throttling:Preset '{Preset}' is not Production or Sandbox."),
        };
        var r = (RequestsPerWindow ?? requests, WindowSeconds ?? window, MaxConcurrent ?? concurrent, MaxQueue ?? queue);
        if (r.Item1 < 1 || r.Item2 < 1 || r.Item3 < 1 || r.Item4 < 0)
            throw new InvalidOperationException("Throttling: RequestsPerWindow, WindowSeconds and MaxConcurrent must be at least 1, MaxQueue at least 0.");
        return r;
    }
}

/// <summary>One sliding-window limiter and one concurrency limiter per credential.</summary>
public sealed class Throttle(ThrottleSettings settings) : IDisposable
{
    private readonly (int Requests, int WindowSeconds, int Concurrent, int Queue) _limits = settings.Resolve();
    private readonly ConcurrentDictionary<string, (RateLimiter Rate, RateLimiter Concurrency)> _partitions = new(StringComparer.Ordinal);

    public bool Enabled => settings.Enabled;

    /// <summary>Takes a slot for the request, queueing for a concurrency slot as Business Central does; a 429 when none is to be had.</summary>
    public async Task<RateLimitLease> AcquireAsync(string credential, CancellationToken ct)
    {
        var (rate, concurrency) = _partitions.GetOrAdd(credential, _ => (
            new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
            {
                PermitLimit = _limits.Requests, Window = TimeSpan.FromSeconds(_limits.WindowSeconds),
                SegmentsPerWindow = Math.Clamp(_limits.WindowSeconds / 30, 1, 10), QueueLimit = 0, AutoReplenishment = true,
            }),
            new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = _limits.Concurrent, QueueLimit = _limits.Queue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            })));

        using (var window = rate.AttemptAcquire())
        {
            if (!window.IsAcquired)
            {
                var retry = window.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(_limits.WindowSeconds);
                throw ApiErrors.TooManyRequests(Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)));
            }
        }
        var slot = await concurrency.AcquireAsync(1, ct);
        if (!slot.IsAcquired)
        {
            slot.Dispose();
            throw ApiErrors.TooManyRequests(1);
        }
        return slot;
    }

    /// <summary>How many requests of the credential hold a concurrency slot now (0 for one not seen yet).</summary>
    public int Running(string credential) =>
        _partitions.TryGetValue(credential, out var p) && p.Concurrency.GetStatistics() is { } stats
            ? _limits.Concurrent - (int)stats.CurrentAvailablePermits
            : 0;

    public void Dispose()
    {
        foreach (var (rate, concurrency) in _partitions.Values)
        {
            rate.Dispose();
            concurrency.Dispose();
        }
    }
}
