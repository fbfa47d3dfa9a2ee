namespace PaymentJournal.Data;

public sealed class Vendor : Versioned, IPostalAddress
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Number { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string AddressLine1 { get; set; } = "";
    public string AddressLine2 { get; set; } = "";
    public string City { get; set; } = "";
    public string State { get; set; } = "";
    public string Country { get; set; } = "";
    public string PostalCode { get; set; } = "";
    public string PhoneNumber { get; set; } = "";
    public string Email { get; set; } = "";
    public string Website { get; set; } = "";
    public string TaxRegistrationNumber { get; set; } = "";
    public string CurrencyCode { get; set; } = "";
    public bool TaxLiable { get; set; }
    /// <summary>Option caption: " ", "Payment" or "All" (enum vendorBlocked).</summary>
    public string Blocked { get; set; } = " ";
    /// <summary>
    /// What the company owes the vendor, in cents: the sum of the remaining amounts of the vendor's open ledger entries
    /// with the sign turned (an invoice's entry is negative, a credit); maintained by posting.
    /// </summary>
    public long Balance { get; set; }
    /// <summary>The vendor posting group, which names the payables account posting uses.</summary>
    public Guid PostingGroupId { get; set; }
}

/// <summary>A vendor posting group: which G/L account holds the payables to its vendors.</summary>
public sealed class VendorPostingGroup
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Code { get; set; } = "";
    public string Description { get; set; } = "";
    public Guid PayablesAccountId { get; set; }
}
