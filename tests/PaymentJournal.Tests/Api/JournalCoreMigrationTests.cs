using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using PaymentJournal.Data;
using static PaymentJournal.Tests.Fixtures.OlderDatabase;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// A database written before the journal core (customer payment journals and lines in tables of their own) upgrades in
/// place: every journal, line, dimension line, application and ledger entry stays, with the version and last-modified
/// time its ETag and lastModifiedDateTime come from; the lines become cash receipt lines of account type Customer, and
/// the demo company gets its payments journal. Runs on the test run's provider.
/// </summary>
public sealed class JournalCoreMigrationTests
{
    private static int CoreVersion => VersionOf("journal_core");

    private static readonly Guid Company = DemoSeed.CompanyId, Other = Guid.Parse("0ce00000-0000-4000-8000-000000000001");
    private static readonly Guid Journal = Guid.Parse("0ce00000-0000-4000-8000-000000000002"), Series = Guid.Parse("0ce00000-0000-4000-8000-000000000003");
    private static readonly Guid Customer = Guid.Parse("0ce00000-0000-4000-8000-000000000004"), Line1 = Guid.Parse("0ce00000-0000-4000-8000-000000000005");
    private static readonly Guid Line2 = Guid.Parse("0ce00000-0000-4000-8000-000000000006"), Dimension = Guid.Parse("0ce00000-0000-4000-8000-000000000007");
    private static readonly Guid Value = Guid.Parse("0ce00000-0000-4000-8000-000000000008"), Application = Guid.Parse("0ce00000-0000-4000-8000-000000000009");
    private static readonly Guid Invoice = Guid.Parse("0ce00000-0000-4000-8000-00000000000a"), Entry = Guid.Parse("0ce00000-0000-4000-8000-00000000000b");
    private static readonly Guid OtherJournal = Guid.Parse("0ce00000-0000-4000-8000-00000000000c");
    private static readonly DateTime Stamp1 = new(2025, 3, 4, 5, 6, 7, 123, DateTimeKind.Utc), Stamp2 = new(2025, 11, 30, 23, 59, 58, 999, DateTimeKind.Utc);

    [Fact]
    public async Task A_database_from_before_the_core_keeps_every_row_and_its_etag()
    {
        await using var old = await OlderDatabase.CreateAsync(CoreVersion);
        await using (var conn = old.Open())
        {
            await conn.OpenAsync();
            await SeedOldRowsAsync(conn);
        }
        await using var db = old.Context();
        Assert.Equal(Migrator.Scripts(Provider).Count(s => s.Version >= CoreVersion), await Migrator.MigrateAsync(db, Provider, NullLogger.Instance));

        // The journals: cash receipt batches with every field and stamp they had.
        var journals = await db.JournalBatches.AsNoTracking().OrderBy(j => j.Code).ToListAsync();
        var receipts = journals.Where(j => j.CompanyId == Company && j.Template == JournalTemplates.CashReceipts).ToList();
        var journal = Assert.IsType<CustomerPaymentJournal>(Assert.Single(receipts));
        Assert.Equal((Journal, "RCPT", "Receipts", DemoSeed.AccountId("2910"), "2910", Series, 777L, Stamp1),
            (journal.Id, journal.Code, journal.DisplayName, journal.BalancingAccountId, journal.BalancingAccountNumber, journal.NumberSeriesId, journal.Version, journal.LastModified));
        Assert.IsType<CustomerPaymentJournal>(journals.Single(j => j.Id == OtherJournal));
        // The demo company's payments journal, under the id a new demo company has; the other company gets none.
        var payments = Assert.IsType<VendorPaymentJournal>(Assert.Single(journals, j => j.Template == JournalTemplates.Payments));
        Assert.Equal((DemoSeed.PaymentJournalId, Company, "PAYMENT", "2910"), (payments.Id, payments.CompanyId, payments.Code, payments.BalancingAccountNumber));

        // The lines: customer lines with their customer as the account, every value and stamp kept.
        var lines = await db.CustomerPayments.AsNoTracking().OrderBy(l => l.LineNumber).ToListAsync();
        Assert.Equal([Line1, Line2], lines.Select(l => l.Id));
        Assert.All(lines, l => Assert.Equal((JournalTemplates.CashReceipts, JournalAccountTypes.Customer, Customer, "C-OLD"), (l.Template, l.AccountType, l.CustomerId, l.CustomerNumber)));
        Assert.Equal((Journal, "RCPT", 10000, new DateOnly(2025, 3, 1), "R-001", "EXT-1", -12345L, Invoice, "INV-1", "first", "note", DemoSeed.AccountId("2910"), 888L, Stamp1),
            (lines[0].JournalId, lines[0].JournalCode, lines[0].LineNumber, lines[0].PostingDate, lines[0].DocumentNumber, lines[0].ExternalDocumentNumber, lines[0].Amount,
             lines[0].AppliesToInvoiceId, lines[0].AppliesToInvoiceNumber, lines[0].Description, lines[0].Comment, lines[0].BalancingAccountId, lines[0].Version, lines[0].LastModified));
        Assert.Equal((999L, Stamp2, "CT9"), (lines[1].Version, lines[1].LastModified, lines[1].ContactId));
        Assert.All(lines, l => Assert.Equal("2910", l.BalancingAccountNumber));
        // Read as the API reads a line by key; a vendor line of that id there is none.
        Assert.Equal(888L, (await PreparedRows.FindAsync<CustomerPayment>(db, "by-id", [("Id", Line1)], default))?.Version);
        Assert.Null(await PreparedRows.FindAsync<VendorPayment>(db, "by-id", [("Id", Line1)], default));

        var dimension = Assert.Single(await db.PaymentDimensions.AsNoTracking().ToListAsync());
        Assert.Equal((Line1, Dimension, Value, "AREA", "20", 555L), (dimension.PaymentId, dimension.DimensionId, dimension.DimensionValueId, dimension.DimensionCode, dimension.ValueCode, dimension.Version));
        var application = Assert.Single(await db.PaymentApplications.AsNoTracking().ToListAsync());
        Assert.Equal((Application, Line2, Invoice, 4000L), (application.Id, application.PaymentId, application.InvoiceId, application.Amount));
        var entry = Assert.Single(await db.CustomerLedgerEntries.AsNoTracking().ToListAsync());
        Assert.Equal((Entry, -500L, "RCPT"), (entry.Id, entry.Amount, entry.JournalCode));

        // The lines still go with their journal, and their dimension lines and applications with them.
        await db.CustomerPayments.Where(l => l.JournalId == Journal).ExecuteDeleteAsync();
        if (Provider == DatabaseProvider.Postgres)
        {
            Assert.Empty(await db.PaymentDimensions.ToListAsync());
            Assert.Empty(await db.PaymentApplications.ToListAsync());
        }
    }

    /// <summary>One row of every kind the journals had, written with the column names of the release before the core.</summary>
    private static async Task SeedOldRowsAsync(DbConnection conn)
    {
        var now = Ts(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        foreach (var (id, name) in new[] { (Company, "CRONUS"), (Other, "OTHER") })
            await Exec(conn, "INSERT INTO companies (id, name, display_name, business_profile_id, created_at, version, last_modified, last_entry_number, " +
                $"last_transaction_number) VALUES ({Id(id)}, '{name}', '{name}', '', {now}, 1, {now}, 1, 1)");
        await Exec(conn, "INSERT INTO accounts (id, company_id, number, display_name, category, sub_category, blocked, account_type, direct_posting, " +
            $"net_change, version, last_modified) VALUES ({Id(DemoSeed.AccountId("2910"))}, {Id(Company)}, '2910', 'Cash', 'Assets', 'Cash', {False}, 'Posting', {True}, 0, 1, {now})");
        await Exec(conn, $"INSERT INTO number_series (id, company_id, code, prefix, digits, last_used) VALUES ({Id(Series)}, {Id(Company)}, 'JNL-OLD', 'R-', 3, 1)");
        await Exec(conn, "INSERT INTO customers (id, company_id, number, display_name, type, address_line1, address_line2, city, state, country, postal_code, " +
            "phone_number, email, website, currency_code, blocked, credit_limit, balance_due, posting_group_id, version, last_modified) VALUES " +
            $"({Id(Customer)}, {Id(Company)}, 'C-OLD', 'Old customer', 'Company', '', '', '', '', '', '', '', '', '', '', ' ', 0, -500, {Id(Guid.Empty)}, 1, {now})");
        foreach (var (id, company, code) in new[] { (Journal, Company, "RCPT"), (OtherJournal, Other, "ELSEWHERE") })
            await Exec(conn, "INSERT INTO customer_payment_journals (id, company_id, code, display_name, balancing_account_id, balancing_account_number, number_series_id, " +
                $"version, last_modified) VALUES ({Id(id)}, {Id(company)}, '{code}', 'Receipts', {Id(DemoSeed.AccountId("2910"))}, '2910', {Id(Series)}, 777, {Ts(Stamp1)})");
        foreach (var (id, number, amount, invoice, contact, version, stamp) in new[] { (Line1, 10000, -12345, Invoice, "", 888, Stamp1), (Line2, 20000, -4000, Guid.Empty, "CT9", 999, Stamp2) })
            await Exec(conn, "INSERT INTO customer_payments (id, company_id, journal_id, journal_code, line_number, customer_id, customer_number, contact_id, posting_date, " +
                "document_number, external_document_number, amount, applies_to_invoice_id, applies_to_invoice_number, description, comment, balancing_account_id, version, last_modified) " +
                $"VALUES ({Id(id)}, {Id(Company)}, {Id(Journal)}, 'RCPT', {number}, {Id(Customer)}, 'C-OLD', '{contact}', '2025-03-01', 'R-001', 'EXT-1', {amount}, " +
                $"{Id(invoice)}, '{(invoice == Guid.Empty ? "" : "INV-1")}', '{(number == 10000 ? "first" : "second")}', 'note', {Id(DemoSeed.AccountId("2910"))}, {version}, {Ts(stamp)})");
        await Exec(conn, $"INSERT INTO dimensions (id, company_id, code, display_name, version, last_modified) VALUES ({Id(Dimension)}, {Id(Company)}, 'AREA', 'Area', 1, {now})");
        await Exec(conn, "INSERT INTO dimension_values (id, company_id, dimension_id, dimension_code, code, display_name, version, last_modified) " +
            $"VALUES ({Id(Value)}, {Id(Company)}, {Id(Dimension)}, 'AREA', '20', 'South', 1, {now})");
        await Exec(conn, "INSERT INTO payment_dimensions (company_id, payment_id, dimension_id, dimension_value_id, dimension_code, dimension_name, value_code, value_name, " +
            $"version, last_modified) VALUES ({Id(Company)}, {Id(Line1)}, {Id(Dimension)}, {Id(Value)}, 'AREA', 'Area', '20', 'South', 555, {Ts(Stamp2)})");
        await Exec(conn, "INSERT INTO customer_payment_applications (id, company_id, payment_id, invoice_id, invoice_number, amount, sequence, version, last_modified) " +
            $"VALUES ({Id(Application)}, {Id(Company)}, {Id(Line2)}, {Id(Invoice)}, 'INV-1', 4000, 1, 1, {now})");
        await Exec(conn, "INSERT INTO customer_ledger_entries (id, company_id, entry_number, transaction_number, customer_id, customer_number, posting_date, document_type, " +
            "document_number, external_document_number, description, amount, remaining_amount, open, sales_invoice_id, journal_code, created_at) VALUES " +
            $"({Id(Entry)}, {Id(Company)}, 1, 1, {Id(Customer)}, 'C-OLD', '2025-02-01', 'Payment', 'R-000', '', 'paid', -500, -500, {True}, {Id(Guid.Empty)}, 'RCPT', {now})");
    }

    private static string Ts(DateTime t) => Provider == DatabaseProvider.Sqlite ? $"'{t:yyyy-MM-dd HH:mm:ss.fff}'" : $"'{t:yyyy-MM-dd HH:mm:ss.fff}+00'";
}
