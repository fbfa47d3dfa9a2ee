using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentJournal.Data;
using static PaymentJournal.Tests.Fixtures.OlderDatabase;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// A database made by the release before vendors existed upgrades in place: its rows stay, and its demo company gets the
/// payables and expense accounts, the domestic vendor posting group and the VEND and P-INV number series under the ids a
/// new demo company has. Another company gets none of them. Runs on the test run's provider.
/// </summary>
public sealed class VendorsMigrationTests
{
    private static int FirstVendorVersion => VersionOf("vendors_and_purchase_invoices");

    [Fact]
    public async Task The_demo_company_of_an_older_database_gets_what_vendors_need()
    {
        await using var old = await OlderDatabase.CreateAsync(FirstVendorVersion);
        var other = Guid.NewGuid();
        await using (var conn = old.Open())
        {
            await conn.OpenAsync();
            foreach (var (id, name) in new[] { (DemoSeed.CompanyId, "CRONUS"), (other, "OTHER") })
                await Exec(conn, "INSERT INTO companies (id, name, display_name, business_profile_id, created_at, version, last_modified, last_entry_number, " +
                    $"last_transaction_number) VALUES ({Id(id)}, '{name}', '{name}', '', '2026-01-01', 1, '2026-01-01', 0, 0)");
            await Exec(conn, "INSERT INTO accounts (id, company_id, number, display_name, category, sub_category, blocked, account_type, direct_posting, " +
                $"net_change, version, last_modified) VALUES ({Id(DemoSeed.AccountId("2310"))}, {Id(DemoSeed.CompanyId)}, '2310', 'Customers Domestic', " +
                $"'Assets', 'Accounts Receivable', {False}, 'Posting', {True}, 1234, 1, '2026-01-01')");
        }

        await using var db = old.Context();
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
}
