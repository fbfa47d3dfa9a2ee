namespace PaymentJournal.Data;

/// <summary>One bank statement file imported: what it was, and what it made.</summary>
public sealed class BankStatementImport : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string FileName { get; set; } = "";
    /// <summary>camt.053, camt.054, MT940 or CSV.</summary>
    public string Format { get; set; } = "";
    /// <summary>SHA-256 of the file's bytes, lower-case hex.</summary>
    public string FileHash { get; set; } = "";
    public string CsvProfileCode { get; set; } = "";
    /// <summary>The statements it made, as GUIDs separated by commas, in file order.</summary>
    public string BankStatementIds { get; set; } = "";
    public int StatementCount { get; set; }
    public int LineCount { get; set; }
    public int ProposalCount { get; set; }
}

/// <summary>One statement of an imported file.</summary>
public sealed class BankStatement : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid ImportId { get; set; }
    /// <summary>The bank's id of the statement (camt Stmt/Id, MT940 :20:/:28C:).</summary>
    public string StatementNumber { get; set; } = "";
    public string AccountIban { get; set; } = "";
    public string Currency { get; set; } = "";
    /// <summary>False for a camt.054 notification or a CSV without a balance column.</summary>
    public bool HasBalances { get; set; }
    public long OpeningBalance { get; set; }
    public long ClosingBalance { get; set; }
    public DateOnly PeriodFrom { get; set; }
    public DateOnly PeriodTo { get; set; }
    public int EntryCount { get; set; }
    public int LineCount { get; set; }
    public string FileHash { get; set; } = "";
    public string Format { get; set; } = "";
}

/// <summary>One transaction of a statement, and what the review made of it.</summary>
public sealed class BankStatementLine : Versioned
{
    public const string Open = "Open", Accepted = "Accepted", Ignored = "Ignored", Transferred = "Transferred";
    public static readonly string[] Statuses = [Open, Accepted, Ignored, Transferred];

    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid BankStatementId { get; set; }
    public int LineNumber { get; set; }
    public DateOnly BookingDate { get; set; }
    public DateOnly ValueDate { get; set; }
    /// <summary>In cents, positive; the direction is <see cref="IsCredit"/>.</summary>
    public long Amount { get; set; }
    public string Currency { get; set; } = "";
    public bool IsCredit { get; set; }
    public bool IsReversal { get; set; }
    public string CounterpartyName { get; set; } = "";
    public string CounterpartyIban { get; set; } = "";
    public string RemittanceText { get; set; } = "";
    public string StructuredReference { get; set; } = "";
    public string EndToEndId { get; set; } = "";
    public string BankReference { get; set; } = "";
    public string Status { get; set; } = Open;
    /// <summary>The customer chosen (accepted or set by hand); empty while open.</summary>
    public Guid CustomerId { get; set; }
    public string CustomerNumber { get; set; } = "";
    /// <summary>The chosen invoices for reading: "103003=870.35, 103008=1487.60".</summary>
    public string AppliedInvoices { get; set; } = "";
    /// <summary>The chosen invoices as stored: "invoiceId:number:cents" separated by ';' (cents 0: the rest, oldest first).</summary>
    public string ApplicationsData { get; set; } = "";
    public long AppliedAmount { get; set; }
    /// <summary>Why the line is as it is, when the service changed it (an invoice paid in the meantime).</summary>
    public string Note { get; set; } = "";
    public Guid JournalId { get; set; }
    /// <summary>The customer payment journal line it became.</summary>
    public Guid PaymentId { get; set; }
}

/// <summary>A proposal of the matcher for a credit line, best first (<see cref="Rank"/> 1).</summary>
public sealed class BankMatchProposal
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid LineId { get; set; }
    public int Rank { get; set; }
    public Guid CustomerId { get; set; }
    public string CustomerNumber { get; set; } = "";
    public string CustomerName { get; set; } = "";
    /// <summary>As <see cref="BankStatementLine.AppliedInvoices"/>.</summary>
    public string Invoices { get; set; } = "";
    /// <summary>As <see cref="BankStatementLine.ApplicationsData"/>.</summary>
    public string ApplicationsData { get; set; } = "";
    public long Amount { get; set; }
    public int Score { get; set; }
    /// <summary>High, Medium or Low.</summary>
    public string Confidence { get; set; } = "";
    /// <summary>The reasons in words, separated by "; ".</summary>
    public string Reasons { get; set; } = "";
}

/// <summary>How a bank's CSV export reads (see CsvProfile); empty text means "not used".</summary>
public sealed class CsvImportProfile : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Code { get; set; } = "";
    public string Delimiter { get; set; } = ",";
    public string DecimalSeparator { get; set; } = ".";
    public string DateFormat { get; set; } = "yyyy-MM-dd";
    public bool HasHeader { get; set; } = true;
    public string Encoding { get; set; } = "utf-8";
    public string Currency { get; set; } = "";
    public string AccountIban { get; set; } = "";
    public string BookingDateColumn { get; set; } = "";
    public string ValueDateColumn { get; set; } = "";
    public string AmountColumn { get; set; } = "";
    public string CreditColumn { get; set; } = "";
    public string DebitColumn { get; set; } = "";
    public string CurrencyColumn { get; set; } = "";
    public string CounterpartyNameColumn { get; set; } = "";
    public string CounterpartyIbanColumn { get; set; } = "";
    public string RemittanceColumn { get; set; } = "";
    public string ReferenceColumn { get; set; } = "";
    public string EndToEndIdColumn { get; set; } = "";
    public string BankReferenceColumn { get; set; } = "";
    public string BalanceColumn { get; set; } = "";
}

/// <summary>An account number seen on a customer's payments: learned from transferred lines, editable.</summary>
public sealed class CustomerIbanMapping : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Iban { get; set; } = "";
    public Guid CustomerId { get; set; }
    public string CustomerNumber { get; set; } = "";
    public int Payments { get; set; }
}
