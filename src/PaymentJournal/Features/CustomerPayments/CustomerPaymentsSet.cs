using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Customers;
using PaymentJournal.Features.Journals;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CustomerPayments;

/// <summary>
/// customerPayments: lines of a customer payment journal, under their journal or at company level
/// (where a read needs the key or a journalId filter, and a create needs journalId).
/// </summary>
public sealed class CustomerPaymentsSet : JournalLineSet<CustomerPaymentJournal, CustomerPayment>
{
    public override string Name => "customerPayments";
    public override string TypeName => "customerPayment";
    /// <summary>Graph's customer payment is a subpage of its journal and cannot be reached directly; Business Central's can.</summary>
    public override bool CompanyLevelOn(Surfaces surface) => surface == Surfaces.V2;

    protected override IReadOnlyList<FieldDef<CustomerPayment>> Fields { get; } = new FieldsBuilder<CustomerPayment>()
        .Key("id", x => x.Id, Access.CreateOnly)
        .Guid("journalId", x => x.JournalId, Access.ReadWrite, Surfaces.V2).HeldAs(Access.CreateOnly)
        .Code("journalDisplayName", x => x.JournalCode, 10).HeldAs(Access.ReadOnly)
        .Int32("lineNumber", x => x.LineNumber)
        .Guid("customerId", x => x.CustomerId)
        .Code("customerNumber", x => x.CustomerNumber, 20)
        .String("contactId", x => x.ContactId, 250, Access.ReadWrite, Surfaces.Graph)
        .Date("postingDate", x => x.PostingDate)
        .Code("documentNumber", x => x.DocumentNumber, 20)
        .Code("externalDocumentNumber", x => x.ExternalDocumentNumber, 20)
        .Decimal("amount", x => x.Amount)
        .Guid("appliesToInvoiceId", x => x.AppliesToInvoiceId)
        .Code("appliesToInvoiceNumber", x => x.AppliesToInvoiceNumber, 20)
        .String("description", x => x.Description, 50)
        .String("comment", x => x.Comment, 250)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    public CustomerPaymentsSet()
    {
        Navigations.Add(new NavigationDef
        {
            Name = "customer", TargetSet = "customers", IsCollection = false, TargetKey = o => ((CustomerPayment)o).CustomerId,
        });
        Navigations.Add(new NavigationDef
        {
            Name = "customerPaymentJournal", TargetSet = "customerPaymentJournals", IsCollection = false, Surfaces = Surfaces.V2,
            TargetKey = o => ((CustomerPayment)o).JournalId,
        });
        Navigations.Add(new NavigationDef
        {
            Name = "dimensionSetLines", TargetSet = "dimensionSetLines", IsCollection = true, Contained = true, Surfaces = Surfaces.V2,
            ChildForeignKey = (Expression<Func<PaymentDimension, Guid>>)(d => d.PaymentId), DeepInsert = true,
        });
        // The invoices the line settles (Applies-to ID): served only where the API group of posting serves the set.
        Navigations.Add(new NavigationDef
        {
            Name = "applications", TargetSet = PaymentApplicationsSet.SetName, IsCollection = true, Contained = true, Surfaces = Surfaces.V2,
            ChildForeignKey = (Expression<Func<PaymentApplication, Guid>>)(a => a.PaymentId),
        });
    }

    protected override string JournalTypeName => "customerPaymentJournal";
    protected override string JournalCaption => "customer payment journal";
    protected override string AccountIdField => "customerId";

    protected override ReadAhead? AccountAhead(AppDb db, Guid companyId, Guid? id) => CustomerRules.ByIdAhead(db, companyId, id);

    protected override Task ApplyRulesAsync(RequestContext rc, Guid companyId, CustomerPayment line, Body body, bool isCreate) =>
        PaymentRules.ApplyAsync(rc, companyId, line, body, isCreate);
}
