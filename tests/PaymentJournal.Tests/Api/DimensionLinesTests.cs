using Microsoft.EntityFrameworkCore;
using static PaymentJournal.Tests.Fixtures.PostingApi;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Graph's company-level dimensionLines (the shape of Business Central's API v1.0 page): read by parentId filter,
/// created with parentId in the body, addressed by the two-part key (parentId, id); the same rows as v2.0's dimensionSetLines.
/// </summary>
public sealed class DimensionLinesTests(TwoCompaniesFixture f) : IClassFixture<TwoCompaniesFixture>
{
    private const string AreaAmerica = "f4000000-0000-4000-8000-000000000003";
    private static readonly string Lines = ServiceFixture.CompanyPath(ServiceFixture.Graph) + "/dimensionLines";
    private static readonly string LinesOfB = ServiceFixture.CompanyPath(ServiceFixture.Graph, SecondCompany.Id) + "/dimensionLines";

    private static string Line(string parentId, string id, string lines = "") => (lines.Length == 0 ? Lines : lines) + $"(parentId={parentId},id={id})";
    private static string OfParent(string parentId, string lines = "") => (lines.Length == 0 ? Lines : lines) + "?$filter=parentId eq " + parentId;

    private async Task<(string Journal, string Payment)> NewPaymentAsync()
    {
        var journal = await Make.JournalId(f.Http);
        var p = await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount = -5 });
        return (journal, p.Str("id"));
    }

    private async Task<string> PaymentETagAsync(string journal, string payment) =>
        (await GetAsync(f.Http, Route.V2.Payment(journal, payment))).Str("@odata.etag");

    [Fact]
    public async Task A_list_needs_a_parentId_filter_naming_a_payment()
    {
        var (_, payment) = await NewPaymentAsync();
        var (_, other) = await NewPaymentAsync();
        Expect.Status(await f.Http.Post(Lines, new { parentId = payment, code = "AREA", valueCode = "10" }), 201);
        Expect.Status(await f.Http.Post(Lines, new { parentId = payment, code = "DEPARTMENT", valueCode = "SALES" }), 201);
        Expect.Status(await f.Http.Post(Lines, new { parentId = other, code = "AREA", valueCode = "20" }), 201);

        Expect.Error(await f.Http.Get(Lines), 400, "Application_DialogException", "parent id");
        Expect.Error(await f.Http.Get(Lines + "/$count"), 400, "Application_DialogException", "parent id");
        Expect.Error(await f.Http.Get(Lines + "?$filter=code eq 'AREA'"), 400, "Application_DialogException", "parent id");
        Expect.Error(await f.Http.Get(Lines + $"?$filter=parentId eq {payment} or code eq 'AREA'"), 400, "Application_DialogException", "parent id");
        Expect.Error(await f.Http.Get(Lines + $"?$filter=not (parentId eq {payment})"), 400, "Application_DialogException", "parent id");
        var missing = Guid.NewGuid().ToString();
        Expect.Error(await f.Http.Get(OfParent(missing)), 404, "Internal_RecordNotFound", missing);
        Expect.Error(await f.Http.Get(Lines + "/$count?$filter=parentId eq " + missing), 404, "Internal_RecordNotFound", missing);

        var list = await f.Http.Get(OfParent(payment));
        Expect.Status(list, 200);
        Assert.EndsWith("$metadata#financials/companies(" + ServiceFixture.Company + ")/dimensionLines", list.Body.Str("@odata.context"));
        var lines = list.Body!["value"]!.AsArray();
        Assert.Equal(["AREA=10", "DEPARTMENT=SALES"], lines.Select(l => l.Str("code") + "=" + l.Str("valueCode")));
        Assert.All(lines, l => Assert.Equal(payment, l.Str("parentId")));
        Assert.Equal(
            ["@odata.etag", "parentId", "id", "code", "displayName", "valueId", "valueCode", "valueDisplayName"],
            lines[0]!.AsObject().Select(p => p.Key));
        Assert.Equal((Area, "Area", AreaEurope, "Europe North"), (lines[0].Str("id"), lines[0].Str("displayName"), lines[0].Str("valueId"), lines[0].Str("valueDisplayName")));

        var narrowed = await f.Http.Get(Lines + $"?$filter=code eq 'AREA' and parentId eq {payment}&$select=valueCode");
        Expect.Status(narrowed, 200);
        var only = Assert.Single(narrowed.Body!["value"]!.AsArray());
        Assert.Equal(["@odata.etag", "valueCode"], only!.AsObject().Select(p => p.Key));
        var count = await f.Http.Get(Lines + "/$count?$filter=parentId eq " + payment);
        Expect.Status(count, 200);
        Assert.Equal("2", await count.Response.Content.ReadAsStringAsync());
        Assert.Equal("20", Assert.Single((await f.Http.Get(OfParent(other))).Body!["value"]!.AsArray())!.Str("valueCode"));
    }

    [Fact]
    public async Task A_line_is_created_read_changed_and_deleted_by_its_two_part_key()
    {
        var (journal, payment) = await NewPaymentAsync();
        var etag0 = await PaymentETagAsync(journal, payment);

        var created = await f.Http.Post(Lines, new { parentId = payment, code = "area", valueCode = "10" });
        Expect.Status(created, 201);
        Assert.Equal((payment, Area, "AREA", AreaEurope), (created.Body.Str("parentId"), created.Body.Str("id"), created.Body.Str("code"), created.Body.Str("valueId")));
        Assert.EndsWith($"/dimensionLines(parentId={payment},id={Area})", created.Response.Headers.Location?.ToString());
        Assert.EndsWith("$metadata#financials/companies(" + ServiceFixture.Company + ")/dimensionLines/$entity", created.Body.Str("@odata.context"));
        var etag1 = await PaymentETagAsync(journal, payment);
        Assert.NotEqual(etag0, etag1);

        // The same row is the payment's v2.0 dimensionSetLine.
        var v2 = await GetAsync(f.Http, Route.V2.Payment(journal, payment) + $"/dimensionSetLines({Area})");
        Assert.Equal("10", v2.Str("valueCode"));

        var got = await f.Http.Get(Line(payment, Area));
        Expect.Status(got, 200);
        var tag = Expect.ETag(got);
        Assert.EndsWith("/dimensionLines/$entity", got.Body.Str("@odata.context"));
        foreach (var key in new[] { $"(id={Area},parentId={payment})", $"(parentId='{payment}',id='{Area}')", $"(parentId={payment}, id={Area})" })
            Expect.Status(await f.Http.Get(Lines + key), 200);

        Expect.Error(await f.Http.Patch(Line(payment, Area), new { valueCode = "30" }, null), 400, "BadRequest_InvalidToken");
        var changed = await f.Http.Patch(Line(payment, Area), new { valueCode = "30" }, tag);
        Expect.Status(changed, 200);
        Assert.Equal((AreaAmerica, "America"), (changed.Body.Str("valueId"), changed.Body.Str("valueDisplayName")));
        Assert.NotEqual(tag, Expect.ETag(changed));
        var etag2 = await PaymentETagAsync(journal, payment);
        Assert.NotEqual(etag1, etag2);
        Expect.Error(await f.Http.Patch(Line(payment, Area), new { valueCode = "20" }, tag), 409, "Request_EntityChanged");

        var before = await DbSnapshot.TakeAsync(f);
        Expect.Error(await f.Http.Patch(Line(payment, Area), new { code = "DEPARTMENT" }, "*"), 400, "BadRequest_InvalidOperation", "code");
        Expect.Error(await f.Http.Patch(Line(payment, Area), new { id = Department }, "*"), 400, "BadRequest_InvalidOperation", "id");
        Expect.Error(await f.Http.Patch(Line(payment, Area), new { parentId = Guid.NewGuid() }, "*"), 400, "BadRequest_InvalidOperation", "parentId");
        Expect.Error(await f.Http.Patch(Line(payment, Area), new { displayName = "x" }, "*"), 400, "BadRequest_InvalidOperation", "displayName");
        Expect.Error(await f.Http.Patch(Line(payment, Area), new { valueCode = "99" }, "*"), 400, "Application_DialogException", "99");
        Expect.Error(await f.Http.Patch(Line(payment, Area), new { valueId = AreaEurope, valueCode = "20" }, "*"), 400, "Application_DialogException", "match");
        Expect.Error(await f.Http.Patch(Line(payment, Area), new { valueCode = "" }, "*"), 400, "Application_DialogException", "value");
        Expect.Error(await f.Http.Send(HttpMethod.Put, Line(payment, Area), new { valueCode = "20" }, "*"), 405, "BadRequest_MethodNotAllowed");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));

        Expect.Error(await f.Http.Delete(Line(payment, Area), tag), 409, "Request_EntityChanged");
        Expect.Status(await f.Http.Delete(Line(payment, Area), Expect.ETag(changed)), 204);
        Assert.NotEqual(etag2, await PaymentETagAsync(journal, payment));
        Expect.Error(await f.Http.Get(Line(payment, Area)), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Delete(Line(payment, Area)), 404, "Internal_RecordNotFound");
        Assert.Empty((await GetAsync(f.Http, OfParent(payment)))["value"]!.AsArray());
    }

    [Fact]
    public async Task Creating_follows_the_dimension_line_rules()
    {
        var (_, payment) = await NewPaymentAsync();
        var before = await DbSnapshot.TakeAsync(f);
        Expect.Error(await f.Http.Post(Lines, new { code = "AREA", valueCode = "10" }), 400, "Application_DialogException", "parent id");
        Expect.Error(await f.Http.Post(Lines, new { parentId = Guid.Empty, code = "AREA", valueCode = "10" }), 400, "Application_DialogException", "parent id");
        var missing = Guid.NewGuid().ToString();
        Expect.Error(await f.Http.Post(Lines, new { parentId = missing, code = "AREA", valueCode = "10" }), 400, "Application_DialogException", missing);
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, id = Area, code = "DEPARTMENT", valueCode = "10" }), 400, "Application_DialogException", "match");
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, code = "NOSUCH", valueCode = "10" }), 400, "Application_DialogException", "NOSUCH");
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, id = Guid.NewGuid(), valueCode = "10" }), 400, "Application_DialogException", "dimension");
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, code = "AREA", valueCode = "99" }), 400, "Application_DialogException", "99");
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, code = "AREA", valueId = DepartmentSales }), 400, "Application_DialogException", "AREA");
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, code = "AREA", valueId = AreaEurope, valueCode = "20" }), 400, "Application_DialogException", "match");
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, code = "AREA" }), 400, "Application_DialogException", "value");
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, valueCode = "10" }), 400, "Application_DialogException", "dimension");
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, code = "AREA", valueCode = "10", displayName = "x" }), 400, "BadRequest_InvalidOperation", "displayName");
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, code = "AREA", valueCode = "10", parentType = "Journal Line" }), 400, "BadRequest", "parentType");
        Expect.Error(await f.Http.Post(Lines, new { parentId = "not-a-guid", code = "AREA", valueCode = "10" }), 400, "Application_InvalidGUID", "parentId");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));

        Expect.Status(await f.Http.Post(Lines, new { parentId = payment, id = Area, valueId = AreaEurope }), 201);
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, code = "AREA", valueCode = "20" }), 409, "Internal_EntityWithSameKeyExists", "AREA");
        Expect.Error(await f.Http.Post(Line(payment, Area), new { code = "AREA", valueCode = "10" }), 405, "BadRequest_MethodNotAllowed");
        Expect.Status(await f.Http.Post(Lines, new { parentId = payment, code = "DEPARTMENT", valueCode = "SALES" }), 201);
    }

    [Fact]
    public async Task The_key_has_two_parts_and_other_sets_keep_one()
    {
        var (_, payment) = await NewPaymentAsync();
        Expect.Status(await f.Http.Post(Lines, new { parentId = payment, code = "AREA", valueCode = "10" }), 201);
        var before = await DbSnapshot.TakeAsync(f);

        Expect.Error(await f.Http.Get(Lines + "/" + Area), 400, "BadRequest", "parentId=");
        Expect.Error(await f.Http.Get(Lines + $"({Area})"), 400, "BadRequest", "parentId=");
        Expect.Error(await f.Http.Get(Lines + $"(id={Area})"), 400, "BadRequest", "parentId=");
        Expect.Error(await f.Http.Get(Lines + $"(parentId={payment},id={Area},code=AREA)"), 400, "BadRequest", "parentId=");
        Expect.Error(await f.Http.Get(Lines + $"(parentId={payment},parentId={payment})"), 400, "BadRequest", "parentId=");
        Expect.Error(await f.Http.Get(Lines + $"(parentId=x,id={Area})"), 400, "Application_InvalidGUID", "parentId");
        Expect.Error(await f.Http.Patch(Lines + $"(parentId={payment},id=)", new { valueCode = "20" }, "*"), 400, "Application_InvalidGUID");
        var missing = Guid.NewGuid().ToString();
        Expect.Error(await f.Http.Get(Line(missing, Area)), 404, "Internal_RecordNotFound", missing);
        Expect.Error(await f.Http.Delete(Line(missing, Area)), 404, "Internal_RecordNotFound", missing);
        Expect.Error(await f.Http.Get(Line(payment, Department)), 404, "Internal_RecordNotFound", Department);
        Expect.Error(await f.Http.Patch(Line(payment, Department), new { valueCode = "SALES" }, "*"), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Get(Line(payment, Area) + "/parentId"), 404, "BadRequest_ResourceNotFound");
        Expect.Error(await f.Http.Get(Route.Graph.Set("customers") + $"(parentId={payment},id={Area})"), 400, "Application_InvalidGUID");
        Expect.Error(await f.Http.Get(Route.V2.Set("dimensionLines") + "?$filter=parentId eq " + payment), 404, "BadRequest_ResourceNotFound");
        Expect.Error(await f.Http.Get(Route.V2.Set("dimensionLines") + $"(parentId={payment},id={Area})"), 404, "BadRequest_ResourceNotFound");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    [Fact]
    public async Task A_line_of_one_company_is_404_from_another()
    {
        var (_, payment) = await NewPaymentAsync();
        Expect.Status(await f.Http.Post(Lines, new { parentId = payment, code = "AREA", valueCode = "10" }), 201);
        var ofB = Line(SecondCompany.Payment.ToString(), SecondCompany.Dimension.ToString(), LinesOfB);
        var got = await f.Http.Get(ofB);
        Expect.Status(got, 200);
        Assert.Equal("AREA", got.Body.Str("code"));
        Assert.Single((await GetAsync(f.Http, OfParent(SecondCompany.Payment.ToString(), LinesOfB)))["value"]!.AsArray());
        var before = await DbSnapshot.TakeAsync(f);

        // A's line through B's URL, and B's line through A's.
        foreach (var url in new[] { Line(payment, Area, LinesOfB), Line(SecondCompany.Payment.ToString(), SecondCompany.Dimension.ToString()) })
        {
            Expect.Error(await f.Http.Get(url), 404, "Internal_RecordNotFound");
            Expect.Error(await f.Http.Patch(url, new { valueCode = "20" }, "*"), 404, "Internal_RecordNotFound");
            Expect.Error(await f.Http.Delete(url, "*"), 404, "Internal_RecordNotFound");
        }
        Expect.Error(await f.Http.Get(OfParent(payment, LinesOfB)), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Get(OfParent(SecondCompany.Payment.ToString())), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Post(LinesOfB, new { parentId = payment, code = "AREA", valueCode = "10" }), 400, "Application_DialogException", payment);
        // B's own dimension does not exist in A, even on A's payment.
        Expect.Error(await f.Http.Post(Lines, new { parentId = payment, id = SecondCompany.Dimension, valueId = SecondCompany.DimensionValue }), 400, "Application_DialogException", "dimension");
        Assert.Equal(before, await DbSnapshot.TakeAsync(f));
    }

    [Fact]
    public async Task Posting_copies_the_lines_onto_the_ledger_entries()
    {
        var (_, customerNumber) = await NewCustomerAsync(f.Http);
        var journal = await NewJournalAsync(f.Http);
        var payment = (await AddLineAsync(f.Http, journal, new { customerNumber, amount = -12m })).Str("id");
        Expect.Status(await f.Http.Post(Lines, new { parentId = payment, code = "AREA", valueCode = "20" }), 201);
        var dept = await f.Http.Post(Lines, new { parentId = payment, id = Department, valueId = DepartmentSales });
        Expect.Status(dept, 201);
        var area = await GetAsync(f.Http, Line(payment, Area));
        Expect.Status(await f.Http.Patch(Line(payment, Area), new { valueCode = "30" }, area.Str("@odata.etag")), 200);

        var (status, body, _) = await PostJournalAsync(f.Http, journal, surface: ServiceFixture.Graph);
        Assert.True(status == 204, body?.ToJsonString());

        var (entryIds, left) = await f.WithDb(async db =>
        {
            var c = await db.CustomerLedgerEntries.SingleAsync(e => e.CustomerNumber == customerNumber);
            var ids = await db.GeneralLedgerEntries.Where(e => e.TransactionNumber == c.TransactionNumber).Select(e => e.Id).ToListAsync();
            ids.Add(c.Id);
            return (ids, await db.PaymentDimensions.CountAsync(d => d.PaymentId == Guid.Parse(payment)));
        });
        Assert.Equal(0, left);
        Assert.Equal(3, entryIds.Count);
        foreach (var id in entryIds)
        {
            var set = id == entryIds[^1] ? "customerLedgerEntries" : "generalLedgerEntries";
            var dims = (await GetAsync(f.Http, $"{ServiceFixture.CompanyPath(ServiceFixture.Ledger)}/{set}({id})/dimensionSetLines"))["value"]!.AsArray();
            Assert.Equal([("AREA", "30"), ("DEPARTMENT", "SALES")], dims.Select(d => (d.Str("code"), d.Str("valueCode"))));
        }
        // The payment has left the journal: its lines are gone with it.
        Expect.Error(await f.Http.Get(OfParent(payment)), 404, "Internal_RecordNotFound");
        Expect.Error(await f.Http.Get(Line(payment, Area)), 404, "Internal_RecordNotFound");
    }
}
