using PaymentJournal.Data;

namespace PaymentJournal.Features.Idempotency;

/// <summary>Composition of idempotency keys: settings, the store, the background purge and the middleware.</summary>
public static class IdempotencySetup
{
    public static void Add(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Idempotency").Get<IdempotencyOptions>() ?? new IdempotencyOptions();
        options.Validate();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IdempotencyRows>();
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddHostedService<IdempotencyPurge>();
    }

    /// <summary>After authentication (the credential is known), before the endpoints.</summary>
    public static void Use(WebApplication app) => app.UseMiddleware<IdempotencyMiddleware>();
}

/// <summary>Deletes expired keys every Idempotency:PurgeIntervalMinutes.</summary>
public sealed class IdempotencyPurge(IdempotencyStore store, IdempotencyOptions options, ILogger<IdempotencyPurge> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.PurgeIntervalMinutes));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var purged = await store.PurgeAsync(stoppingToken);
                    if (purged > 0) log.LogDebug("Purged {Count} expired idempotency keys", purged);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Purging expired idempotency keys failed; trying again at the next interval");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
