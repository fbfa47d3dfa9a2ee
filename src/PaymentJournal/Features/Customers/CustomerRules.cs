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

    public static Task<Customer?> ResolveAsync(AppDb db, Guid companyId, Guid? id, string? number, CancellationToken ct) =>
        Parties.PartyLookup.ResolveAsync(db, companyId, id, number, ("customer", "Customer"), ByNumber, c => c.Number, ct);

    /// <summary>The read of a customer by id that <see cref="ResolveAsync"/> makes, to make ahead; null for no id.</summary>
    public static ReadAhead? ByIdAhead(AppDb db, Guid companyId, Guid? id) => Parties.PartyLookup.ByIdAhead<Customer>(db, companyId, id);

    public static void CheckNotBlocked(Customer customer)
    {
        if (customer.Blocked == "All")
            throw ApiErrors.Dialog($"You cannot use customer {customer.Number} because it is blocked for all transactions (Blocked: All).");
    }
}
