using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Invoices;
using PaymentJournal.OData;

namespace PaymentJournal.Features.PurchaseInvoices;

/// <summary>
/// purchaseInvoiceLines of a draft invoice: lines of type Account (a cost booked to a G/L account), no tax. As in
/// Business Central a line's sequence and its lineObjectNumber are set once, and a new line's quantity is 0.
/// </summary>
public sealed class PurchaseInvoiceLinesSet : EntitySet<PurchaseInvoiceLine>
{
    public override string Name => "purchaseInvoiceLines";
    public override string TypeName => "purchaseInvoiceLine";
    public override bool CompanyLevel => false;
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    protected override IReadOnlyList<FieldDef<PurchaseInvoiceLine>> Fields { get; } = new FieldsBuilder<PurchaseInvoiceLine>()
        .Key("id", x => x.Id)
        .Guid("documentId", x => x.DocumentId, Access.ReadOnly)
        .Int32("sequence", x => x.Sequence)
        .Guid("accountId", x => x.AccountId)
        .Enum("lineType", "invoiceLineAggLineType", PurchaseInvoiceLine.LineTypes, x => x.LineType)
        .Code("lineObjectNumber", x => x.LineObjectNumber, 20)
        .String("description", x => x.Description, 100)
        .Decimal("unitCost", x => x.DirectUnitCost)
        .Decimal("quantity", x => x.Quantity, scale: 5)
        .Decimal("amountExcludingTax", x => x.AmountExcludingTax, Access.ReadOnly)
        .Decimal("totalTaxAmount", x => x.TotalTaxAmount, Access.ReadOnly)
        .Decimal("amountIncludingTax", x => x.AmountIncludingTax, Access.ReadOnly)
        .Fields;

    protected override Expression<Func<PurchaseInvoiceLine, Guid>> Key => x => x.Id;
    protected override Expression<Func<PurchaseInvoiceLine, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<PurchaseInvoiceLine, int>>)(x => x.Sequence)];

    public PurchaseInvoiceLinesSet()
    {
        Navigations.Add(new NavigationDef
        {
            Name = "account", TargetSet = "accounts", IsCollection = false, TargetKey = o => ((PurchaseInvoiceLine)o).AccountId,
        });
    }

    /// <summary>The invoice the line belongs to, still a draft (<see cref="InvoiceDocuments.ReadStatusAgainAsync"/>).</summary>
    private static async Task<PurchaseInvoice> DraftAsync(RequestContext rc, Scope scope)
    {
        var inv = scope.Parent as PurchaseInvoice ?? throw ApiErrors.Dialog("A purchase invoice line can only be reached through its purchase invoice.");
        await InvoiceDocuments.ReadStatusAgainAsync(rc.Db, rc.Db.PurchaseInvoices, "purchase_invoices", inv, rc.Aborted);
        PurchaseInvoicesSet.RequireDraft(inv);
        return inv;
    }

    protected override async Task<PurchaseInvoiceLine> Create(RequestContext rc, Scope scope, Body body)
    {
        var inv = await DraftAsync(rc, scope);
        var line = new PurchaseInvoiceLine { Id = SequentialIds.Next(), CompanyId = scope.CompanyId, DocumentId = inv.Id };
        if (body.TryGet("sequence", out int seq))
        {
            if (seq < 0) throw ApiErrors.FieldValidation("sequence must not be negative.");
            line.Sequence = seq;
        }
        await Apply(rc, scope, line, body);
        if (line.Sequence == 0)
        {
            var max = await rc.Db.PurchaseInvoiceLines.Where(l => l.DocumentId == inv.Id).MaxAsync(l => (int?)l.Sequence, rc.Aborted) ?? 0;
            line.Sequence = max + 10000;
        }
        if (line.AccountId == Guid.Empty) throw ApiErrors.FieldValidation("accountId or lineObjectNumber must have a value on a line of type Account.");
        if (await rc.Db.PurchaseInvoiceLines.AnyAsync(l => l.DocumentId == line.DocumentId && l.Sequence == line.Sequence, rc.Aborted))
            throw ApiErrors.SameKeyExists("Purchase Line", $"Document Type='Invoice',Document No.='{inv.Number}',Line No.='{line.Sequence}'");
        rc.Db.PurchaseInvoiceLines.Add(line);
        await rc.Db.SaveChangesAsync(rc.Aborted);
        await InvoiceDocuments.RecalculateTotalsAsync(rc.Db.PurchaseInvoices, rc.Db.PurchaseInvoiceLines, inv.Id, rc.Aborted);
        return line;
    }

    protected override async Task Update(RequestContext rc, Scope scope, PurchaseInvoiceLine line, Body body)
    {
        var inv = await DraftAsync(rc, scope);
        if (body.TryGet("sequence", out int seq) && seq != line.Sequence)
            throw ApiErrors.Dialog("The value for sequence cannot be modified. Delete and insert the line again.");
        if (body.TryGet("lineObjectNumber", out string number) && number != line.LineObjectNumber && !body.Has("accountId"))
            throw ApiErrors.Dialog("The value for \"lineObjectNumber\" cannot be modified.");
        await Apply(rc, scope, line, body);
        if (line.AccountId == Guid.Empty) throw ApiErrors.FieldValidation("accountId or lineObjectNumber must have a value on a line of type Account.");
        await rc.Db.SaveChangesAsync(rc.Aborted);
        await InvoiceDocuments.RecalculateTotalsAsync(rc.Db.PurchaseInvoices, rc.Db.PurchaseInvoiceLines, inv.Id, rc.Aborted);
    }

    protected override async Task Delete(RequestContext rc, Scope scope, PurchaseInvoiceLine line)
    {
        var inv = await DraftAsync(rc, scope);
        rc.Db.PurchaseInvoiceLines.Remove(line);
        await rc.Db.SaveChangesAsync(rc.Aborted);
        await InvoiceDocuments.RecalculateTotalsAsync(rc.Db.PurchaseInvoices, rc.Db.PurchaseInvoiceLines, inv.Id, rc.Aborted);
    }

    private static async Task Apply(RequestContext rc, Scope scope, PurchaseInvoiceLine line, Body b)
    {
        if (b.TryGet("lineType", out string lineType))
        {
            if (lineType != "Account") throw ApiErrors.NotSupported($"The line type '{lineType}' (only Account lines)");
            line.LineType = lineType;
        }
        var hasId = b.TryGet("accountId", out Guid accountId);
        var hasNumber = b.TryGet("lineObjectNumber", out string number);
        if (hasId || hasNumber)
        {
            // Either names the account; Business Central has one answer for an id or a number that names none.
            var accounts = rc.Db.Accounts.AsNoTracking().Where(a => a.CompanyId == scope.CompanyId);
            var account = hasId
                ? accountId == Guid.Empty ? null : await accounts.FirstOrDefaultAsync(a => a.Id == accountId, rc.Aborted)
                : number.Length == 0 ? null : await accounts.FirstOrDefaultAsync(a => a.Number == number, rc.Aborted);
            if (account is null || (hasId && hasNumber && number.Length > 0 && account.Number != number))
                throw ApiErrors.Dialog("Account does not exist.");
            if (Accounts.AccountRules.PostingProblem(account) is { } problem) throw ApiErrors.Dialog(problem);
            line.AccountId = account.Id;
            line.LineObjectNumber = account.Number;
            if (!b.Has("description") && line.Description.Length == 0) line.Description = account.DisplayName.Length > 100 ? account.DisplayName[..100] : account.DisplayName;
        }
        if (b.TryGet("description", out string description)) line.Description = description;
        if (b.TryGet("quantity", out long quantity))
        {
            if (quantity < 0) throw ApiErrors.FieldValidation("quantity must not be negative.");
            line.Quantity = quantity;
        }
        if (b.TryGet("unitCost", out long unitCost))
        {
            if (unitCost < 0) throw ApiErrors.FieldValidation("unitCost must not be negative.");
            line.DirectUnitCost = unitCost;
        }
        InvoiceDocuments.Price(line, line.DirectUnitCost);
    }
}
