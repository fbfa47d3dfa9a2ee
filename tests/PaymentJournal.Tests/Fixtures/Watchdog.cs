using System.Diagnostics;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// Cleans up after the test process from outside it: a detached shell waits until the process is gone and then
/// runs a command. Servers and service nodes the tests start would otherwise outlive a killed or hurried test host.
/// </summary>
public static class Watchdog
{
    /// <summary>Runs <paramref name="command"/> once <paramref name="owner"/> has exited.</summary>
    public static void WhenGone(int owner, string command) =>
        Start($"while kill -0 {owner} 2>/dev/null; do sleep 1; done; {command}");

    /// <summary>SIGKILLs <paramref name="child"/> if <paramref name="owner"/> exits first; gives up once the child has gone.</summary>
    public static void KillWithOwner(int owner, int child) =>
        Start($"while kill -0 {owner} 2>/dev/null; do kill -0 {child} 2>/dev/null || exit 0; sleep 1; done; kill -9 {child}");

    private static void Start(string script)
    {
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec </dev/null >/dev/null 2>&1; " + script);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the cleanup watchdog.");
    }
}
