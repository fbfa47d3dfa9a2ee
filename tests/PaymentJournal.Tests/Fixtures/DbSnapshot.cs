using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Every row of every table of the test database, hashed per table, to prove that nothing changed.</summary>
public static class DbSnapshot
{
    public static async Task<string> TakeAsync(ServiceFixture f)
    {
        var tables = await f.TableNamesAsync();
        return await f.WithDb(async db =>
        {
            await db.Database.OpenConnectionAsync();
            try { return await HashAsync(db.Database.GetDbConnection(), tables); }
            finally { await db.Database.CloseConnectionAsync(); }
        });
    }

    private static async Task<string> HashAsync(System.Data.Common.DbConnection connection, IReadOnlyList<string> tables)
    {
        var sb = new StringBuilder();
        foreach (var table in tables)
        {
            var rows = new List<string>();
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var row = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                    row.Append(reader.IsDBNull(i) ? "NULL"
                        : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes)
                        : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('\u001f');
                rows.Add(row.ToString());
            }
            rows.Sort(StringComparer.Ordinal);
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rows))));
            sb.Append(table).Append(':').Append(rows.Count).Append(':').Append(hash[..16]).Append('\n');
        }
        return sb.ToString();
    }
}
