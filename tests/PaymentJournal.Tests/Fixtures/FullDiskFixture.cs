using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

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
