namespace PaymentJournal.Data;

/// <summary>A G/L account. Read-only through the API, as in Business Central.</summary>
public sealed class Account : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Number { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string Category { get; set; } = "";
    public string SubCategory { get; set; } = "";
    public bool Blocked { get; set; }
    public string AccountType { get; set; } = "Posting";
    public bool DirectPosting { get; set; } = true;
    /// <summary>Sum of the G/L entries on the account, in cents; maintained by posting.</summary>
    public long NetChange { get; set; }

    public static readonly string[] Categories = ["_x0020_", "Assets", "Liabilities", "Equity", "Income", "CostofGoodsSold", "Expense"];
}
