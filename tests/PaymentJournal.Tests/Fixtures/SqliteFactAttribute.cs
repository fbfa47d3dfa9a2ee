using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// A fact about the SQLite writer, run in the SQLite run of the suite. (One process cannot serve both providers: the
/// compiled queries are bound to the model of the provider that first ran them.)
/// </summary>
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute()
    {
        if (TestDatabase.Provider != DatabaseProvider.Sqlite) Skip = "SQLite only: runs in the SQLite run of the suite";
    }
}
