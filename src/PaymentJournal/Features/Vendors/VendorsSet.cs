using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.NumberSeries;
using PaymentJournal.Features.Parties;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Vendors;

/// <summary>vendors (API v2.0 page 30010): the fields of the vendor that this service keeps.</summary>
public sealed class VendorsSet : EntitySet<Vendor>
{
    public const string NumberSeriesCode = "VEND";

    public override string Name => "vendors";
    public override string TypeName => "vendor";
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    protected override IReadOnlyList<FieldDef<Vendor>> Fields { get; } = new FieldsBuilder<Vendor>()
        .Key("id", x => x.Id)
        .Code("number", x => x.Number, 20)
        .String("displayName", x => x.DisplayName, 100)
        .AddressFields()
        // The page's variable is longer, but the vendor's VAT Registration No. it is stored in holds 20.
        .String("taxRegistrationNumber", x => x.TaxRegistrationNumber, 20)
        .Code("currencyCode", x => x.CurrencyCode, 10)
        .Boolean("taxLiable", x => x.TaxLiable)
        .Enum("blocked", "vendorBlocked", ["_x0020_", "Payment", "All"], x => x.Blocked)
        .Decimal("balance", x => x.Balance, Access.ReadOnly)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<Vendor, Guid>> Key => x => x.Id;
    protected override Expression<Func<Vendor, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<Vendor, string>>)(x => x.Number)];

    protected override async Task<Vendor> Create(RequestContext rc, Scope scope, Body body)
    {
        var db = rc.Db;
        var group = await db.VendorPostingGroups.AsNoTracking().Where(g => g.CompanyId == scope.CompanyId).OrderBy(g => g.Code).FirstOrDefaultAsync(rc.Aborted)
                    ?? throw ApiErrors.FieldValidation("The company has no vendor posting group; vendors cannot be created.");
        var v = new Vendor { Id = SequentialIds.Next(), CompanyId = scope.CompanyId, PostingGroupId = group.Id };
        Apply(v, body);
        v.Number = await NumberSeriesService.NumberForNewAsync(db, scope.CompanyId, NumberSeriesCode, v.Number, "Vendor", NumberInUse(rc, scope), rc.Aborted);
        db.Vendors.Add(v);
        return v;
    }

    protected override async Task Update(RequestContext rc, Scope scope, Vendor v, Body body)
    {
        var oldNumber = v.Number;
        Apply(v, body);
        if (!await NumberSeriesService.CheckRenameAsync(oldNumber, v.Number, "Vendor", NumberInUse(rc, scope))) return;
        // Business Central renames the vendor wherever it is referenced; here, in what holds its number.
        var db = rc.Db;
        var now = db.Now();
        await db.PurchaseInvoices.Where(p => p.VendorId == v.Id).ExecuteUpdateAsync(u => u.SetProperty(p => p.VendorNumber, v.Number).Touch(now), rc.Aborted);
        await db.PurchaseInvoices.Where(p => p.PayToVendorId == v.Id).ExecuteUpdateAsync(u => u.SetProperty(p => p.PayToVendorNumber, v.Number).Touch(now), rc.Aborted);
        await db.VendorLedgerEntries.Where(e => e.VendorId == v.Id).ExecuteUpdateAsync(u => u.SetProperty(e => e.VendorNumber, v.Number), rc.Aborted);
        await db.VendorPayments.Where(p => p.VendorId == v.Id).ExecuteUpdateAsync(u => u.SetProperty(p => p.VendorNumber, v.Number).Touch(now), rc.Aborted);
    }

    protected override async Task Delete(RequestContext rc, Scope scope, Vendor v)
    {
        var db = rc.Db;
        if (await db.VendorLedgerEntries.AnyAsync(e => e.VendorId == v.Id, rc.Aborted))
            throw ApiErrors.Dialog($"You cannot delete vendor {v.Number} because it has ledger entries.");
        if (await db.PurchaseInvoices.AnyAsync(i => i.VendorId == v.Id || i.PayToVendorId == v.Id, rc.Aborted))
            throw ApiErrors.Dialog($"You cannot delete vendor {v.Number} because it has purchase invoices.");
        if (await db.VendorPayments.AnyAsync(p => p.VendorId == v.Id, rc.Aborted))
            throw ApiErrors.Dialog($"You cannot delete vendor {v.Number} because journal lines use it.");
        db.Vendors.Remove(v);
    }

    private static Func<string, Task<bool>> NumberInUse(RequestContext rc, Scope scope) =>
        n => rc.Db.Vendors.AnyAsync(x => x.CompanyId == scope.CompanyId && x.Number == n, rc.Aborted);

    private static void Apply(Vendor v, Body b)
    {
        if (b.TryGet("number", out string number)) v.Number = number;
        if (b.TryGet("displayName", out string displayName)) v.DisplayName = displayName;
        // As the vendor table's Phone No. validation: digits and punctuation, no letters.
        if (b.TryGet("phoneNumber", out string phone) && phone.Any(char.IsLetter))
            throw ApiErrors.FieldValidation("phoneNumber must not contain letters in Vendor.");
        PostalAddress.Apply(v, b);
        if (b.TryGet("taxRegistrationNumber", out string taxNumber)) v.TaxRegistrationNumber = taxNumber;
        if (b.TryGet("currencyCode", out string currency)) v.CurrencyCode = currency;
        if (b.TryGet("taxLiable", out bool taxLiable)) v.TaxLiable = taxLiable;
        if (b.TryGet("blocked", out string blocked)) v.Blocked = blocked;
    }
}
