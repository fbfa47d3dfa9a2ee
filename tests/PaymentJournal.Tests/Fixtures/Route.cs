using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// One URL shape of the API: v2.0, v2.0 in its online form, Graph with slash keys and Graph with
/// parenthesis keys. Theories name them by string so that each shape is its own test case.
/// </summary>
public sealed record Route(string Name, string Root, bool SlashKeys)
{
    public const string Company = ServiceFixture.Company;

    public static Route Of(string name) => name switch
    {
        "v2" => new(name, "/api/v2.0/", false),
        "v2-online" => new(name, "/v2.0/contoso/production/api/v2.0/", false),
        "v2-online-env" => new(name, "/v2.0/production/api/v2.0/", false),
        "graph" => new(name, "/beta/financials/", true),
        "graph-paren" => new(name, "/beta/financials/", false),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static Route V2 => Of("v2");
    public static Route Graph => Of("graph");

    public bool IsGraph => Root.StartsWith("/beta/", StringComparison.Ordinal);
    /// <summary>What a context URL starts with: Graph's paths go from its financials singleton.</summary>
    public string Context => Root + "$metadata#" + (IsGraph ? "financials/" : "");
    public string Key(string set, string id) => SlashKeys ? $"{set}/{id}" : $"{set}({id})";
    public string CompanyUrl => Root + Key("companies", Company);
    public string Set(string set) => CompanyUrl + "/" + set;
    public string Entity(string set, string id) => CompanyUrl + "/" + Key(set, id);
    public string Journal(string id) => Entity("customerPaymentJournals", id);
    public string Payments(string journal) => Journal(journal) + "/customerPayments";
    public string Payment(string journal, string id) => Journal(journal) + "/" + Key("customerPayments", id);
    public override string ToString() => Name;
}
