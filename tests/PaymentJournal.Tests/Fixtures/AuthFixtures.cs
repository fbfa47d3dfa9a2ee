using System.Security.Cryptography;
using System.Text;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>The service in ApiKey mode with keys of every kind, and a second company to keep apart.</summary>
public class ApiKeyFixture : ServiceFixture
{
    /// <summary>Company A (the demo company), read-write; given in plain text.</summary>
    public const string WriterA = "writer-a-0123456789abcdef0123456789";
    /// <summary>Company A, read only; configured by its SHA-256 hash only.</summary>
    public const string ReaderA = "reader-a-fedcba9876543210fedcba9876";
    /// <summary>Every company, read-write.</summary>
    public const string Admin = "admin-all-companies-00112233445566778899";
    /// <summary>Company B only.</summary>
    public const string WriterB = "writer-b-aabbccddeeff00112233445566";

    public static string Sha256Hex(string s) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Auth:Mode", "ApiKey"),
        new("Auth:ApiKeys:0:Name", "writer-a"), new("Auth:ApiKeys:0:Key", WriterA), new("Auth:ApiKeys:0:Companies", Company), new("Auth:ApiKeys:0:Access", "ReadWrite"),
        new("Auth:ApiKeys:1:Name", "reader-a"), new("Auth:ApiKeys:1:KeyHash", Sha256Hex(ReaderA).ToLowerInvariant()), new("Auth:ApiKeys:1:Companies:0", Company), new("Auth:ApiKeys:1:Access", "Read"),
        new("Auth:ApiKeys:2:Name", "admin"), new("Auth:ApiKeys:2:Key", Admin), new("Auth:ApiKeys:2:Companies", "*"), new("Auth:ApiKeys:2:Access", "ReadWrite"),
        new("Auth:ApiKeys:3:Name", "writer-b"), new("Auth:ApiKeys:3:KeyHash", Sha256Hex(WriterB)), new("Auth:ApiKeys:3:Companies", SecondCompany.Id), new("Auth:ApiKeys:3:Access", "ReadWrite"),
        .. FailureLimitSettings,
        .. ExtraSettings,
    ];

    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    /// <summary>
    /// Most tests send many refused credentials from one address on purpose, so the failed-authentication limit is
    /// raised here; FailedAuthLimitTests override this to run with the default.
    /// </summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> FailureLimitSettings => [new("Auth:FailureLimit:Attempts", "1000000")];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await WithDb(async db => { await SecondCompany.SeedAsync(db); return 0; });
        Http.DefaultRequestHeaders.Add("X-Api-Key", WriterA);
    }

    /// <summary>A client that sends no credential at all.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress };

    public HttpClient With(string key)
    {
        var c = Anonymous();
        c.DefaultRequestHeaders.Add("X-Api-Key", key);
        return c;
    }
}
