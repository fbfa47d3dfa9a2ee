using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Companies;

/// <summary>companies: read-only at the root of each surface; a credential sees only its own companies.</summary>
public sealed class CompaniesSet : EntitySet<Company>
{
    public override string Name => "companies";
    public override string TypeName => "company";
    public override bool CompanyLevel => false;

    protected override IReadOnlyList<FieldDef<Company>> Fields { get; } = new FieldsBuilder<Company>()
        .Key("id", x => x.Id)
        .String("systemVersion", x => "26.0.0.0", 250, Access.ReadOnly, Surfaces.V2)
        .String("name", x => x.Name, 30, Access.ReadOnly)
        .String("displayName", x => x.DisplayName, 250, Access.ReadOnly)
        .String("businessProfileId", x => x.BusinessProfileId, 250, Access.ReadOnly)
        .Timestamp("systemCreatedAt", x => x.CreatedAt, Access.ReadOnly, Surfaces.V2)
        .Timestamp("systemModifiedAt", x => x.LastModified, Access.ReadOnly, Surfaces.V2)
        .Fields;

    protected override Expression<Func<Company, Guid>> Key => x => x.Id;
    protected override Expression<Func<Company, Guid>> CompanyKey => x => x.Id;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<Company, string>>)(x => x.Name)];

    protected override bool CompiledFind => false;

    public override IQueryable<Company> Query(RequestContext rc, Scope scope, bool tracking = false)
    {
        IQueryable<Company> q = tracking ? rc.Db.Companies : Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AsNoTracking(rc.Db.Companies);
        if (scope.CompanyId != Guid.Empty) return q.Where(x => x.Id == scope.CompanyId);
        if (rc.Access.AllCompanies) return q;
        var allowed = rc.Access.Companies.ToArray();
        return q.Where(x => allowed.Contains(x.Id));
    }
}
