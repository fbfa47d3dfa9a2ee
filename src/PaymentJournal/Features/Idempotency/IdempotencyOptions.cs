namespace PaymentJournal.Features.Idempotency;

/// <summary>Configuration section "Idempotency".</summary>
public sealed class IdempotencyOptions
{
    /// <summary>How long a key and its stored answer are kept; a retry after that runs as a new request.</summary>
    public double RetentionHours { get; set; } = 24;
    /// <summary>How long a retry that finds its key still running waits for the first answer before a 409.</summary>
    public double WaitSeconds { get; set; } = 5;
    /// <summary>How often expired keys are deleted.</summary>
    public double PurgeIntervalMinutes { get; set; } = 10;

    public void Validate()
    {
        if (!(RetentionHours > 0)) throw new InvalidOperationException("Idempotency:RetentionHours must be greater than 0.");
        if (!(WaitSeconds >= 0)) throw new InvalidOperationException("Idempotency:WaitSeconds must be 0 or more.");
        if (!(PurgeIntervalMinutes > 0)) throw new InvalidOperationException("Idempotency:PurgeIntervalMinutes must be greater than 0.");
    }
}
