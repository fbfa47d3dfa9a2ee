namespace PaymentJournal.Features.Webhooks;

/// <summary>Configuration section "Webhooks". The defaults are Business Central's online values.</summary>
public sealed class WebhookOptions
{
    /// <summary>Changes are gathered per subscription for this long after the first one before they are sent.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>A subscription lives this long unless it is renewed (PATCH).</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(3);
    /// <summary>Subscriptions in the whole service.</summary>
    public int MaxSubscriptions { get; set; } = 200;
    /// <summary>Beyond this many changes in one window a subscription gets one "collection" notification instead.</summary>
    public int MaxNotifications { get; set; } = 1000;
    /// <summary>The validation handshake must answer within this time.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>A notification request must answer within this time, or it counts as a failed attempt.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// The wait before the next attempt, by the number of failed attempts so far (the last value for any later one); a
    /// subscription whose notifications failed more than <see cref="MaxAttempts"/> times is deleted.
    /// </summary>
    public TimeSpan[] RetryDelays { get; set; } =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(100), TimeSpan.FromMinutes(1000),
    ];
    public int MaxAttempts { get; set; } = 5;
    /// <summary>Notification URLs whose host is link-local (169.254/16, fe80::/10) or a cloud metadata address are refused unless this is on.</summary>
    public bool AllowLinkLocal { get; set; }
    /// <summary>How often the delivery loop looks for due notifications when nothing wakes it sooner.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How often each node re-reads the subscriptions (changes made on this node apply at once).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>A node claims a subscription's pending notifications for this long; if it dies, another node takes them after it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(90);
    /// <summary>Off: no delivery loop on this node (subscriptions and the outbox still work; another node delivers).</summary>
    public bool Deliver { get; set; } = true;

    public TimeSpan RetryDelay(int failures) => RetryDelays.Length == 0 ? TimeSpan.FromMinutes(1) : RetryDelays[Math.Min(failures, RetryDelays.Length - 1)];

    public void Validate()
    {
        if (Delay < TimeSpan.Zero || Lifetime <= TimeSpan.Zero || MaxSubscriptions < 1 || MaxNotifications < 1 || MaxAttempts < 0
            || HandshakeTimeout <= TimeSpan.Zero || SendTimeout <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero || RefreshInterval <= TimeSpan.Zero
            || Lease <= SendTimeout)
            throw new InvalidOperationException("Webhooks: Delay must not be negative; Lifetime, the timeouts and the intervals must be positive; Lease must be longer than SendTimeout.");
    }
}
