using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// In the PostgreSQL run, a database whose default collation is ICU's en-US (which sorts 'a' before 'B' and ignores
/// punctuation at first). EF Core's compiled queries hold one model per process, so one process cannot serve both
/// providers: in the SQLite run this fixture is the SQLite one.
/// </summary>
public sealed class IcuPostgresFixture : FilterFixture
{
    protected override async Task<string> CreateDatabaseAsync()
    {
        if (Provider != DatabaseProvider.Postgres) return await base.CreateDatabaseAsync();
        var server = await PostgresServer.SharedAsync();
        return await server.CreateDatabaseAsync("TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'");
    }
}
