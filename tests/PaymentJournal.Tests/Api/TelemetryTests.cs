using System.Text;
using Microsoft.Extensions.Logging;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

public sealed class TelemetryTests(TelemetryFixture f) : IClassFixture<TelemetryFixture>
{
    private static readonly string Customers = ServiceFixture.CompanyPath() + "/customers";

    private async Task<string> ScrapeAsync()
    {
        using var c = f.With(ApiKeyFixture.ReaderA);
        var resp = await c.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.StartsWith("text/plain", resp.Content.Headers.ContentType?.MediaType);
        return await resp.Content.ReadAsStringAsync();
    }

    private static string Count(string metric, string labels) => $"{metric}_count{{{labels}";

    [Fact]
    public async Task Metrics_need_a_credential_when_auth_is_on()
    {
        using var anonymous = f.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        await ScrapeAsync();
    }

    [Fact]
    public async Task Requests_are_counted_by_route_template_method_and_status()
    {
        Assert.Equal(200, (await f.Http.Get(Customers)).Status);
        Assert.Equal(200, (await f.Http.Get(Customers + "?$top=1")).Status);
        Assert.Equal(404, (await f.Http.Get(Customers + "(" + Guid.NewGuid() + ")")).Status);
        var text = await ScrapeAsync();
        var lines = text.Split('\n');
        bool Has(string route, string status) => lines.Any(l => l.StartsWith("paymentjournal_http_request_duration_seconds_count{", StringComparison.Ordinal)
            && l.Contains($"http_route=\"{route}\"", StringComparison.Ordinal) && l.Contains("http_request_method=\"GET\"", StringComparison.Ordinal)
            && l.Contains($"http_response_status_code=\"{status}\"", StringComparison.Ordinal));
        Assert.True(Has("/api/v2.0/companies({id})/customers", "200"), text);
        Assert.True(Has("/api/v2.0/companies({id})/customers({id})", "404"), text);
        // No raw id reaches a label.
        Assert.DoesNotContain(ServiceFixture.Company, text);
        Assert.Contains("paymentjournal_http_request_duration_seconds_bucket{", text);
    }

    [Fact]
    public async Task A_post_records_its_duration_and_lines()
    {
        var (_, customerNumber) = await PostingApi.NewCustomerAsync(f.Http);
        var journal = await PostingApi.NewJournalAsync(f.Http);
        await PostingApi.AddLineAsync(f.Http, journal, new { customerNumber, amount = -12m });
        await PostingApi.AddLineAsync(f.Http, journal, new { customerNumber, amount = -13m });
        Assert.Equal(204, (await PostingApi.PostJournalAsync(f.Http, journal)).Status);
        var text = await ScrapeAsync();
        Assert.Contains("paymentjournal_posting_duration_seconds_count", text);
        Assert.Contains("paymentjournal_posting_lines_count", text);
        Assert.Matches("paymentjournal_posting_lines_bucket\\{[^}]*le=\"2\"\\} [1-9]", text);
        Assert.Contains("paymentjournal_db_command_duration_seconds_count{", text);

        // The audit line: journal, lines, credential, result; under the request's correlation id.
        var audit = f.Lines("PaymentJournal.Audit").Where(e => e.Contains(journal, StringComparison.Ordinal)).ToList();
        var posted = Assert.Single(audit);
        Assert.Contains("Lines=2", posted);
        Assert.Contains("Credential=key:writer-a", posted);
        Assert.Contains("Result=posted", posted);
    }

    [Fact]
    public async Task A_refused_post_is_audited_with_its_result()
    {
        var journal = await PostingApi.NewJournalAsync(f.Http);
        var (status, body, resp) = await PostingApi.PostJournalAsync(f.Http, journal); // no lines: nothing to post
        Assert.InRange(status, 400, 499);
        var line = Assert.Single(f.Lines("PaymentJournal.Audit"), e => e.Contains(journal, StringComparison.Ordinal));
        Assert.Contains("Result=" + body.ErrorCode(), line);
        Assert.Contains("Status=" + status, line);
        Assert.Contains(resp.Headers.GetValues("ms-correlation-x").Single(), line);
    }

    [Fact]
    public async Task A_refused_post_of_a_sales_invoice_writes_no_journal_audit_line()
    {
        var (_, customerNumber) = await PostingApi.NewCustomerAsync(f.Http);
        var (invoice, _) = await PostingApi.DraftInvoiceAsync(f.Http, customerNumber, 0m); // no lines: refused
        var (status, _, _) = await f.Http.Post($"{ServiceFixture.CompanyPath()}/salesInvoices({invoice})/Microsoft.NAV.post", null);
        Assert.Equal(400, status);
        Assert.DoesNotContain(f.Lines("PaymentJournal.Audit"), e => e.Contains(invoice, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SQLite_group_commits_record_batch_sizes_and_waits()
    {
        if (f.Provider != DatabaseProvider.Sqlite) return; // the group committer is SQLite's writer
        await PostingApi.NewCustomerAsync(f.Http);
        var text = await ScrapeAsync();
        Assert.Contains("paymentjournal_sqlite_group_commit_batch_size_count", text);
        Assert.Contains("paymentjournal_sqlite_group_commit_wait_seconds_count", text);
        Assert.Contains("paymentjournal_sqlite_group_commit_duration_seconds_count", text);
    }

    [Fact]
    public async Task Each_request_logs_one_line_with_its_fields_and_no_credential()
    {
        var wrongKey = "wrong-key-0123456789-must-not-be-logged";
        var before = f.Lines(RequestTelemetryCategory).Count();
        var ok = await f.Http.Get(Customers + "?$filter=displayName eq 'Secret Customer Name'");
        Assert.Equal(200, ok.Status);
        using var wrong = f.With(wrongKey);
        var refused = await wrong.Get(Customers);
        Assert.Equal(401, refused.Status);
        using var basic = f.Anonymous();
        basic.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("u:" + wrongKey)));
        Assert.Equal(401, (await basic.Get(Customers)).Status);

        // Tests of a class run one at a time: what this test sent is what came after. A request's line is written once
        // its answer has gone out, so the last one may still be on its way (the wait only gives up on a hang).
        for (var i = 0; i < 1000 && f.Lines(RequestTelemetryCategory).Count() < before + 3; i++) await Task.Delay(10);
        var lines = f.Lines(RequestTelemetryCategory).Skip(before).ToList();
        Assert.Equal(3, lines.Count);
        var good = Assert.Single(lines, e => e.Contains("Status=200", StringComparison.Ordinal) && e.Contains("Secret", StringComparison.Ordinal) is false
            && e.Contains("Route=/api/v2.0/companies({id})/customers ", StringComparison.Ordinal) && e.Contains("Credential=key:writer-a", StringComparison.Ordinal)
            && e.Contains("Method=GET", StringComparison.Ordinal) && e.Contains("Company=" + ServiceFixture.Company, StringComparison.Ordinal));
        Assert.Matches(@"CorrelationId=[0-9a-f]{8}-[0-9a-f]{4}-", good);
        Assert.Matches(@"DurationMs=\d", good);
        // A refused request: its line carries the correlation id of its error body.
        var correlation = refused.Response.Headers.GetValues("ms-correlation-x").Single();
        var bad = Assert.Single(lines, e => e.Contains(correlation, StringComparison.Ordinal));
        Assert.Contains("Status=401", bad);
        Assert.Contains("Credential=-", bad);
        // Never the query (names, amounts), a key or the Authorization header.
        foreach (var secret in new[] { wrongKey, ApiKeyFixture.WriterA, ApiKeyFixture.ReaderA, "Secret Customer Name", "Secret%20Customer", Convert.ToBase64String(Encoding.UTF8.GetBytes("u:" + wrongKey)) })
        {
            var hit = f.Logs.Entries.FirstOrDefault(e => e.Contains(secret, StringComparison.Ordinal));
            Assert.True(hit is null, $"in the log: {hit}");
        }
    }

    private const string RequestTelemetryCategory = "PaymentJournal.Requests";
}

public sealed class MetricsOffTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Metrics_are_off_by_default()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync("/metrics")).StatusCode);
        Assert.False(f.Services.GetService(typeof(OpenTelemetry.Metrics.MeterProvider)) is not null);
    }
}

public sealed class TelemetryStartupTests
{
    private static WebApplication Build(params (string Key, string Value)[] settings) =>
        App.Build([], b => b.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))));

    [Theory]
    [InlineData("Telemetry:OtlpEndpoint", "collector:4317")]
    [InlineData("Telemetry:OtlpEndpoint", "not a url")]
    [InlineData("Telemetry:OtlpEndpoint", "ftp://collector:4317")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost")]
    public void A_bad_OTLP_endpoint_stops_the_start_naming_the_setting(string key, string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Build((key, value)));
        Assert.StartsWith(key, e.Message);
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public void A_bad_metrics_switch_or_protocol_stops_the_start()
    {
        Assert.StartsWith("Telemetry:Metrics:Enabled", Assert.Throws<InvalidOperationException>(() => Build(("Telemetry:Metrics:Enabled", "yes please"))).Message);
        Assert.StartsWith("Telemetry:OtlpProtocol", Assert.Throws<InvalidOperationException>(() =>
            Build(("Telemetry:OtlpEndpoint", "http://localhost:4317"), ("Telemetry:OtlpProtocol", "smoke-signals"))).Message);
    }

    [Theory]
    [InlineData("grpc", "http://localhost:4317")]
    [InlineData("http/protobuf", "http://localhost:4318")]
    public async Task An_OTLP_endpoint_builds(string protocol, string endpoint)
    {
        await using var app = Build(("Telemetry:OtlpEndpoint", endpoint), ("Telemetry:OtlpProtocol", protocol));
        Assert.NotNull(app.Services.GetService(typeof(OpenTelemetry.Trace.TracerProvider)));
    }
}

/// <summary>The request span, with metrics off: named by its route template only when a tracer listens.</summary>
public sealed class RequestSpanTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task A_listened_request_span_is_named_by_its_route_template()
    {
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == "Microsoft.AspNetCore",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = stopped.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        // Our own trace id, so that this request's span is told apart from those of other tests.
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom();
        var headers = new Dictionary<string, string> { ["traceparent"] = $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom()}-01" };
        Assert.Equal(404, (await f.Http.Get(ServiceFixture.CompanyPath() + "/customers(" + Guid.NewGuid() + ")", headers)).Status);

        // The span stops once the answer has gone out.
        System.Diagnostics.Activity? span = null;
        for (var i = 0; i < 1000 && span is null; i++)
        {
            span = stopped.FirstOrDefault(a => a.TraceId == traceId);
            if (span is null) await Task.Delay(10);
        }
        Assert.NotNull(span);
        Assert.Equal("GET /api/v2.0/companies({id})/customers({id})", span.DisplayName);
        Assert.Equal("/api/v2.0/companies({id})/customers({id})", span.GetTagItem("http.route"));
    }
}
