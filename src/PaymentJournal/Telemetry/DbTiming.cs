using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PaymentJournal.Telemetry;

/// <summary>
/// Records the duration of every command EF Core runs (EF Core measures it already) as
/// paymentjournal.db.command.duration. Added only while telemetry is on; the service's own prepared statements
/// (posting's raw SQL, the prepared reads) are not counted here.
/// </summary>
public sealed class DbTiming(string provider) : DbCommandInterceptor
{
    private static readonly object Query = "query", NonQuery = "nonquery", Scalar = "scalar";

    private void Record(CommandExecutedEventData e, object kind)
    {
        if (Instruments.DbCommandDuration.Enabled)
            Instruments.DbCommandDuration.Record(e.Duration.TotalSeconds,
                new KeyValuePair<string, object?>("db.system", provider), new KeyValuePair<string, object?>("db.operation.kind", kind));
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Record(eventData, Query);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Record(eventData, Query);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Record(eventData, NonQuery);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Record(eventData, NonQuery);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Record(eventData, Scalar);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Record(eventData, Scalar);
        return ValueTask.FromResult(result);
    }
}
