using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// A database made by the release before vendors existed upgrades in place: its rows stay, and its demo company gets the
/// payables and expense accounts, the domestic vendor posting group and the VEND and P-INV number series under the ids a
/// new demo company has. Another company gets none of them. Runs on the test run's provider.
/// </summary>
public sealed class VendorsMigrationTests
{
    private static readonly DatabaseProvider Provider = TestDatabase.Provider;
    private static int FirstVendorVersion => Migrator.Scripts(Provider).Single(s => s.Name.EndsWith("vendors_and_purchase_invoices", StringComparison.Ordinal)).Version;

    [Fact]
    public async Task The_demo_company_of_an_older_database_gets_what_vendors_need()
    {
        var directory = Path.Combine(Path.GetTempPath(), "pj-vendmig-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        var cs = await TestDatabase.CreateAsync(Provider, directory, "upgrade");
        var other = Guid.NewGuid();
        try
        {
            await using (var conn = Open(cs))
            {
                await conn.OpenAsync();
                await Exec(conn, Provider == DatabaseProvider.Sqlite
                    ? "CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                    : "CREATE TABLE schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)");
                foreach (var script in Migrator.Scripts(Provider).Where(s => s.Version < FirstVendorVersion))
                {
                    await Exec(conn, script.Sql);
                    await Exec(conn, $"INSERT INTO schema_migrations VALUES ({script.Version}, '{script.Name}', '2026-01-01')");
                }
                foreach (var (id, name) in new[] { (DemoSeed.CompanyId, "CRONUS"), (other, "OTHER") })
                    await Exec(conn, "INSERT INTO companies (id, name, display_name, business_profile_id, created_at, version, last_modified, last_entry_number, " +
                        $"last_transaction_number) VALUES ({Id(id)}, '{name}', '{name}', '', '2026-01-01', 1, '2026-01-01', 0, 0)");
                await Exec(conn, "INSERT INTO accounts (id, company_id, number, display_name, category, sub_category, blocked, account_type, direct_posting, " +
                    $"net_change, version, last_modified) VALUES ({Id(DemoSeed.AccountId("2310"))}, {Id(DemoSeed.CompanyId)}, '2310', 'Customers Domestic', " +
                    $"'Assets', 'Accounts Receivable', {False}, 'Posting', {True}, 1234, 1, '2026-01-01')");
            }

            await using var db = new AppDb(Provider == DatabaseProvider.Sqlite
                ? new DbContextOptionsBuilder<AppDb>().UseSqlite(cs).Options
                : new DbContextOptionsBuilder<AppDb>().UseNpgsql(cs).Options);
            Assert.Equal(Migrator.Scripts(Provider).Count(s => s.Version >= FirstVendorVersion), await Migrator.MigrateAsync(db, Provider, NullLogger.Instance));

            var accounts = await db.Accounts.AsNoTracking().OrderBy(a => a.Number).ToListAsync();
            Assert.Equal(["2310", "5410", "8210"], accounts.Select(a => a.Number));
            Assert.Equal(1234, accounts[0].NetChange);
            Assert.Equal(DemoSeed.AccountId(DemoSeed.PayablesAccount), accounts[1].Id);
            Assert.Equal(("Liabilities", "Accounts Payable"), (accounts[1].Category, accounts[1].SubCategory));
            Assert.Equal(DemoSeed.AccountId(DemoSeed.ExpenseAccount), accounts[2].Id);
            Assert.All(accounts, a => Assert.Equal(DemoSeed.CompanyId, a.CompanyId));

            var group = Assert.Single(await db.VendorPostingGroups.AsNoTracking().ToListAsync());
            Assert.Equal((DemoSeed.DomesticVendorPostingGroupId, DemoSeed.CompanyId, "DOMESTIC", DemoSeed.AccountId(DemoSeed.PayablesAccount)),
                (group.Id, group.CompanyId, group.Code, group.PayablesAccountId));

            var series = await db.NumberSeries.AsNoTracking().OrderBy(s => s.Code).ToListAsync();
            Assert.Equal([("P-INV", "108"), ("VEND", "V")], series.Select(s => (s.Code, s.Prefix)));
            Assert.All(series, s => Assert.Equal((DemoSeed.CompanyId, 0L), (s.CompanyId, s.LastUsed)));
            Assert.Empty(await db.Vendors.ToListAsync());
            Assert.Empty(await db.PurchaseInvoices.ToListAsync());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            await TestDatabase.DropAsync(Provider, cs);
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private static DbConnection Open(string cs) => Provider == DatabaseProvider.Sqlite ? new SqliteConnection(cs) : new NpgsqlConnection(cs);
    private static string Id(Guid id) => Provider == DatabaseProvider.Sqlite ? $"'{id.ToString("D").ToUpperInvariant()}'" : $"'{id:D}'";
    private static string False => Provider == DatabaseProvider.Sqlite ? "0" : "false";
    private static string True => Provider == DatabaseProvider.Sqlite ? "1" : "true";

    private static async Task Exec(DbConnection conn, string sql)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
