using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

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
