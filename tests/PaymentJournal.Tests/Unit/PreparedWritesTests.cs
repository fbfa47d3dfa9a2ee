using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using PaymentJournal.Data;
using PaymentJournal.Features.CustomerPayments;
using Xunit;

namespace PaymentJournal.Tests.Unit;

/// <summary>
/// Creates and lone updates are written with prepared statements of our own (<see cref="PreparedRows"/>) instead of
/// SaveChanges: the rows must be stored exactly as SaveChanges stores them, and a failed write must fail as
/// SaveChanges' does. On the run's database: SQLite, or PostgreSQL in the PostgreSQL run.
/// </summary>
public sealed class PreparedWritesTests(PreparedRowsDatabase database) : IClassFixture<PreparedRowsDatabase>
{
    private static readonly DateTimeOffset At = new(2025, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);

    private static CustomerPayment NewPayment(int line) => new()
    {
        Id = Guid.NewGuid(), CompanyId = QueryBinderDatabase.Company, JournalId = QueryBinderDatabase.Journal, JournalCode = "GENERAL",
        LineNumber = line, CustomerId = Guid.NewGuid(), CustomerNumber = "C00002", ContactId = "contact-1", PostingDate = new DateOnly(2025, 3, 4),
        DocumentNumber = "D-1", ExternalDocumentNumber = "X-1", Amount = 12345, AppliesToInvoiceId = Guid.NewGuid(), AppliesToInvoiceNumber = "I-1",
        Description = "format check o'neil", Comment = "", BalancingAccountId = Guid.NewGuid(),
    };

    private AppDb Open()
    {
        var db = database.Open();
        db.Clock = new FixedClock(At);
        return db;
    }

    /// <summary>Adds the rows in a context of their own and writes them with SaveChanges.</summary>
    private async Task SaveChangesOfAsync(params CustomerPayment[] rows)
    {
        await using var db = Open();
        db.CustomerPayments.AddRange(rows);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_row_inserted_with_the_prepared_statement_is_stored_as_SaveChanges_stores_one()
    {
        var prepared = NewPayment(910000);
        var viaEf = NewPayment(920000);
        foreach (var p in typeof(CustomerPayment).GetProperties().Where(p => p.CanWrite && p.Name is not nameof(CustomerPayment.Id) and not nameof(CustomerPayment.LineNumber)))
            p.SetValue(viaEf, p.GetValue(prepared));
        await using (var db = Open())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            db.StampNew(prepared);
            await PreparedRows.InsertAsync(db, prepared, default);
            await tx.CommitAsync();
        }
        await SaveChangesOfAsync(viaEf);
        Assert.Equal(prepared.Version, viaEf.Version);

        await AssertStoredAlikeAsync([(910000, 920000)]);

        // And read back whole by EF Core.
        await using (var db = Open())
        {
            var read = await db.CustomerPayments.AsNoTracking().SingleAsync(p => p.Id == prepared.Id);
            foreach (var p in typeof(CustomerPayment).GetProperties())
                Assert.True(Equals(p.GetValue(prepared), p.GetValue(read)), $"{p.Name}: {p.GetValue(prepared)} read as {p.GetValue(read)}");
        }
    }

    [Fact]
    public async Task Rows_inserted_in_bulk_are_stored_as_SaveChanges_stores_them()
    {
        var bulk = new[] { NewPayment(950000), NewPayment(950001) };
        bulk[1].Description = "";
        bulk[1].Comment = "ünïcødé ✓ 𝄞";
        bulk[1].PostingDate = new DateOnly(1999, 12, 31);
        var viaEf = bulk.Select((b, i) => NewPayment(960000 + i)).ToArray();
        for (var i = 0; i < bulk.Length; i++)
            foreach (var p in typeof(CustomerPayment).GetProperties().Where(p => p.CanWrite && p.Name is not nameof(CustomerPayment.Id) and not nameof(CustomerPayment.LineNumber)))
                p.SetValue(viaEf[i], p.GetValue(bulk[i]));
        await using (var db = Open())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            foreach (var b in bulk) db.StampNew(b);
            await PreparedRows.InsertManyAsync(db, bulk, default);
            await tx.CommitAsync();
        }
        await SaveChangesOfAsync(viaEf);

        await AssertStoredAlikeAsync([(950000, 960000), (950001, 960001)]);
        await using (var db = Open())
        {
            var read = await db.CustomerPayments.AsNoTracking().Where(p => p.LineNumber >= 950000 && p.LineNumber <= 950001).OrderBy(p => p.LineNumber).ToListAsync();
            Assert.Equal(2, read.Count);
            for (var i = 0; i < 2; i++)
                foreach (var p in typeof(CustomerPayment).GetProperties())
                    Assert.True(Equals(p.GetValue(bulk[i]), p.GetValue(read[i])), $"{p.Name}: {p.GetValue(bulk[i])} read as {p.GetValue(read[i])}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_prepared_insert_of_a_taken_key_fails_as_SaveChanges_fails(bool bulk)
    {
        var first = NewPayment(bulk ? 970000 : 930000);
        await SaveChangesOfAsync(first);
        await using (var db = Open())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            var again = NewPayment(first.LineNumber + 1);
            again.Id = first.Id;
            // In bulk, after a row that is written.
            var rows = bulk ? new[] { NewPayment(first.LineNumber + 2), again } : [again];
            foreach (var r in rows) db.StampNew(r);
            var e = await Assert.ThrowsAsync<DbUpdateException>(() => bulk ? PreparedRows.InsertManyAsync(db, rows, default) : PreparedRows.InsertAsync(db, again, default));
            Assert.True(DbErrors.IsUniqueViolation(e), e.ToString());
        }
    }

    [Fact]
    public async Task A_lone_update_is_saved_with_its_version_check()
    {
        var row = NewPayment(940000);
        await SaveChangesOfAsync(row);
        // Two units read the same version; the first to save wins, the second is told its row changed.
        await using var first = Open();
        await using var second = Open();
        var a = await first.CustomerPayments.SingleAsync(p => p.Id == row.Id);
        var b = await second.CustomerPayments.SingleAsync(p => p.Id == row.Id);
        a.Amount = 777;
        ((FixedClock)first.Clock).Now = At.AddSeconds(1);
        await using (var tx = await first.Database.BeginTransactionAsync())
        {
            Assert.Equal(1, await first.SaveChangesAsync());
            await tx.CommitAsync();
        }
        Assert.Equal(EntityState.Unchanged, first.Entry(a).State);
        Assert.Equal(a.Version, first.Entry(a).Property(x => x.Version).OriginalValue);
        Assert.NotEqual(row.Version, a.Version);

        b.Amount = 888;
        await using (var tx = await second.Database.BeginTransactionAsync())
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());

        await using var check = Open();
        var stored = await check.CustomerPayments.AsNoTracking().SingleAsync(p => p.Id == row.Id);
        Assert.Equal(777, stored.Amount);
        Assert.Equal(a.Version, stored.Version);
        Assert.Equal(At.AddSeconds(1).UtcDateTime, stored.LastModified);
        Assert.Equal(row.Description, stored.Description);
    }

    [Fact]
    public async Task A_changed_journal_line_is_written_by_the_prepared_update_not_by_SaveChanges()
    {
        var row = NewPayment(980000);
        await SaveChangesOfAsync(row);
        await using (var db = Open())
        {
            var tracked = await db.CustomerPayments.SingleAsync(p => p.Id == row.Id);
            tracked.Description = "changed by the prepared update";
            tracked.Version += 1;
            db.ChangeTracker.DetectChanges();
            await using var tx = await db.Database.BeginTransactionAsync();
            // True: the one modified row of a kind in the shared table went through the prepared statement.
            Assert.True(await PreparedRows.TryUpdateAsync(db, default));
            await tx.CommitAsync();
            Assert.Equal(EntityState.Unchanged, db.Entry(tracked).State);
            Assert.Equal(tracked.Version, db.Entry(tracked).Property(x => x.Version).OriginalValue);
        }
        await using var check = Open();
        var stored = await check.CustomerPayments.AsNoTracking().SingleAsync(p => p.Id == row.Id);
        Assert.Equal(("changed by the prepared update", row.Version + 1), (stored.Description, stored.Version));
    }

    /// <summary>
    /// Every column but the key and line number of each pair of rows (by line number) is stored alike: as the database
    /// hands it back, in its own type (SQLite's storage class, PostgreSQL's column type).
    /// </summary>
    private async Task AssertStoredAlikeAsync((int Line, int Other)[] pairs)
    {
        await using var db = Open();
        await db.Database.OpenConnectionAsync();
        foreach (var (line, otherLine) in pairs)
        {
            await using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.CommandText = $"SELECT * FROM journal_lines WHERE line_number IN ({line}, {otherLine}) ORDER BY line_number";
            await using var reader = await cmd.ExecuteReaderAsync();
            var rows = new List<Dictionary<string, object>>();
            while (await reader.ReadAsync())
                rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, reader.GetValue));
            Assert.Equal(2, rows.Count);
            Assert.True(rows[0].Count > 15);
            foreach (var (column, value) in rows[0].Where(c => c.Key is not "id" and not "line_number"))
            {
                var other = rows[1][column];
                Assert.True(value.GetType() == other.GetType() && Equals(value, other), $"{column}: {value} ({value.GetType().Name}) against {other} ({other.GetType().Name})");
            }
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
