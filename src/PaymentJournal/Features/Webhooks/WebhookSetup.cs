using PaymentJournal.OData;

namespace PaymentJournal.Features.Webhooks;

/// <summary>Registers webhooks: settings, the subscription store and registry, the outbox, the HTTP client and the delivery loop.</summary>
public static class WebhookSetup
{
    public static void Add(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Webhooks");
        var options = section.Get<WebhookOptions>() ?? new WebhookOptions();
        // A configured schedule replaces the default one (the binder would add to it).
        if (section.GetSection(nameof(WebhookOptions.RetryDelays)).GetChildren().ToList() is { Count: > 0 } delays)
            options.RetryDelays = delays.OrderBy(c => int.Parse(c.Key, System.Globalization.CultureInfo.InvariantCulture))
                .Select(c => TimeSpan.Parse(c.Value ?? "", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        options.Validate();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<SubscriptionRegistry>();
        builder.Services.AddSingleton<WebhookOutbox>();
        builder.Services.AddSingleton<NotificationClient>();
        builder.Services.AddSingleton<SubscriptionsEndpoint>();
        // Where the protocol calls webhooks: each change in its write unit, the subscription type in $metadata, the
        // subscriptions path at the API's root.
        builder.Services.AddSingleton<IEntityChangeHandler>(sp => sp.GetRequiredService<WebhookOutbox>());
        builder.Services.AddSingleton<IModelAddition, SubscriptionModel>();
        builder.Services.AddSingleton<IRootResource>(sp => sp.GetRequiredService<SubscriptionsEndpoint>());
        builder.Services.AddHostedService<WebhookDelivery>();
    }
}
