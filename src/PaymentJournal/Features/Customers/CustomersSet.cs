using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.NumberSeries;
using PaymentJournal.Features.Parties;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Customers;

public sealed class CustomersSet : EntitySet<Customer>
{
    public const string NumberSeriesCode = "CUST";

    public override string Name => "customers";
    public override string TypeName => "customer";
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    protected override IReadOnlyList<FieldDef<Customer>> Fields { get; } = new FieldsBuilder<Customer>()
        .Key("id", x => x.Id)
        .Code("number", x => x.Number, 20)
        .String("displayName", x => x.DisplayName, 100)
        .Enum("type", "contactType", Customer.Types, x => x.Type)
        .AddressFields()
        .Code("currencyCode", x => x.CurrencyCode, 10)
        .Enum("blocked", "customerBlocked", ["_x0020_", "Ship", "Invoice", "All"], x => x.Blocked)
        .Decimal("balanceDue", x => x.BalanceDue, Access.ReadOnly)
        .Decimal("creditLimit", x => x.CreditLimit)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<Customer, Guid>> Key => x => x.Id;
    protected override Expression<Func<Customer, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<Customer, string>>)(x => x.Number)];

    protected override async Task<Customer> Create(RequestContext rc, Scope scope, Body body)
    {
        var db = rc.Db;
        var group = await db.CustomerPostingGroups.AsNoTracking().Where(g => g.CompanyId == scope.CompanyId).OrderBy(g => g.Code).FirstOrDefaultAsync(rc.Aborted)
                    ?? throw ApiErrors.FieldValidation("The company has no customer posting group; customers cannot be created.");
        var c = new Customer { Id = SequentialIds.Next(), CompanyId = scope.CompanyId, PostingGroupId = group.Id };
        Apply(c, body);
        c.Number = await NumberSeriesService.NumberForNewAsync(db, scope.CompanyId, NumberSeriesCode, c.Number, "Customer", NumberInUse(rc, scope), rc.Aborted);
        db.Customers.Add(c);
        return c;
    }

    protected override async Task Update(RequestContext rc, Scope scope, Customer c, Body body)
    {
        var oldNumber = c.Number;
        Apply(c, body);
        if (await NumberSeriesService.CheckRenameAsync(oldNumber, c.Number, "Customer", NumberInUse(rc, scope)))
        {
            // Business Central renames the customer everywhere it is referenced; so do we, for what holds the number.
            var now = rc.Db.Now();
            await rc.Db.CustomerPayments.Where(p => p.CustomerId == c.Id).ExecuteUpdateAsync(u => u.SetProperty(p => p.CustomerNumber, c.Number).Touch(now), rc.Aborted);
            await rc.Db.Contacts.Where(p => p.CustomerId == c.Id).ExecuteUpdateAsync(u => u.SetProperty(p => p.CustomerNumber, c.Number).Touch(now), rc.Aborted);
            await rc.Db.SalesInvoices.Where(p => p.CustomerId == c.Id).ExecuteUpdateAsync(u => u.SetProperty(p => p.CustomerNumber, c.Number).Touch(now), rc.Aborted);
            await rc.Db.SalesInvoices.Where(p => p.BillToCustomerId == c.Id).ExecuteUpdateAsync(u => u.SetProperty(p => p.BillToCustomerNumber, c.Number).Touch(now), rc.Aborted);
        }
    }

    protected override async Task Delete(RequestContext rc, Scope scope, Customer c)
    {
        var db = rc.Db;
        if (await db.CustomerLedgerEntries.AnyAsync(e => e.CustomerId == c.Id, rc.Aborted))
            throw ApiErrors.Dialog($"You cannot delete customer {c.Number} because it has ledger entries.");
        if (await db.SalesInvoices.AnyAsync(i => i.CustomerId == c.Id || i.BillToCustomerId == c.Id, rc.Aborted))
            throw ApiErrors.Dialog($"You cannot delete customer {c.Number} because it has sales invoices.");
        if (await db.CustomerPayments.AnyAsync(p => p.CustomerId == c.Id, rc.Aborted))
            throw ApiErrors.Dialog($"You cannot delete customer {c.Number} because journal lines use it.");
        await db.Contacts.Where(x => x.CustomerId == c.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.CustomerId, Guid.Empty).SetProperty(x => x.CustomerNumber, "").Touch(db.Now()), rc.Aborted);
        db.Customers.Remove(c);
    }

    private static Func<string, Task<bool>> NumberInUse(RequestContext rc, Scope scope) =>
        n => rc.Db.Customers.AnyAsync(x => x.CompanyId == scope.CompanyId && x.Number == n, rc.Aborted);

    private static void Apply(Customer c, Body b)
    {
        if (b.TryGet("number", out string number)) c.Number = number;
        if (b.TryGet("displayName", out string displayName)) c.DisplayName = displayName;
        if (b.TryGet("type", out string type)) c.Type = type;
        PostalAddress.Apply(c, b);
        if (b.TryGet("currencyCode", out string currency)) c.CurrencyCode = currency;
        if (b.TryGet("blocked", out string blocked)) c.Blocked = blocked;
        if (b.TryGet("creditLimit", out long creditLimit))
        {
            if (creditLimit < 0) throw ApiErrors.FieldValidation("creditLimit must not be negative.");
            c.CreditLimit = creditLimit;
        }
    }
}
