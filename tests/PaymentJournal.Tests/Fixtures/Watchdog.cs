using System.Diagnostics;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// Cleans up after the test process from outside it: a detached shell waits until the process is gone and then
/// runs a command. Servers and service nodes the tests start outlive a killed or hurried test host otherwise.
/// </summary>
public static class Watchdog
{
    public static void WhenGone(int pid, string command)
    {
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec </dev/null >/dev/null 2>&1; while kill -0 {pid} 2>/dev/null; do sleep 1; done; {command}");
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the cleanup watchdog.");
    }
}
