using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace PaymentJournal.Data.Sqlite;

/// <summary>
/// Flushes a connection's database file to disk through SQLite's own file handle: sqlite3_file_control with
/// SQLITE_FCNTL_FILE_POINTER gives the connection's sqlite3_file, whose VFS methods (a public, stable struct) include
/// xSync. Opening a second descriptor on the file instead would be unsafe: closing any descriptor of a file drops every
/// POSIX lock the process holds on it, SQLite's own included.
/// </summary>
internal static class SqliteFileSync
{
    private const int FcntlFilePointer = 7; // SQLITE_FCNTL_FILE_POINTER
    private const int SyncNormal = 2;       // SQLITE_SYNC_NORMAL: fsync on Linux

    // sqlite3_io_methods begins with int iVersion (padded to a pointer), then xClose, xRead, xWrite, xTruncate, xSync.
    private static readonly int XSyncOffset = 5 * IntPtr.Size;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int XSync(IntPtr file, int flags);

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_file_control", CallingConvention = CallingConvention.Cdecl)]
    private static extern int FileControl(IntPtr db, [MarshalAs(UnmanagedType.LPUTF8Str)] string dbName, int op, out IntPtr file);

    /// <summary>
    /// Syncs the main database file of <paramref name="connection"/> (open, and not used elsewhere meanwhile).
    /// False when it could not: the native library offers no such call, or the file is not open.
    /// </summary>
    public static bool TrySync(SqliteConnection connection)
    {
        var handle = connection.Handle;
        if (handle is null) return false;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (FileControl(handle.DangerousGetHandle(), "main", FcntlFilePointer, out var file) != 0 || file == IntPtr.Zero) return false;
            var methods = Marshal.ReadIntPtr(file);
            if (methods == IntPtr.Zero) return false;
            var sync = Marshal.ReadIntPtr(methods, XSyncOffset);
            if (sync == IntPtr.Zero) return false;
            var rc = Marshal.GetDelegateForFunctionPointer<XSync>(sync)(file, SyncNormal);
            if (rc != 0) throw new SqliteException($"Syncing the database file failed (SQLite error {rc}).", rc);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }
}
