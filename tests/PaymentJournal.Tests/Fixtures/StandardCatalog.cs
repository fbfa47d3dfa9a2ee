using PaymentJournal.Features.Companies;
using PaymentJournal.OData;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>The service's catalog without a service: the standard entity sets and the API groups, as App builds them (cash application, whose sets need services, aside).</summary>
public static class StandardCatalog
{
    public static Catalog Instance { get; } = new(new CompaniesSet(), App.StandardSets(), App.ApiGroups.Where(g => g.Name != "cashApplication"));
}
