using Microsoft.Data.Sqlite;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Data;

/// <summary>
/// `PaymentJournal backup FILE` and `PaymentJournal restore FILE`, read with the service's own configuration
/// (appsettings.json, environment, `--Key=value` after the file), so they find the same database the service uses.
/// A backup is SQLite's online backup of one read transaction: a consistent snapshot while the service keeps writing.
/// Both write a temporary file beside the target and rename it into place, so a failure never leaves a partial file
/// where a good one was. Exit codes: 0 done, 1 failed (with the reason on stderr), 2 usage.
/// </summary>
public static class Backup
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "backup" or "restore";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
        {
            error.WriteLine($"Usage: PaymentJournal {args[0]} FILE [--ConnectionStrings:PaymentJournal=...]");
            return 2;
        }
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args[2..], ContentRootPath = AppContext.BaseDirectory });
        var options = builder.Configuration.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (options.Provider == DatabaseProvider.Postgres)
        {
            error.WriteLine($"PaymentJournal {args[0]}: the database is PostgreSQL; use its own tools: pg_dump and pg_restore, " +
                            "or base backups (pg_basebackup) with WAL archiving. See docs/postgres.md.");
            return 2;
        }
        var connectionString = builder.Configuration.GetConnectionString("PaymentJournal") ?? App.DefaultConnectionString;
        var database = App.SqlitePath(connectionString);
        if (database is null)
        {
            error.WriteLine($"PaymentJournal {args[0]}: the database is in memory; there is no file to {args[0]}.");
            return 1;
        }
        var file = Path.GetFullPath(args[1]);
        try
        {
            SqliteProcessConfig.EnsureApplied();
            if (args[0] == "backup")
            {
                BackupTo(database, file);
                output.WriteLine($"Backed up {database} to {file}.");
            }
            else
            {
                RestoreFrom(file, database);
                output.WriteLine($"Restored {file} to {database}.");
            }
            return 0;
        }
        catch (BackupException e)
        {
            error.WriteLine($"PaymentJournal {args[0]} failed: {e.Message}");
            return 1;
        }
    }

    /// <summary>Copies a consistent snapshot of the database at <paramref name="database"/> to <paramref name="target"/>.</summary>
    public static void BackupTo(string database, string target)
    {
        if (!File.Exists(database)) throw new BackupException($"there is no database at {database}.");
        CheckIsDatabase(database, "the database");
        var temp = TempBeside(target);
        try
        {
            using (var source = Open(database, SqliteOpenMode.ReadOnly))
            using (var copy = Open(temp, SqliteOpenMode.ReadWriteCreate))
            {
                // One step of all pages under one read transaction: the writer goes on meanwhile (WAL).
                source.BackupDatabase(copy);
                // The copy comes marked WAL like its source; a single self-contained file is what a backup should be
                // (the service turns WAL back on when it opens a restored one).
                using var cmd = copy.CreateCommand();
                cmd.CommandText = "PRAGMA journal_mode = DELETE";
                cmd.ExecuteNonQuery();
            }
            CheckIsDatabase(temp, "the copy");
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"could not write {target}: {e.Message}");
        }
        finally
        {
            DeleteWithSidecars(temp);
        }
    }

    /// <summary>Puts a backup in the database's place; refuses while another connection has the database open.</summary>
    public static void RestoreFrom(string backup, string database)
    {
        if (!File.Exists(backup)) throw new BackupException($"there is no file at {backup}.");
        CheckIsDatabase(backup, backup);
        if (File.Exists(database)) EnsureNotInUse(database);
        var folder = Path.GetDirectoryName(database)!;
        string temp;
        try
        {
            Directory.CreateDirectory(folder);
            temp = TempBeside(database);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"could not write beside {database}: {e.Message}");
        }
        try
        {
            File.Copy(backup, temp, overwrite: true);
            using (var f = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite)) f.Flush(flushToDisk: true);
            // The old database's WAL and shared memory belong to the old file; after the check above nobody uses them.
            Delete(database + "-wal");
            Delete(database + "-shm");
            File.Move(temp, database, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"could not replace {database}: {e.Message}");
        }
        finally
        {
            DeleteWithSidecars(temp);
        }
    }

    /// <summary>A SQLite file that passes integrity_check and holds this service's schema, or a <see cref="BackupException"/>.</summary>
    private static void CheckIsDatabase(string path, string what)
    {
        try
        {
            using var conn = Open(path, SqliteOpenMode.ReadOnly);
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('schema_migrations', 'companies')";
            if (Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 2)
                throw new BackupException($"{what} is a SQLite database but not a PaymentJournal one (no schema_migrations and companies tables).");
            cmd.CommandText = "PRAGMA integrity_check";
            var result = cmd.ExecuteScalar() as string;
            if (result != "ok") throw new BackupException($"{what} fails SQLite's integrity check: {result}");
        }
        catch (SqliteException e)
        {
            throw new BackupException($"{what} is not a readable SQLite database: {e.Message}");
        }
    }

    /// <summary>
    /// Leaving WAL mode needs the only connection to the file: while the service (or anything else) has it open, it
    /// fails with SQLITE_BUSY. The restore replaces the file anyway, so the journal mode it leaves does not matter.
    /// </summary>
    private static void EnsureNotInUse(string database)
    {
        try
        {
            using var conn = Open(database, SqliteOpenMode.ReadWrite);
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode = DELETE";
            var mode = cmd.ExecuteScalar() as string;
            if (!string.Equals(mode, "delete", StringComparison.OrdinalIgnoreCase))
                throw new BackupException($"{database} is in use (journal mode stays {mode}): stop the service first.");
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            throw new BackupException($"{database} is in use: stop the service first.");
        }
        catch (SqliteException)
        {
            // Not a readable database: it is being replaced, which is what a restore is for.
        }
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        conn.Open();
        return conn;
    }

    /// <summary>A new, empty file beside <paramref name="target"/>, so the final rename stays on one file system.</summary>
    private static string TempBeside(string target)
    {
        var folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
            throw new BackupException(File.Exists(folder) ? $"{folder} is a file, not a folder." : $"the folder {folder} does not exist.");
        var temp = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (new FileStream(temp, FileMode.CreateNew, FileAccess.Write)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupException($"cannot write in {folder}: {e.Message}");
        }
        return temp;
    }

    private static void DeleteWithSidecars(string path)
    {
        Delete(path);
        Delete(path + "-journal");
        Delete(path + "-wal");
        Delete(path + "-shm");
    }

    private static void Delete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A backup or restore that cannot be done, with the reason for the operator.</summary>
public sealed class BackupException(string message) : Exception(message);
