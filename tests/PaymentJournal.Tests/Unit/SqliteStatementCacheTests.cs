using System.Linq.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Features.CustomerPayments;
using Xunit;
using PaymentJournal.Data.Sqlite;

namespace PaymentJournal.Tests.Unit;

/// <summary>EF Core's queries run on statements kept prepared per SQLite connection: same answers, same parameters.</summary>
public sealed class SqliteStatementCacheTests(QueryBinderDatabase database) : IClassFixture<QueryBinderDatabase>
{
    private AppDb Open() => new(new DbContextOptionsBuilder<AppDb>()
        .UseSqlite($"Data Source={database.Path};Pooling=False").AddInterceptors(SqliteStatementCache.Instance).Options);

    private static SqliteConnection Connection(AppDb db) => (SqliteConnection)db.Database.GetDbConnection();

    [Fact]
    public async Task One_prepared_statement_serves_every_run_of_a_query_with_its_own_parameters()
    {
        await using var db = Open();
        var before = SqliteStatementCache.CountFor(Connection(db));
        Task<int?> Line(Guid id) => db.CustomerPayments.AsNoTracking().Where(p => p.Id == id).Select(p => (int?)p.LineNumber).SingleOrDefaultAsync();
        foreach (var (id, i) in QueryBinderDatabase.PaymentIds.Select((id, i) => (id, i)))
        {
            Assert.Equal(QueryBinderDatabase.Rows[i].Line, await Line(id));
            // A key that matches nothing: no row, not the previous run's.
            Assert.Null(await Line(Guid.NewGuid()));
        }
        Assert.Equal(before + 1, SqliteStatementCache.CountFor(Connection(db)));

        foreach (var r in QueryBinderDatabase.Rows)
        {
            var amount = r.Amount;
            var count = db.CustomerPayments.Count(p => p.Amount >= amount);
            Assert.Equal(QueryBinderDatabase.Rows.Count(x => x.Amount >= amount), count);
        }
        Assert.Equal(before + 2, SqliteStatementCache.CountFor(Connection(db)));
    }

    [Fact]
    public void A_text_whose_reader_is_still_open_runs_the_usual_way()
    {
        using var db = Open();
        var connection = Connection(db);
        SqliteCommand Command(long limit)
        {
            var command = connection.CreateCommand();
            command.CommandText = "SELECT amount FROM journal_lines WHERE amount >= @limit ORDER BY amount";
            command.Parameters.AddWithValue("@limit", limit);
            return command;
        }

        using var outer = SqliteStatementCache.TryExecute(Command(1000));
        Assert.NotNull(outer);
        Assert.True(outer.Read());
        Assert.Equal(1000L, outer.GetInt64(0));
        // The prepared statement is busy with the open reader: the second run is left to the usual path.
        Assert.Null(SqliteStatementCache.TryExecute(Command(1001)));
        Assert.True(outer.Read());
        Assert.Equal(1001L, outer.GetInt64(0));
        outer.Dispose();

        using var again = SqliteStatementCache.TryExecute(Command(1001));
        Assert.NotNull(again);
        Assert.True(again.Read());
        Assert.Equal(1001L, again.GetInt64(0));
    }

    [Fact]
    public void A_connection_keeps_at_most_its_limit_of_statements_and_answers_every_query()
    {
        using var db = Open();
        var parameter = Expression.Parameter(typeof(CustomerPayment), "p");
        for (var i = 0; i < SqliteStatementCache.MaxPerConnection + 10; i++)
        {
            // A literal in the tree: every query has a text of its own.
            var threshold = -100000L + i;
            var predicate = Expression.Lambda<Func<CustomerPayment, bool>>(
                Expression.GreaterThan(Expression.Property(parameter, nameof(CustomerPayment.Amount)), Expression.Constant(threshold)), parameter);
            Assert.Equal(QueryBinderDatabase.Rows.Count(r => r.Amount > threshold), db.CustomerPayments.AsNoTracking().Count(predicate));
        }
        Assert.Equal(SqliteStatementCache.MaxPerConnection, SqliteStatementCache.CountFor(Connection(db)));
    }
}
