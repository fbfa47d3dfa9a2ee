using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// What the faults under load have in common: honest answers while the fault lasts (503/507 with Retry-After, never a
/// 500, no $batch failing as a whole), the health endpoints saying so, writes again without a restart once it has
/// passed, and every acknowledged write in the database.
/// </summary>
internal static class FaultScenario
{
    public static async Task RunAsync(ServiceFixture f, Action breakIt, Action repairIt, int faultStatus, params int[] allowedFaultStatuses)
    {
        await using var load = WriteLoad.Start(f.BaseAddress);
        await load.WaitForAsync(a => a.Status == 201, 20, "writes acknowledged before the fault");
        var broken = load.Mark;
        breakIt();
        try
        {
            await load.WaitForAsync(a => a.Status == faultStatus, 1, $"a {faultStatus} answer while the fault lasts", broken);
            await load.WaitForAsync(a => a.Status == faultStatus && a.InBatch, 1, $"a {faultStatus} answer inside a $batch", broken);
            // A full SQLite disk may let a small write through now and then (a WAL started over reuses its space), so
            // each probe is asked until it reports the fault.
            await Faults.EventuallyAsync(async () => (await Faults.HealthAsync(f.Http, "/health")) is (503, _, true), "/health answering 503 with Retry-After");
            await Faults.EventuallyAsync(async () => (await Faults.HealthAsync(f.Http, "/health/ready")) is (503, _, true), "/health/ready answering 503 with Retry-After");
            var health = await Faults.HealthAsync(f.Http, "/health");
            Assert.True(health.Status == 200 || health.Body.StartsWith("Unhealthy: the database", StringComparison.Ordinal), health.Body);
            Assert.Equal(200, (await Faults.HealthAsync(f.Http, "/health/live")).Status);
        }
        finally
        {
            repairIt();
        }
        var repaired = load.Mark;
        await load.WaitForAsync(a => a.Status == 201 && !a.InBatch, 20, "writes acknowledged again after the fault, without a restart", repaired);
        await load.WaitForAsync(a => a.Status == 201 && a.InBatch, 3, "$batch writes acknowledged again after the fault", repaired);
        await Faults.EventuallyAsync(async () => (await Faults.HealthAsync(f.Http, "/health")).Status == 200, "/health answering 200 again");
        await Faults.EventuallyAsync(async () => (await Faults.HealthAsync(f.Http, "/health/ready")).Status == 200, "/health/ready answering 200 again");
        await load.DisposeAsync();

        load.AssertHonest(allowedFaultStatuses);
        var acknowledged = load.Acknowledged;
        var found = await f.WithDb(db => db.CustomerPayments.Where(p => acknowledged.Contains(p.Id)).Select(p => p.Id).ToListAsync());
        var missing = acknowledged.Except(found).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged writes are not in the database, e.g. {string.Join(", ", missing.Take(3))}");
    }
}
