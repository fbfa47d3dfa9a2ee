using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Features.Accounts;
using PaymentJournal.Features.Companies;
using PaymentJournal.Features.CustomerPaymentJournals;
using PaymentJournal.Features.CustomerPayments;
using PaymentJournal.Features.Customers;
using Xunit;

namespace PaymentJournal.Tests.Unit;

/// <summary>
/// Rows are read by key with prepared statements of our own: every property must come back exactly as EF Core's query
/// gives it (GUIDs and dates stored as text on SQLite, amounts, versions, timestamps, nullable columns). On the run's
/// database: SQLite, or PostgreSQL in the PostgreSQL run.
/// </summary>
public sealed class PreparedReadsTests(PreparedRowsDatabase database) : IClassFixture<PreparedRowsDatabase>
{
    [Fact]
    public async Task A_row_read_by_key_equals_the_row_EF_Core_reads()
    {
        await using var db = database.Open();
        var checkedRows = 0;
        checkedRows += await SameRows(db, db.CustomerPayments, p => p.Id);
        checkedRows += await SameRows(db, db.CustomerPaymentJournals, j => j.Id);
        checkedRows += await SameRows(db, db.Customers, c => c.Id);
        checkedRows += await SameRows(db, db.Accounts, a => a.Id);
        checkedRows += await SameRows(db, db.Companies, c => c.Id);
        Assert.Equal(6 + 1 + 4 + 2 + 1, checkedRows);
    }

    [Fact]
    public async Task A_key_that_matches_nothing_reads_as_null_and_exists_says_so()
    {
        await using var db = database.Open();
        Assert.Null(await PreparedRows.FindAsync<CustomerPayment>(db, "test", [(nameof(CustomerPayment.Id), Guid.NewGuid())], default));
        // Right key, other company: the company is part of the lookup.
        Assert.Null(await PreparedRows.FindAsync<CustomerPayment>(db, "test-company",
            [(nameof(CustomerPayment.CompanyId), Guid.NewGuid()), (nameof(CustomerPayment.Id), QueryBinderDatabase.PaymentIds[0])], default));

        var journal = QueryBinderDatabase.Journal;
        Assert.True(await PreparedRows.ExistsAsync<CustomerPayment>(db, "line", [(nameof(CustomerPayment.JournalId), journal), (nameof(CustomerPayment.LineNumber), 30000)], default));
        Assert.False(await PreparedRows.ExistsAsync<CustomerPayment>(db, "line", [(nameof(CustomerPayment.JournalId), journal), (nameof(CustomerPayment.LineNumber), 30001)], default));
        Assert.False(await PreparedRows.ExistsAsync<CustomerPayment>(db, "line", [(nameof(CustomerPayment.JournalId), Guid.NewGuid()), (nameof(CustomerPayment.LineNumber), 30000)], default));
    }

    [Fact]
    public async Task Rows_read_with_a_plain_query_equal_what_EF_Core_reads()
    {
        await using var db = database.Open();
        await using var tx = await db.Database.BeginTransactionAsync();
        var raw = new RawSql(db);
        var journal = QueryBinderDatabase.Journal;
        var read = await raw.ReadAllAsync(
            "SELECT id, document_number, amount, posting_date, account_id FROM journal_lines WHERE journal_id = @p0 ORDER BY line_number",
            r => (r.Guid(0), r.String(1), r.Int64(2), r.Date(3), r.Guid(4)), default, raw.Guid(journal));
        var expected = await db.CustomerPayments.AsNoTracking().Where(p => p.JournalId == journal).OrderBy(p => p.LineNumber)
            .Select(p => new { p.Id, p.DocumentNumber, p.Amount, p.PostingDate, p.CustomerId }).ToListAsync();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(p => (p.Id, p.DocumentNumber, p.Amount, p.PostingDate, p.CustomerId)), read);
        // No row: an empty list.
        Assert.Empty(await raw.ReadAllAsync("SELECT id FROM journal_lines WHERE journal_id = @p0", r => r.Guid(0), default, raw.Guid(Guid.NewGuid())));
    }

    private static async Task<int> SameRows<T>(AppDb db, DbSet<T> set, Func<T, Guid> id) where T : class
    {
        var properties = db.Model.FindEntityType(typeof(T))!.GetProperties().ToList();
        var rows = await set.AsNoTracking().ToListAsync();
        foreach (var expected in rows)
        {
            var actual = await PreparedRows.FindAsync<T>(db, "test", [("Id", id(expected))], default);
            Assert.NotNull(actual);
            foreach (var p in properties)
            {
                var (e, a) = (p.GetGetter().GetClrValue(expected), p.GetGetter().GetClrValue(actual));
                // DateTime.Equals ignores the kind; EF Core's converter marks every timestamp UTC.
                if (e is DateTime de && a is DateTime da) (e, a) = ((de.Ticks, de.Kind), (da.Ticks, da.Kind));
                Assert.True(Equals(e, a), $"{typeof(T).Name}.{p.Name}: {e} read as {a}");
            }
        }
        return rows.Count;
    }
}
