namespace PaymentJournal.Data;

/// <summary>A contact person; <see cref="CustomerId"/> is the business relation that Graph's payment contactId resolves through.</summary>
public sealed class Contact : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Number { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string Type { get; set; } = "Person";
    public string JobTitle { get; set; } = "";
    public string PhoneNumber { get; set; } = "";
    public string Email { get; set; } = "";
    public Guid CustomerId { get; set; }
    public string CustomerNumber { get; set; } = "";

    public static readonly string[] Types = ["Person", "Company"];
}
