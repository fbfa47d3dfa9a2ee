namespace PaymentJournal.OData;

/// <summary>Every limit of the protocol in one place (configuration section "Limits").</summary>
public sealed class Limits
{
    /// <summary>Default server page size: 20,000 entities, as Business Central online.</summary>
    public int MaxPageSize { get; set; } = 20_000;
    public int MaxTop { get; set; } = 100_000;
    public int MaxSkip { get; set; } = 10_000_000;
    public int MaxFilterNodes { get; set; } = 100;
    public int MaxExpandDepth { get; set; } = 2;
    public int MaxOrderByKeys { get; set; } = 5;
    public int MaxUrlLength { get; set; } = 8_192;
    public long MaxBodyBytes { get; set; } = 1_048_576;
    public int MaxBatchRequests { get; set; } = 100;
    public long MaxBatchBodyBytes { get; set; } = 10_485_760;
    public int MaxDeepInsertItems { get; set; } = 100;
    /// <summary>The largest bank statement file an import takes (its bytes, before base64).</summary>
    public long MaxStatementFileBytes { get; set; } = 7_000_000;
    /// <summary>The largest JSON body of a bank statement import: the file in base64 and a little more.</summary>
    public long MaxImportBodyBytes => MaxStatementFileBytes / 3 * 4 + 65_536;
    /// <summary>Business Central online cancels an operation after 8 minutes with 408.</summary>
    public int RequestTimeoutSeconds { get; set; } = 480;
    /// <summary>All request headers together (Kestrel answers 431 above it); Kestrel's own default.</summary>
    public int MaxHeaderBytes { get; set; } = 32_768;
    public int MaxHeaderCount { get; set; } = 100;
}
