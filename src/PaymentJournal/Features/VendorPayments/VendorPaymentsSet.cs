using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.Features.Journals;
using PaymentJournal.OData;

namespace PaymentJournal.Features.VendorPayments;

/// <summary>
/// vendorPayments (API v2.0, page 30060): lines of a vendor payment journal (template PAYMENT, account type Vendor),
/// under their journal or at company level. A payment is a positive amount; it settles a posted purchase invoice.
/// </summary>
public sealed class VendorPaymentsSet : JournalLineSet<VendorPaymentJournal, VendorPayment>
{
    public override string Name => "vendorPayments";
    public override string TypeName => "vendorPayment";
    public override Surfaces Surfaces => Surfaces.V2;

    protected override IReadOnlyList<FieldDef<VendorPayment>> Fields { get; } = new FieldsBuilder<VendorPayment>()
        .Key("id", x => x.Id, Access.CreateOnly)
        .Guid("journalId", x => x.JournalId).HeldAs(Access.CreateOnly)
        .Code("journalDisplayName", x => x.JournalCode, 10).HeldAs(Access.ReadOnly)
        .Int32("lineNumber", x => x.LineNumber)
        .Guid("vendorId", x => x.VendorId)
        .Code("vendorNumber", x => x.VendorNumber, 20)
        .Date("postingDate", x => x.PostingDate)
        .Code("documentNumber", x => x.DocumentNumber, 20)
        .Code("externalDocumentNumber", x => x.ExternalDocumentNumber, 35)
        .Decimal("amount", x => x.Amount)
        .Guid("appliesToInvoiceId", x => x.AppliesToInvoiceId)
        .Code("appliesToInvoiceNumber", x => x.AppliesToInvoiceNumber, 20)
        .String("description", x => x.Description, 100)
        .String("comment", x => x.Comment, 250)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    public VendorPaymentsSet()
    {
        Navigations.Add(new NavigationDef
        {
            Name = "vendor", TargetSet = "vendors", IsCollection = false, TargetKey = o => ((VendorPayment)o).VendorId,
        });
        Navigations.Add(new NavigationDef
        {
            Name = "dimensionSetLines", TargetSet = "dimensionSetLines", IsCollection = true, Contained = true,
            ChildForeignKey = (Expression<Func<PaymentDimension, Guid>>)(d => d.PaymentId), DeepInsert = true,
        });
    }

    protected override string JournalTypeName => "vendorPaymentJournal";
    protected override string JournalCaption => "vendor payment journal";
    protected override string AccountIdField => "vendorId";
    protected override string JournalIdChanged => "The Journal Id cannot be changed.";
    protected override string JournalNameChanged => "The Journal Batch Display Name cannot be changed.";
    protected override string JournalIdAndNameDiffer => "The Journal Id and Journal Display Name do not match.";

    protected override ReadAhead? AccountAhead(AppDb db, Guid companyId, Guid? id) => Vendors.VendorRules.ByIdAhead(db, companyId, id);

    protected override Task ApplyRulesAsync(RequestContext rc, Guid companyId, VendorPayment line, Body body, bool isCreate) =>
        VendorPaymentRules.ApplyAsync(rc, companyId, line, body, isCreate);
}
