using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// The migrations and the EF Core mapping must agree column by column on every provider: a column the model writes
/// as text into a uuid, or reads as a string from an integer, only fails when a request happens to touch it.
/// </summary>
public sealed class SchemaTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Every_mapped_column_exists_with_the_type_and_nullability_the_model_expects()
    {
        var problems = await f.WithDb(async db =>
        {
            var actual = await ColumnsAsync(db);
            var found = new List<string>();
            foreach (var entity in db.Model.GetEntityTypes())
            {
                var table = entity.GetTableName()!;
                var store = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table);
                foreach (var property in entity.GetProperties())
                {
                    var column = property.GetColumnName(store)!;
                    if (!actual.TryGetValue((table, column), out var c)) { found.Add($"{table}.{column}: missing"); continue; }
                    var expected = property.GetColumnType(store);
                    if (!SameType(expected, c.Type)) found.Add($"{table}.{column}: model {expected}, database {c.Type}");
                    if (property.IsNullable != c.Nullable) found.Add($"{table}.{column}: model nullable={property.IsNullable}, database nullable={c.Nullable}");
                }
            }
            return found;
        });
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static bool SameType(string model, string database) =>
        Normalize(model) == Normalize(database);

    private static string Normalize(string type) => type.ToLowerInvariant() switch
    {
        "timestamp with time zone" or "timestamptz" => "timestamptz",
        "int" or "int4" or "integer" => "integer",
        "int8" or "bigint" => "bigint",
        "bool" or "boolean" => "boolean",
        var t => t,
    };

    private static async Task<Dictionary<(string Table, string Column), (string Type, bool Nullable)>> ColumnsAsync(AppDb db)
    {
        var result = new Dictionary<(string, string), (string, bool)>();
        var conn = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = db.Database.ProviderName!.Contains("Npgsql", StringComparison.Ordinal)
                ? "SELECT table_name, column_name, data_type, is_nullable = 'YES' FROM information_schema.columns WHERE table_schema = current_schema()"
                : "SELECT m.name, p.name, p.type, p.\"notnull\" = 0 AND p.pk = 0 FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
                result[(r.GetString(0), r.GetString(1))] = (r.GetString(2), r.GetBoolean(3));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return result;
    }
}
