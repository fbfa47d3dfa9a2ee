using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Customers;
using PaymentJournal.OData;

namespace PaymentJournal.Features.SalesInvoices;

/// <summary>salesInvoices: drafts are created, changed and deleted; posting (Microsoft.NAV.post) makes them Open.</summary>
public sealed class SalesInvoicesSet : EntitySet<SalesInvoice>
{
    public const string NumberSeriesCode = "S-INV";

    public override string Name => "salesInvoices";
    public override string TypeName => "salesInvoice";
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;
    public override IReadOnlyList<string> Actions => ["post"];

    protected override IReadOnlyList<FieldDef<SalesInvoice>> Fields { get; } = new FieldsBuilder<SalesInvoice>()
        .Key("id", x => x.Id)
        .Code("number", x => x.Number, 20, Access.ReadOnly)
        .Code("externalDocumentNumber", x => x.ExternalDocumentNumber, 35)
        .Date("invoiceDate", x => x.InvoiceDate)
        .Date("postingDate", x => x.PostingDate)
        .Date("dueDate", x => x.DueDate)
        .Guid("customerId", x => x.CustomerId)
        .Code("customerNumber", x => x.CustomerNumber, 20)
        .String("customerName", x => x.CustomerName, 100, Access.ReadOnly)
        .Guid("billToCustomerId", x => x.BillToCustomerId)
        .Code("billToCustomerNumber", x => x.BillToCustomerNumber, 20)
        .Code("currencyCode", x => x.CurrencyCode, 10)
        .Decimal("totalAmountExcludingTax", x => x.TotalAmountExcludingTax, Access.ReadOnly)
        .Decimal("totalTaxAmount", x => x.TotalTaxAmount, Access.ReadOnly)
        .Decimal("totalAmountIncludingTax", x => x.TotalAmountIncludingTax, Access.ReadOnly)
        .Decimal("remainingAmount", x => x.RemainingAmount, Access.ReadOnly)
        .Enum("status", "invoiceEntityAggregateStatus", SalesInvoice.Statuses, x => x.Status, Access.ReadOnly)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<SalesInvoice, Guid>> Key => x => x.Id;
    protected override Expression<Func<SalesInvoice, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<SalesInvoice, string>>)(x => x.Number)];

    private readonly Webhooks.WebhookOutbox? _webhooks;

    public SalesInvoicesSet(Webhooks.WebhookOutbox? webhooks = null)
    {
        _webhooks = webhooks;
        Navigations.Add(new NavigationDef
        {
            Name = "salesInvoiceLines", TargetSet = "salesInvoiceLines", IsCollection = true, Contained = true,
            ChildForeignKey = (Expression<Func<SalesInvoiceLine, Guid>>)(l => l.DocumentId),
        });
        Navigations.Add(new NavigationDef
        {
            Name = "customer", TargetSet = "customers", IsCollection = false, TargetKey = o => ((SalesInvoice)o).CustomerId,
        });
    }

    protected override async Task<SalesInvoice> Create(RequestContext rc, Scope scope, Body body)
    {
        var today = rc.Today;
        var inv = new SalesInvoice
        {
            Id = SequentialIds.Next(), CompanyId = scope.CompanyId, Status = "Draft", InvoiceDate = today, PostingDate = today, DueDate = today,
        };
        await Apply(rc, scope, inv, body);
        if (inv.CustomerId == Guid.Empty)
            throw ApiErrors.FieldValidation("customerId or customerNumber must have a value in Sales Invoice.");
        inv.Number = await NumberSeries.NumberSeriesService.NextAsync(rc.Db, scope.CompanyId, NumberSeriesCode, rc.Aborted);
        rc.Db.SalesInvoices.Add(inv);
        return inv;
    }

    protected override async Task Update(RequestContext rc, Scope scope, SalesInvoice inv, Body body)
    {
        RequireDraft(inv);
        await Apply(rc, scope, inv, body);
        if (inv.CustomerId == Guid.Empty)
            throw ApiErrors.FieldValidation("customerId or customerNumber must have a value in Sales Invoice.");
    }

    protected override async Task Delete(RequestContext rc, Scope scope, SalesInvoice inv)
    {
        RequireDraft(inv);
        await Invoices.InvoiceDocuments.DeleteLinesAsync(rc.Db, rc.Db.SalesInvoiceLines, _webhooks, "salesInvoiceLines", inv, rc.Aborted);
        rc.Db.SalesInvoices.Remove(inv);
    }

    protected override Task Invoke(RequestContext rc, Scope scope, SalesInvoice invoice, string action) =>
        Posting.InvoicePoster.PostAsync(rc, invoice, _webhooks);

    public static void RequireDraft(SalesInvoice inv)
    {
        if (inv.Status != "Draft")
            throw ApiErrors.Dialog($"Sales invoice {inv.Number} is posted (status {inv.Status}) and can no longer be changed.");
    }

    private static async Task Apply(RequestContext rc, Scope scope, SalesInvoice inv, Body b)
    {
        if (b.TryGet("externalDocumentNumber", out string ext)) inv.ExternalDocumentNumber = ext;
        if (b.TryGet("invoiceDate", out DateOnly invoiceDate)) inv.InvoiceDate = invoiceDate;
        if (b.TryGet("postingDate", out DateOnly postingDate)) inv.PostingDate = postingDate;
        if (b.TryGet("dueDate", out DateOnly dueDate)) inv.DueDate = dueDate;
        if (b.TryGet("currencyCode", out string currency)) inv.CurrencyCode = currency;
        var hasId = b.TryGet("customerId", out Guid customerId);
        var hasNumber = b.TryGet("customerNumber", out string customerNumber);
        if (hasId || hasNumber)
        {
            var customer = await CustomerRules.ResolveAsync(rc.Db, scope.CompanyId, hasId ? customerId : null, hasNumber ? customerNumber : null, rc.Aborted);
            if (customer is not null) CustomerRules.CheckNotBlocked(customer);
            inv.CustomerId = customer?.Id ?? Guid.Empty;
            inv.CustomerNumber = customer?.Number ?? "";
            inv.CustomerName = customer?.DisplayName ?? "";
            if (!b.Has("billToCustomerId") && !b.Has("billToCustomerNumber"))
            {
                inv.BillToCustomerId = inv.CustomerId;
                inv.BillToCustomerNumber = inv.CustomerNumber;
            }
        }
        var hasBillId = b.TryGet("billToCustomerId", out Guid billId);
        var hasBillNumber = b.TryGet("billToCustomerNumber", out string billNumber);
        if (hasBillId || hasBillNumber)
        {
            var bill = await CustomerRules.ResolveAsync(rc.Db, scope.CompanyId, hasBillId ? billId : null, hasBillNumber ? billNumber : null, rc.Aborted);
            inv.BillToCustomerId = bill?.Id ?? inv.CustomerId;
            inv.BillToCustomerNumber = bill?.Number ?? inv.CustomerNumber;
        }
        if (inv.DueDate < inv.InvoiceDate) throw ApiErrors.FieldValidation("dueDate must not be before invoiceDate.");
    }
}
