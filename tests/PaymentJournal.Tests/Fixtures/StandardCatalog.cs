using PaymentJournal.Features.Accounts;
using PaymentJournal.Features.Companies;
using PaymentJournal.Features.Contacts;
using PaymentJournal.Features.CustomerPaymentJournals;
using PaymentJournal.Features.CustomerPayments;
using PaymentJournal.Features.Customers;
using PaymentJournal.Features.Dimensions;
using PaymentJournal.Features.Journals;
using PaymentJournal.Features.Ledger;
using PaymentJournal.Features.SalesInvoices;
using PaymentJournal.OData;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>The service's catalog without a service: the standard entity sets and the API groups, as App builds them (cash application, whose sets need services, aside).</summary>
public static class StandardCatalog
{
    public static Catalog Instance { get; } = new(new CompaniesSet(),
    [
        new CustomerPaymentJournalsSet(), new CustomerPaymentsSet(), new CustomersSet(), new ContactsSet(), new SalesInvoicesSet(),
        new SalesInvoiceLinesSet(), new AccountsSet(), new DimensionsSet(), new DimensionValuesSet(), new DimensionSetLinesSet(),
        new DimensionLinesSet(), new PaymentApplicationsSet(), new JournalsSet(), new CustomerLedgerEntriesSet(), new GeneralLedgerEntriesSet(),
        new LedgerDimensionSetLinesSet(),
    ], App.ApiGroups.Where(g => g.Name != "cashApplication"));
}
