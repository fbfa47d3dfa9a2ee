using PaymentJournal.Data;
using PaymentJournal.Features.Journals;
using PaymentJournal.OData;

namespace PaymentJournal.Features.VendorPayments;

/// <summary>
/// vendorPaymentJournals (API v2.0, page 30061): the batches of the payments template, with their vendorPayments. As in
/// Business Central the page has no action of its own: a batch is posted by journals({id})/Microsoft.NAV.post.
/// </summary>
public sealed class VendorPaymentJournalsSet(Webhooks.WebhookOutbox? webhooks = null) : JournalBatchSet<VendorPaymentJournal, VendorPayment>(webhooks)
{
    public override string Name => "vendorPaymentJournals";
    public override string TypeName => "vendorPaymentJournal";
    public override Surfaces Surfaces => Surfaces.V2;
    protected override string Caption => "Vendor Payment Journal";
    protected override string LinesSet => "vendorPayments";
}
