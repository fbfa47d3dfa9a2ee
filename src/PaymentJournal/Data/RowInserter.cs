using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace PaymentJournal.Data;

/// <summary>
/// Inserts one new row with a statement prepared once per connection and entity type, outside the change tracker.
/// On the SQLite writer, which inserts payment lines one after another, SaveChanges' change detection, command
/// batching and SQL generation cost more than the insert itself. Columns and values come from the EF Core model and
/// its type mappings, so the row is stored exactly as SaveChanges would store it. The caller stamps the row
/// (<see cref="AppDb.StampNew"/>) and has done every check SaveChanges would not do anyway.
/// </summary>
public static class RowInserter
{
    private sealed record Column(string Name, IProperty Property, RelationalTypeMapping Mapping);

    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, Column[]>> Plans = new();
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<Type, DbCommand>> Commands = new();

    public static async Task InsertAsync<T>(AppDb db, T entity, CancellationToken ct) where T : class
    {
        var connection = db.Database.GetDbConnection();
        var columns = Plans.GetValue(db.Model, _ => new()).GetOrAdd(typeof(T), _ => Plan(db.Model, typeof(T)));
        // A connection is used by one caller at a time (the writer's, or a request's own), so its commands are too.
        var commands = Commands.GetValue(connection, _ => new());
        if (!commands.TryGetValue(typeof(T), out var cmd))
        {
            cmd = connection.CreateCommand();
            var table = db.Model.FindEntityType(typeof(T))!.GetTableName();
            cmd.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => c.Name))}) " +
                              $"VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
            for (var i = 0; i < columns.Length; i++)
                cmd.Parameters.Add(columns[i].Mapping.CreateParameter(cmd, "@p" + i, null, columns[i].Property.IsNullable));
            commands[typeof(T)] = cmd;
        }
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        for (var i = 0; i < columns.Length; i++)
        {
            var value = columns[i].Property.GetGetter().GetClrValue(entity);
            if (value is not null && columns[i].Mapping.Converter is { } converter) value = converter.ConvertToProvider(value);
            cmd.Parameters[i].Value = value ?? DBNull.Value;
        }
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static Column[] Plan(IModel model, Type type)
    {
        var entityType = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type} is not mapped.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        return entityType.GetProperties()
            .Select(p => new Column(p.GetColumnName(table)!, p, (RelationalTypeMapping)p.GetTypeMapping()))
            .ToArray();
    }
}
