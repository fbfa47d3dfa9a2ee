using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Dimensions;

/// <summary>dimensions: created and read (their values live under dimensionValues).</summary>
public sealed class DimensionsSet : EntitySet<Dimension>
{
    public override string Name => "dimensions";
    public override string TypeName => "dimension";
    public override bool CanCreate => true;

    protected override IReadOnlyList<FieldDef<Dimension>> Fields { get; } = new FieldsBuilder<Dimension>()
        .Key("id", x => x.Id)
        .Code("code", x => x.Code, 20)
        .String("displayName", x => x.DisplayName, 30)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<Dimension, Guid>> Key => x => x.Id;
    protected override Expression<Func<Dimension, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<Dimension, string>>)(x => x.Code)];

    public DimensionsSet()
    {
        Navigations.Add(new NavigationDef
        {
            Name = "dimensionValues", TargetSet = "dimensionValues", IsCollection = true, Contained = true,
            ChildForeignKey = (Expression<Func<DimensionValue, Guid>>)(v => v.DimensionId),
        });
    }

    protected override async Task<Dimension> Create(RequestContext rc, Scope scope, Body body)
    {
        var d = new Dimension { Id = SequentialIds.Next(), CompanyId = scope.CompanyId };
        if (body.TryGet("code", out string code)) d.Code = code;
        if (body.TryGet("displayName", out string name)) d.DisplayName = name;
        if (d.Code.Length == 0) throw ApiErrors.FieldValidation("code must have a value in Dimension.");
        if (await rc.Db.Dimensions.AnyAsync(x => x.CompanyId == scope.CompanyId && x.Code == d.Code, rc.Aborted))
            throw ApiErrors.SameKeyExists("Dimension", $"Code='{d.Code}'");
        rc.Db.Dimensions.Add(d);
        return d;
    }
}

/// <summary>dimensionValues of a dimension: created and read.</summary>
public sealed class DimensionValuesSet : EntitySet<DimensionValue>
{
    public override string Name => "dimensionValues";
    public override string TypeName => "dimensionValue";
    public override bool CompanyLevel => false;
    public override bool CanCreate => true;

    protected override IReadOnlyList<FieldDef<DimensionValue>> Fields { get; } = new FieldsBuilder<DimensionValue>()
        .Key("id", x => x.Id)
        .Code("code", x => x.Code, 20)
        .Guid("dimensionId", x => x.DimensionId, Access.ReadOnly)
        .String("displayName", x => x.DisplayName, 50)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<DimensionValue, Guid>> Key => x => x.Id;
    protected override Expression<Func<DimensionValue, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<DimensionValue, string>>)(x => x.Code)];

    protected override async Task<DimensionValue> Create(RequestContext rc, Scope scope, Body body)
    {
        var dimension = scope.Parent as Dimension ?? throw ApiErrors.Dialog("A dimension value is created under its dimension.");
        var v = new DimensionValue { Id = SequentialIds.Next(), CompanyId = scope.CompanyId, DimensionId = dimension.Id, DimensionCode = dimension.Code };
        if (body.TryGet("code", out string code)) v.Code = code;
        if (body.TryGet("displayName", out string name)) v.DisplayName = name;
        if (v.Code.Length == 0) throw ApiErrors.FieldValidation("code must have a value in Dimension Value.");
        if (await rc.Db.DimensionValues.AnyAsync(x => x.DimensionId == dimension.Id && x.Code == v.Code, rc.Aborted))
            throw ApiErrors.SameKeyExists("Dimension Value", $"Dimension Code='{dimension.Code}',Code='{v.Code}'");
        rc.Db.DimensionValues.Add(v);
        return v;
    }
}
