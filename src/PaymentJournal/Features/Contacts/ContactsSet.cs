using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Customers;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Contacts;

/// <summary>contacts, each optionally linked to the customer it is a business relation of.</summary>
public sealed class ContactsSet : EntitySet<Contact>
{
    public const string NumberSeriesCode = "CONT";

    public override string Name => "contacts";
    public override string TypeName => "contact";
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    protected override IReadOnlyList<FieldDef<Contact>> Fields { get; } = new FieldsBuilder<Contact>()
        .Key("id", x => x.Id)
        .Code("number", x => x.Number, 20)
        .String("displayName", x => x.DisplayName, 100)
        .Enum("type", "contactType", Contact.Types, x => x.Type)
        .String("jobTitle", x => x.JobTitle, 30)
        .String("phoneNumber", x => x.PhoneNumber, 30)
        .String("email", x => x.Email, 80)
        .Guid("customerId", x => x.CustomerId)
        .Code("customerNumber", x => x.CustomerNumber, 20)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<Contact, Guid>> Key => x => x.Id;
    protected override Expression<Func<Contact, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<Contact, string>>)(x => x.Number)];

    public ContactsSet()
    {
        Navigations.Add(new NavigationDef
        {
            Name = "customer", TargetSet = "customers", IsCollection = false, TargetKey = o => ((Contact)o).CustomerId,
        });
    }

    protected override async Task<Contact> Create(RequestContext rc, Scope scope, Body body)
    {
        var c = new Contact { Id = SequentialIds.Next(), CompanyId = scope.CompanyId };
        await Apply(rc, scope, c, body);
        if (c.Number.Length == 0)
        {
            c.Number = await NumberSeries.NumberSeriesService.NextUnusedAsync(rc.Db, scope.CompanyId, NumberSeriesCode,
                n => rc.Db.Contacts.AnyAsync(x => x.CompanyId == scope.CompanyId && x.Number == n, rc.Aborted), rc.Aborted);
        }
        else if (await rc.Db.Contacts.AnyAsync(x => x.CompanyId == scope.CompanyId && x.Number == c.Number, rc.Aborted))
        {
            throw ApiErrors.SameKeyExists("Contact", $"No.='{c.Number}'");
        }
        rc.Db.Contacts.Add(c);
        return c;
    }

    protected override async Task Update(RequestContext rc, Scope scope, Contact c, Body body)
    {
        var oldNumber = c.Number;
        await Apply(rc, scope, c, body);
        if (c.Number.Length == 0) throw ApiErrors.FieldValidation("number must have a value in Contact.");
        if (c.Number != oldNumber && await rc.Db.Contacts.AnyAsync(x => x.CompanyId == scope.CompanyId && x.Number == c.Number, rc.Aborted))
            throw ApiErrors.SameKeyExists("Contact", $"No.='{c.Number}'");
    }

    protected override Task Delete(RequestContext rc, Scope scope, Contact c)
    {
        rc.Db.Contacts.Remove(c);
        return Task.CompletedTask;
    }

    private static async Task Apply(RequestContext rc, Scope scope, Contact c, Body b)
    {
        if (b.TryGet("number", out string number)) c.Number = number;
        if (b.TryGet("displayName", out string displayName)) c.DisplayName = displayName;
        if (b.TryGet("type", out string type)) c.Type = type;
        if (b.TryGet("jobTitle", out string jobTitle)) c.JobTitle = jobTitle;
        if (b.TryGet("phoneNumber", out string phone)) c.PhoneNumber = phone;
        if (b.TryGet("email", out string email)) c.Email = email;
        var hasId = b.TryGet("customerId", out Guid customerId);
        var hasNumber = b.TryGet("customerNumber", out string customerNumber);
        if (hasId || hasNumber)
        {
            var customer = await CustomerRules.ResolveAsync(rc.Db, scope.CompanyId, hasId ? customerId : null, hasNumber ? customerNumber : null, rc.Aborted);
            c.CustomerId = customer?.Id ?? Guid.Empty;
            c.CustomerNumber = customer?.Number ?? "";
        }
    }
}
