using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Dimensions;

/// <summary>
/// The dimension lines of a payment, as two entity sets show them: v2.0's dimensionSetLines under the payment and
/// API v1.0's company-level dimensionLines (Graph). Both follow the same rules: a line is
/// keyed by its dimension's id, one per dimension; id and code must agree, valueId and valueCode must agree; only the
/// value may change; and every change moves the payment's ETag, because it changes the payment's dimension set.
/// </summary>
public abstract class PaymentDimensionLines : EntitySet<PaymentDimension>
{
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    protected override Expression<Func<PaymentDimension, Guid>> Key => x => x.DimensionId;
    protected override Expression<Func<PaymentDimension, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<PaymentDimension, string>>)(x => x.DimensionCode)];

    /// <summary>The payment a new line goes on (from the URL or from the body), loaded for change.</summary>
    protected abstract Task<JournalLine> ParentForCreateAsync(RequestContext rc, Scope scope, Body body);

    /// <summary>The payment of an existing line: the router loads it on the way to the line, for change.</summary>
    private static JournalLine Parent(Scope scope) =>
        scope.Parent as JournalLine ?? throw ApiErrors.Dialog("You must specify a parent id to change a dimension line.");

    protected override async Task<PaymentDimension> Create(RequestContext rc, Scope scope, Body body)
    {
        var payment = await ParentForCreateAsync(rc, scope, body);
        var line = await AddLineAsync(rc, scope.CompanyId, payment, body);
        Touch(rc, payment);
        return line;
    }

    protected override async Task Update(RequestContext rc, Scope scope, PaymentDimension line, Body body)
    {
        var payment = Parent(scope);
        await SetValueAsync(rc, line, body, required: false);
        Touch(rc, payment);
    }

    protected override Task Delete(RequestContext rc, Scope scope, PaymentDimension line)
    {
        var payment = Parent(scope);
        rc.Db.PaymentDimensions.Remove(line);
        Touch(rc, payment);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The line changes the payment's dimension set: the payment's ETag and lastModifiedDateTime move with it. In a $batch
    /// atomicity group an earlier request may track this payment already; that instance is the one touched.
    /// </summary>
    private static void Touch(RequestContext rc, JournalLine payment) =>
        rc.Db.Entry(rc.Db.JournalLines.Local.FindEntry(payment.Id)?.Entity ?? payment).State = EntityState.Modified;

    /// <summary>Adds a dimension line to a payment (also used by the deep insert of a payment POST).</summary>
    public async Task<PaymentDimension> AddLineAsync(RequestContext rc, Guid companyId, JournalLine payment, Body body)
    {
        var db = rc.Db;
        var hasId = body.TryGet("id", out Guid dimensionId) && dimensionId != Guid.Empty;
        var hasCode = body.TryGet("code", out string code) && code.Length > 0;
        if (!hasId && !hasCode) throw ApiErrors.Dialog("You must specify a dimension id or a dimension code.");
        var q = db.Dimensions.AsNoTracking().Where(d => d.CompanyId == companyId);
        var dimension = hasId
            ? await q.FirstOrDefaultAsync(d => d.Id == dimensionId, rc.Aborted) ?? throw ApiErrors.Dialog("The dimension with the given id does not exist.")
            : await q.FirstOrDefaultAsync(d => d.Code == code, rc.Aborted) ?? throw ApiErrors.Dialog($"The dimension '{code}' does not exist.");
        if (hasId && hasCode && dimension.Code != code) throw ApiErrors.Dialog("The dimension id and the dimension code do not match.");

        var exists = db.PaymentDimensions.Local.Any(x => x.PaymentId == payment.Id && x.DimensionId == dimension.Id)
                     || await db.PaymentDimensions.AnyAsync(x => x.PaymentId == payment.Id && x.DimensionId == dimension.Id, rc.Aborted);
        if (exists) throw ApiErrors.SameKeyExists("Dimension Set Entry", $"Dimension Code='{dimension.Code}' is already on the line.");

        var line = new PaymentDimension
        {
            CompanyId = companyId, PaymentId = payment.Id, DimensionId = dimension.Id, DimensionCode = dimension.Code, DimensionName = dimension.DisplayName,
        };
        await SetValueAsync(rc, line, body, required: true);
        db.PaymentDimensions.Add(line);
        return line;
    }

    private static async Task SetValueAsync(RequestContext rc, PaymentDimension line, Body body, bool required)
    {
        var hasId = body.TryGet("valueId", out Guid valueId) && valueId != Guid.Empty;
        var hasCode = body.TryGet("valueCode", out string valueCode) && valueCode.Length > 0;
        if (!hasId && !hasCode)
        {
            if (required || body.Has("valueId") || body.Has("valueCode")) throw ApiErrors.Dialog("You must specify a dimension value id or a dimension value code.");
            return;
        }
        var q = rc.Db.DimensionValues.AsNoTracking().Where(v => v.DimensionId == line.DimensionId);
        var value = hasId
            ? await q.FirstOrDefaultAsync(v => v.Id == valueId, rc.Aborted) ?? throw ApiErrors.Dialog($"The dimension value with the given id does not exist for dimension {line.DimensionCode}.")
            : await q.FirstOrDefaultAsync(v => v.Code == valueCode, rc.Aborted) ?? throw ApiErrors.Dialog($"The dimension value '{valueCode}' does not exist for dimension {line.DimensionCode}.");
        if (hasId && hasCode && value.Code != valueCode) throw ApiErrors.Dialog("The dimension value id and the dimension value code do not match.");
        line.DimensionValueId = value.Id;
        line.ValueCode = value.Code;
        line.ValueName = value.DisplayName;
    }
}
