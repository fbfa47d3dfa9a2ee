using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

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
