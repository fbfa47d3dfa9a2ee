using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// The service with Database:ReadOnlyConnectionString pointing at a second database of the run's provider. That
/// database stands in for a replica and is deliberately different from the primary (a customer renamed), so a
/// response shows which one served it.
/// </summary>
public sealed class ReplicaFixture : ServiceFixture
{
    public const string ReplicaName = "Renamed on the replica";
    public string ReplicaConnectionString { get; private set; } = "";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Database:ReadOnlyConnectionString", ReplicaConnectionString)];

    public override async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        ReplicaConnectionString = await TestDatabase.CreateAsync(Provider, Directory, "replica");
        var options = new DbContextOptionsBuilder<AppDb>();
        if (Provider == DatabaseProvider.Postgres) options.UseNpgsql(ReplicaConnectionString);
        else options.UseSqlite(ReplicaConnectionString);
        await using (var db = new AppDb(options.Options))
        {
            await Migrator.MigrateAsync(db, Provider, NullLogger.Instance);
            await DemoSeed.SeedAsync(db);
            await db.Customers.Where(c => c.Id == DemoSeed.CustomerId(1)).ExecuteUpdateAsync(u => u.SetProperty(c => c.DisplayName, ReplicaName));
        }
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Provider == DatabaseProvider.Postgres && ReplicaConnectionString.Length > 0)
            await TestDatabase.DropAsync(Provider, ReplicaConnectionString);
    }
}
