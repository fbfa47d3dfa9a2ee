namespace PaymentJournal.Data;

public sealed class SalesInvoice : InvoiceDocument
{
    public string ExternalDocumentNumber { get; set; } = "";
    public Guid CustomerId { get; set; }
    public string CustomerNumber { get; set; } = "";
    public string CustomerName { get; set; } = "";
    public Guid BillToCustomerId { get; set; }
    public string BillToCustomerNumber { get; set; } = "";
}

/// <summary>What a sales and a purchase invoice have alike, beside the party they name (not mapped itself).</summary>
public abstract class InvoiceDocument : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Number { get; set; } = "";
    public DateOnly InvoiceDate { get; set; }
    public DateOnly PostingDate { get; set; }
    public DateOnly DueDate { get; set; }
    public string CurrencyCode { get; set; } = "";
    /// <summary>Option caption of the invoice's aggregate status: Draft, In Review, Open, Paid, Canceled, Corrective.</summary>
    public string Status { get; set; } = "Draft";
    public long TotalAmountExcludingTax { get; set; }
    public long TotalTaxAmount { get; set; }
    public long TotalAmountIncludingTax { get; set; }
    /// <summary>What is still to be paid of a posted invoice, in cents (positive).</summary>
    public long RemainingAmount { get; set; }

    public static readonly string[] Statuses = ["_x0020_", "Draft", "In Review", "Open", "Paid", "Canceled", "Corrective"];
    public static readonly string[] PostedStatuses = ["Open", "Paid", "Corrective", "Canceled"];
    public bool IsPosted => PostedStatuses.Contains(Status);
}

/// <summary>What a sales and a purchase invoice line have alike (not mapped itself). Lines are of type Account here.</summary>
public abstract class InvoiceLine : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid DocumentId { get; set; }
    public int Sequence { get; set; }
    public string LineType { get; set; } = "Account";
    public Guid AccountId { get; set; }
    public string LineObjectNumber { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>Scaled by 10^5, as Business Central keeps 5 decimals of quantity.</summary>
    public long Quantity { get; set; }
    public long AmountExcludingTax { get; set; }
    public long TotalTaxAmount { get; set; }
    public long AmountIncludingTax { get; set; }
}

/// <summary>A line of type Account: revenue booked to a G/L account.</summary>
public sealed class SalesInvoiceLine : InvoiceLine
{
    public long UnitPrice { get; set; }

    public static readonly string[] LineTypes = ["Comment", "Account", "Item", "Resource", "Value", "Charge", "Fixed_x0020_Asset"];
}
