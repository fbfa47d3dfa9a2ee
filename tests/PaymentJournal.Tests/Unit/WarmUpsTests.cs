using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace PaymentJournal.Tests.Unit;

/// <summary>Readiness after start: each warm-up in turn, then the JIT's work they leave.</summary>
public sealed class WarmUpsTests
{
    [Fact]
    public void With_no_warm_up_the_node_is_ready_at_once()
    {
        Assert.Null(new WarmUps(NullLogger<WarmUps>.Instance).ReadinessProblem());
    }

    [Fact]
    public async Task Readiness_names_a_running_warm_up_and_comes_once_all_have_run_and_the_jit_has_settled()
    {
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var warmUps = new WarmUps(NullLogger<WarmUps>.Instance);
        using var gate = new ManualResetEventSlim();
        var done = warmUps.Run(lifetime, "the test", () => gate.Wait());
        var quick = warmUps.Run(lifetime, "a quick one", () => { });
        Assert.Equal("the start-up warm-ups have not started", warmUps.ReadinessProblem());

        lifetime.NotifyStarted();
        await quick.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("the start-up warm-up of the test is still running", warmUps.ReadinessProblem());
        Assert.False(done.IsCompleted);

        gate.Set();
        await done.WaitAsync(TimeSpan.FromMinutes(1));
        // Then it waits at least two quiet windows of the JIT.
        Assert.Equal("the JIT is still compiling what the start-up warm-ups ran", warmUps.ReadinessProblem());
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (warmUps.ReadinessProblem() is not null)
        {
            Assert.True(waited.Elapsed < WarmUps.MaxHold, "never ready");
            await Task.Delay(20);
        }
        Assert.True(waited.Elapsed >= 2 * WarmUps.QuietWindow - TimeSpan.FromMilliseconds(20), $"ready after {waited.Elapsed}");
    }

    [Fact]
    public async Task A_warm_up_that_throws_still_counts_as_run()
    {
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var warmUps = new WarmUps(NullLogger<WarmUps>.Instance);
        var done = warmUps.Run(lifetime, "a failing one", () => throw new InvalidOperationException("no"));
        lifetime.NotifyStarted();
        await done.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("the JIT is still compiling what the start-up warm-ups ran", warmUps.ReadinessProblem());
    }
}
