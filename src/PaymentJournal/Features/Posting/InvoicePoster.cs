using PaymentJournal.Errors;
using PaymentJournal.Features.SalesInvoices;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Posting;

/// <summary>Posts a draft sales invoice. Placeholder until posting lands.</summary>
public static class InvoicePoster
{
    public static Task PostAsync(RequestContext rc, SalesInvoice invoice) => throw ApiErrors.NotSupported("Posting a sales invoice");
}
