using System.Collections.Concurrent;
using Npgsql;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// Two service processes on one PostgreSQL database, as behind a load balancer. PostgreSQL only, whatever
/// PAYMENTJOURNAL_TEST_PROVIDER says: several nodes on one SQLite file is not a supported configuration.
/// </summary>
public sealed class MultiNodeFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";
    public ServiceNode A { get; private set; } = null!;
    public ServiceNode B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var server = await PostgresServer.SharedAsync();
        ConnectionString = await server.CreateDatabaseAsync();
        // Started together: both race for the startup lock on the empty database.
        var a = ServiceNode.Launch("A", ConnectionString);
        var b = ServiceNode.Launch("B", ConnectionString);
        // Generous: on a busy shared machine a cold `dotnet` start can take over a minute.
        await Task.WhenAll(a.WaitListeningAsync(TimeSpan.FromSeconds(180)), b.WaitListeningAsync(TimeSpan.FromSeconds(180)));
        (A, B) = (a, b);
    }

    public async Task DisposeAsync()
    {
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        if (ConnectionString.Length > 0) await (await PostgresServer.SharedAsync()).DropDatabaseAsync(ConnectionString);
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        return (T)Convert.ChangeType((await cmd.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 300 };
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>The test classes that share one pair of nodes (and run one after another): starting more node processes
/// side by side only makes a busy machine slower.</summary>
[CollectionDefinition(Name)]
public sealed class TwoNodes : ICollectionFixture<MultiNodeFixture>
{
    public const string Name = "Two nodes";
}
