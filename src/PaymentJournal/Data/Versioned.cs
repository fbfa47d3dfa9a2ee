namespace PaymentJournal.Data;

/// <summary>
/// A mutable row with an optimistic concurrency version (exposed as @odata.etag) and a modification time.
/// The DbContext moves both on every insert and update, so no handler can forget to.
/// </summary>
public abstract class Versioned
{
    public long Version { get; set; }
    public DateTime LastModified { get; set; }

    public string ETag => "W/\"" + Version.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"";
}
