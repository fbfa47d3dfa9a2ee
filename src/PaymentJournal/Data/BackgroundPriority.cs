using System.Runtime.InteropServices;

namespace PaymentJournal.Data;

/// <summary>
/// Lowers the CPU priority of the calling thread, for background work that should yield to requests when the cores are
/// busy. On Linux a thread has a nice value of its own (setpriority on its thread id); raising it needs no privilege.
/// Elsewhere, or where the calls are missing, nothing changes.
/// </summary>
internal static class BackgroundPriority
{
    public const int Nice = 10;
    private const int PrioProcess = 0; // PRIO_PROCESS: with a thread id, that one thread

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static extern int GetPriority(int which, int who);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();

    /// <summary>True when the calling thread now runs at <see cref="Nice"/>.</summary>
    public static bool Lower()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return SetPriority(PrioProcess, GetThreadId(), Nice) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The calling thread's nice value (Linux), or null.</summary>
    public static int? Current()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return GetPriority(PrioProcess, GetThreadId());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
