namespace PaymentJournal.Features.CashApplication.Import;

/// <summary>The file formats a bank statement import reads, detected from the file's content.</summary>
public enum StatementFormat { Camt053, Camt054, Mt940, Csv }

/// <summary>
/// One statement read from a file: camt.053 <c>Stmt</c>, camt.054 <c>Ntfctn</c>, one MT940 statement (which may span
/// several messages) or a whole CSV file. Balances are signed (credit positive); a camt.054 has none.
/// </summary>
public sealed record ParsedStatement(
    StatementFormat Format,
    string StatementId,
    string? AccountIban,
    string? AccountOther,
    string Currency,
    decimal? OpeningBalance,
    decimal? ClosingBalance,
    DateOnly? PeriodStart,
    DateOnly? PeriodEnd,
    IReadOnlyList<ParsedEntry> Entries)
{
    /// <summary>The account as the bank names it: the IBAN, or its other identification.</summary>
    public string Account => AccountIban ?? AccountOther ?? "";
}

/// <summary>
/// One booked entry of a statement and the transactions it carries: a single payment has one, a batch several
/// (camt <c>TxDtls</c>). <see cref="Amount"/> is the entry's own amount, positive, its direction in <see cref="IsCredit"/>.
/// </summary>
public sealed record ParsedEntry(
    decimal Amount,
    string Currency,
    bool IsCredit,
    bool IsReversal,
    DateOnly BookingDate,
    DateOnly? ValueDate,
    string? BankReference,
    string? Status,
    IReadOnlyList<ParsedTransaction> Transactions)
{
    /// <summary>The entry's effect on the balance: credits add, debits subtract.</summary>
    public decimal Signed => IsCredit ? Amount : -Amount;
}

/// <summary>One underlying payment of an entry, what a statement line is made of.</summary>
public sealed record ParsedTransaction(
    decimal Amount,
    string Currency,
    bool IsCredit,
    string? CounterpartyName,
    string? CounterpartyIban,
    string? RemittanceText,
    string? StructuredReference,
    string? EndToEndId,
    string? BankReference);

/// <summary>
/// A file that cannot be read as the format it claims: the message says what is wrong, <see cref="Position"/> where
/// (a line and column, an element path, a CSV row). Nothing of such a file is stored.
/// </summary>
public sealed class StatementFileException(string message, string position) : Exception(message)
{
    public string Position { get; } = position;

    /// <summary>A value of the file as quoted in a message: at most 40 characters.</summary>
    internal static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
