using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PaymentJournal.Telemetry;

/// <summary>
/// The service's meter and activity source, "PaymentJournal". Recording costs next to nothing while no listener is on
/// (metrics off and no OTLP endpoint). Features add their instruments here (webhook queue depth and deliveries,
/// matching duration), named paymentjournal.* and tagged with low-cardinality values only.
/// </summary>
public static class Instruments
{
    public const string Name = "PaymentJournal";

    public static readonly Meter Meter = new(Name, typeof(Instruments).Assembly.GetName().Version?.ToString());
    public static readonly ActivitySource Source = new(Name);

    private static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>A duration histogram in seconds, with buckets from half a millisecond to ten seconds.</summary>
    private static Histogram<double> Seconds(string name, string description) =>
        Meter.CreateHistogram(name, "s", description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>Every request: its route template, method and status; the count is the request rate.</summary>
    public static readonly Histogram<double> RequestDuration = Seconds("paymentjournal.http.request.duration",
        "Time from the request's arrival to its answer, by route template, method and status.");

    /// <summary>Database commands run through EF Core (not the service's own prepared statements), when telemetry is on.</summary>
    public static readonly Histogram<double> DbCommandDuration = Seconds("paymentjournal.db.command.duration",
        "Time a database command took, by provider and kind (query, nonquery, scalar).");

    public static readonly Histogram<long> GroupCommitBatchSize = Meter.CreateHistogram("paymentjournal.sqlite.group_commit.batch_size", "{write}",
        "Writes committed together by one SQLite group commit.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    public static readonly Histogram<double> GroupCommitWait = Seconds("paymentjournal.sqlite.group_commit.wait",
        "Time a write waited in the queue before the SQLite writer started its batch.");

    public static readonly Histogram<double> GroupCommitDuration = Seconds("paymentjournal.sqlite.group_commit.duration",
        "Time the SQLite writer spent on one batch, its COMMIT included (not the fsync beside it).");

    public static readonly Histogram<double> PostingDuration = Seconds("paymentjournal.posting.duration",
        "Time a committed journal post spent checking and writing its lines.");

    public static readonly Histogram<long> PostingLines = Meter.CreateHistogram("paymentjournal.posting.lines", "{line}",
        "Lines of a committed journal post.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000] });

    private static readonly object[] StatusCodes = Enumerable.Range(0, 600).Select(i => (object)i).ToArray();

    /// <summary>A status code as a tag value without boxing on every request.</summary>
    public static object Status(int code) => (uint)code < (uint)StatusCodes.Length ? StatusCodes[code] : code;
}
