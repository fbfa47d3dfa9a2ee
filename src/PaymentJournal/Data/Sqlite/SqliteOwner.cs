namespace PaymentJournal.Data.Sqlite;

/// <summary>
/// One service per SQLite file: the process that serves a file holds an exclusive lock on "&lt;file&gt;.lock" beside it
/// until it stops, and a second service on the same file refuses to start. Its one writer, and what it keeps of the
/// file in memory (the idempotency keys' index, see <see cref="IdempotencyRows"/>), are only right for one process.
/// Several nodes share a PostgreSQL database instead. Other readers of the file (a backup) are not affected.
/// </summary>
public sealed class SqliteOwner : IDisposable
{
    private FileStream? _lock;

    /// <summary>Takes the lock of the file at <paramref name="databasePath"/>; throws naming the file when another process holds it.</summary>
    public void Take(string databasePath)
    {
        if (_lock is not null) return;
        var path = databasePath + ".lock";
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix, a sharing lock on Windows; released when the process ends.
            _lock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Database: another PaymentJournal process serves {databasePath} (it holds {path}). One service per SQLite file; use PostgreSQL for several nodes.", e);
        }
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
