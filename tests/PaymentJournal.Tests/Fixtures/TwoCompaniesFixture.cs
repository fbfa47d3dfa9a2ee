using Microsoft.EntityFrameworkCore;
using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>The demo company, and the second company of the isolation tests to keep apart from it.</summary>
public sealed class TwoCompaniesFixture : ServiceFixture
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await WithDb(async db => { await SecondCompany.SeedAsync(db); return 0; });
    }
}
