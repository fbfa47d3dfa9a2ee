using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

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

/// <summary>The file system under the SQLite file filled up under load, and space freed again.</summary>
public sealed class FullDiskTests(FullDiskFixture f) : IClassFixture<FullDiskFixture>
{
    [FullDiskFact]
    public async Task A_full_disk_under_load_answers_507_and_takes_writes_again_once_there_is_room() =>
        // Writes that meet the full disk in the WAL's shared memory or on a sync may answer 503; a full WAL answers 507.
        await FaultScenario.RunAsync(f, () => Faults.Fill(f.Filler), () => File.Delete(f.Filler), 507, 507, 503);
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
