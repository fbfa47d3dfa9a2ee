using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PaymentJournal.Features.CashApplication.Import;

/// <summary>
/// Reads SWIFT MT940 customer statements: one or more messages per file, separated by a line holding <c>-</c> (SWIFT
/// block wrappers are skipped). A statement split over several messages (<c>:60M:</c> ... <c>:62M:</c>) is joined
/// into one. <c>:86:</c> is read in the German structured form (<c>?20</c>... subfields with SEPA keys such as
/// <c>EREF+</c> and <c>SVWZ+</c>), the Dutch <c>/EREF/.../NAME/.../REMI/</c> form, or as free text.
/// </summary>
public static partial class Mt940Reader
{
    /// <summary>True when the text starts like an MT940 file: a <c>:20:</c> tag, a SWIFT block or a bank header before one.</summary>
    public static bool LooksLikeMt940(string text)
    {
        var start = text.AsSpan().TrimStart();
        if (start.StartsWith(":20:") || start.StartsWith("{1:")) return true;
        // A few banks put a header line before the first tag.
        var first = text.IndexOf("\n:20:", StringComparison.Ordinal);
        return first >= 0 && first < 200 && (text.Contains("\n:61:", StringComparison.Ordinal) || text.Contains("\n:62F:", StringComparison.Ordinal));
    }

    private sealed record Field(string Tag, string Value, List<string> More, int Line);

    public static IReadOnlyList<ParsedStatement> Read(string text)
    {
        var messages = SplitMessages(text);
        if (messages.Count == 0) throw new StatementFileException("The file holds no MT940 message (no :20: tag).", "line 1");
        var statements = new List<ParsedStatement>();
        Builder? open = null;
        foreach (var message in messages)
        {
            var opening = message.FirstOrDefault(f => f.Tag is "60F" or "60M")
                          ?? throw new StatementFileException("The message has no opening balance (:60F: or :60M:).", $"line {message[0].Line}");
            var closing = message.FirstOrDefault(f => f.Tag is "62F" or "62M")
                          ?? throw new StatementFileException("The message has no closing balance (:62F: or :62M:).", $"line {message[0].Line}");
            var account = Value(message, "25") ?? throw new StatementFileException("The message has no account (:25:).", $"line {message[0].Line}");
            var continues = opening.Tag == "60M" && open is not null && open.Account == account;
            if (!continues)
            {
                if (open is not null) statements.Add(open.Build());
                var number = Value(message, "28C") ?? Value(message, "28");
                var reference = Value(message, "20") ?? "";
                var id = number is null ? reference : reference + "/" + number.Split('/')[0];
                var (openingAmount, openingCurrency, _) = Balance(opening);
                open = new Builder(id, account, openingCurrency, openingAmount);
            }
            ReadLines(message, open!);
            var (closingAmount, closingCurrency, closingDate) = Balance(closing);
            if (closingCurrency != open!.Currency)
                throw new StatementFileException($"The closing balance is in {closingCurrency}, the opening one in {open.Currency}.", $"line {closing.Line}");
            open.Closing = closingAmount;
            open.ClosingDate = closingDate;
            if (closing.Tag == "62F")
            {
                statements.Add(open.Build());
                open = null;
            }
        }
        if (open is not null) statements.Add(open.Build());
        return statements;
    }

    private sealed class Builder(string id, string account, string currency, decimal opening)
    {
        public string Account { get; } = account;
        public string Currency { get; } = currency;
        public List<ParsedEntry> Entries { get; } = [];
        public decimal Closing { get; set; }
        public DateOnly ClosingDate { get; set; }

        public ParsedStatement Build()
        {
            var iban = IbanLike().IsMatch(Account.Replace(" ", "")) ? Account.Replace(" ", "") : null;
            var start = Entries.Count > 0 ? Entries.Min(e => e.BookingDate) : ClosingDate;
            return new ParsedStatement(StatementFormat.Mt940, id, iban, iban is null ? Account : null, Currency, opening, Closing,
                start, ClosingDate, Entries);
        }
    }

    private static void ReadLines(List<Field> message, Builder statement)
    {
        for (var i = 0; i < message.Count; i++)
        {
            var f = message[i];
            if (f.Tag != "61") continue;
            var info = i + 1 < message.Count && message[i + 1].Tag == "86" ? message[i + 1] : null;
            statement.Entries.Add(Line(f, info, statement.Currency));
        }
    }

    private static ParsedEntry Line(Field f, Field? info, string currency)
    {
        var m = StatementLine().Match(f.Value);
        if (!m.Success)
            throw new StatementFileException(
                "The statement line (:61:) does not read as value date, [entry date], C/D/RC/RD, [funds code], amount, transaction type, reference.",
                $"line {f.Line}");
        var valueDate = ShortDate(m.Groups["value"].Value, f.Line);
        var booking = valueDate;
        if (m.Groups["entry"].Success)
        {
            var mmdd = m.Groups["entry"].Value;
            if (!int.TryParse(mmdd.AsSpan(0, 2), out var month) || !int.TryParse(mmdd.AsSpan(2, 2), out var day)
                || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(valueDate.Year, month) && !(month == 2 && day == 29))
                throw new StatementFileException($"'{mmdd}' is not an entry date (MMDD).", $"line {f.Line}");
            // The entry date has no year: the one that puts it nearest the value date.
            booking = new[] { valueDate.Year - 1, valueDate.Year, valueDate.Year + 1 }
                .Where(y => day <= DateTime.DaysInMonth(y, month))
                .Select(y => new DateOnly(y, month, day))
                .MinBy(d => Math.Abs(d.DayNumber - valueDate.DayNumber));
        }
        var mark = m.Groups["mark"].Value;
        var amount = SwiftAmount(m.Groups["amount"].Value, f.Line);
        // RC: the reversal of a credit, a debit; RD: the reversal of a debit, a credit.
        var credit = mark is "C" or "RD";
        var reversal = mark.StartsWith('R');
        var ownerReference = m.Groups["reference"].Value.Trim();
        var bankReference = m.Groups["bank"].Success ? m.Groups["bank"].Value.Trim() : null;
        var details = info is null ? Details.Empty : ReadDetails(info);
        var endToEnd = details.EndToEnd ?? (ownerReference is "" or "NONREF" ? null : ownerReference);
        var tx = new ParsedTransaction(amount, currency, credit, details.Name, details.Iban,
            details.Remittance ?? (f.More.Count > 0 ? string.Join(" ", f.More) : null), details.Structured, endToEnd, bankReference);
        return new ParsedEntry(amount, currency, credit, reversal, booking, valueDate, bankReference, "BOOK", [tx]);
    }

    private sealed record Details(string? Name, string? Iban, string? Remittance, string? Structured, string? EndToEnd)
    {
        public static readonly Details Empty = new(null, null, null, null, null);
    }

    private static Details ReadDetails(Field info)
    {
        var structured = info.Value.TrimStart();
        if (GermanStructured().IsMatch(structured))
        {
            // Physical lines break inside subfields: the lines are joined as they are, then split on ?NN.
            var text = structured + string.Concat(info.More);
            var fields = new Dictionary<int, string>();
            foreach (Match s in Subfield().Matches(text))
            {
                var code = int.Parse(s.Groups[1].Value, CultureInfo.InvariantCulture);
                fields[code] = fields.TryGetValue(code, out var before) ? before + s.Groups[2].Value : s.Groups[2].Value;
            }
            string Join(int from, int to) => string.Concat(Enumerable.Range(from, to - from + 1).Select(c => fields.GetValueOrDefault(c, "")));
            var purpose = (Join(20, 29) + Join(60, 63)).Trim();
            var name = (fields.GetValueOrDefault(32, "") + fields.GetValueOrDefault(33, "")).Trim();
            var account = fields.GetValueOrDefault(38) ?? fields.GetValueOrDefault(31);
            var iban = account is not null && IbanLike().IsMatch(account.Replace(" ", "")) ? account.Replace(" ", "") : null;
            var keys = KeyedValues(purpose, SepaKey());
            var endToEnd = keys.GetValueOrDefault("EREF");
            if (endToEnd is "NOTPROVIDED") endToEnd = null;
            var remittance = keys.GetValueOrDefault("SVWZ") ?? (purpose.Length > 0 ? purpose : null);
            return new Details(name.Length > 0 ? name : null, iban, remittance, null, endToEnd);
        }
        var whole = string.Join(" ", new[] { info.Value }.Concat(info.More)).Trim();
        if (whole.StartsWith('/') && DutchKeys().IsMatch(whole))
        {
            var parts = KeyedValues(whole, DutchKeys(), '/', ' ');
            var remittance = parts.GetValueOrDefault("REMI");
            if (remittance?.StartsWith("USTD//", StringComparison.Ordinal) == true) remittance = remittance[6..];
            var iban = parts.GetValueOrDefault("IBAN");
            return new Details(parts.GetValueOrDefault("NAME"), iban is not null && IbanLike().IsMatch(iban) ? iban : null,
                remittance, null, parts.GetValueOrDefault("EREF") is { } e && e != "NOTPROVIDED" ? e : null);
        }
        return new Details(null, null, whole.Length > 0 ? whole : null, null, null);
    }

    /// <summary>
    /// The keys a text holds (SEPA's EREF+, SVWZ+, ...; the Dutch /EREF/, /NAME/, ...) and their values, each up to the
    /// next key, trimmed of <paramref name="trim"/> (of white space when none is given); the first of a repeated key wins.
    /// </summary>
    private static Dictionary<string, string> KeyedValues(string text, Regex keys, params char[] trim)
    {
        var result = new Dictionary<string, string>();
        var matches = keys.Matches(text);
        for (var i = 0; i < matches.Count; i++)
        {
            var start = matches[i].Index + matches[i].Length;
            var end = i + 1 < matches.Count ? matches[i + 1].Index : text.Length;
            result.TryAdd(matches[i].Groups[1].Value, trim.Length == 0 ? text[start..end].Trim() : text[start..end].Trim(trim));
        }
        return result;
    }

    private static List<List<Field>> SplitMessages(string text)
    {
        var messages = new List<List<Field>>();
        List<Field>? current = null;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('{'))
            {
                // SWIFT blocks: the text block {4: holds the message; everything before it is envelope.
                var body = line.IndexOf("{4:", StringComparison.Ordinal);
                if (body < 0) continue;
                line = line[(body + 3)..];
                if (line.Length == 0) continue;
            }
            if (line.Trim() is "-" or "-}" or "")
            {
                if (line.Trim().Length > 0) current = null;
                continue;
            }
            var tag = TagLine().Match(line);
            if (tag.Success)
            {
                if (tag.Groups[1].Value == "20" || current is null)
                {
                    current = [];
                    messages.Add(current);
                }
                current.Add(new Field(tag.Groups[1].Value, line[tag.Length..], [], lineNumber));
            }
            else if (current is { Count: > 0 })
            {
                current[^1].More.Add(line);
            }
            // Text before the first tag (a bank's header line) is skipped.
        }
        return messages.Where(m => m.Count > 0).ToList();
    }

    private static string? Value(List<Field> message, string tag) => message.FirstOrDefault(f => f.Tag == tag)?.Value.Trim();

    private static (decimal Amount, string Currency, DateOnly Date) Balance(Field f)
    {
        var m = BalanceField().Match(f.Value.Trim());
        if (!m.Success)
            throw new StatementFileException($"The balance (:{f.Tag}:) does not read as C/D, date YYMMDD, currency, amount.", $"line {f.Line}");
        var amount = SwiftAmount(m.Groups["amount"].Value, f.Line);
        return (m.Groups["mark"].Value == "D" ? -amount : amount, m.Groups["currency"].Value, ShortDate(m.Groups["date"].Value, f.Line));
    }

    /// <summary>A SWIFT amount: digits and a decimal comma (<c>300,</c> is 300).</summary>
    private static decimal SwiftAmount(string text, int line)
    {
        var comma = text.IndexOf(',');
        if (comma <= 0 || comma != text.LastIndexOf(',') || text.Length > 15
            || !decimal.TryParse(text.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            throw new StatementFileException($"'{text}' is not a SWIFT amount (digits with one decimal comma).", $"line {line}");
        return amount;
    }

    private static DateOnly ShortDate(string yymmdd, int line)
    {
        // Two-digit years: 00-79 are 20xx, 80-99 are 19xx.
        if (yymmdd.Length == 6 && int.TryParse(yymmdd.AsSpan(0, 2), out var yy)
            && DateOnly.TryParseExact((yy < 80 ? "20" : "19") + yymmdd, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return d;
        throw new StatementFileException($"'{yymmdd}' is not a date (YYMMDD).", $"line {line}");
    }

    [GeneratedRegex(@"^:(\d{2}[A-Z]?):")]
    private static partial Regex TagLine();

    [GeneratedRegex(@"^(?<value>\d{6})(?<entry>\d{4})?(?<mark>RC|RD|C|D)(?<funds>[A-Z])?(?<amount>\d[\d,]*)(?<type>[NSF][A-Z0-9]{3})(?<reference>.*?)(?://(?<bank>.*))?$")]
    private static partial Regex StatementLine();

    [GeneratedRegex(@"^(?<mark>[CD])(?<date>\d{6})(?<currency>[A-Z]{3})(?<amount>\d[\d,]*)$")]
    private static partial Regex BalanceField();

    [GeneratedRegex(@"^\d{3}\s*\?\d{2}")]
    private static partial Regex GermanStructured();

    [GeneratedRegex(@"\?(\d{2})([^?]*)")]
    private static partial Regex Subfield();

    [GeneratedRegex(@"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|PURP|COAM|OAMT|SQTP)\+")]
    private static partial Regex SepaKey();

    [GeneratedRegex(@"/(EREF|ORDP|BENM|NAME|REMI|IBAN|CSID|MARF|BIC|ID|TRCD|RTRN|PREF)/")]
    private static partial Regex DutchKeys();

    [GeneratedRegex(@"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")]
    private static partial Regex IbanLike();
}
