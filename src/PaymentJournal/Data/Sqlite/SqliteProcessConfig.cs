namespace PaymentJournal.Data.Sqlite;

/// <summary>
/// Process-wide SQLite settings, made once before the first connection opens. The native library comes built in
/// serialized mode, where every call on a connection (each column a reader reads, each step) takes and releases that
/// connection's mutex, and every allocation takes the global memory-statistics mutex. Here each connection is used by
/// one caller at a time (a pooled context per request, the writer's own, the checkpoint loop's own), so multi-thread
/// mode, which drops the per-connection mutexes, is safe; nothing reads SQLite's memory statistics, so they are off.
/// When a connection has already opened in this process (SQLite is initialised), the settings cannot change and the
/// library stays as it was: slower, not less correct.
/// </summary>
public static class SqliteProcessConfig
{
    private const int ConfigMultiThread = 2; // SQLITE_CONFIG_MULTITHREAD
    private const int ConfigMemStatus = 9;   // SQLITE_CONFIG_MEMSTATUS
    private static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>True when the settings took effect (this call or an earlier one).</summary>
    public static bool EnsureApplied() => Applied.Value;

    private static bool Apply()
    {
        SQLitePCL.Batteries_V2.Init();
        // SQLITE_OK (0) only before SQLite is initialised; SQLITE_MISUSE (21) after.
        var threading = SQLitePCL.raw.sqlite3_config(ConfigMultiThread);
        var memStatus = SQLitePCL.raw.sqlite3_config(ConfigMemStatus, 0);
        return threading == 0 && memStatus == 0;
    }
}
