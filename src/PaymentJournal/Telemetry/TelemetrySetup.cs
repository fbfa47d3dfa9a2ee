using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace PaymentJournal.Telemetry;

/// <summary>The "Telemetry" section, read and checked at start-up: Prometheus at /metrics, OTLP export.</summary>
public sealed class TelemetrySettings
{
    public bool Metrics { get; init; }
    public Uri? OtlpEndpoint { get; init; }
    public OtlpExportProtocol OtlpProtocol { get; init; } = OtlpExportProtocol.Grpc;
    public string ServiceName { get; init; } = "PaymentJournal";

    /// <summary>Whether anything listens to the service's instruments (and EF Core's commands are timed).</summary>
    public bool On => Metrics || OtlpEndpoint is not null;

    public static TelemetrySettings Read(IConfiguration config)
    {
        var section = config.GetSection("Telemetry");
        var enabled = section["Metrics:Enabled"];
        var metrics = false;
        if (!string.IsNullOrWhiteSpace(enabled) && !bool.TryParse(enabled.Trim(), out metrics))
            throw new InvalidOperationException($"Telemetry:Metrics:Enabled '{enabled}' is not true or false.");
        // The standard variable works as well; Telemetry:OtlpEndpoint wins.
        var (endpointKey, endpointText) = section["OtlpEndpoint"] is { Length: > 0 } own
            ? ("Telemetry:OtlpEndpoint", own)
            : ("OTEL_EXPORTER_OTLP_ENDPOINT", config["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(endpointText))
        {
            if (!Uri.TryCreate(endpointText.Trim(), UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https") || string.IsNullOrEmpty(endpoint.Host))
                throw new InvalidOperationException($"{endpointKey} '{endpointText}' is not an http:// or https:// URL (e.g. http://collector:4317).");
        }
        var protocolText = section["OtlpProtocol"] ?? config["OTEL_EXPORTER_OTLP_PROTOCOL"];
        var protocol = protocolText?.Trim().ToLowerInvariant() switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            _ => throw new InvalidOperationException($"Telemetry:OtlpProtocol '{protocolText}' is not grpc or http/protobuf."),
        };
        return new TelemetrySettings
        {
            Metrics = metrics, OtlpEndpoint = endpoint, OtlpProtocol = protocol,
            ServiceName = section["ServiceName"] is { Length: > 0 } name ? name : config["OTEL_SERVICE_NAME"] is { Length: > 0 } otel ? otel : "PaymentJournal",
        };
    }
}

public static class TelemetrySetup
{
    public static TelemetrySettings Add(WebApplicationBuilder builder)
    {
        var settings = TelemetrySettings.Read(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<RouteTemplates>();
        if (!settings.On) return settings; // nothing listens: recording an instrument is a no-op

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(settings.ServiceName, serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString()));
        otel.WithMetrics(m =>
        {
            m.AddMeter(Instruments.Name);
            if (settings.Metrics) m.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            if (settings.OtlpEndpoint is { } endpoint) m.AddOtlpExporter(o => Otlp(o, settings, endpoint, "v1/metrics"));
        });
        if (settings.OtlpEndpoint is { } traces)
            otel.WithTracing(t => t
                .AddSource(Instruments.Name, "Npgsql")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/metrics"))
                .AddOtlpExporter(o => Otlp(o, settings, traces, "v1/traces")));
        return settings;
    }

    /// <summary>An endpoint set in code is used as given: over HTTP it needs the signal's path.</summary>
    private static void Otlp(OtlpExporterOptions o, TelemetrySettings settings, Uri endpoint, string signalPath)
    {
        o.Protocol = settings.OtlpProtocol;
        o.Endpoint = settings.OtlpProtocol == OtlpExportProtocol.HttpProtobuf && !endpoint.AbsolutePath.EndsWith(signalPath, StringComparison.Ordinal)
            ? new Uri(endpoint.ToString().TrimEnd('/') + "/" + signalPath)
            : endpoint;
    }

    /// <summary>The request step goes first, so that refused requests are logged and counted too.</summary>
    public static void Use(WebApplication app) => app.UseMiddleware<RequestTelemetry>();

    public static void Map(WebApplication app)
    {
        if (app.Services.GetRequiredService<TelemetrySettings>().Metrics) app.MapPrometheusScrapingEndpoint("/metrics");
    }
}
