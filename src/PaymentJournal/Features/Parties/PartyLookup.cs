using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.Features.Parties;

/// <summary>
/// Resolving a customer or a vendor from an id and/or a number, as the payment, contact and invoice pages do: either
/// fills the other, both must name the same one, an unknown value is an error. The read by id is a prepared statement
/// (and can be made ahead, with the other reads of a create); the read by number a query the caller compiled.
/// </summary>
public static class PartyLookup
{
    /// <param name="field">The fields' stem and the caption in messages: ("customer", "Customer").</param>
    public static async Task<T?> ResolveAsync<T>(AppDb db, Guid companyId, Guid? id, string? number, (string Field, string Caption) field,
        Func<AppDb, Guid, string, Task<T?>> byNumber, Func<T, string> numberOf, CancellationToken ct) where T : class
    {
        T? byId = null;
        if (id is { } g && g != Guid.Empty)
        {
            ct.ThrowIfCancellationRequested();
            byId = await PreparedRows.FindAsync<T>(db, "by-id", ById(g, companyId), ct)
                   ?? throw ApiErrors.Dialog($"The \"{field.Field}Id\" does not match to a {field.Caption}.");
        }
        if (!string.IsNullOrEmpty(number))
        {
            if (byId is not null)
            {
                if (numberOf(byId) != number) throw ApiErrors.Dialog($"The {field.Field} values do not match to a specific {field.Caption}.");
                return byId;
            }
            return await byNumber(db, companyId, number)
                   ?? throw ApiErrors.Dialog($"The \"{field.Field}Number\" does not match to a {field.Caption}.");
        }
        return byId;
    }

    /// <summary>The read by id that <see cref="ResolveAsync"/> makes, to make ahead; null for no id.</summary>
    public static ReadAhead? ByIdAhead<T>(AppDb db, Guid companyId, Guid? id) where T : class =>
        id is { } g && g != Guid.Empty ? PreparedRows.FindAhead<T>(db, "by-id", ById(g, companyId)) : null;

    // Customer and Vendor name their key and company alike.
    private static (string, object)[] ById(Guid id, Guid companyId) => [("Id", id), ("CompanyId", companyId)];
}
