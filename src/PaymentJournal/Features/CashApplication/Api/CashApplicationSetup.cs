using PaymentJournal.OData;

namespace PaymentJournal.Features.CashApplication.Api;

/// <summary>The cashApplication API group: its entity sets and bound actions.</summary>
public static class CashApplicationSetup
{
    public static readonly ApiGroup Group = new()
    {
        Name = "cashApplication",
        Sets = ["bankStatementImports", "bankStatements", "csvImportProfiles", "customerIbanMappings"],
        Actions =
        [
            "bankStatements/" + LineReview.TransferToJournal,
            "bankStatementLines/" + LineReview.AcceptProposal, "bankStatementLines/" + LineReview.ApplyToInvoices,
            "bankStatementLines/" + LineReview.Ignore, "bankStatementLines/" + LineReview.Reopen,
        ],
        NotStandard = ["bankStatementImports", "bankStatements", "bankStatementLines", "matchProposals", "csvImportProfiles", "customerIbanMappings"],
    };

    public static EntitySetDef[] Sets(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<CashApplicationOptions>();
        var webhooks = sp.GetRequiredService<Webhooks.WebhookOutbox>();
        var review = new LineReview(options, webhooks);
        return
        [
            new BankStatementImportsSet(options, webhooks), new BankStatementsSet(review), new BankStatementLinesSet(review), new MatchProposalsSet(),
            new CsvImportProfilesSet(), new CustomerIbanMappingsSet(),
        ];
    }
}
