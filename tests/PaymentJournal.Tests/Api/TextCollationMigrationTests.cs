using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Upgrading a PostgreSQL database whose default collation is ICU's to the code-point order of its text columns keeps
/// every row and orders them as SQLite does. Runs on the test run's PostgreSQL server in both runs.
/// </summary>
public sealed class TextCollationMigrationTests
{
    [Fact]
    public async Task Upgrading_keeps_the_rows_and_orders_them_by_code_point()
    {
        var server = await PostgresServer.SharedAsync();
        var cs = await server.CreateDatabaseAsync("TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'");
        string[] names = ["b", "B", "a", "A", "é", "_x", "😀", "\uFF01", "Z"];
        try
        {
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync();
                await Exec(conn, "CREATE TABLE schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)");
                foreach (var script in Migrator.Scripts(DatabaseProvider.Postgres).Where(s => s.Version < 4))
                {
                    await Exec(conn, script.Sql);
                    await Exec(conn, $"INSERT INTO schema_migrations VALUES ({script.Version}, '{script.Name}', now())");
                }
                for (var i = 0; i < names.Length; i++)
                {
                    await using var cmd = new NpgsqlCommand(
                        "INSERT INTO companies (id, name, display_name, business_profile_id, created_at, version, last_modified) VALUES (@id, @n, @n, '', now(), 1, now())", conn);
                    cmd.Parameters.AddWithValue("id", Guid.NewGuid());
                    cmd.Parameters.AddWithValue("n", names[i]);
                    await cmd.ExecuteNonQueryAsync();
                }
                // Before the upgrade the ICU default orders them another way.
                Assert.NotEqual(names.OrderBy(n => n, CodePointOrder.Instance), await Names(conn));
            }

            await using (var db = new AppDb(new DbContextOptionsBuilder<AppDb>().UseNpgsql(cs).Options))
                Assert.Equal(Migrator.Scripts(DatabaseProvider.Postgres).Count(s => s.Version >= 4), await Migrator.MigrateAsync(db, DatabaseProvider.Postgres, NullLogger.Instance));

            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync();
                Assert.Equal(names.OrderBy(n => n, CodePointOrder.Instance), await Names(conn));
                await using var cmd = new NpgsqlCommand(
                    "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C'", conn);
                Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await server.DropDatabaseAsync(cs);
        }
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> Names(NpgsqlConnection conn)
    {
        var names = new List<string>();
        await using var cmd = new NpgsqlCommand("SELECT name FROM companies ORDER BY name", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) names.Add(r.GetString(0));
        return names;
    }
}
