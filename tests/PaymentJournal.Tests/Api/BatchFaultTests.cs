using System.Text;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// A database error inside one request of a $batch. The database itself refuses one customer (a trigger in the test's
/// database): on PostgreSQL with SQLSTATE 53100 (disk full), which the service answers 507; on SQLite with an error the
/// service does not foresee, answered 500. Outside an atomic group that is the request's own answer and the others
/// run; inside one the group fails as a unit.
/// </summary>
public sealed class BatchFaultTests(ServiceFixture f) : IClassFixture<ServiceFixture>, IAsyncLifetime
{
    private const string C = "companies(" + ServiceFixture.Company + ")";
    private const string Refused = "REFUSED-BY-THE-DATABASE";

    private bool Postgres => f.Provider == DatabaseProvider.Postgres;
    private int FaultStatus => Postgres ? 507 : 500;

    public async Task InitializeAsync()
    {
        if (Postgres)
        {
            await f.ExecuteSqlAsync($"""
                CREATE OR REPLACE FUNCTION refuse_marked_customer() RETURNS trigger AS $$
                BEGIN
                  IF NEW.display_name = '{Refused}' THEN RAISE EXCEPTION 'no space left (test)' USING ERRCODE = 'disk_full'; END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql;
                DROP TRIGGER IF EXISTS refuse_marked_customer ON customers;
                CREATE TRIGGER refuse_marked_customer BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION refuse_marked_customer();
                """);
        }
        else
        {
            await f.ExecuteSqlAsync($"""
                CREATE TRIGGER IF NOT EXISTS refuse_marked_customer BEFORE INSERT ON customers
                WHEN NEW.display_name = '{Refused}' BEGIN SELECT RAISE(ABORT, 'refused (test)'); END;
                """);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static object Req(string id, string name, string? group = null) =>
        new Dictionary<string, object?>
        {
            ["id"] = id, ["method"] = "POST", ["url"] = C + "/customers",
            ["headers"] = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
            ["body"] = new { displayName = name }, ["atomicityGroup"] = group,
        }.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value);

    private Task<int> CustomersNamed(string name) => f.WithDb(db => db.Customers.CountAsync(c => c.DisplayName == name));

    [Fact]
    public async Task A_single_request_the_database_refuses_gets_an_honest_answer()
    {
        var (status, body, resp) = await f.Http.Post(ServiceFixture.CompanyPath() + "/customers", new { displayName = Refused });
        Assert.Equal(FaultStatus, status);
        if (Postgres)
        {
            Assert.Equal("Internal_DatabaseFull", body.ErrorCode());
            Assert.NotNull(resp.Headers.RetryAfter);
            Assert.Contains("disk is full", body!["error"]!.Str("message"));
        }
        else Assert.Equal("Internal_ServerError", body.ErrorCode());
    }

    [Fact]
    public async Task In_a_JSON_batch_the_failing_request_gets_its_own_answer_and_the_others_run()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (status, body, _) = await f.Http.Post(ServiceFixture.V2 + "$batch", new { requests = new[] { Req("1", "A" + tag), Req("2", Refused), Req("3", "C" + tag) } });
        Assert.Equal(200, status);
        var r = body!["responses"]!.AsArray();
        Assert.Equal([201, FaultStatus, 201], r.Select(x => x!["status"]!.GetValue<int>()));
        if (Postgres) Assert.Equal("5", r[1]!["headers"]!["retry-after"]!.GetValue<string>());
        Assert.Equal(Postgres ? "Internal_DatabaseFull" : "Internal_ServerError", r[1]!["body"].ErrorCode());
        Assert.Equal((1, 1, 0), (await CustomersNamed("A" + tag), await CustomersNamed("C" + tag), await CustomersNamed(Refused)));
    }

    [Fact]
    public async Task In_a_multipart_batch_the_failing_request_gets_its_own_answer_and_the_others_run()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var sb = new StringBuilder();
        foreach (var name in new[] { "A" + tag, Refused, "C" + tag })
        {
            sb.Append("--batch_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n")
              .Append("POST ").Append(C).Append("/customers HTTP/1.1\r\nContent-Type: application/json\r\n\r\n")
              .Append("{\"displayName\":\"").Append(name).Append("\"}\r\n");
        }
        sb.Append("--batch_1--\r\n");
        var content = new StringContent(sb.ToString(), Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/mixed; boundary=batch_1");
        using var resp = await f.Http.PostAsync(ServiceFixture.V2 + "$batch", content);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        var text = await resp.Content.ReadAsStringAsync();
        var statuses = text.Split("\r\n").Where(l => l.StartsWith("HTTP/1.1 ", StringComparison.Ordinal)).Select(l => int.Parse(l.Split(' ')[1])).ToList();
        Assert.Equal([201, FaultStatus, 201], statuses);
        Assert.Contains(Postgres ? "HTTP/1.1 507 Insufficient Storage" : "HTTP/1.1 500 Internal Server Error", text);
        Assert.Equal((1, 1, 0), (await CustomersNamed("A" + tag), await CustomersNamed("C" + tag), await CustomersNamed(Refused)));
    }

    [Fact]
    public async Task In_an_atomic_group_the_failing_request_fails_the_group_as_a_unit()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (status, body, _) = await f.Http.Post(ServiceFixture.V2 + "$batch",
            new { requests = new[] { Req("1", "A" + tag, "g"), Req("2", Refused, "g"), Req("3", "C" + tag, "g"), Req("4", "D" + tag) } });
        Assert.Equal(200, status);
        var r = body!["responses"]!.AsArray();
        Assert.Equal([424, FaultStatus, 424, 201], r.Select(x => x!["status"]!.GetValue<int>()));
        Assert.Equal((0, 0, 1), (await CustomersNamed("A" + tag), await CustomersNamed("C" + tag), await CustomersNamed("D" + tag)));
    }
}
