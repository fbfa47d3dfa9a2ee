using System.Data;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Data.Postgres;

/// <summary>
/// What the prepared reads and writes of <see cref="PreparedRows"/> need on PostgreSQL: positional parameters ($1, $2,
/// ...; Npgsql then sends the text as it is, without rewriting named parameters on every run) and the context's
/// connection open for the statement. Each statement text is prepared on the server by Npgsql's automatic preparation
/// (<see cref="PostgresConnections"/>) on every pooled connection it runs on.
/// </summary>
internal static class PostgresRows
{
    /// <summary>The placeholder of the parameter at <paramref name="index"/> (from 0).</summary>
    public static string Parameter(int index) => "$" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Opens the context's connection when it is closed (a read outside a write unit), as EF Core does around a query;
    /// the caller closes it with <see cref="CloseAsync"/> when this returned true. In a unit it is open already, with
    /// the unit's transaction.
    /// </summary>
    public static async ValueTask<bool> OpenAsync(AppDb db, CancellationToken ct)
    {
        if (db.Database.GetDbConnection().State == ConnectionState.Open) return false;
        await db.Database.OpenConnectionAsync(ct);
        return true;
    }

    public static Task CloseAsync(AppDb db) => db.Database.CloseConnectionAsync();
}
