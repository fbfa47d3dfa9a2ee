using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Features.Accounts;
using PaymentJournal.Features.CustomerPayments;
using PaymentJournal.Features.Customers;
using PaymentJournal.OData;
using Xunit;

namespace PaymentJournal.Tests.Unit;

/// <summary>
/// A list is read with SQL of our own for the plain shapes (<see cref="PreparedRows.ListAsync{T}"/>); every shape it
/// reads must give exactly the rows EF Core's query gives, in the same order, and every other shape must be left to
/// EF Core. On the run's database: SQLite, or PostgreSQL in the PostgreSQL run.
/// </summary>
public sealed class PreparedListsTests(PreparedRowsDatabase database) : IClassFixture<PreparedRowsDatabase>
{
    private static readonly Expression<Func<CustomerPayment, int>> ByLine = x => x.LineNumber;
    private static readonly Expression<Func<CustomerPayment, Guid>> ById = x => x.Id;

    private static Task<List<T>?> Prepared<T>(AppDb db, LambdaExpression[] where, params (LambdaExpression, bool)[] order) where T : class =>
        PreparedRows.ListAsync<T>(db, [], where, order, 0, 1000, default);

    private static string Lines(IEnumerable<CustomerPayment> rows) => string.Join(",", rows.Select(p => p.LineNumber / 10000));

    [Fact]
    public async Task Every_filter_of_the_binder_tests_reads_the_same_lines_as_EF_Core_or_is_left_to_it()
    {
        await using var db = database.Open();
        var (served, total) = (0, 0);
        var failures = new List<string>();
        foreach (var method in QueryBinderPostgresTests.Cases.Select(n => typeof(QueryBinderTests).GetMethod(n)!))
        {
            foreach (var data in method.GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>().SelectMany(a => a.GetData(method)))
            {
                var (filter, expected) = ((string)data[0], (string)data[1]);
                var bound = QueryBinderTests.Bind(filter);
                total++;
                var rows = await Prepared<CustomerPayment>(db, [bound], (ByLine, false));
                if (rows is null) continue;
                served++;
                var ef = Lines(await db.CustomerPayments.AsNoTracking().Where(bound).OrderBy(x => x.LineNumber).ToListAsync());
                if (Lines(rows) != expected || ef != expected) failures.Add($"{filter}: expected [{expected}], EF Core [{ef}], prepared [{Lines(rows)}]");
            }
        }
        Assert.Empty(failures);
        Assert.True(total > 100, $"{total} filters");
        // Most filters are plain comparisons; the rest use functions and arithmetic, which EF Core reads.
        Assert.True(served * 2 > total, $"{served} of {total} filters read with the prepared statement");
        Assert.True(served < total, "functions and arithmetic are left to EF Core");
    }

    [Fact]
    public async Task The_scope_s_equalities_select_what_EF_Core_s_where_selects()
    {
        await using var db = database.Open();
        var (company, journal) = (QueryBinderDatabase.Company, QueryBinderDatabase.Journal);
        Expression<Func<CustomerPayment, bool>> bigger = x => x.Amount > 1000;
        var cases = new (string Name, (string, object)[] Equal, LambdaExpression[] Where, IQueryable<CustomerPayment> Ef)[]
        {
            ("company and journal", [("CompanyId", company), ("JournalId", journal)], [], db.CustomerPayments.Where(x => x.CompanyId == company && x.JournalId == journal)),
            ("company, journal and a filter", [("CompanyId", company), ("JournalId", journal)], [bigger],
                db.CustomerPayments.Where(x => x.CompanyId == company && x.JournalId == journal).Where(bigger)),
            ("another company", [("CompanyId", Guid.NewGuid()), ("JournalId", journal)], [], db.CustomerPayments.Where(x => x.JournalId == Guid.Empty)),
            ("another journal", [("CompanyId", company), ("JournalId", Guid.NewGuid())], [bigger], db.CustomerPayments.Where(x => x.JournalId == Guid.Empty)),
            ("a line number", [("LineNumber", 30000)], [], db.CustomerPayments.Where(x => x.LineNumber == 30000)),
        };
        foreach (var c in cases)
        {
            var rows = await PreparedRows.ListAsync<CustomerPayment>(db, c.Equal, c.Where, [(ByLine, false)], 0, 1000, default);
            Assert.NotNull(rows);
            Assert.Equal(Lines(await c.Ef.AsNoTracking().OrderBy(x => x.LineNumber).ToListAsync()), Lines(rows));
        }
        Assert.NotEmpty((await PreparedRows.ListAsync<CustomerPayment>(db, cases[0].Equal, [], [(ByLine, false)], 0, 1000, default))!);
        // A property the table does not have: left to EF Core.
        Assert.Null(await PreparedRows.ListAsync<CustomerPayment>(db, [("NoSuchProperty", 1)], [], [(ByLine, false)], 0, 1000, default));
    }

    [Theory]
    [InlineData("amount gt 500", "6")]
    [InlineData("amount gt 10.005", "4,6")]
    [InlineData("customerNumber eq 'C00001'", "1,4")]
    [InlineData("customerNumber gt 'C00002'", "3,6")]
    [InlineData("customerNumber le 'C00002'", "1,2,4,5")]
    [InlineData("postingDate ge 2025-01-15", "2,3,4,6")]
    [InlineData("lastModifiedDateTime lt 2025-02-01T00:00:00Z", "1,2,5")]
    [InlineData("lineNumber le 30000 and amount ne 0", "1,2,3")]
    [InlineData("not (amount lt 0) or description eq 'Payment January'", "1,3,4,5,6")]
    [InlineData("id eq 0a000000-0000-0000-0000-000000000000", "1")]
    [InlineData("(amount lt 0 or amount gt 10) and not (customerNumber eq 'C00002')", "1,4,6")]
    [InlineData("amount in (-10, 0, 10.01)", "2,4,5")]
    public async Task A_plain_filter_is_read_with_the_prepared_statement(string filter, string expected)
    {
        await using var db = database.Open();
        var bound = QueryBinderTests.Bind(filter);
        var rows = await Prepared<CustomerPayment>(db, [bound], (ByLine, false));
        Assert.NotNull(rows);
        Assert.Equal(expected, Lines(rows));
        Assert.Equal(expected, Lines(await db.CustomerPayments.Where(bound).OrderBy(x => x.LineNumber).ToListAsync()));
    }

    [Theory]
    [InlineData("contains(description, 'Pay')")]
    [InlineData("amount mod 7 eq 1")]
    [InlineData("tolower(description) eq 'big payment'")]
    [InlineData("length(description) gt 3")]
    [InlineData("year(postingDate) eq 2025")]
    public async Task A_filter_that_needs_a_function_or_arithmetic_is_left_to_EF_Core(string filter)
    {
        await using var db = database.Open();
        Assert.Null(await Prepared<CustomerPayment>(db, [QueryBinderTests.Bind(filter)], (ByLine, false)));
    }

    [Fact]
    public async Task An_order_key_that_is_not_a_column_is_left_to_EF_Core()
    {
        await using var db = database.Open();
        var (key, descending) = QueryBinderTests.BindOrder("length(description)");
        Assert.Null(await Prepared<CustomerPayment>(db, [], (key, descending), (ById, false)));
    }

    [Theory]
    [InlineData("amount")]
    [InlineData("amount desc")]
    [InlineData("customerNumber")]
    [InlineData("customerNumber desc")]
    [InlineData("postingDate")]
    [InlineData("lastModifiedDateTime desc")]
    [InlineData("id desc")]
    public async Task Order_skip_and_take_give_EF_Core_s_page(string orderBy)
    {
        await using var db = database.Open();
        var (key, descending) = QueryBinderTests.BindOrder(orderBy);
        for (var skip = 0; skip <= 6; skip++)
        {
            for (var take = 1; take <= 7; take++)
            {
                var rows = await PreparedRows.ListAsync<CustomerPayment>(db, [], [], [(key, descending), (ById, false)], skip, take, default);
                Assert.NotNull(rows);
                IQueryable<CustomerPayment> query = db.CustomerPayments.AsNoTracking();
                var call = Expression.Call(typeof(Queryable), descending ? "OrderByDescending" : "OrderBy", [typeof(CustomerPayment), key.ReturnType],
                    query.Expression, Expression.Quote(key));
                var ef = await ((IOrderedQueryable<CustomerPayment>)query.Provider.CreateQuery<CustomerPayment>(call)).ThenBy(x => x.Id).Skip(skip).Take(take).ToListAsync();
                Assert.Equal(ef.Select(p => p.Id), rows.Select(p => p.Id));
            }
        }
    }

    [Fact]
    public async Task Keyset_comparisons_give_EF_Core_s_rows_for_every_column_type()
    {
        await using var db = database.Open();
        var checkedCases = 0;
        async Task Same<TValue>(Expression<Func<CustomerPayment, TValue>> column, TValue pivot)
        {
            foreach (var right in new Expression[] { Expression.Constant(pivot, typeof(TValue)), Expression.Field(Expression.Constant(new ValueHolder<TValue>(pivot)), "Value") })
            {
                var after = Expression.Lambda<Func<CustomerPayment, bool>>(QueryBinder.GreaterThan(column.Body, right), column.Parameters);
                var rows = await Prepared<CustomerPayment>(db, [after], (ByLine, false));
                Assert.NotNull(rows);
                Assert.Equal(Lines(await db.CustomerPayments.Where(after).OrderBy(x => x.LineNumber).ToListAsync()), Lines(rows));
                checkedCases++;
            }
        }
        foreach (var pivot in QueryBinderDatabase.PaymentIds) await Same(x => x.Id, pivot);
        foreach (var pivot in new[] { "C00001", "C00002", "C1", "B", "" }) await Same(x => x.CustomerNumber, pivot);
        foreach (var pivot in new[] { -50000L, -1L, 0L, 1000L, long.MaxValue }) await Same(x => x.Amount, pivot);
        foreach (var pivot in new[] { 0, 10000, 35000 }) await Same(x => x.LineNumber, pivot);
        foreach (var pivot in new[] { new DateOnly(2025, 1, 1), new DateOnly(2024, 12, 31), new DateOnly(2025, 12, 31) }) await Same(x => x.PostingDate, pivot);
        foreach (var pivot in new[] { new DateTime(2025, 1, 1, 8, 0, 0, DateTimeKind.Utc), new DateTime(2025, 3, 1, 23, 59, 59, 998, DateTimeKind.Utc) })
            await Same(x => x.LastModified, pivot);
        Assert.Equal(2 * (6 + 5 + 5 + 3 + 3 + 2), checkedCases);
    }

    [Theory]
    [InlineData("directPosting eq true", "1000")]
    [InlineData("directPosting eq false", "2000")]
    [InlineData("directPosting", "1000")]
    [InlineData("not directPosting", "2000")]
    [InlineData("directPosting gt false", "1000")]
    public async Task Boolean_columns_give_EF_Core_s_rows(string filter, string expected)
    {
        await using var db = database.Open();
        var bound = QueryBinderTests.BindAccount(filter);
        Expression<Func<Account, string>> byNumber = a => a.Number;
        var rows = await Prepared<Account>(db, [bound], (byNumber, false));
        Assert.NotNull(rows);
        Assert.Equal(expected, string.Join(",", rows.Select(a => a.Number)));
        Assert.Equal(expected, string.Join(",", await db.Accounts.Where(bound).OrderBy(a => a.Number).Select(a => a.Number).ToListAsync()));
    }

    [Theory]
    [InlineData("blocked eq 'All'", "C00004")]
    [InlineData("blocked ne 'Ship'", "C00001,C00003,C00004")]
    [InlineData("blocked gt 'Ship'", "C00003,C00004")]
    [InlineData("blocked in ('Ship', 'Invoice')", "C00002,C00003")]
    public async Task Enum_columns_give_EF_Core_s_rows(string filter, string expected)
    {
        await using var db = database.Open();
        var bound = QueryBinderTests.BindCustomer(filter);
        Expression<Func<Customer, string>> byNumber = c => c.Number;
        var rows = await Prepared<Customer>(db, [bound], (byNumber, false));
        Assert.NotNull(rows);
        Assert.Equal(expected, string.Join(",", rows.Select(c => c.Number)));
    }

    [Fact]
    public async Task Rows_come_back_whole_as_EF_Core_reads_them()
    {
        await using var db = database.Open();
        var checkedRows = await SameRows(db, db.CustomerPayments, x => x.Id);
        checkedRows += await SameRows(db, db.Customers, x => x.Id);
        checkedRows += await SameRows(db, db.Accounts, x => x.Id);
        Assert.Equal(6 + 4 + 2, checkedRows);
    }

    private static async Task<int> SameRows<T>(AppDb db, DbSet<T> set, Expression<Func<T, Guid>> id) where T : class
    {
        var properties = db.Model.FindEntityType(typeof(T))!.GetProperties().ToList();
        var expected = await set.AsNoTracking().OrderBy(id).ToListAsync();
        var actual = await Prepared<T>(db, [], (id, false));
        Assert.NotNull(actual);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            foreach (var p in properties)
            {
                var (e, a) = (p.GetGetter().GetClrValue(expected[i]), p.GetGetter().GetClrValue(actual[i]));
                if (e is DateTime de && a is DateTime da) (e, a) = ((de.Ticks, de.Kind), (da.Ticks, da.Kind));
                Assert.True(Equals(e, a), $"{typeof(T).Name}.{p.Name}: {e} read as {a}");
            }
        }
        return expected.Count;
    }

    [Fact]
    public async Task More_shapes_than_a_connection_keeps_prepared_still_read_right()
    {
        await using var db = database.Open();
        var bound = QueryBinderTests.Bind("amount gt -500");
        for (var n = 1; n <= PreparedRows.MaxListStatements + 10; n++)
        {
            // n copies of the same predicate: a statement of its own for each n.
            var rows = await Prepared<CustomerPayment>(db, Enumerable.Repeat<LambdaExpression>(bound, n).ToArray(), (ByLine, false));
            Assert.NotNull(rows);
            Assert.Equal("2,3,4,5,6", Lines(rows));
        }
    }
}
