using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Invoices;
using PaymentJournal.OData;

namespace PaymentJournal.Features.SalesInvoices;

/// <summary>salesInvoiceLines of a draft invoice: lines of type Account (revenue to a G/L account), no tax.</summary>
public sealed class SalesInvoiceLinesSet : EntitySet<SalesInvoiceLine>
{
    public override string Name => "salesInvoiceLines";
    public override string TypeName => "salesInvoiceLine";
    public override bool CompanyLevel => false;
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    protected override IReadOnlyList<FieldDef<SalesInvoiceLine>> Fields { get; } = new FieldsBuilder<SalesInvoiceLine>()
        .Key("id", x => x.Id)
        .Guid("documentId", x => x.DocumentId, Access.ReadOnly)
        .Int32("sequence", x => x.Sequence)
        .Enum("lineType", "invoiceLineAggLineType", SalesInvoiceLine.LineTypes, x => x.LineType)
        .Code("lineObjectNumber", x => x.LineObjectNumber, 20)
        .Guid("accountId", x => x.AccountId)
        .String("description", x => x.Description, 100)
        .Decimal("quantity", x => x.Quantity, scale: 5)
        .Decimal("unitPrice", x => x.UnitPrice)
        .Decimal("amountExcludingTax", x => x.AmountExcludingTax, Access.ReadOnly)
        .Decimal("totalTaxAmount", x => x.TotalTaxAmount, Access.ReadOnly)
        .Decimal("amountIncludingTax", x => x.AmountIncludingTax, Access.ReadOnly)
        .Fields;

    protected override Expression<Func<SalesInvoiceLine, Guid>> Key => x => x.Id;
    protected override Expression<Func<SalesInvoiceLine, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<SalesInvoiceLine, int>>)(x => x.Sequence)];

    public SalesInvoiceLinesSet()
    {
        Navigations.Add(new NavigationDef
        {
            Name = "account", TargetSet = "accounts", IsCollection = false, TargetKey = o => ((SalesInvoiceLine)o).AccountId,
        });
    }

    /// <summary>The invoice the line belongs to, still a draft (<see cref="InvoiceDocuments.ReadStatusAgainAsync"/>).</summary>
    private static async Task<SalesInvoice> DraftAsync(RequestContext rc, Scope scope)
    {
        var inv = scope.Parent as SalesInvoice ?? throw ApiErrors.Dialog("A sales invoice line can only be reached through its sales invoice.");
        await InvoiceDocuments.ReadStatusAgainAsync(rc.Db, rc.Db.SalesInvoices, "sales_invoices", inv, rc.Aborted);
        SalesInvoicesSet.RequireDraft(inv);
        return inv;
    }

    protected override async Task<SalesInvoiceLine> Create(RequestContext rc, Scope scope, Body body)
    {
        var inv = await DraftAsync(rc, scope);
        var line = new SalesInvoiceLine { Id = SequentialIds.Next(), CompanyId = scope.CompanyId, DocumentId = inv.Id, Quantity = 100000 };
        await Apply(rc, scope, line, body);
        if (!body.Has("sequence") || line.Sequence == 0)
        {
            var max = await rc.Db.SalesInvoiceLines.Where(l => l.DocumentId == inv.Id).MaxAsync(l => (int?)l.Sequence, rc.Aborted) ?? 0;
            line.Sequence = max + 10000;
        }
        if (line.AccountId == Guid.Empty) throw ApiErrors.FieldValidation("accountId or lineObjectNumber must have a value on a line of type Account.");
        await CheckSequenceFreeAsync(rc, line);
        rc.Db.SalesInvoiceLines.Add(line);
        await rc.Db.SaveChangesAsync(rc.Aborted);
        await InvoiceDocuments.RecalculateTotalsAsync(rc.Db.SalesInvoices, rc.Db.SalesInvoiceLines, inv.Id, rc.Aborted);
        return line;
    }

    protected override async Task Update(RequestContext rc, Scope scope, SalesInvoiceLine line, Body body)
    {
        var inv = await DraftAsync(rc, scope);
        var oldSequence = line.Sequence;
        await Apply(rc, scope, line, body);
        if (line.AccountId == Guid.Empty) throw ApiErrors.FieldValidation("accountId or lineObjectNumber must have a value on a line of type Account.");
        if (line.Sequence != oldSequence) await CheckSequenceFreeAsync(rc, line);
        await rc.Db.SaveChangesAsync(rc.Aborted);
        await InvoiceDocuments.RecalculateTotalsAsync(rc.Db.SalesInvoices, rc.Db.SalesInvoiceLines, inv.Id, rc.Aborted);
    }

    protected override async Task Delete(RequestContext rc, Scope scope, SalesInvoiceLine line)
    {
        var inv = await DraftAsync(rc, scope);
        rc.Db.SalesInvoiceLines.Remove(line);
        await rc.Db.SaveChangesAsync(rc.Aborted);
        await InvoiceDocuments.RecalculateTotalsAsync(rc.Db.SalesInvoices, rc.Db.SalesInvoiceLines, inv.Id, rc.Aborted);
    }

    private static async Task CheckSequenceFreeAsync(RequestContext rc, SalesInvoiceLine line)
    {
        if (await rc.Db.SalesInvoiceLines.AnyAsync(l => l.DocumentId == line.DocumentId && l.Sequence == line.Sequence && l.Id != line.Id, rc.Aborted))
            throw ApiErrors.SameKeyExists("Sales Line", $"Document Type='Invoice',Line No.='{line.Sequence}'");
    }

    private static async Task Apply(RequestContext rc, Scope scope, SalesInvoiceLine line, Body b)
    {
        if (b.TryGet("sequence", out int seq))
        {
            if (seq < 0) throw ApiErrors.FieldValidation("sequence must not be negative.");
            line.Sequence = seq;
        }
        if (b.TryGet("lineType", out string lineType))
        {
            if (lineType != "Account") throw ApiErrors.NotSupported($"The line type '{lineType}' (only Account lines)");
            line.LineType = lineType;
        }
        var hasId = b.TryGet("accountId", out Guid accountId);
        var hasNumber = b.TryGet("lineObjectNumber", out string number);
        if (hasId || hasNumber)
        {
            var q = rc.Db.Accounts.AsNoTracking().Where(a => a.CompanyId == scope.CompanyId);
            var byId = hasId && accountId != Guid.Empty ? await q.FirstOrDefaultAsync(a => a.Id == accountId, rc.Aborted) ?? throw ApiErrors.Dialog("The \"accountId\" does not match to a G/L Account.") : null;
            var account = byId;
            if (hasNumber && number.Length > 0)
            {
                if (byId is not null && byId.Number != number) throw ApiErrors.Dialog("The account values do not match to a specific G/L Account.");
                account ??= await q.FirstOrDefaultAsync(a => a.Number == number, rc.Aborted) ?? throw ApiErrors.Dialog("The \"lineObjectNumber\" does not match to a G/L Account.");
            }
            if (account is { Blocked: true }) throw ApiErrors.Dialog($"G/L account {account.Number} is blocked.");
            line.AccountId = account?.Id ?? Guid.Empty;
            line.LineObjectNumber = account?.Number ?? "";
            if (account is not null && !b.Has("description") && line.Description.Length == 0) line.Description = account.DisplayName.Length > 100 ? account.DisplayName[..100] : account.DisplayName;
        }
        if (b.TryGet("description", out string description)) line.Description = description;
        if (b.TryGet("quantity", out long quantity))
        {
            if (quantity < 0) throw ApiErrors.FieldValidation("quantity must not be negative.");
            line.Quantity = quantity;
        }
        if (b.TryGet("unitPrice", out long unitPrice))
        {
            if (unitPrice < 0) throw ApiErrors.FieldValidation("unitPrice must not be negative.");
            line.UnitPrice = unitPrice;
        }
        InvoiceDocuments.Price(line, line.UnitPrice);
    }
}
