using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CustomerPayments;

/// <summary>
/// customerPaymentApplications: the invoices one payment line settles, as Business Central's Applies-to ID does
/// (docs/posting.md). A sub-page of customerPayments in the posting API group only:
/// customerPayments({id})/applications({id}). Each names an open posted invoice of the line's customer, once per line,
/// with an amount (0: not given, posting applies the rest of the payment oldest first). Adding one clears the line's
/// appliesToInvoiceId/appliesToInvoiceNumber; every change moves the line's ETag.
/// </summary>
public sealed class PaymentApplicationsSet : EntitySet<PaymentApplication>
{
    public const string SetName = "customerPaymentApplications";

    public override string Name => SetName;
    public override string TypeName => "customerPaymentApplication";
    public override Surfaces Surfaces => Surfaces.V2;
    public override bool CompanyLevel => false;
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    protected override IReadOnlyList<FieldDef<PaymentApplication>> Fields { get; } = new FieldsBuilder<PaymentApplication>()
        .Key("id", x => x.Id, Access.CreateOnly)
        .Guid("customerPaymentId", x => x.PaymentId, Access.ReadOnly)
        .Guid("invoiceId", x => x.InvoiceId, Access.CreateOnly)
        .Code("invoiceNumber", x => x.InvoiceNumber, 20, Access.CreateOnly)
        .Decimal("amount", x => x.Amount)
        .Int32("sequence", x => x.Sequence, Access.ReadOnly)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<PaymentApplication, Guid>> Key => x => x.Id;
    protected override Expression<Func<PaymentApplication, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder =>
    [
        (Expression<Func<PaymentApplication, Guid>>)(x => x.PaymentId),
        (Expression<Func<PaymentApplication, int>>)(x => x.Sequence),
    ];

    protected override async Task<PaymentApplication> Create(RequestContext rc, Scope scope, Body body)
    {
        var db = rc.Db;
        var payment = await LockPaymentAsync(rc, scope);
        var id = body.TryGet("id", out Guid given) && given != Guid.Empty ? given : SequentialIds.Next();
        if (body.Has("id") && (db.PaymentApplications.Local.Any(a => a.Id == id) || await db.PaymentApplications.AnyAsync(a => a.Id == id, rc.Aborted)))
            throw ApiErrors.SameKeyExists("Cust. Payment Application", $"SystemId='{id:D}'");
        if (payment.CustomerId == Guid.Empty)
            throw ApiErrors.Dialog("The customer payment has no customer: set customerId or customerNumber before applying it to invoices.");

        var invoice = await ResolveInvoiceAsync(rc, scope.CompanyId, body);
        if (invoice.CustomerId != payment.CustomerId)
            throw ApiErrors.Dialog($"The invoice {invoice.Number} belongs to customer {invoice.CustomerNumber}, not to customer {payment.CustomerNumber} of the payment.");
        if (invoice.Status != "Open" || invoice.RemainingAmount <= 0)
            throw ApiErrors.Dialog(invoice.Status == "Paid"
                ? $"The invoice {invoice.Number} is already paid."
                : $"The invoice {invoice.Number} is not open (its status is {invoice.Status}).");
        var others = await ApplicationsOfAsync(rc, payment.Id);
        if (others.Any(a => a.InvoiceId == invoice.Id))
            throw ApiErrors.Dialog($"The invoice {invoice.Number} is already applied on this payment line.");

        body.TryGet("amount", out long amount);
        CheckAmount(payment, invoice, amount, others.Sum(a => a.Amount));
        var application = new PaymentApplication
        {
            Id = id, CompanyId = scope.CompanyId, PaymentId = payment.Id, InvoiceId = invoice.Id, InvoiceNumber = invoice.Number,
            Amount = amount, Sequence = others.Count == 0 ? 1 : others.Max(a => a.Sequence) + 1,
        };
        db.PaymentApplications.Add(application);
        // Applies-to ID replaces Applies-to Doc. No.: the line names no single invoice any more.
        payment.AppliesToInvoiceId = Guid.Empty;
        payment.AppliesToInvoiceNumber = "";
        Touch(rc, payment);
        return application;
    }

    protected override async Task Update(RequestContext rc, Scope scope, PaymentApplication application, Body body)
    {
        var payment = await LockPaymentAsync(rc, scope);
        if (body.TryGet("amount", out long amount) && amount != application.Amount)
        {
            var invoice = await rc.Db.SalesInvoices.AsNoTracking().FirstOrDefaultAsync(i => i.Id == application.InvoiceId && i.CompanyId == scope.CompanyId, rc.Aborted)
                          ?? throw ApiErrors.Dialog($"The invoice {application.InvoiceNumber} is not a posted sales invoice.");
            if (amount > 0 && (invoice.Status != "Open" || invoice.RemainingAmount <= 0))
                throw ApiErrors.Dialog($"The invoice {invoice.Number} is already paid.");
            var others = (await ApplicationsOfAsync(rc, payment.Id)).Where(a => a.Id != application.Id).Sum(a => a.Amount);
            CheckAmount(payment, invoice, amount, others);
            application.Amount = amount;
        }
        Touch(rc, payment);
    }

    protected override async Task Delete(RequestContext rc, Scope scope, PaymentApplication application)
    {
        var payment = await LockPaymentAsync(rc, scope);
        rc.Db.PaymentApplications.Remove(application);
        Touch(rc, payment);
    }

    /// <summary>An amount, when given, is positive and at most the invoice's remaining amount; the line's given amounts together are at most the payment.</summary>
    private static void CheckAmount(CustomerPayment payment, SalesInvoice invoice, long amount, long othersGiven)
    {
        if (amount < 0)
            throw ApiErrors.FieldValidation("amount must be greater than zero, or 0 to let posting apply what is left of the payment.");
        if (amount > invoice.RemainingAmount)
            throw ApiErrors.Dialog($"The amount {PaymentRules.Money(amount)} is more than the remaining amount of invoice {invoice.Number} ({PaymentRules.Money(invoice.RemainingAmount)}).");
        var paid = Math.Max(0, -payment.Amount);
        if (amount > 0 && othersGiven + amount > paid)
            throw ApiErrors.Dialog($"The amounts applied to invoices ({PaymentRules.Money(othersGiven + amount)}) are more than the payment ({PaymentRules.Money(paid)}).");
    }

    private static async Task<SalesInvoice> ResolveInvoiceAsync(RequestContext rc, Guid companyId, Body body)
    {
        var hasId = body.TryGet("invoiceId", out Guid invoiceId) && invoiceId != Guid.Empty;
        var hasNumber = body.TryGet("invoiceNumber", out string number) && number.Length > 0;
        if (!hasId && !hasNumber) throw ApiErrors.Dialog("You must specify an invoice id or an invoice number.");
        var q = rc.Db.SalesInvoices.AsNoTracking().Where(i => i.CompanyId == companyId);
        var invoice = hasId
            ? await q.FirstOrDefaultAsync(i => i.Id == invoiceId, rc.Aborted)
            : await q.FirstOrDefaultAsync(i => i.Number == number, rc.Aborted);
        if (invoice is null || !invoice.IsPosted)
            throw ApiErrors.Dialog(hasId
                ? "The \"invoiceId\" should be the ID of an Open posted sales invoice."
                : $"The \"invoiceNumber\" {number} is not the number of an Open posted sales invoice.");
        if (hasId && hasNumber && invoice.Number != number)
            throw ApiErrors.Dialog("The invoice id and the invoice number do not match to the same Invoice.");
        return invoice;
    }

    /// <summary>The line's applications as this unit sees them (a $batch change set may have added some already).</summary>
    private static async Task<List<PaymentApplication>> ApplicationsOfAsync(RequestContext rc, Guid paymentId)
    {
        var db = rc.Db;
        var stored = await db.PaymentApplications.AsNoTracking().Where(a => a.PaymentId == paymentId).ToListAsync(rc.Aborted);
        var local = db.ChangeTracker.Entries<PaymentApplication>().Where(e => e.Entity.PaymentId == paymentId).ToList();
        var result = stored.Where(s => !local.Any(e => e.Entity.Id == s.Id)).ToList();
        result.AddRange(local.Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Unchanged).Select(e => e.Entity));
        return result;
    }

    /// <summary>
    /// The payment line the change is under, tracked. On PostgreSQL its row is locked first, so changes of one line's
    /// applications (and a post of its journal) take turns, and the checks read what the one before committed.
    /// </summary>
    private static async Task<CustomerPayment> LockPaymentAsync(RequestContext rc, Scope scope)
    {
        var db = rc.Db;
        var parent = scope.Parent as CustomerPayment ?? throw ApiErrors.Dialog("You must specify a customer payment to change its applications.");
        if (db.CustomerPayments.Local.FindEntry(parent.Id)?.Entity is { } tracked) return tracked;
        if (await RowLocks.VersionAsync(db, parent, rc.Aborted) is { } version)
        {
            if (version == 0) throw ApiErrors.RecordNotFound("customerPayment", parent.Id);
            if (version != parent.Version)
                parent = await db.CustomerPayments.AsNoTracking().FirstAsync(p => p.Id == parent.Id, rc.Aborted);
        }
        db.Attach(parent);
        return parent;
    }

    /// <summary>The applications are part of the line: its ETag and lastModifiedDateTime move with them.</summary>
    private static void Touch(RequestContext rc, CustomerPayment payment) => rc.Db.Entry(payment).State = EntityState.Modified;

}
