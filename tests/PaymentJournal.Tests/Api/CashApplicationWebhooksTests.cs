using static PaymentJournal.Tests.Fixtures.CashApi;

namespace PaymentJournal.Tests.Api;

/// <summary>Subscriptions on the cashApplication group hear of imports, review actions and CSV profile changes.</summary>
public sealed class CashApplicationWebhooksTests(WebhookFixture f) : IClassFixture<WebhookFixture>
{
    private WebhookReceiver R => f.Receiver;
    private static string Resource(string set) => $"api/paymentjournal/cashApplication/v1.0/companies({ServiceFixture.Company})/{set}";

    [Fact]
    public async Task Imports_line_actions_and_profile_changes_notify_their_subscribers()
    {
        var importsUrl = R.NewEndpoint();
        var statementsUrl = R.NewEndpoint();
        var profilesUrl = R.NewEndpoint();
        foreach (var (url, set) in new[] { (importsUrl, "bankStatementImports"), (statementsUrl, "bankStatements"), (profilesUrl, "csvImportProfiles") })
        {
            var r = await f.SubscribeAsync(url, Resource(set), root: Root);
            Assert.True(r.Status == 201, r.Body?.ToJsonString());
        }

        var text = ":20:HOOK\n:25:DE33333333333333333333\n:28C:1/1\n:60F:C261201EUR0,00\n:61:2612011201CR623,45NTRFNONREF\n:86:166?20SVWZ+RE 103001?32Adatum\n:62F:C261201EUR623,45\n-\n";
        var (status, import, _) = await ImportTextAsync(f.Http, text, "hook.sta");
        Assert.Equal(201, status);
        var statement = StatementIds(import).Single();
        await R.WaitForAsync(importsUrl, i => i.Any(x => x.Str("resource") == Resource("bankStatementImports") + "(" + import.Str("id") + ")" && x.Str("changeType") == "created"));
        await R.WaitForAsync(statementsUrl, i => i.Any(x => x.Str("resource") == Resource("bankStatements") + "(" + statement + ")" && x.Str("changeType") == "created"));

        // A subscriber to one statement's lines hears of a review action on them.
        var linesUrl = R.NewEndpoint();
        var linesResource = Resource("bankStatements") + "(" + statement + ")/bankStatementLines";
        var sub = await f.SubscribeAsync(linesUrl, linesResource, root: Root);
        Assert.True(sub.Status == 201, sub.Body?.ToJsonString());
        var line = (await LinesAsync(f.Http, statement))[0].Str("id");
        Assert.Equal(204, (await LineActionAsync(f.Http, statement, line, "acceptProposal")).Status);
        await R.WaitForAsync(linesUrl, i => i.Any(x => x.Str("resource") == linesResource + "(" + line + ")" && x.Str("changeType") == "updated"));

        var (created, profile, _) = await f.Http.Post(Company() + "/csvImportProfiles", new { code = "HOOK", currencyCode = "EUR", bookingDateColumn = "d", amountColumn = "a" });
        Assert.Equal(201, created);
        await R.WaitForAsync(profilesUrl, i => i.Any(x => x.Str("resource") == Resource("csvImportProfiles") + "(" + profile.Str("id") + ")"));
    }
}
