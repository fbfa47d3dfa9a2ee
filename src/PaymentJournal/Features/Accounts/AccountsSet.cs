using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Accounts;

/// <summary>accounts: the chart of G/L accounts, read-only as in Business Central (Insert/Modify/DeleteAllowed false).</summary>
public sealed class AccountsSet : EntitySet<Account>
{
    public override string Name => "accounts";
    public override string TypeName => "account";

    protected override IReadOnlyList<FieldDef<Account>> Fields { get; } = new FieldsBuilder<Account>()
        .Key("id", x => x.Id)
        .Code("number", x => x.Number, 20, Access.ReadOnly)
        .String("displayName", x => x.DisplayName, 100, Access.ReadOnly)
        .Enum("category", "accountCategory", Account.Categories, x => x.Category, Access.ReadOnly)
        .String("subCategory", x => x.SubCategory, 80, Access.ReadOnly)
        .Boolean("blocked", x => x.Blocked, Access.ReadOnly)
        .String("accountType", x => x.AccountType, 30, Access.ReadOnly, Surfaces.V2)
        .Boolean("directPosting", x => x.DirectPosting, Access.ReadOnly, Surfaces.V2)
        .Decimal("netChange", x => x.NetChange, Access.ReadOnly, surfaces: Surfaces.V2)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<Account, Guid>> Key => x => x.Id;
    protected override Expression<Func<Account, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<Account, string>>)(x => x.Number)];
}
