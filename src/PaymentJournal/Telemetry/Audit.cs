namespace PaymentJournal.Telemetry;

/// <summary>
/// Audit lines (category PaymentJournal.Audit, Information): who changed the books, what and with what result. Posts
/// write here; imports and subscription changes add their own methods when they come.
/// </summary>
public static partial class Audit
{
    public const string Category = "PaymentJournal.Audit";

    [LoggerMessage(EventId = 100, EventName = "JournalPosted", Level = LogLevel.Information,
        Message = "Journal {JournalCode} ({JournalId}) of company {Company} posted {Lines} lines, by {Credential}, result {Result}, correlation id {CorrelationId}")]
    public static partial void JournalPosted(ILogger log, string journalCode, Guid journalId, Guid company, int lines, string credential, string result, string correlationId);

    [LoggerMessage(EventId = 101, EventName = "JournalPostRefused", Level = LogLevel.Information,
        Message = "Journal {JournalId} not posted, by {Credential}, result {Result} ({Status}), correlation id {CorrelationId}")]
    public static partial void JournalPostRefused(ILogger log, string journalId, string credential, string result, int status, string correlationId);

    /// <summary>The journal id of a post action's path: its last key or id segment.</summary>
    public static string JournalOf(string path)
    {
        string? last = null;
        foreach (var part in path.Split(['/', '(', ')', '\''], StringSplitOptions.RemoveEmptyEntries))
            if (Guid.TryParse(part, out var id)) last = id.ToString("D");
        return last ?? "-";
    }
}

/// <summary>What a committed journal post reports to the audit line (see <see cref="OData.AfterCommit"/>).</summary>
public sealed record PostedJournal(Guid JournalId, string Code, Guid CompanyId, int Lines);
