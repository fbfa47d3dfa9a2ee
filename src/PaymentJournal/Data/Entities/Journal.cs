namespace PaymentJournal.Data;

/// <summary>
/// The journal templates, as Business Central names its standard ones: a batch belongs to one, and its lines with it.
/// Each API page of journals and journal lines shows one template.
/// </summary>
public static class JournalTemplates
{
    public const string General = "GENERAL";
    public const string CashReceipts = "CASHRCPT";
    public const string Payments = "PAYMENT";
}

/// <summary>What a journal line posts to (Gen. Journal Line's Account Type).</summary>
public static class JournalAccountTypes
{
    public const string GLAccount = "G/L Account";
    public const string Customer = "Customer";
    public const string Vendor = "Vendor";
}

/// <summary>
/// A journal batch (Gen. Journal Batch): one table for every template. The subclasses are the kinds the API shows,
/// told apart by <see cref="Template"/>.
/// </summary>
public abstract class JournalBatch : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Template { get; set; } = "";
    public string Code { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public Guid BalancingAccountId { get; set; }
    public string BalancingAccountNumber { get; set; } = "";
    /// <summary>The journal's own number series, which document numbers default from.</summary>
    public Guid NumberSeriesId { get; set; }
}

/// <summary>A batch of the cash receipts template: customerPaymentJournals.</summary>
public sealed class CustomerPaymentJournal : JournalBatch
{
    public CustomerPaymentJournal() => Template = JournalTemplates.CashReceipts;
}

/// <summary>A batch of the payments template: vendorPaymentJournals.</summary>
public sealed class VendorPaymentJournal : JournalBatch
{
    public VendorPaymentJournal() => Template = JournalTemplates.Payments;
}

/// <summary>A batch of the general template: what journals creates, with its journalLines.</summary>
public sealed class GeneralJournal : JournalBatch
{
    public GeneralJournal() => Template = JournalTemplates.General;
}

/// <summary>
/// A journal line (Gen. Journal Line): one table for every template and account type. The account (customer, vendor)
/// is one pair of columns, account_id and account_number, which each kind of line names in its own words.
/// </summary>
public abstract class JournalLine : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid JournalId { get; set; }
    /// <summary>The batch's template; a line is always of its batch's.</summary>
    public string Template { get; set; } = "";
    /// <summary>The journal's code, kept in step when the journal's code changes.</summary>
    public string JournalCode { get; set; } = "";
    public int LineNumber { get; set; }
    public string AccountType { get; set; } = "";
    public DateOnly PostingDate { get; set; }
    public string DocumentNumber { get; set; } = "";
    public string ExternalDocumentNumber { get; set; } = "";
    /// <summary>In cents, signed as Business Central signs it: a debit to the account is positive.</summary>
    public long Amount { get; set; }
    public Guid AppliesToInvoiceId { get; set; }
    public string AppliesToInvoiceNumber { get; set; } = "";
    public string Description { get; set; } = "";
    public string Comment { get; set; } = "";
    /// <summary>Graph's contact of a customer line; empty on other lines.</summary>
    public string ContactId { get; set; } = "";
    /// <summary>Copied from the journal when the line is created (a general journal line may name its own).</summary>
    public Guid BalancingAccountId { get; set; }
    public string BalancingAccountNumber { get; set; } = "";
}

/// <summary>A line of a customer payment journal (template CASHRCPT, account type Customer): customerPayments.</summary>
public sealed class CustomerPayment : JournalLine
{
    public CustomerPayment()
    {
        Template = JournalTemplates.CashReceipts;
        AccountType = JournalAccountTypes.Customer;
    }

    /// <summary>account_id. A receipt is negative, as in the cash receipt journal.</summary>
    public Guid CustomerId { get; set; }
    /// <summary>account_number.</summary>
    public string CustomerNumber { get; set; } = "";
}

/// <summary>A line of a vendor payment journal (template PAYMENT, account type Vendor): vendorPayments.</summary>
public sealed class VendorPayment : JournalLine
{
    public VendorPayment()
    {
        Template = JournalTemplates.Payments;
        AccountType = JournalAccountTypes.Vendor;
    }

    /// <summary>account_id. A payment to the vendor is positive (a debit of what is owed).</summary>
    public Guid VendorId { get; set; }
    /// <summary>account_number.</summary>
    public string VendorNumber { get; set; } = "";
}

/// <summary>A line of a general journal (template GENERAL, account type G/L Account): journalLines.</summary>
public sealed class GeneralJournalLine : JournalLine
{
    public GeneralJournalLine()
    {
        Template = JournalTemplates.General;
        AccountType = JournalAccountTypes.GLAccount;
    }

    /// <summary>account_id: the G/L account the amount is posted to (a debit when positive).</summary>
    public Guid AccountId { get; set; }
    /// <summary>account_number.</summary>
    public string AccountNumber { get; set; } = "";
}
