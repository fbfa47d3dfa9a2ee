using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.Features.Customers;

/// <summary>
/// Resolving a customer from an id and/or a number, as the payment, contact and invoice pages do:
/// either fills the other, both must name the same customer, an unknown value is an error.
/// </summary>
public static class CustomerRules
{
    // Looked up on every payment and invoice write: compiled once.
    private static readonly Func<AppDb, Guid, string, Task<Customer?>> ByNumber = EF.CompileAsyncQuery((AppDb db, Guid company, string number) =>
        db.Customers.AsNoTracking().FirstOrDefault(c => c.Number == number && c.CompanyId == company));

    public static async Task<Customer?> ResolveAsync(AppDb db, Guid companyId, Guid? id, string? number, CancellationToken ct)
    {
        Customer? byId = null;
        if (id is { } g && g != Guid.Empty)
        {
            ct.ThrowIfCancellationRequested();
            byId = await PreparedRows.FindAsync<Customer>(db, "by-id", ById(g, companyId), ct)
                   ?? throw ApiErrors.Dialog($"The \"customerId\" does not match to a Customer.");
        }
        if (!string.IsNullOrEmpty(number))
        {
            if (byId is not null)
            {
                if (byId.Number != number) throw ApiErrors.Dialog("The customer values do not match to a specific Customer.");
                return byId;
            }
            return await ByNumber(db, companyId, number)
                   ?? throw ApiErrors.Dialog("The \"customerNumber\" does not match to a Customer.");
        }
        return byId;
    }

    /// <summary>The read of a customer by id that <see cref="ResolveAsync"/> makes, to make ahead; null for no id.</summary>
    public static ReadAhead? ByIdAhead(AppDb db, Guid companyId, Guid? id) =>
        id is { } g && g != Guid.Empty ? PreparedRows.FindAhead<Customer>(db, "by-id", ById(g, companyId)) : null;

    private static (string, object)[] ById(Guid id, Guid companyId) => [(nameof(Customer.Id), id), (nameof(Customer.CompanyId), companyId)];

    public static void CheckNotBlocked(Customer customer)
    {
        if (customer.Blocked == "All")
            throw ApiErrors.Dialog($"You cannot use customer {customer.Number} because it is blocked for all transactions (Blocked: All).");
    }
}
