using System.Diagnostics;
using PaymentJournal.Auth;
using PaymentJournal.OData;

namespace PaymentJournal.Telemetry;

/// <summary>
/// The outermost step of every request: gives it its correlation id (the one error bodies carry), and when it is
/// answered writes one log line (category PaymentJournal.Requests) and records its duration by route template. The
/// line holds the method, the route template (never the URL itself: a query may carry names and amounts), the status,
/// the duration, the correlation id, the credential's name and the company; never a key, token or header value.
/// Health probes and /metrics are logged at Debug, everything else at Information.
/// </summary>
public sealed partial class RequestTelemetry(RequestDelegate next, RouteTemplates templates, AuthSettings auth, ILoggerFactory loggers)
{
    public const string Category = "PaymentJournal.Requests";
    private readonly ILogger _log = loggers.CreateLogger(Category);
    private readonly string _noCredential = auth.Mode == AuthMode.None ? "none" : "-";

    public Task InvokeAsync(HttpContext http)
    {
        http.TraceIdentifier = Guid.NewGuid().ToString("D");
        // Nothing to do (metrics, tracing and the request log off, as in the benchmark): no timing, no template.
        if (!Instruments.RequestDuration.Enabled && Traced() is null && !_log.IsEnabled(LogLevel.Debug)) return next(http);
        return TimedAsync(http);
    }

    private async Task TimedAsync(HttpContext http)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(start);
            var activity = Traced();
            var measure = Instruments.RequestDuration.Enabled;
            if (measure || activity is not null || _log.IsEnabled(LogLevel.Debug))
                Report(http, elapsed, activity, measure);
        }
    }

    /// <summary>
    /// The request's span when a tracer records it. ASP.NET Core makes an activity for every request while any logging
    /// is on, but without a listener on its source nobody sees its name or tags.
    /// </summary>
    private static Activity? Traced() =>
        Activity.Current is { IsAllDataRequested: true } a && a.Source.HasListeners() ? a : null;

    private void Report(HttpContext http, TimeSpan elapsed, Activity? activity, bool measure)
    {
        var route = templates.Of(http.Request.Path.Value ?? "/", out var company);
        var method = http.Request.Method;
        var status = http.Response.StatusCode;
        if (measure)
            Instruments.RequestDuration.Record(elapsed.TotalSeconds,
                new KeyValuePair<string, object?>("http.route", route),
                new KeyValuePair<string, object?>("http.request.method", method),
                new KeyValuePair<string, object?>("http.response.status_code", Instruments.Status(status)));
        // The span ASP.NET Core made for the request (only while tracing is on) is named by the template.
        if (activity is not null)
        {
            activity.DisplayName = method + " " + route;
            activity.SetTag("http.route", route);
        }
        var level = route.StartsWith("/health", StringComparison.Ordinal) || route == "/metrics" ? LogLevel.Debug : LogLevel.Information;
        if (_log.IsEnabled(level))
        {
            var credential = http.Items.TryGetValue(typeof(CompanyAccess), out var a) && a is CompanyAccess { Principal: { } principal } ? principal : _noCredential;
            Answered(_log, level, method, route, status, Math.Round(elapsed.TotalMilliseconds, 2), http.TraceIdentifier, credential, company?.ToString("D") ?? "-");
        }
    }

    [LoggerMessage(EventId = 1, EventName = "Request",
        Message = "{Method} {Route} answered {Status} in {DurationMs} ms, correlation id {CorrelationId}, credential {Credential}, company {Company}")]
    private static partial void Answered(ILogger log, LogLevel level, string method, string route, int status, double durationMs,
        string correlationId, string credential, string company);
}
