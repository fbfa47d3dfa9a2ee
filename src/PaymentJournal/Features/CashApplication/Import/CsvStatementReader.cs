using System.Globalization;
using Sylvan.Data.Csv;

namespace PaymentJournal.Features.CashApplication.Import;

/// <summary>
/// How a bank's CSV export reads: its delimiter, decimal separator, date format and which column is what. Columns are
/// named by their heading (with <see cref="HasHeader"/>) or by their number from 1. Amounts are one signed column
/// (minus for money out) or a credit and a debit column. With a running balance column the statement gets its opening
/// and closing balance, and is checked like any other; without one it has none.
/// </summary>
public sealed record CsvProfile
{
    public required string Code { get; init; }
    public char Delimiter { get; init; } = ',';
    public char DecimalSeparator { get; init; } = '.';
    public string DateFormat { get; init; } = "yyyy-MM-dd";
    public bool HasHeader { get; init; } = true;
    /// <summary>utf-8 (the default) or iso-8859-1.</summary>
    public string Encoding { get; init; } = "utf-8";
    /// <summary>The currency of every line when the file has no currency column.</summary>
    public string? Currency { get; init; }
    /// <summary>The account the file is for (a CSV export rarely names it).</summary>
    public string? AccountIban { get; init; }

    public required string BookingDateColumn { get; init; }
    public string? ValueDateColumn { get; init; }
    public string? AmountColumn { get; init; }
    public string? CreditColumn { get; init; }
    public string? DebitColumn { get; init; }
    public string? CurrencyColumn { get; init; }
    public string? CounterpartyNameColumn { get; init; }
    public string? CounterpartyIbanColumn { get; init; }
    public string? RemittanceColumn { get; init; }
    public string? ReferenceColumn { get; init; }
    public string? EndToEndIdColumn { get; init; }
    public string? BankReferenceColumn { get; init; }
    public string? BalanceColumn { get; init; }

    /// <summary>What is wrong with the profile itself, or null when it can be used.</summary>
    public string? Problem()
    {
        if (Delimiter is '\r' or '\n' or '"') return "The delimiter cannot be a line break or a quote.";
        if (DecimalSeparator is not ('.' or ',')) return "The decimal separator must be '.' or ','.";
        if (DecimalSeparator == Delimiter) return "The decimal separator and the delimiter must differ.";
        if (Encoding is not ("utf-8" or "iso-8859-1")) return "The encoding must be utf-8 or iso-8859-1.";
        try { _ = DateTime.Now.ToString(DateFormat, CultureInfo.InvariantCulture); }
        catch (FormatException) { return $"'{DateFormat}' is not a date format."; }
        if (AmountColumn is null == (CreditColumn is null && DebitColumn is null))
            return "Name either an amount column (signed) or a credit and a debit column.";
        if (AmountColumn is null && (CreditColumn is null || DebitColumn is null)) return "Name both the credit and the debit column.";
        if (CurrencyColumn is null && (Currency is null || Currency.Length != 3 || !Currency.All(char.IsAsciiLetterUpper)))
            return "Name a currency column, or the currency (three capital letters) of every line.";
        if (!HasHeader && Columns().Any(c => !int.TryParse(c, out var n) || n < 1))
            return "Without a header row, columns are named by their number, from 1.";
        return null;
    }

    internal IEnumerable<string> Columns() =>
        new[] { BookingDateColumn, ValueDateColumn, AmountColumn, CreditColumn, DebitColumn, CurrencyColumn, CounterpartyNameColumn,
            CounterpartyIbanColumn, RemittanceColumn, ReferenceColumn, EndToEndIdColumn, BankReferenceColumn, BalanceColumn }.OfType<string>();
}

public static class CsvStatementReader
{
    public static ParsedStatement Read(string text, CsvProfile profile, string statementId)
    {
        if (profile.Problem() is { } problem) throw new StatementFileException($"Import profile '{profile.Code}': {problem}", "profile");
        using var csv = CsvDataReader.Create(new StringReader(text), new CsvDataReaderOptions
        {
            Delimiter = profile.Delimiter,
            HasHeaders = profile.HasHeader,
            // Every field is read as text and parsed here, so the errors name the row and the column.
            Culture = CultureInfo.InvariantCulture,
        });
        int Ordinal(string? column)
        {
            if (column is null) return -1;
            if (!profile.HasHeader) return int.Parse(column, CultureInfo.InvariantCulture) - 1;
            for (var i = 0; i < csv.FieldCount; i++)
                if (string.Equals(csv.GetName(i).Trim(), column.Trim(), StringComparison.OrdinalIgnoreCase)) return i;
            throw new StatementFileException($"The file has no column '{column}' that import profile '{profile.Code}' names.", "row 1 (the header)");
        }
        var booking = Ordinal(profile.BookingDateColumn);
        var value = Ordinal(profile.ValueDateColumn);
        var amount = Ordinal(profile.AmountColumn);
        var credit = Ordinal(profile.CreditColumn);
        var debit = Ordinal(profile.DebitColumn);
        var currency = Ordinal(profile.CurrencyColumn);
        var name = Ordinal(profile.CounterpartyNameColumn);
        var iban = Ordinal(profile.CounterpartyIbanColumn);
        var remittance = Ordinal(profile.RemittanceColumn);
        var reference = Ordinal(profile.ReferenceColumn);
        var endToEnd = Ordinal(profile.EndToEndIdColumn);
        var bankReference = Ordinal(profile.BankReferenceColumn);
        var balance = Ordinal(profile.BalanceColumn);
        var number = new NumberFormatInfo
        {
            NumberDecimalSeparator = profile.DecimalSeparator.ToString(),
            NumberGroupSeparator = profile.DecimalSeparator == ',' ? "." : ",",
        };

        var entries = new List<ParsedEntry>();
        var balances = new List<decimal>();
        var row = profile.HasHeader ? 1 : 0;
        while (csv.Read())
        {
            row++;
            var fields = csv.RowFieldCount;
            string? Field(int i, string column)
            {
                if (i < 0) return null;
                if (i >= fields) throw new StatementFileException($"The row has {fields} fields; column '{column}' is missing.", $"row {row}");
                var s = csv.GetString(i).Trim();
                return s.Length == 0 ? null : s;
            }
            // A row with nothing in it (a trailing empty line) is not a line.
            if (Enumerable.Range(0, fields).All(i => csv.GetString(i).Trim().Length == 0)) continue;
            decimal Number(int i, string column)
            {
                var s = Field(i, column);
                if (s is null) return 0m;
                if (!decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowThousands, number, out var d))
                    throw new StatementFileException($"'{StatementFileException.Clip(s)}' in column '{column}' is not an amount with '{profile.DecimalSeparator}' as decimal separator.", $"row {row}");
                return d;
            }
            DateOnly? Date(int i, string column)
            {
                var s = Field(i, column);
                if (s is null) return null;
                if (!DateOnly.TryParseExact(s, profile.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                    throw new StatementFileException($"'{StatementFileException.Clip(s)}' in column '{column}' is not a date in the format {profile.DateFormat}.", $"row {row}");
                return d;
            }
            var bookingDate = Date(booking, profile.BookingDateColumn)
                              ?? throw new StatementFileException($"Column '{profile.BookingDateColumn}' (the booking date) is empty.", $"row {row}");
            var signed = amount >= 0 ? Number(amount, profile.AmountColumn!)
                : Math.Abs(Number(credit, profile.CreditColumn!)) - Math.Abs(Number(debit, profile.DebitColumn!));
            if (signed == 0) throw new StatementFileException("The line has no amount (zero or empty).", $"row {row}");
            var lineCurrency = Field(currency, profile.CurrencyColumn ?? "") ?? profile.Currency
                               ?? throw new StatementFileException($"Column '{profile.CurrencyColumn}' (the currency) is empty.", $"row {row}");
            if (lineCurrency.Length != 3 || !lineCurrency.All(char.IsAsciiLetterUpper))
                throw new StatementFileException($"'{StatementFileException.Clip(lineCurrency)}' is not a currency code.", $"row {row}");
            var bankRef = Field(bankReference, profile.BankReferenceColumn ?? "");
            var tx = new ParsedTransaction(Math.Abs(signed), lineCurrency, signed > 0, Field(name, profile.CounterpartyNameColumn ?? ""),
                Field(iban, profile.CounterpartyIbanColumn ?? "")?.Replace(" ", "").ToUpperInvariant(), Field(remittance, profile.RemittanceColumn ?? ""),
                Field(reference, profile.ReferenceColumn ?? ""), Field(endToEnd, profile.EndToEndIdColumn ?? ""), bankRef);
            entries.Add(new ParsedEntry(Math.Abs(signed), lineCurrency, signed > 0, false, bookingDate, Date(value, profile.ValueDateColumn ?? ""),
                bankRef, "BOOK", [tx]));
            if (balance >= 0) balances.Add(Number(balance, profile.BalanceColumn!));
        }
        if (entries.Count == 0) throw new StatementFileException("The file has no lines.", $"row {row}");
        var currencies = entries.Select(e => e.Currency).Distinct().ToList();
        if (currencies.Count > 1) throw new StatementFileException($"The lines are in several currencies ({string.Join(", ", currencies)}); one statement has one.", "file");

        decimal? opening = null, closing = null;
        if (balance >= 0)
        {
            // Newest first or oldest first: the running balance before the oldest line and after the newest.
            var newestFirst = entries[0].BookingDate > entries[^1].BookingDate;
            var (first, last) = newestFirst ? (entries.Count - 1, 0) : (0, entries.Count - 1);
            opening = balances[first] - entries[first].Signed;
            closing = balances[last];
        }
        return new ParsedStatement(StatementFormat.Csv, statementId, profile.AccountIban?.Replace(" ", "").ToUpperInvariant(), null, currencies[0],
            opening, closing, entries.Min(e => e.BookingDate), entries.Max(e => e.BookingDate), entries);
    }

}
