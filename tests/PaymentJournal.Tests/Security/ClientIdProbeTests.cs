using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Tests.Security;

/// <summary>
/// With a key for company A only, an id that exists in company B must tell A nothing. Ids are global keys, so a
/// client-chosen payment id taken anywhere is refused, with exactly the answer of an id taken in A's own company;
/// every id a body refers to (customer, journal, account, invoice, dimension, value, parent payment) is looked up in
/// A's company only, so B's id gets the answer of an id that exists nowhere. B's rows are never touched.
/// </summary>
public sealed partial class ClientIdProbeTests(ApiKeyFixture f) : IClassFixture<ApiKeyFixture>
{
    private const string A = ServiceFixture.Company;
    private static readonly string V2Company = $"/api/v2.0/companies({A})";
    private static readonly string GraphCompany = $"/beta/financials/companies/{A}";

    /// <summary>Status, code and message of an error, with ids and the correlation id taken out.</summary>
    private static string Shape((int Status, JsonNode? Body, HttpResponseMessage Response) r)
    {
        var message = r.Body?["error"]?["message"]?.GetValue<string>() ?? "";
        message = GuidPattern().Replace(message, "<id>");
        message = message[..Math.Max(0, message.IndexOf("CorrelationId", StringComparison.Ordinal))];
        return $"{r.Status} {r.Body.ErrorCode()} {message}";
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex GuidPattern();

    private async Task<string> BRowsAsync() => await f.WithDb(async db =>
        string.Join("|", await db.CustomerPayments.AsNoTracking().Where(p => p.CompanyId == SecondCompany.CompanyId)
            .OrderBy(p => p.Id).Select(p => p.Id + ":" + p.Amount + ":" + p.LineNumber + ":" + p.Version).ToListAsync()) + "#" +
        await db.PaymentDimensions.AsNoTracking().CountAsync(d => d.CompanyId == SecondCompany.CompanyId));

    public static TheoryData<string> PaymentRoutes => new() { "v2", "v2-company", "v2-online", "graph", "graph-paren", "batch" };

    private static (string Url, object Body) PaymentPost(string route, Guid id) => route switch
    {
        "v2" => ($"{V2Company}/customerPaymentJournals({ServiceFixture.General})/customerPayments", new { id, customerNumber = "C00001", amount = -1 }),
        "v2-company" => ($"{V2Company}/customerPayments", new { id, journalId = Guid.Parse(ServiceFixture.General), customerNumber = "C00001", amount = -1 }),
        "v2-online" => ($"/v2.0/contoso/production/api/v2.0/companies({A})/customerPaymentJournals({ServiceFixture.General})/customerPayments", new { id, customerNumber = "C00001", amount = -1 }),
        "graph" => ($"{GraphCompany}/customerPaymentJournals/{ServiceFixture.General}/customerPayments", new { id, customerNumber = "C00001", amount = -1 }),
        "graph-paren" => ($"/beta/financials/companies({A})/customerPaymentJournals({ServiceFixture.General})/customerPayments", new { id, customerNumber = "C00001", amount = -1 }),
        _ => throw new ArgumentOutOfRangeException(nameof(route)),
    };

    private async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostPaymentAsync(HttpClient http, string route, Guid id)
    {
        if (route != "batch")
        {
            var (url, body) = PaymentPost(route, id);
            return await http.Post(url, body);
        }
        // The same create as a request of a JSON $batch: its inner answer is compared.
        var batch = await http.Post("/api/v2.0/$batch", new
        {
            requests = new[]
            {
                new { id = "1", method = "POST", url = $"companies({A})/customerPaymentJournals({ServiceFixture.General})/customerPayments",
                      headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" }, body = (object)new { id, customerNumber = "C00001", amount = -1 } },
            },
        });
        Assert.Equal(200, batch.Status);
        var inner = batch.Body!["responses"]![0]!;
        return (inner["status"]!.GetValue<int>(), inner["body"], batch.Response);
    }

    [Theory]
    [MemberData(nameof(PaymentRoutes))]
    public async Task A_payment_id_of_another_company_gets_the_answer_of_an_id_taken_in_the_callers_own(string route)
    {
        using var writerA = f.With(ApiKeyFixture.WriterA);
        var mine = Guid.NewGuid();
        var first = await PostPaymentAsync(writerA, route, mine);
        Assert.True(first.Status == 201, $"{route}: {first.Status} {first.Body?.ToJsonString()}");
        var before = await BRowsAsync();

        var takenInA = await PostPaymentAsync(writerA, route, mine);
        var takenInB = await PostPaymentAsync(writerA, route, SecondCompany.Payment);
        Assert.Equal(409, takenInB.Status);
        Assert.Equal(Shape(takenInA), Shape(takenInB));
        Assert.Equal(before, await BRowsAsync());
        // A fresh id is still taken as given.
        var fresh = Guid.NewGuid();
        Assert.Equal(201, (await PostPaymentAsync(writerA, route, fresh)).Status);
    }

    /// <summary>Creates that refer to another row by id: one case per id property a body may carry, with B's row for it.</summary>
    public static TheoryData<string> ReferenceCases => new()
    {
        "payment customerId", "payment appliesToInvoiceId", "payment journalId", "payment dimension id", "payment dimension valueId",
        "dimensionSetLine id", "dimensionSetLine valueId", "dimensionLine parentId", "dimensionLine id", "dimensionLine valueId",
        "contact customerId", "salesInvoice customerId", "salesInvoice billToCustomerId", "salesInvoiceLine accountId",
        "journal balancingAccountId", "purchaseInvoice vendorId", "purchaseInvoice payToVendorId", "purchaseInvoiceLine accountId",
    };

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public async Task An_id_of_another_company_in_a_body_gets_the_answer_of_an_id_that_exists_nowhere(string what)
    {
        using var writerA = f.With(ApiKeyFixture.WriterA);
        var payments = $"{V2Company}/customerPaymentJournals({ServiceFixture.General})/customerPayments";
        var payment = (await writerA.Post(payments, new { customerNumber = "C00001", amount = -1 })).Body.Str("id");
        var draft = (await writerA.Post($"{V2Company}/salesInvoices", new { customerNumber = "C00001" })).Body.Str("id");
        var purchaseDraft = (await writerA.Post($"{V2Company}/purchaseInvoices", new { vendorNumber = "V00001" })).Body.Str("id");
        var code = "P" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        (string Url, object Body) Case(Guid id) => what switch
        {
            "payment customerId" => (payments, new { customerId = id, amount = -1 }),
            "payment appliesToInvoiceId" => (payments, new { customerNumber = "C00001", amount = -1, appliesToInvoiceId = id }),
            "payment journalId" => ($"{V2Company}/customerPayments", new { journalId = id, customerNumber = "C00001", amount = -1 }),
            "payment dimension id" => (payments, new { customerNumber = "C00001", amount = -1, dimensionSetLines = new[] { new { id, valueCode = "10" } } }),
            "payment dimension valueId" => (payments, new { customerNumber = "C00001", amount = -1, dimensionSetLines = new[] { new { code = "AREA", valueId = id } } }),
            "dimensionSetLine id" => ($"{V2Company}/customerPayments({payment})/dimensionSetLines", new { id, valueCode = "10" }),
            "dimensionSetLine valueId" => ($"{V2Company}/customerPayments({payment})/dimensionSetLines", new { code = "AREA", valueId = id }),
            "dimensionLine parentId" => ($"{GraphCompany}/dimensionLines", new { parentId = id, code = "AREA", valueCode = "10" }),
            "dimensionLine id" => ($"{GraphCompany}/dimensionLines", new { parentId = Guid.Parse(payment), id, valueCode = "10" }),
            "dimensionLine valueId" => ($"{GraphCompany}/dimensionLines", new { parentId = Guid.Parse(payment), code = "AREA", valueId = id }),
            "contact customerId" => ($"{V2Company}/contacts", new { displayName = "Probe", customerId = id }),
            "salesInvoice customerId" => ($"{V2Company}/salesInvoices", new { customerId = id }),
            "salesInvoice billToCustomerId" => ($"{V2Company}/salesInvoices", new { customerNumber = "C00001", billToCustomerId = id }),
            "salesInvoiceLine accountId" => ($"{V2Company}/salesInvoices({draft})/salesInvoiceLines", new { lineType = "Account", accountId = id, quantity = 1, unitPrice = 1 }),
            "journal balancingAccountId" => ($"{V2Company}/customerPaymentJournals", new { code, displayName = "Probe", balancingAccountId = id }),
            "purchaseInvoice vendorId" => ($"{V2Company}/purchaseInvoices", new { vendorId = id }),
            "purchaseInvoice payToVendorId" => ($"{V2Company}/purchaseInvoices", new { vendorNumber = "V00001", payToVendorId = id }),
            "purchaseInvoiceLine accountId" => ($"{V2Company}/purchaseInvoices({purchaseDraft})/purchaseInvoiceLines", new { lineType = "Account", accountId = id, quantity = 1, unitCost = 1 }),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        var before = await BRowsAsync();
        // Every row of B in turn, so the case holds whichever of B's ids the property would name.
        foreach (var b in SecondCompany.Keys.Values.Distinct())
        {
            var (url, body) = Case(b);
            var foreign = await writerA.Post(url, body);
            var (url2, body2) = Case(Guid.NewGuid());
            var nowhere = await writerA.Post(url2, body2);
            Assert.True(foreign.Status >= 400, $"{what} with B's {b}: {foreign.Status} {foreign.Body?.ToJsonString()}");
            Assert.Equal(Shape(nowhere), Shape(foreign));
        }
        Assert.Equal(before, await BRowsAsync());
    }

    public static TheoryData<string> SetsWithServerIds => new()
    {
        "customers", "contacts", "customerPaymentJournals", "salesInvoices", "dimensions", "dimensionValues", "salesInvoiceLines",
        "purchaseInvoices", "purchaseInvoiceLines", "vendors",
    };

    [Theory]
    [MemberData(nameof(SetsWithServerIds))]
    public async Task Sets_that_choose_their_own_ids_refuse_a_client_id_alike_wherever_it_exists(string set)
    {
        using var writerA = f.With(ApiKeyFixture.WriterA);
        var draft = (await writerA.Post($"{V2Company}/salesInvoices", new { customerNumber = "C00001" })).Body.Str("id");
        var url = set switch
        {
            "dimensionValues" => $"{V2Company}/dimensions(f3000000-0000-4000-8000-000000000001)/dimensionValues",
            "salesInvoiceLines" => $"{V2Company}/salesInvoices({draft})/salesInvoiceLines",
            "purchaseInvoiceLines" => $"{V2Company}/purchaseInvoices({(await writerA.Post($"{V2Company}/purchaseInvoices", new { vendorNumber = "V00001" })).Body.Str("id")})/purchaseInvoiceLines",
            _ => $"{V2Company}/{set}",
        };
        var foreign = await writerA.Post(url, new { id = SecondCompany.Keys[set] });
        var nowhere = await writerA.Post(url, new { id = Guid.NewGuid() });
        Assert.Equal(400, foreign.Status);
        Assert.Equal(Shape(nowhere), Shape(foreign));
    }
}
