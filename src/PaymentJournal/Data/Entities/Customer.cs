namespace PaymentJournal.Data;

public sealed class Customer : Versioned, IPostalAddress
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Number { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string Type { get; set; } = "Company";
    public string AddressLine1 { get; set; } = "";
    public string AddressLine2 { get; set; } = "";
    public string City { get; set; } = "";
    public string State { get; set; } = "";
    public string Country { get; set; } = "";
    public string PostalCode { get; set; } = "";
    public string PhoneNumber { get; set; } = "";
    public string Email { get; set; } = "";
    public string Website { get; set; } = "";
    public string CurrencyCode { get; set; } = "";
    /// <summary>Option caption: " ", "Ship", "Invoice" or "All" (enum customerBlocked).</summary>
    public string Blocked { get; set; } = " ";
    public long CreditLimit { get; set; }
    /// <summary>Sum of the remaining amounts of the customer's open ledger entries, in cents; maintained by posting.</summary>
    public long BalanceDue { get; set; }
    /// <summary>The customer posting group, which names the receivables account posting uses.</summary>
    public Guid PostingGroupId { get; set; }

    public static readonly string[] BlockedValues = [" ", "Ship", "Invoice", "All"];
    public static readonly string[] Types = ["Person", "Company"];
}

/// <summary>A customer posting group: which G/L account holds the receivables of its customers.</summary>
public sealed class CustomerPostingGroup
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Code { get; set; } = "";
    public string Description { get; set; } = "";
    public Guid ReceivablesAccountId { get; set; }
}

/// <summary>The address and contact fields a customer and a vendor have alike.</summary>
public interface IPostalAddress
{
    string AddressLine1 { get; set; }
    string AddressLine2 { get; set; }
    string City { get; set; }
    string State { get; set; }
    string Country { get; set; }
    string PostalCode { get; set; }
    string PhoneNumber { get; set; }
    string Email { get; set; }
    string Website { get; set; }
}
