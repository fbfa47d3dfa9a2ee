using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Every row of every table of the test database, hashed per table, to prove that nothing changed.</summary>
public static class DbSnapshot
{
    public static async Task<string> TakeAsync(ServiceFixture f)
    {
        await using var connection = new SqliteConnection($"Data Source={f.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
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
                for (var i = 0; i < reader.FieldCount; i++) row.Append(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('\u001f');
                rows.Add(row.ToString());
            }
            rows.Sort(StringComparer.Ordinal);
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rows))));
            sb.Append(table).Append(':').Append(rows.Count).Append(':').Append(hash[..16]).Append('\n');
        }
        return sb.ToString();
    }
}
