using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.CashApplication.Import;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CashApplication.Api;

/// <summary>csvImportProfiles: how a bank's CSV export reads, named by code in an import's csvProfile.</summary>
public sealed class CsvImportProfilesSet : EntitySet<CsvImportProfile>
{
    public override string Name => "csvImportProfiles";
    public override string TypeName => "csvImportProfile";
    public override Surfaces Surfaces => Surfaces.V2;
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    private static readonly (string Name, Expression<Func<CsvImportProfile, string>> Column, int Max)[] Texts =
    [
        ("delimiter", x => x.Delimiter, 1), ("decimalSeparator", x => x.DecimalSeparator, 1), ("dateFormat", x => x.DateFormat, 30),
        ("encoding", x => x.Encoding, 20), ("currencyCode", x => x.Currency, 3), ("accountIban", x => x.AccountIban, 34),
        ("bookingDateColumn", x => x.BookingDateColumn, 100), ("valueDateColumn", x => x.ValueDateColumn, 100),
        ("amountColumn", x => x.AmountColumn, 100), ("creditColumn", x => x.CreditColumn, 100), ("debitColumn", x => x.DebitColumn, 100),
        ("currencyColumn", x => x.CurrencyColumn, 100), ("counterpartyNameColumn", x => x.CounterpartyNameColumn, 100),
        ("counterpartyIbanColumn", x => x.CounterpartyIbanColumn, 100), ("remittanceColumn", x => x.RemittanceColumn, 100),
        ("referenceColumn", x => x.ReferenceColumn, 100), ("endToEndIdColumn", x => x.EndToEndIdColumn, 100),
        ("bankReferenceColumn", x => x.BankReferenceColumn, 100), ("balanceColumn", x => x.BalanceColumn, 100),
    ];

    private static readonly Dictionary<string, Action<CsvImportProfile, string>> Setters = Texts.ToDictionary(t => t.Name, t =>
    {
        var property = (System.Reflection.PropertyInfo)((MemberExpression)t.Column.Body).Member;
        return (Action<CsvImportProfile, string>)((p, v) => property.SetValue(p, v));
    });

    protected override IReadOnlyList<FieldDef<CsvImportProfile>> Fields { get; } = BuildFields();

    private static IReadOnlyList<FieldDef<CsvImportProfile>> BuildFields()
    {
        var b = new FieldsBuilder<CsvImportProfile>().Key("id", x => x.Id).Code("code", x => x.Code, 20).Boolean("hasHeader", x => x.HasHeader);
        foreach (var (name, column, max) in Texts) b.String(name, column, max);
        return b.Timestamp("lastModifiedDateTime", x => x.LastModified).Fields;
    }

    protected override Expression<Func<CsvImportProfile, Guid>> Key => x => x.Id;
    protected override Expression<Func<CsvImportProfile, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<CsvImportProfile, string>>)(x => x.Code)];

    protected override async Task<CsvImportProfile> Create(RequestContext rc, Scope scope, Body body)
    {
        var p = new CsvImportProfile { Id = SequentialIds.Next(), CompanyId = scope.CompanyId };
        await Apply(rc, scope, p, body, isNew: true);
        rc.Db.CsvImportProfiles.Add(p);
        return p;
    }

    protected override Task Update(RequestContext rc, Scope scope, CsvImportProfile p, Body body) => Apply(rc, scope, p, body, isNew: false);

    protected override Task Delete(RequestContext rc, Scope scope, CsvImportProfile p)
    {
        rc.Db.CsvImportProfiles.Remove(p);
        return Task.CompletedTask;
    }

    private static async Task Apply(RequestContext rc, Scope scope, CsvImportProfile p, Body body, bool isNew)
    {
        var oldCode = p.Code;
        if (body.TryGet("code", out string code)) p.Code = code;
        if (body.TryGet("hasHeader", out bool header)) p.HasHeader = header;
        foreach (var (name, set) in Setters)
            if (body.TryGet(name, out string value)) set(p, value);
        if (p.Code.Length == 0) throw ApiErrors.FieldValidation("code must have a value in CSV Import Profile.");
        if (p.BookingDateColumn.Length == 0) throw ApiErrors.FieldValidation("bookingDateColumn must have a value in CSV Import Profile.");
        if (p.Delimiter.Length != 1 || p.DecimalSeparator.Length != 1) throw ApiErrors.FieldValidation("delimiter and decimalSeparator are one character each.");
        if (ToProfile(p).Problem() is { } problem) throw ApiErrors.FieldValidation(problem);
        if ((isNew || p.Code != oldCode) && await rc.Db.CsvImportProfiles.AnyAsync(x => x.CompanyId == scope.CompanyId && x.Code == p.Code, rc.Aborted))
            throw ApiErrors.SameKeyExists("CSV Import Profile", $"Code='{p.Code}'");
    }

    public static CsvProfile ToProfile(CsvImportProfile p) => new()
    {
        Code = p.Code, Delimiter = p.Delimiter.Length == 1 ? p.Delimiter[0] : ',', DecimalSeparator = p.DecimalSeparator.Length == 1 ? p.DecimalSeparator[0] : '.',
        DateFormat = p.DateFormat, HasHeader = p.HasHeader, Encoding = p.Encoding, Currency = Opt(p.Currency), AccountIban = Opt(p.AccountIban),
        BookingDateColumn = p.BookingDateColumn, ValueDateColumn = Opt(p.ValueDateColumn), AmountColumn = Opt(p.AmountColumn),
        CreditColumn = Opt(p.CreditColumn), DebitColumn = Opt(p.DebitColumn), CurrencyColumn = Opt(p.CurrencyColumn),
        CounterpartyNameColumn = Opt(p.CounterpartyNameColumn), CounterpartyIbanColumn = Opt(p.CounterpartyIbanColumn),
        RemittanceColumn = Opt(p.RemittanceColumn), ReferenceColumn = Opt(p.ReferenceColumn), EndToEndIdColumn = Opt(p.EndToEndIdColumn),
        BankReferenceColumn = Opt(p.BankReferenceColumn), BalanceColumn = Opt(p.BalanceColumn),
    };

    private static string? Opt(string s) => s.Length == 0 ? null : s;
}

/// <summary>customerIbanMappings: account numbers known to be a customer's; learned from transferred lines, editable.</summary>
public sealed class CustomerIbanMappingsSet : EntitySet<CustomerIbanMapping>
{
    public override string Name => "customerIbanMappings";
    public override string TypeName => "customerIbanMapping";
    public override Surfaces Surfaces => Surfaces.V2;
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    protected override IReadOnlyList<FieldDef<CustomerIbanMapping>> Fields { get; } = new FieldsBuilder<CustomerIbanMapping>()
        .Key("id", x => x.Id)
        .Code("iban", x => x.Iban, 34)
        .Guid("customerId", x => x.CustomerId)
        .Code("customerNumber", x => x.CustomerNumber, 20, Access.ReadOnly)
        .Int32("payments", x => x.Payments)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<CustomerIbanMapping, Guid>> Key => x => x.Id;
    protected override Expression<Func<CustomerIbanMapping, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<CustomerIbanMapping, string>>)(x => x.Iban)];

    public CustomerIbanMappingsSet()
    {
        Navigations.Add(new NavigationDef
        {
            Name = "customer", TargetSet = "customers", IsCollection = false, Surfaces = Surfaces.V2, TargetKey = o => ((CustomerIbanMapping)o).CustomerId,
        });
    }

    /// <summary>An IBAN as stored: capitals, no spaces.</summary>
    public static string NormalIban(string iban) => string.Concat(iban.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();

    protected override async Task<CustomerIbanMapping> Create(RequestContext rc, Scope scope, Body body)
    {
        var m = new CustomerIbanMapping { Id = SequentialIds.Next(), CompanyId = scope.CompanyId };
        await Apply(rc, scope, m, body, isNew: true);
        rc.Db.CustomerIbanMappings.Add(m);
        return m;
    }

    protected override Task Update(RequestContext rc, Scope scope, CustomerIbanMapping m, Body body) => Apply(rc, scope, m, body, isNew: false);

    protected override Task Delete(RequestContext rc, Scope scope, CustomerIbanMapping m)
    {
        rc.Db.CustomerIbanMappings.Remove(m);
        return Task.CompletedTask;
    }

    private static async Task Apply(RequestContext rc, Scope scope, CustomerIbanMapping m, Body body, bool isNew)
    {
        var oldIban = m.Iban;
        if (body.TryGet("iban", out string iban)) m.Iban = NormalIban(iban);
        if (m.Iban.Length is < 5 || !m.Iban.All(char.IsAsciiLetterOrDigit))
            throw ApiErrors.FieldValidation("iban must be an account number of letters and digits (spaces are dropped).");
        if (body.TryGet("payments", out int payments))
        {
            if (payments < 0) throw ApiErrors.FieldValidation("payments must not be negative.");
            m.Payments = payments;
        }
        if (body.TryGet("customerId", out Guid customerId))
        {
            var customer = await rc.Db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.CompanyId == scope.CompanyId && c.Id == customerId, rc.Aborted)
                           ?? throw ApiErrors.Dialog($"The customer {customerId:D} does not exist.");
            m.CustomerId = customer.Id;
            m.CustomerNumber = customer.Number;
        }
        if (m.CustomerId == Guid.Empty) throw ApiErrors.FieldValidation("customerId must have a value in Customer IBAN Mapping.");
        if ((isNew || m.Iban != oldIban) && await rc.Db.CustomerIbanMappings.AnyAsync(x => x.CompanyId == scope.CompanyId && x.Iban == m.Iban, rc.Aborted))
            throw ApiErrors.SameKeyExists("Customer IBAN Mapping", $"IBAN='{m.Iban}'");
    }
}
