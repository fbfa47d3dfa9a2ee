using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Dimensions;

/// <summary>
/// dimensionLines (API v1.0 page 5492, the shape Graph beta financials keeps): the dimension lines of payments as one
/// company-level set. The parent is named by parentId: in a read's $filter, in a create's body, and as the first half
/// of the key, dimensionLines(parentId={paymentId},id={dimensionId}). The rules are those of <see cref="PaymentDimensionLines"/>.
/// </summary>
public sealed class DimensionLinesSet : PaymentDimensionLines
{
    public const string ParentRequired = "You must specify a parent id to get the dimension lines: filter on parentId, e.g. $filter=parentId eq {paymentId}.";
    public const string ParentRequiredOnCreate = "You must specify a parent id to create a dimension line: give parentId in the body.";

    private static readonly ParentKey ByPayment = new("parentId", "customerPayments", new NavigationDef
    {
        Name = "dimensionLines", TargetSet = "dimensionLines", IsCollection = true,
        ChildForeignKey = (Expression<Func<PaymentDimension, Guid>>)(d => d.PaymentId),
    });

    public override string Name => "dimensionLines";
    public override string TypeName => "dimensionLine";
    public override Surfaces Surfaces => Surfaces.Graph;
    public override ParentKey ParentKey => ByPayment;

    protected override IReadOnlyList<FieldDef<PaymentDimension>> Fields { get; } = new FieldsBuilder<PaymentDimension>()
        .Key("parentId", x => x.PaymentId, Access.CreateOnly)
        .Key("id", x => x.DimensionId, Access.CreateOnly)
        .Code("code", x => x.DimensionCode, 20, Access.CreateOnly)
        .String("displayName", x => x.DimensionName, 30, Access.ReadOnly)
        .Guid("valueId", x => x.DimensionValueId)
        .Code("valueCode", x => x.ValueCode, 20)
        .String("valueDisplayName", x => x.ValueName, 50, Access.ReadOnly)
        .Fields;

    // Lines of different payments share dimension ids: within one list the payment comes first, then the code.
    protected override IReadOnlyList<LambdaExpression> DefaultOrder =>
    [
        (Expression<Func<PaymentDimension, Guid>>)(x => x.PaymentId),
        (Expression<Func<PaymentDimension, string>>)(x => x.DimensionCode),
    ];

    public override string KeyText(object entity)
    {
        var line = (PaymentDimension)entity;
        return $"parentId={line.PaymentId:D},id={line.DimensionId:D}";
    }

    public override async Task<int> ListAsync(RequestContext rc, Scope scope, QueryOptions query, ResponseBuilder response, string contextPath)
    {
        await RequireParentAsync(rc, scope, query);
        return await base.ListAsync(rc, scope, query, response, contextPath);
    }

    public override async Task<long> CountAsync(RequestContext rc, Scope scope, QueryOptions query, ResponseBuilder response)
    {
        await RequireParentAsync(rc, scope, query);
        return await base.CountAsync(rc, scope, query, response);
    }

    /// <summary>A read names its payment with $filter=parentId eq {id}, as the v1.0 page insists (ParentIDNotSpecifiedErr); the payment must exist.</summary>
    private static async Task RequireParentAsync(RequestContext rc, Scope scope, QueryOptions query)
    {
        if (FilterTerms.EqualTo(query.Filter, "parentId") is not Guid parentId) throw ApiErrors.Dialog(ParentRequired);
        await FindPaymentAsync(rc, scope, parentId, () => ApiErrors.RecordNotFound("customerPayment", parentId));
    }

    protected override async Task<JournalLine> ParentForCreateAsync(RequestContext rc, Scope scope, Body body)
    {
        if (!body.TryGet("parentId", out Guid parentId) || parentId == Guid.Empty) throw ApiErrors.Dialog(ParentRequiredOnCreate);
        return await FindPaymentAsync(rc, scope, parentId, () => ApiErrors.Dialog($"The customer payment with id '{parentId:D}' given as parentId does not exist."));
    }

    private static async Task<JournalLine> FindPaymentAsync(RequestContext rc, Scope scope, Guid id, Func<ApiException> missing) =>
        await rc.Catalog.Set(ByPayment.ParentSet).FindAsync(rc, new Scope(scope.CompanyId), id) as JournalLine ?? throw missing();
}
