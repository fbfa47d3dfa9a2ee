using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Features.Vendors;

/// <summary>Resolving a vendor from an id and/or a number, as the vendor payment page does (<see cref="Parties.PartyLookup"/>).</summary>
public static class VendorRules
{
    // Looked up on every vendor payment write: compiled once.
    private static readonly Func<AppDb, Guid, string, Task<Vendor?>> ByNumber = EF.CompileAsyncQuery((AppDb db, Guid company, string number) =>
        db.Vendors.AsNoTracking().FirstOrDefault(v => v.Number == number && v.CompanyId == company));

    public static Task<Vendor?> ResolveAsync(AppDb db, Guid companyId, Guid? id, string? number, CancellationToken ct) =>
        Parties.PartyLookup.ResolveAsync(db, companyId, id, number, ("vendor", "Vendor"), ByNumber, v => v.Number, ct);

    public static ReadAhead? ByIdAhead(AppDb db, Guid companyId, Guid? id) => Parties.PartyLookup.ByIdAhead<Vendor>(db, companyId, id);
}
