using System.Text;
using Microsoft.EntityFrameworkCore;

namespace PaymentJournal.Tests.Api;

public sealed class BatchTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private const string C = "companies(" + ServiceFixture.Company + ")";

    private static object Req(string id, string method, string url, object? body = null, string? group = null, string[]? dependsOn = null) =>
        new Dictionary<string, object?>
        {
            ["id"] = id, ["method"] = method, ["url"] = url, ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
            ["body"] = body, ["atomicityGroup"] = group, ["dependsOn"] = dependsOn,
        }.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value);

    private async Task<JsonArray> Batch(object[] requests, Dictionary<string, string>? headers = null)
    {
        var (status, body, _) = await f.Http.Post(ServiceFixture.V2 + "$batch", new { requests }, headers);
        Assert.Equal(200, status);
        return body!["responses"]!.AsArray();
    }

    private Task<int> JournalCount(string code) => f.WithDb(db => db.CustomerPaymentJournals.CountAsync(j => j.Code == code));

    [Fact]
    public async Task Independent_requests_run_in_order_and_content_ids_reference_created_entities()
    {
        var r = await Batch([
            Req("1", "POST", C + "/customerPaymentJournals", new { code = "BT-A" }),
            Req("2", "POST", "$1/customerPayments", new { customerNumber = "C00002", amount = -12.5 }),
            Req("3", "GET", "$1/customerPayments?$count=true"),
            Req("4", "GET", "/api/v2.0/" + C + "/customers(" + "c0000000-0000-4000-8000-000000000003" + ")"),
        ]);
        Assert.Equal([201, 201, 200, 200], r.Select(x => x!["status"]!.GetValue<int>()));
        Assert.Equal(-12.5m, r[1]!["body"]!["amount"]!.GetValue<decimal>());
        Assert.Equal(1, r[2]!["body"]!["@odata.count"]!.GetValue<int>());
        Assert.Equal("C00003", r[3]!["body"].Str("number"));
        Assert.Equal(1, await JournalCount("BT-A"));
    }

    [Fact]
    public async Task A_failing_request_in_an_atomicity_group_rolls_back_the_group_and_names_the_culprit()
    {
        var r = await Batch([
            Req("a", "POST", C + "/customerPaymentJournals", new { code = "BT-B" }, group: "g1"),
            Req("b", "POST", "$a/customerPayments", new { customerNumber = "C00001", amount = -1 }, group: "g1"),
            Req("c", "POST", "$a/customerPayments", new { customerNumber = "NOSUCH" }, group: "g1"),
            Req("d", "GET", C + "/customers?$top=1"),
        ]);
        Assert.Equal(424, r[0]!["status"]!.GetValue<int>());
        Assert.Equal(424, r[1]!["status"]!.GetValue<int>());
        Assert.Equal(400, r[2]!["status"]!.GetValue<int>());
        Assert.Contains("'c'", r[0]!["body"]!["error"]!.Str("message"));
        Assert.Equal(200, r[3]!["status"]!.GetValue<int>());
        Assert.Equal(0, await JournalCount("BT-B"));
    }

    [Fact]
    public async Task Two_dimension_lines_added_to_one_payment_in_one_group_both_commit()
    {
        var journal = (await Make.Journal(f.Http)).Str("id");
        var payment = (await Make.Payment(f.Http, journal, new { customerNumber = "C00001", amount = -7 })).Str("id");
        var lines = $"{C}/customerPaymentJournals({journal})/customerPayments({payment})/dimensionSetLines";
        var r = await Batch([
            Req("1", "POST", lines, new { code = "AREA", valueCode = "10" }, group: "g"),
            Req("2", "POST", lines, new { code = "DEPARTMENT", valueCode = "ADM" }, group: "g"),
        ]);
        Assert.True(r.All(x => x!["status"]!.GetValue<int>() == 201), r.ToJsonString());
        var (_, body, _) = await f.Http.Get(ServiceFixture.V2 + lines);
        Assert.Equal(["AREA", "DEPARTMENT"], body!["value"]!.AsArray().Select(x => x.Str("code")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_second_change_of_a_row_in_the_same_group_sees_the_first()
    {
        var url = C + "/customerPaymentJournals(" + ServiceFixture.General + ")/customerPayments";
        var (status, created, _) = await f.Http.Post(ServiceFixture.V2 + url, new { customerNumber = "C00001", amount = -3, description = "before" });
        Assert.Equal(201, status);
        var item = url + "(" + created.Str("id") + ")";
        object Patch(string id, object body) => new Dictionary<string, object?>
        {
            ["id"] = id, ["method"] = "PATCH", ["url"] = item, ["atomicityGroup"] = "g", ["body"] = body,
            ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json", ["If-Match"] = "*" },
        };
        var r = await Batch([Patch("1", new { description = "first" }), Patch("2", new { amount = -7 }), Req("3", "GET", item)]);
        Assert.Equal([200, 200, 200], r.Select(x => x!["status"]!.GetValue<int>()));
        // The second change starts from the first one's row, not from the row as stored before the group.
        Assert.Equal("first", r[1]!["body"].Str("description"));
        Assert.Equal(-7m, r[1]!["body"]!["amount"]!.GetValue<decimal>());
        Assert.Equal("first", r[2]!["body"].Str("description"));
        Assert.Equal(-7m, r[2]!["body"]!["amount"]!.GetValue<decimal>());
        Assert.NotEqual(r[0]!["body"].Str("@odata.etag"), r[1]!["body"].Str("@odata.etag"));
    }

    [Fact]
    public async Task Isolation_snapshot_makes_the_whole_batch_atomic()
    {
        var before = await f.WithDb(db => db.CustomerPayments.CountAsync());
        var r = await Batch([
            Req("1", "POST", C + "/customerPaymentJournals(" + ServiceFixture.General + ")/customerPayments", new { customerNumber = "C00001", amount = -3 }),
            Req("2", "PATCH", C + "/customers(c0000000-0000-4000-8000-000000000001)", new { displayName = "x" }),
        ], new() { ["Isolation"] = "snapshot" });
        Assert.Equal(424, r[0]!["status"]!.GetValue<int>());
        Assert.Equal(400, r[1]!["status"]!.GetValue<int>()); // PATCH without If-Match
        Assert.Equal("BadRequest_InvalidToken", r[1]!["body"].ErrorCode());
        Assert.Equal(before, await f.WithDb(db => db.CustomerPayments.CountAsync()));
    }

    [Fact]
    public async Task A_request_depending_on_a_failed_one_is_not_run()
    {
        var r = await Batch([
            Req("1", "POST", C + "/customerPaymentJournals", new { code = "" }),
            Req("2", "POST", C + "/customerPaymentJournals", new { code = "BT-C" }, dependsOn: ["1"]),
        ]);
        Assert.Equal(400, r[0]!["status"]!.GetValue<int>());
        Assert.Equal(424, r[1]!["status"]!.GetValue<int>());
        Assert.Equal(0, await JournalCount("BT-C"));
    }

    [Fact]
    public async Task Limits_and_malformed_batches_are_rejected()
    {
        var tooMany = Enumerable.Range(1, 101).Select(i => Req(i.ToString(), "GET", C + "/customers")).ToArray();
        var (s1, b1, _) = await f.Http.Post(ServiceFixture.V2 + "$batch", new { requests = tooMany });
        Assert.Equal(400, s1);
        Assert.Contains("100", b1!["error"]!.Str("message"));

        var (s2, b2, _) = await f.Http.Post(ServiceFixture.V2 + "$batch", "{\"requests\":");
        Assert.Equal(400, s2);
        Assert.Equal("BadRequest", b2.ErrorCode());

        var r = await Batch([
            Req("1", "POST", "$batch", new { requests = Array.Empty<object>() }),
            Req("2", "GET", "/beta/financials/companies"),
            Req("3", "GET", "$9/customers"),
        ]);
        Assert.All(r, x => Assert.Equal(400, x!["status"]!.GetValue<int>()));

        var (s3, _, _) = await f.Http.Send(HttpMethod.Get, ServiceFixture.V2 + "$batch");
        Assert.Equal(405, s3);
    }

    [Fact]
    public async Task Multipart_change_sets_are_atomic()
    {
        var journals = C + "/customerPaymentJournals";
        string Part(string method, string url, string? json, string? id = null) =>
            "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n" + (id is null ? "" : $"Content-ID: {id}\r\n") + "\r\n" +
            $"{method} {url} HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{json}\r\n";
        var body = new StringBuilder()
            .Append("--batch_1\r\nContent-Type: multipart/mixed; boundary=cs_1\r\n\r\n")
            .Append("--cs_1\r\n").Append(Part("POST", journals, "{\"code\":\"BT-M1\"}", "1"))
            .Append("--cs_1\r\n").Append(Part("POST", journals, "{\"code\":\"BT-M1\"}", "2"))
            .Append("--cs_1--\r\n")
            .Append("--batch_1\r\n").Append(Part("POST", journals, "{\"code\":\"BT-M2\"}"))
            .Append("--batch_1--\r\n").ToString();
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/mixed; boundary=batch_1");
        var resp = await f.Http.PostAsync(ServiceFixture.V2 + "$batch", content);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.StartsWith("multipart/mixed", resp.Content.Headers.ContentType!.MediaType);
        Assert.Contains("HTTP/1.1 424", text);
        Assert.Contains("HTTP/1.1 409", text); // the duplicate code inside the change set
        Assert.Contains("HTTP/1.1 201", text); // the request outside it
        Assert.Equal(0, await JournalCount("BT-M1"));
        Assert.Equal(1, await JournalCount("BT-M2"));
    }
}
