using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.PurchaseInvoices;

/// <summary>
/// purchaseInvoices: drafts are created, changed and deleted; Microsoft.NAV.post makes one Open, owed to its pay-to
/// vendor. The vendor is named by vendorId or vendorNumber; the pay-to vendor follows it unless named itself.
/// </summary>
public sealed class PurchaseInvoicesSet : EntitySet<PurchaseInvoice>
{
    public const string NumberSeriesCode = "P-INV";

    public override string Name => "purchaseInvoices";
    public override string TypeName => "purchaseInvoice";
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;
    public override IReadOnlyList<string> Actions => ["post"];

    protected override IReadOnlyList<FieldDef<PurchaseInvoice>> Fields { get; } = new FieldsBuilder<PurchaseInvoice>()
        .Key("id", x => x.Id)
        .Code("number", x => x.Number, 20, Access.ReadOnly)
        .Date("invoiceDate", x => x.InvoiceDate)
        .Date("postingDate", x => x.PostingDate)
        .Date("dueDate", x => x.DueDate)
        .Code("vendorInvoiceNumber", x => x.VendorInvoiceNumber, 35)
        .Guid("vendorId", x => x.VendorId)
        .Code("vendorNumber", x => x.VendorNumber, 20)
        .String("vendorName", x => x.VendorName, 100, Access.ReadOnly)
        .String("payToName", x => x.PayToName, 100, Access.ReadOnly)
        .Guid("payToVendorId", x => x.PayToVendorId)
        .Code("payToVendorNumber", x => x.PayToVendorNumber, 20)
        .Code("currencyCode", x => x.CurrencyCode, 10)
        .Decimal("totalAmountExcludingTax", x => x.TotalAmountExcludingTax, Access.ReadOnly)
        .Decimal("totalTaxAmount", x => x.TotalTaxAmount, Access.ReadOnly)
        .Decimal("totalAmountIncludingTax", x => x.TotalAmountIncludingTax, Access.ReadOnly)
        .Decimal("remainingAmount", x => x.RemainingAmount, Access.ReadOnly)
        .Enum("status", "purchaseInvoiceEntityAggregateStatus", PurchaseInvoice.Statuses, x => x.Status, Access.ReadOnly)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<PurchaseInvoice, Guid>> Key => x => x.Id;
    protected override Expression<Func<PurchaseInvoice, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<PurchaseInvoice, string>>)(x => x.Number)];

    private readonly Webhooks.WebhookOutbox? _webhooks;

    public PurchaseInvoicesSet(Webhooks.WebhookOutbox? webhooks = null)
    {
        _webhooks = webhooks;
        Navigations.Add(new NavigationDef
        {
            Name = "purchaseInvoiceLines", TargetSet = "purchaseInvoiceLines", IsCollection = true, Contained = true,
            ChildForeignKey = (Expression<Func<PurchaseInvoiceLine, Guid>>)(l => l.DocumentId),
        });
        Navigations.Add(new NavigationDef
        {
            Name = "vendor", TargetSet = "vendors", IsCollection = false, TargetKey = o => ((PurchaseInvoice)o).VendorId,
        });
    }

    protected override async Task<PurchaseInvoice> Create(RequestContext rc, Scope scope, Body body)
    {
        var today = rc.Today;
        var inv = new PurchaseInvoice
        {
            Id = SequentialIds.Next(), CompanyId = scope.CompanyId, Status = "Draft", InvoiceDate = today, PostingDate = today, DueDate = today,
        };
        await Apply(rc, scope, inv, body);
        if (inv.VendorId == Guid.Empty) throw ApiErrors.Dialog("A \"vendorNumber\" or a \"vendorID\" must be provided.");
        inv.Number = await NumberSeries.NumberSeriesService.NextAsync(rc.Db, scope.CompanyId, NumberSeriesCode, rc.Aborted);
        rc.Db.PurchaseInvoices.Add(inv);
        return inv;
    }

    protected override async Task Update(RequestContext rc, Scope scope, PurchaseInvoice inv, Body body)
    {
        RequireDraft(inv);
        await Apply(rc, scope, inv, body);
        if (inv.VendorId == Guid.Empty) throw ApiErrors.Dialog("A \"vendorNumber\" or a \"vendorID\" must be provided.");
    }

    protected override async Task Delete(RequestContext rc, Scope scope, PurchaseInvoice inv)
    {
        RequireDraft(inv);
        await Invoices.InvoiceDocuments.DeleteLinesAsync(rc.Db, rc.Db.PurchaseInvoiceLines, _webhooks, "purchaseInvoiceLines", inv, rc.Aborted);
        rc.Db.PurchaseInvoices.Remove(inv);
    }

    protected override Task Invoke(RequestContext rc, Scope scope, PurchaseInvoice invoice, string action) =>
        Posting.PurchaseInvoicePoster.PostAsync(rc, invoice, _webhooks);

    /// <summary>Business Central changes a purchase invoice only while it is a draft (a posted one is another table there).</summary>
    public static void RequireDraft(PurchaseInvoice inv)
    {
        if (inv.Status != "Draft")
            throw ApiErrors.Dialog($"Purchase invoice {inv.Number} is posted (status {inv.Status}) and can no longer be changed.");
    }

    /// <summary>A vendor that may be put on a new document: Business Central refuses one blocked for everything.</summary>
    public static void CheckNotBlocked(Vendor vendor, string verb)
    {
        if (vendor.Blocked == "All")
            throw ApiErrors.Dialog($"You cannot {verb} this type of document when Vendor {vendor.Number} is blocked with type {vendor.Blocked}");
    }

    private static async Task Apply(RequestContext rc, Scope scope, PurchaseInvoice inv, Body b)
    {
        if (b.TryGet("vendorInvoiceNumber", out string vendorInvoice)) inv.VendorInvoiceNumber = vendorInvoice;
        if (b.TryGet("invoiceDate", out DateOnly invoiceDate)) inv.InvoiceDate = invoiceDate;
        if (b.TryGet("postingDate", out DateOnly postingDate)) inv.PostingDate = postingDate;
        if (b.TryGet("dueDate", out DateOnly dueDate)) inv.DueDate = dueDate;
        if (b.TryGet("currencyCode", out string currency)) inv.CurrencyCode = currency;
        if (await FindAsync(rc, scope, b, "vendorId", "vendorNumber", "The vendor cannot be found.") is { } vendor)
        {
            CheckNotBlocked(vendor, "create");
            (inv.VendorId, inv.VendorNumber, inv.VendorName) = (vendor.Id, vendor.Number, vendor.DisplayName);
            if (!b.Has("payToVendorId") && !b.Has("payToVendorNumber"))
                (inv.PayToVendorId, inv.PayToVendorNumber, inv.PayToName) = (vendor.Id, vendor.Number, vendor.DisplayName);
        }
        if (await FindAsync(rc, scope, b, "payToVendorId", "payToVendorNumber", "The pay-to vendor cannot be found.") is { } payTo)
        {
            CheckNotBlocked(payTo, "create");
            (inv.PayToVendorId, inv.PayToVendorNumber, inv.PayToName) = (payTo.Id, payTo.Number, payTo.DisplayName);
        }
    }

    /// <summary>
    /// The vendor a body names by id or number, or null when it names none. As Business Central reads the fields, the id
    /// wins when both are given; an empty id or number names nobody and is refused like an unknown one.
    /// </summary>
    private static async Task<Vendor?> FindAsync(RequestContext rc, Scope scope, Body b, string idField, string numberField, string notFound)
    {
        var hasId = b.TryGet(idField, out Guid id);
        var hasNumber = b.TryGet(numberField, out string number);
        if (!hasId && !hasNumber) return null;
        var vendors = rc.Db.Vendors.AsNoTracking().Where(v => v.CompanyId == scope.CompanyId);
        var vendor = hasId
            ? id == Guid.Empty ? null : await vendors.FirstOrDefaultAsync(v => v.Id == id, rc.Aborted)
            : number.Length == 0 ? null : await vendors.FirstOrDefaultAsync(v => v.Number == number, rc.Aborted);
        return vendor ?? throw ApiErrors.Dialog(notFound);
    }
}
