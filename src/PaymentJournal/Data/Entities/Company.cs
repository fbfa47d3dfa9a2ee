namespace PaymentJournal.Data;

/// <summary>A company, and the setup that posting needs (the General Ledger Setup of Business Central).</summary>
public sealed class Company : Versioned
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string BusinessProfileId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    /// <summary>Allow Posting From/To of the General Ledger Setup; null means open-ended.</summary>
    public DateOnly? AllowPostingFrom { get; set; }
    public DateOnly? AllowPostingTo { get; set; }
    /// <summary>Counters of the ledgers, taken inside the posting transaction.</summary>
    public long LastEntryNumber { get; set; }
    public long LastTransactionNumber { get; set; }
}
