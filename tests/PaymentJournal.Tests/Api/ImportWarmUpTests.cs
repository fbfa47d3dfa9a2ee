using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PaymentJournal.Features.CashApplication.Api;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// The start-up warm-up of bank statement imports runs the demo company's statements through the import (on SQLite into
/// a database of its own, on PostgreSQL in memory) and leaves the service's own database as it was.
/// </summary>
public sealed class ImportWarmUpTests(ImportWarmUpTests.Fixture f) : IClassFixture<ImportWarmUpTests.Fixture>
{
    public sealed class Fixture : ServiceFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("CashApplication:WarmUp", "true")];
    }

    [Fact]
    public async Task It_imports_the_demo_statements_and_matches_their_credits_without_storing_anything_in_the_service_database()
    {
        var warmUp = f.Services.GetRequiredService<ImportWarmUp>();
        // It runs on its own thread after start; a busy machine may take a while.
        await warmUp.Done.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.Equal(["cronus-2026-12-01.camt053.xml", "cronus-2026-12-02.mt940.sta", "warm-up.camt053.xml", ImportWarmUp.SecondFile],
            warmUp.Imports.Select(i => i.File));
        Assert.All(warmUp.Imports, i => Assert.True(i.Proposals > 0, $"{i.File}: no proposals"));
        var stored = await f.WithDb(db => db.BankStatementImports.CountAsync());
        Assert.Equal(0, stored);
    }

    [Fact]
    public async Task The_node_is_ready_only_once_the_warm_up_has_run()
    {
        var warmUp = f.Services.GetRequiredService<ImportWarmUp>();
        for (var waited = 0; ; waited += 20)
        {
            using var answer = await f.Http.GetAsync("/health/ready");
            if (answer.StatusCode == System.Net.HttpStatusCode.OK) break;
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Contains("warm-up", await answer.Content.ReadAsStringAsync());
            Assert.True(waited < 180_000, "never ready");
            await Task.Delay(20);
        }
        Assert.True(warmUp.Done.IsCompleted, "ready before the warm-up had run");
        Assert.Null(f.Services.GetRequiredService<WarmUps>().ReadinessProblem());
    }

    [Fact]
    public async Task The_generated_statement_balances_and_imports_with_a_proposal_for_every_entry()
    {
        var content = ImportWarmUp.Generated(ImportWarmUp.GeneratedEntries);
        var file = PaymentJournal.Features.CashApplication.Import.StatementFile.Read(content, "warm-up.camt053.xml", null);
        var statement = Assert.Single(file.Statements);
        Assert.Equal(ImportWarmUp.GeneratedEntries, statement.Entries.Count);
        Assert.Equal(statement.ClosingBalance, statement.OpeningBalance + statement.Entries.SelectMany(e => e.Transactions).Sum(t => t.Amount));
        var warmUp = f.Services.GetRequiredService<ImportWarmUp>();
        await warmUp.Done.WaitAsync(TimeSpan.FromMinutes(3));
        // Every entry names an invoice; most name one the demo company has open. The second run came from a request's body.
        foreach (var name in new[] { "warm-up.camt053.xml", ImportWarmUp.SecondFile })
        {
            var generated = Assert.Single(warmUp.Imports, i => i.File == name);
            Assert.True(generated.Proposals >= ImportWarmUp.GeneratedEntries / 2, $"{name}: {generated.Proposals} proposals");
        }
    }

    [Fact]
    public void A_setting_that_is_not_true_or_false_stops_the_start()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            App.Build([], b => b.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("CashApplication:WarmUp", "maybe")])));
        Assert.StartsWith("CashApplication:WarmUp", e.Message);
    }
}
