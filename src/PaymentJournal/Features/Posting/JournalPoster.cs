using PaymentJournal.Errors;
using PaymentJournal.Features.CustomerPaymentJournals;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Posting;

/// <summary>Posts a customer payment journal (CONTRACT §5). Placeholder until posting lands.</summary>
public static class JournalPoster
{
    public static Task PostAsync(RequestContext rc, CustomerPaymentJournal journal) => throw ApiErrors.NotSupported("Posting a journal");
}
