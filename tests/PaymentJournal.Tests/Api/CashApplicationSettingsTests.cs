using static PaymentJournal.Tests.Fixtures.CashApi;

namespace PaymentJournal.Tests.Api;

/// <summary>CSV import profiles and IBAN mappings: create, read, change with If-Match, delete, refusals; a mapping makes the payer known.</summary>
public sealed class CashApplicationSettingsTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Csv_profiles_are_created_changed_with_their_etag_and_deleted_and_a_profile_that_makes_no_sense_is_refused()
    {
        var (_, list, _) = await f.Http.Get(Company() + "/csvImportProfiles");
        Assert.Contains(list!["value"]!.AsArray(), p => p.Str("code") == "CRONUS-CSV" && p.Str("delimiter") == ";");

        var (status, profile, response) = await f.Http.Post(Company() + "/csvImportProfiles", new { code = "bank2", currencyCode = "EUR", bookingDateColumn = "Date", creditColumn = "In", debitColumn = "Out" });
        Assert.Equal(201, status);
        var url = response.Headers.Location!.ToString();
        Assert.Equal(409, (await f.Http.Post(Company() + "/csvImportProfiles", new { code = "BANK2", currencyCode = "EUR", bookingDateColumn = "Date", amountColumn = "A" })).Status);
        Assert.Equal(400, (await f.Http.Patch(url, new { delimiter = ";" }, null)).Status); // If-Match is required
        var (patched, changed, _) = await f.Http.Patch(url, new { delimiter = ";", decimalSeparator = "," }, profile!["@odata.etag"]!.GetValue<string>());
        Assert.Equal(200, patched);
        Assert.Equal(";", changed.Str("delimiter"));
        Assert.Equal(409, (await f.Http.Patch(url, new { delimiter = "," }, profile["@odata.etag"]!.GetValue<string>())).Status);

        var (bad, error, _) = await f.Http.Patch(url, new { delimiter = "," }, changed!["@odata.etag"]!.GetValue<string>());
        Assert.Equal(400, bad);
        Assert.Contains("differ", error!["error"]!.Str("message"));
        (bad, error, _) = await f.Http.Post(Company() + "/csvImportProfiles", new { code = "NOAMOUNT", currencyCode = "EUR", bookingDateColumn = "Date" });
        Assert.Equal(400, bad);
        Assert.Contains("amount column", error!["error"]!.Str("message"));

        Assert.Equal(204, (await f.Http.Delete(url)).Status);
        Assert.Equal(404, (await f.Http.Get(url)).Status);
    }

    [Fact]
    public async Task An_iban_mapping_makes_an_unknown_name_its_customer_and_is_edited_and_deleted()
    {
        const string iban = "DE02120300000000202051";
        var (status, mapping, response) = await f.Http.Post(Company() + "/customerIbanMappings", new { iban = "de02 1203 0000 0000 2020 51", customerId = "c0000000-0000-4000-8000-000000000004", payments = 3 });
        Assert.Equal(201, status);
        Assert.Equal((iban, "C00004"), (mapping.Str("iban"), mapping.Str("customerNumber")));
        Assert.Equal(400, (await f.Http.Post(Company() + "/customerIbanMappings", new { iban = "DE1", customerId = "c0000000-0000-4000-8000-000000000004" })).Status);
        Assert.Equal(400, (await f.Http.Post(Company() + "/customerIbanMappings", new { iban = "DE999", customerId = "c0000000-0000-4000-8000-0000000000ff" })).Status);

        // A payer named nothing like the customer, paying from the mapped account the amount of one of its invoices.
        var text = $":20:MAPPED\n:25:DE89370400440532013000\n:28C:5/1\n:60F:C261205EUR0,00\n:61:2612051205CR993,80NTRFNONREF\n:86:166?20SVWZ+Zahlung?31{iban}?32Hans Meier\n:62F:C261205EUR993,80\n-\n";
        var (imported, import, _) = await ImportTextAsync(f.Http, text, "mapped.sta");
        Assert.Equal(201, imported);
        var proposal = (await LinesAsync(f.Http, StatementIds(import).Single()))[0]!["matchProposals"]![0];
        Assert.Equal("C00004", proposal.Str("customerNumber"));
        Assert.Contains("IBAN", proposal.Str("reasons"));

        var url = response.Headers.Location!.ToString();
        var (patched, changed, _) = await f.Http.Patch(url, new { customerId = "c0000000-0000-4000-8000-000000000005" }, mapping!["@odata.etag"]!.GetValue<string>());
        Assert.Equal(200, patched);
        Assert.Equal("C00005", changed.Str("customerNumber"));
        Assert.Equal(204, (await f.Http.Delete(url)).Status);
    }
}
