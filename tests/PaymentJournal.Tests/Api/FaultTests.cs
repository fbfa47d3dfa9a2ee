using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

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

/// <summary>The SQLite file and its WAL made immutable under load, and writable again.</summary>
public sealed class ReadOnlyFileTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [ReadOnlyFileFact]
    public async Task A_database_file_made_read_only_under_load_answers_503_and_takes_writes_again_without_a_restart()
    {
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(f.ConnectionString).DataSource;
        // Not the -shm: SQLite maps it into memory, and on ext4 a write to a mapped page of an immutable file is a SIGBUS,
        // which ends any process. The database file and the WAL are what a read-only spell takes away.
        string[] files = [file, file + "-wal"];
        await FaultScenario.RunAsync(f, () => Faults.SetImmutable(true, files), () => Faults.SetImmutable(false, files), 503, 503);
    }
}

/// <summary>A service whose SQLite file lives on a tmpfs of its own, small enough to fill.</summary>
public sealed class FullDiskFixture : ServiceFixture
{
    public const int Megabytes = 24;
    private bool _mounted;

    public string Filler => Path.Combine(Directory, "filler");

    public override async Task InitializeAsync()
    {
        if (Provider == DatabaseProvider.Sqlite && Faults.WhyNoTmpfs is null)
        {
            Faults.MountTmpfs(Directory, Megabytes);
            _mounted = true;
        }
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (!_mounted) return;
        Faults.Unmount(Directory);
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The file system under the SQLite file filled up under load, and space freed again.</summary>
public sealed class FullDiskTests(FullDiskFixture f) : IClassFixture<FullDiskFixture>
{
    [FullDiskFact]
    public async Task A_full_disk_under_load_answers_507_and_takes_writes_again_once_there_is_room() =>
        // Writes that meet the full disk in the WAL's shared memory or on a sync may answer 503; a full WAL answers 507.
        await FaultScenario.RunAsync(f, () => Faults.Fill(f.Filler), () => File.Delete(f.Filler), 507, 507, 503);
}

/// <summary>A service on a PostgreSQL server of its own, which the test stops and starts (the shared one stays up).</summary>
public sealed class OwnPostgresFixture : ServiceFixture
{
    public PostgresServer? Server { get; private set; }

    protected override async Task<string> CreateDatabaseAsync()
    {
        if (Provider != DatabaseProvider.Postgres) return await base.CreateDatabaseAsync();
        Server = await PostgresServer.StartOwnAsync();
        return await Server.CreateDatabaseAsync();
    }

    protected override async Task DropDatabaseAsync()
    {
        if (Server is null) await base.DropDatabaseAsync();
        else await Server.DisposeAsync();
    }
}

/// <summary>PostgreSQL stopped (as by a crash) under load, and started again.</summary>
public sealed class PostgresRestartTests(OwnPostgresFixture f) : IClassFixture<OwnPostgresFixture>
{
    [PostgresFact]
    public async Task PostgreSQL_stopped_under_load_answers_503_and_takes_writes_again_once_it_is_back() =>
        await FaultScenario.RunAsync(f,
            () => f.Server!.StopAsync("immediate").GetAwaiter().GetResult(),
            () => f.Server!.StartAgainAsync().GetAwaiter().GetResult(), 503, 503);
}
