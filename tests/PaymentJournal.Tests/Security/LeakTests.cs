using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace PaymentJournal.Tests.Security;

/// <summary>Logs never hold a credential, even at Trace level; error bodies never show internals.</summary>
public sealed class ApiKeyLeakTests(LoggedApiKeyFixture f) : IClassFixture<LoggedApiKeyFixture>
{
    [Fact]
    public async Task Api_keys_never_reach_the_logs()
    {
        var secrets = new[] { ApiKeyFixture.WriterA, ApiKeyFixture.ReaderA, ApiKeyFixture.Admin, ApiKeyFixture.WriterB, "wrong-key-that-must-not-be-logged-0123" };
        foreach (var key in secrets)
        {
            using var c = f.With(key);
            await c.Get(ServiceFixture.CompanyPath() + "/customers");
            await c.Post(ServiceFixture.CompanyPath() + "/contacts", new { displayName = "logged?" });
            await c.Get(ServiceFixture.CompanyPath(company: SecondCompany.Id) + "/customers");
            using var basic = f.Anonymous();
            basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + key)));
            await basic.Get(ServiceFixture.V2 + "companies");
        }
        Assert.NotEmpty(f.Logs.Entries);
        Assert.Contains(f.Logs.Entries, e => e.Contains("Request refused with 401", StringComparison.Ordinal));
        foreach (var secret in secrets.Concat(secrets.Select(s => Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + s)))))
        {
            var hit = f.Logs.Entries.FirstOrDefault(e => e.Contains(secret, StringComparison.Ordinal));
            Assert.True(hit is null, $"a credential is in the log: {hit}");
        }
    }

    [Fact]
    public async Task An_internal_error_shows_nothing_of_the_internals()
    {
        // Break the database under the running service: the next read of the table fails inside EF Core and SQLite.
        await f.ExecuteSqlAsync("ALTER TABLE dimension_values RENAME TO dimension_values_gone");
        try
        {
            var resp = await f.Http.GetAsync(ServiceFixture.CompanyPath() + "/dimensions(f3000000-0000-4000-8000-000000000001)/dimensionValues");
            var text = await resp.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.InternalServerError, resp.StatusCode);
            Assert.Contains("Internal_ServerError", text);
            foreach (var marker in new[] { "dimension_values", "SELECT", "Sqlite", "SQLite", "no such table", "Npgsql", "Postgres", "42P01", "   at ", ".cs", f.Directory, "/work/", "Exception" })
                Assert.DoesNotContain(marker, text);
            // The details are in the log, under the correlation id the client sees.
            var correlation = resp.Headers.GetValues("ms-correlation-x").Single();
            var missingTable = f.Provider == PaymentJournal.Data.DatabaseProvider.Postgres ? "42P01" : "no such table";
            Assert.Contains(f.Logs.Entries, e => e.Contains(correlation, StringComparison.Ordinal) && e.Contains(missingTable, StringComparison.Ordinal));
        }
        finally
        {
            await f.ExecuteSqlAsync("ALTER TABLE dimension_values_gone RENAME TO dimension_values");
        }
    }

    [Theory]
    [InlineData("/api/v2.0/companies(not-a-guid)")]
    [InlineData("/api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/customers?$filter=x eq 'y'")]
    [InlineData("/api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/nothing")]
    [InlineData("/api/v2.0/companies(c0000000-0000-4000-8000-000000000001)/customers?$expand=a/b/c/d")]
    public async Task Client_errors_show_nothing_of_the_internals(string url)
    {
        var resp = await f.Http.GetAsync(url);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.InRange((int)resp.StatusCode, 400, 499);
        foreach (var marker in new[] { "   at ", ".cs:line", f.Directory, "/work/", "Sqlite", "Microsoft.OData", "System." })
            Assert.DoesNotContain(marker, text);
    }
}

public sealed class JwtLeakTests(LoggedJwtFixture f) : IClassFixture<LoggedJwtFixture>
{
    [Fact]
    public async Task Tokens_never_reach_the_logs()
    {
        var now = DateTime.UtcNow;
        var tokens = new[]
        {
            JwtFixture.Mint(f.Hs256, JwtFixture.Claims("Financials.ReadWrite.All", ServiceFixture.Company)),
            JwtFixture.Mint(f.Rs256, JwtFixture.Claims("Financials.Read.All", ServiceFixture.Company)),
            JwtFixture.Mint(f.Hs256, JwtFixture.Claims("Financials.ReadWrite.All", ServiceFixture.Company), notBefore: now.AddHours(-2), expires: now.AddHours(-1)),
            JwtFixture.Mint(f.Hs256, JwtFixture.Claims("Financials.ReadWrite.All", ServiceFixture.Company), audience: "someone-else"),
            JwtFixture.Mint(f.Hs256, JwtFixture.Claims("openid", ServiceFixture.Company)),
        };
        foreach (var token in tokens)
        {
            using var c = f.Bearer(token);
            await c.Get(ServiceFixture.CompanyPath() + "/customers");
            await c.Post(ServiceFixture.CompanyPath() + "/contacts", new { displayName = "logged?" });
        }
        Assert.NotEmpty(f.Logs.Entries);
        var secret = Convert.ToBase64String(f.Secret);
        foreach (var token in tokens)
        {
            // The signature is what makes a token usable; the payload is bearer data as well.
            var parts = token.Split('.');
            foreach (var part in new[] { token, parts[1], parts[2], secret })
            {
                var hit = f.Logs.Entries.FirstOrDefault(e => e.Contains(part, StringComparison.Ordinal));
                Assert.True(hit is null, $"a token or key is in the log: {hit}");
            }
        }
    }
}
