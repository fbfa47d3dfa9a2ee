using System.Linq.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Accounts;
using PaymentJournal.Features.Companies;
using PaymentJournal.Features.CustomerPaymentJournals;
using PaymentJournal.Features.CustomerPayments;
using PaymentJournal.Features.Customers;
using PaymentJournal.OData;
using Xunit;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// A SQLite database file with the real schema and a few rows, shared by the binder tests (read-only); see
/// <see cref="PreparedRowsDatabase"/> for the same rows on the run's database.
/// </summary>
public class QueryBinderDatabase : IDisposable
{
    public static readonly Guid Company = Guid.Parse("c0000000-0000-0000-0000-000000000001");
    public static readonly Guid Journal = Guid.Parse("d0000000-0000-0000-0000-000000000001");

    // Ids chosen so that the text order differs from the insertion order and from the line order.
    public static readonly Guid[] PaymentIds =
    [
        Guid.Parse("0a000000-0000-0000-0000-000000000000"),
        Guid.Parse("00000000-0000-0000-0000-00000000000f"),
        Guid.Parse("ff000000-0000-0000-0000-000000000000"),
        Guid.Parse("00000000-0000-0000-0001-000000000000"),
        Guid.Parse("b0000000-0000-0000-0000-000000000000"),
        Guid.Parse("00000000-0000-0000-0000-000000000001"),
    ];

    public static readonly (int Line, long Amount, string Date, string Customer, string Description, string Modified)[] Rows =
    [
        (10000, -50000, "2025-01-01", "C00001", "Payment January", "2025-01-01T08:00:00Z"),
        (20000, -1000, "2025-01-15", "C00002", "Invoice 1001 o'neil", "2025-01-15T12:30:00Z"),
        (30000, 1000, "2025-02-01", "C00003", "  Refund ", "2025-02-01T00:00:00Z"),
        (40000, 1001, "2025-02-28", "C00001", "Partial payment", "2025-03-01T23:59:59.999Z"),
        (50000, 0, "2024-12-31", "C00002", "", "2024-12-31T23:00:00Z"),
        (60000, 123456789, "2025-06-30", "C10000", "Big Payment", "2025-06-30T10:00:00Z"),
    ];

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"binder-{Guid.NewGuid():N}.db");
    /// <summary>The PostgreSQL database's connection string; null on SQLite.</summary>
    private readonly string? _postgres;

    public QueryBinderDatabase() : this(DatabaseProvider.Sqlite)
    {
    }

    protected QueryBinderDatabase(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Postgres)
            _postgres = PaymentJournal.Data.Postgres.PostgresConnections.WithDefaults(
                PostgresServer.SharedAsync().GetAwaiter().GetResult().CreateDatabaseAsync().GetAwaiter().GetResult());
        using var db = Open();
        db.Database.OpenConnection();
        db.Database.ExecuteSqlRaw(Schema());
        var clock = new SettableClock();
        db.Clock = clock;

        clock.Now = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        db.Companies.Add(new Company { Id = Company, Name = "CRONUS", DisplayName = "CRONUS", CreatedAt = clock.Now.UtcDateTime });
        db.CustomerPaymentJournals.Add(new CustomerPaymentJournal { Id = Journal, CompanyId = Company, Code = "GENERAL", DisplayName = "General" });
        db.SaveChanges();

        for (var i = 0; i < Rows.Length; i++)
        {
            var r = Rows[i];
            clock.Now = DateTimeOffset.Parse(r.Modified, System.Globalization.CultureInfo.InvariantCulture);
            db.CustomerPayments.Add(new CustomerPayment
            {
                Id = PaymentIds[i], CompanyId = Company, JournalId = Journal, JournalCode = "GENERAL", LineNumber = r.Line,
                CustomerId = Guid.Parse($"e0000000-0000-0000-0000-00000000000{i}"), CustomerNumber = r.Customer,
                PostingDate = DateOnly.Parse(r.Date, System.Globalization.CultureInfo.InvariantCulture), Amount = r.Amount, Description = r.Description,
            });
            db.SaveChanges();
        }

        string[] blocked = [" ", "Ship", "Invoice", "All"];
        for (var i = 0; i < blocked.Length; i++)
            db.Customers.Add(new Customer { Id = Guid.NewGuid(), CompanyId = Company, Number = $"C0000{i + 1}", DisplayName = $"Customer {i + 1}", Blocked = blocked[i] });
        db.Accounts.Add(new Account { Id = Guid.NewGuid(), CompanyId = Company, Number = "1000", DisplayName = "Bank", DirectPosting = true });
        db.Accounts.Add(new Account { Id = Guid.NewGuid(), CompanyId = Company, Number = "2000", DisplayName = "Receivables", DirectPosting = false });
        db.SaveChanges();
    }

    public AppDb Open() => _postgres is null
        ? new(new DbContextOptionsBuilder<AppDb>().UseSqlite($"Data Source={Path};Pooling=False").Options)
        : new(new DbContextOptionsBuilder<AppDb>().UseNpgsql(_postgres).Options);

    /// <summary>The SQLite migration, as embedded in the service assembly; on PostgreSQL every migration.</summary>
    private string Schema() =>
        string.Join("\n;\n", Migrator.Scripts(_postgres is not null ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite).Select(script => script.Sql));

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        if (_postgres is not null)
        {
            using (var connection = new Npgsql.NpgsqlConnection(_postgres)) Npgsql.NpgsqlConnection.ClearPool(connection);
            PostgresServer.SharedAsync().GetAwaiter().GetResult().DropDatabaseAsync(_postgres).GetAwaiter().GetResult();
            return;
        }
        SqliteConnection.ClearAllPools();
        File.Delete(Path);
    }

    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }
        public override DateTimeOffset GetUtcNow() => Now;
    }
}

/// <summary>
/// The same rows on the test run's database (PAYMENTJOURNAL_TEST_PROVIDER): a database of its own on the run's
/// PostgreSQL server in the PostgreSQL run, for what must work the same on both (the prepared reads, lists and writes;
/// a test class that writes has an instance of its own).
/// </summary>
public sealed class PreparedRowsDatabase() : QueryBinderDatabase(TestDatabase.Provider);
