using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.Features.Journals;
using PaymentJournal.OData;

namespace PaymentJournal.Features.GeneralJournals;

/// <summary>
/// journalLines (API v2.0, page 30049): lines of a general journal (template GENERAL) under journals({id}), of account
/// type G/L Account: the amount goes to the account (a debit when positive) against the line's balancing account.
/// </summary>
public sealed class JournalLinesSet : JournalLineSet<GeneralJournal, GeneralJournalLine>
{
    /// <summary>Business Central's account types (genJournalAccountType); lines here take G/L accounts.</summary>
    public static readonly string[] AccountTypes =
        ["G_x002F_L_x0020_Account", "Customer", "Vendor", "Bank_x0020_Account", "Fixed_x0020_Asset", "IC_x0020_Partner", "Employee"];

    public override string Name => "journalLines";
    public override string TypeName => "journalLine";
    public override Surfaces Surfaces => Surfaces.V2;
    public override bool CompanyLevel => false;

    protected override IReadOnlyList<FieldDef<GeneralJournalLine>> Fields { get; } = new FieldsBuilder<GeneralJournalLine>()
        .Key("id", x => x.Id, Access.CreateOnly)
        .Guid("journalId", x => x.JournalId, Access.ReadOnly)
        .Code("journalDisplayName", x => x.JournalCode, 10).HeldAs(Access.ReadOnly)
        .Int32("lineNumber", x => x.LineNumber)
        .Enum("accountType", "genJournalAccountType", AccountTypes, x => x.AccountType)
        .Guid("accountId", x => x.AccountId)
        .Code("accountNumber", x => x.AccountNumber, 20)
        .Date("postingDate", x => x.PostingDate)
        .Code("documentNumber", x => x.DocumentNumber, 20)
        .Code("externalDocumentNumber", x => x.ExternalDocumentNumber, 35)
        .Decimal("amount", x => x.Amount)
        .String("description", x => x.Description, 100)
        .String("comment", x => x.Comment, 250)
        .Enum("balanceAccountType", "genJournalAccountType", AccountTypes, x => JournalAccountTypes.GLAccount)
        .Guid("balancingAccountId", x => x.BalancingAccountId)
        .Code("balancingAccountNumber", x => x.BalancingAccountNumber, 20)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    public JournalLinesSet()
    {
        Navigations.Add(new NavigationDef
        {
            Name = "account", TargetSet = "accounts", IsCollection = false, TargetKey = o => ((GeneralJournalLine)o).AccountId,
        });
        Navigations.Add(new NavigationDef
        {
            Name = "dimensionSetLines", TargetSet = "dimensionSetLines", IsCollection = true, Contained = true,
            ChildForeignKey = (Expression<Func<PaymentDimension, Guid>>)(d => d.PaymentId), DeepInsert = true,
        });
    }

    protected override string JournalTypeName => "journal";
    protected override string JournalCaption => "journal";
    protected override string AccountIdField => "accountId";
    protected override string JournalNameChanged => "The Journal Batch Display Name isn't editable.";

    protected override ReadAhead? AccountAhead(AppDb db, Guid companyId, Guid? id) => null;

    protected override Task ApplyRulesAsync(RequestContext rc, Guid companyId, GeneralJournalLine line, Body body, bool isCreate) =>
        GeneralJournalLineRules.ApplyAsync(rc, companyId, line, body, isCreate);
}
