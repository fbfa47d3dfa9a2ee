using Microsoft.EntityFrameworkCore.Query;

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

public static class VersionedUpdates
{
    /// <summary>
    /// Moves Version and LastModified in a bulk ExecuteUpdate, which bypasses SaveChanges' stamping: a row whose
    /// wire shape changes (a renamed journal code or customer number on it) must get a new ETag like any other change.
    /// </summary>
    public static UpdateSettersBuilder<T> Touch<T>(this UpdateSettersBuilder<T> u, DateTime now) where T : Versioned
    {
        var floor = now.Ticks / 10;
        return u.SetProperty(x => x.Version, x => x.Version < floor ? floor : x.Version + 1).SetProperty(x => x.LastModified, now);
    }
}
