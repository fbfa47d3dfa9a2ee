using Npgsql;
using PaymentJournal.Data.Postgres;

namespace PaymentJournal.Tests.Unit;

/// <summary>The Npgsql options the service adds to a PostgreSQL connection string, and that a given option wins.</summary>
public sealed class PostgresConnectionsTests
{
    [Fact]
    public void Adds_preparing_and_no_reset_when_the_string_says_nothing()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresConnections.WithDefaults("Host=db1;Database=pj;Username=pj;Password=secret"));
        Assert.Equal(PostgresConnections.MaxAutoPrepare, b.MaxAutoPrepare);
        Assert.Equal(PostgresConnections.AutoPrepareMinUsages, b.AutoPrepareMinUsages);
        Assert.True(b.NoResetOnClose);
        Assert.Equal("db1", b.Host);
        Assert.Equal("secret", b.Password);
    }

    [Theory]
    [InlineData("Host=db1;Max Auto Prepare=0", 0)]
    [InlineData("Host=db1;max auto prepare=7", 7)]
    [InlineData("Host=db1;MaxAutoPrepare=9", 9)]
    public void An_option_the_string_sets_is_kept(string connectionString, int expected)
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresConnections.WithDefaults(connectionString));
        Assert.Equal(expected, b.MaxAutoPrepare);
        Assert.True(b.NoResetOnClose);
    }

    [Fact]
    public void No_reset_on_close_set_to_false_stays_false()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresConnections.WithDefaults("Host=db1;No Reset On Close=false"));
        Assert.False(b.NoResetOnClose);
    }
}
