using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

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

public sealed class ReadReplicaTests(ReplicaFixture f) : IClassFixture<ReplicaFixture>
{
    private static readonly string Customer = $"{ServiceFixture.V2}companies({ServiceFixture.Company})/customers({DemoSeed.CustomerId(1):D})";
    private static readonly Dictionary<string, string> ReadOnly = new() { ["Data-Access-Intent"] = "ReadOnly" };

    [Fact]
    public async Task A_get_with_read_only_intent_is_served_by_the_replica()
    {
        var (status, body, _) = await f.Http.Get(Customer, ReadOnly);
        Assert.Equal(200, status);
        Assert.Equal(ReplicaFixture.ReplicaName, body.Str("displayName"));

        var (_, list, _) = await f.Http.Get($"{ServiceFixture.V2}companies({ServiceFixture.Company})/customers", new Dictionary<string, string> { ["Data-Access-Intent"] = "readonly" });
        Assert.Contains(list!["value"]!.AsArray(), c => c.Str("displayName") == ReplicaFixture.ReplicaName);
    }

    [Fact]
    public async Task Without_the_header_or_with_read_write_intent_the_primary_serves()
    {
        var (_, plain, _) = await f.Http.Get(Customer);
        Assert.Equal("Adatum Corporation", plain.Str("displayName"));
        var (_, readWrite, _) = await f.Http.Get(Customer, new Dictionary<string, string> { ["Data-Access-Intent"] = "ReadWrite" });
        Assert.Equal("Adatum Corporation", readWrite.Str("displayName"));
    }

    [Fact]
    public async Task Writes_go_to_the_primary_whatever_the_header_says()
    {
        var (_, primary, _) = await f.Http.Get(Customer);
        var (status, patched, _) = await f.Http.Send(HttpMethod.Patch, Customer, new { phoneNumber = "555-0100" }, primary.Str("@odata.etag"), ReadOnly);
        Assert.True(status == 200, $"{status} {patched?.ToJsonString()}");
        Assert.Equal("Adatum Corporation", patched.Str("displayName"));
        var (_, after, _) = await f.Http.Get(Customer);
        Assert.Equal("555-0100", after.Str("phoneNumber"));
        // The replica (here: a database nothing replicates to) still has its own row.
        var (_, replica, _) = await f.Http.Get(Customer, ReadOnly);
        Assert.Equal(ReplicaFixture.ReplicaName, replica.Str("displayName"));
    }
}
