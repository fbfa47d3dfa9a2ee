using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Dimensions;

/// <summary>
/// dimensionSetLines of a payment (API v2.0 page 30022), reached through the payment:
/// customerPayments({id})/dimensionSetLines({dimensionId}). The rules are those of <see cref="PaymentDimensionLines"/>.
/// </summary>
public sealed class DimensionSetLinesSet : PaymentDimensionLines
{
    public override string Name => "dimensionSetLines";
    public override string TypeName => "dimensionSetLine";
    public override Surfaces Surfaces => Surfaces.V2;
    public override bool CompanyLevel => false;

    protected override IReadOnlyList<FieldDef<PaymentDimension>> Fields { get; } = new FieldsBuilder<PaymentDimension>()
        .Key("id", x => x.DimensionId, Access.CreateOnly)
        .Code("code", x => x.DimensionCode, 20, Access.CreateOnly)
        .Guid("parentId", x => x.PaymentId, Access.ReadOnly)
        .Enum("parentType", "dimensionSetEntryBufferParentType", ["_x0020_", "Journal_x0020_Line"], x => "Journal Line", Access.ReadOnly)
        .String("displayName", x => x.DimensionName, 30, Access.ReadOnly)
        .Guid("valueId", x => x.DimensionValueId)
        .Code("valueCode", x => x.ValueCode, 20)
        .String("valueDisplayName", x => x.ValueName, 50, Access.ReadOnly)
        .Fields;

    protected override Task<JournalLine> ParentForCreateAsync(RequestContext rc, Scope scope, Body body) =>
        Task.FromResult(scope.Parent as JournalLine ?? throw ApiErrors.Dialog("You must specify a parent id to get the dimension set lines."));
}
