using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace PaymentJournal.Features.CashApplication.Import;

/// <summary>
/// Reads ISO 20022 bank-to-customer statements (camt.053, any <c>camt.053.001.*</c> version) and debit/credit
/// notifications (camt.054). Element names differ little between versions; where they do (the transaction amount,
/// the status, the party) both shapes are read. Never resolves a DTD or an entity: a file that has one is refused.
/// </summary>
public static class CamtReader
{
    public const string Namespace053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.";
    public const string Namespace054 = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.";

    private static XmlReaderSettings Settings(long maxCharacters) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        MaxCharactersInDocument = maxCharacters,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>True when the bytes look like XML (after a byte-order mark and white space).</summary>
    public static bool LooksLikeXml(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("\uFEFF"u8)) content = content[3..];
        var i = 0;
        while (i < content.Length && content[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return i < content.Length && content[i] == (byte)'<';
    }

    public static IReadOnlyList<ParsedStatement> Read(byte[] content)
    {
        XDocument doc;
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            using var reader = XmlReader.Create(stream, Settings(content.LongLength * 2 + 1024));
            doc = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            throw new StatementFileException("The file is not well-formed XML, or uses a DTD or entity (refused): " + e.Message, Position(e, content));
        }
        var root = doc.Root!;
        var ns = root.Name.Namespace;
        var format = ns.NamespaceName.StartsWith(Namespace053, StringComparison.Ordinal) ? StatementFormat.Camt053
            : ns.NamespaceName.StartsWith(Namespace054, StringComparison.Ordinal) ? StatementFormat.Camt054
            : throw new StatementFileException(
                $"The XML is not a camt.053 or camt.054 document (its namespace is '{ns.NamespaceName}').", Where(root));
        var x = new Names(ns);
        if (root.Name.LocalName != "Document") throw new StatementFileException("The root element must be Document.", Where(root));
        var body = root.Element(x[format == StatementFormat.Camt053 ? "BkToCstmrStmt" : "BkToCstmrDbtCdtNtfctn"])
                   ?? throw new StatementFileException(
                       $"Document has no {(format == StatementFormat.Camt053 ? "BkToCstmrStmt" : "BkToCstmrDbtCdtNtfctn")}.", Where(root));
        var parts = body.Elements(x[format == StatementFormat.Camt053 ? "Stmt" : "Ntfctn"]).ToList();
        if (parts.Count == 0) throw new StatementFileException("The document holds no statement.", Where(body));
        return parts.Select(p => ReadStatement(p, x, format)).ToList();
    }

    private static ParsedStatement ReadStatement(XElement s, Names x, StatementFormat format)
    {
        var id = Required(s, x, "Id");
        var account = s.Element(x["Acct"]) ?? throw Missing(s, "Acct");
        var iban = Text(account, x, "Id", "IBAN");
        var other = Text(account, x, "Id", "Othr", "Id");
        if (iban is null && other is null) throw Missing(account, "Id/IBAN or Id/Othr/Id");

        decimal? opening = null, closing = null;
        string? balanceCurrency = null;
        foreach (var bal in s.Elements(x["Bal"]))
        {
            var code = Text(bal, x, "Tp", "CdOrPrtry", "Cd") ?? Text(bal, x, "Tp", "CdOrPrtry", "Prtry");
            var (amount, currency) = Amount(bal, x);
            var signed = Direction(bal, x) ? amount : -amount;
            // The opening balance is OPBD, or PRCD (the previous closing) where a bank sends no OPBD.
            if (code == "OPBD" || code == "PRCD" && opening is null) opening = signed;
            else if (code == "CLBD") { closing = signed; balanceCurrency = currency; }
        }
        if (format == StatementFormat.Camt053)
        {
            if (opening is null) throw new StatementFileException("The statement has no opening balance (Bal of type OPBD or PRCD).", Where(s));
            if (closing is null) throw new StatementFileException("The statement has no closing balance (Bal of type CLBD).", Where(s));
        }

        var entries = new List<ParsedEntry>();
        foreach (var ntry in s.Elements(x["Ntry"]))
        {
            // Only booked entries change the balance; pending and information-only ones are left out.
            var status = Text(ntry, x, "Sts", "Cd") ?? Text(ntry, x, "Sts", "Prtry") ?? Text(ntry, x, "Sts");
            if (status is not null && status != "BOOK") continue;
            entries.Add(ReadEntry(ntry, x, status));
        }
        var currencyOf = Text(account, x, "Ccy") ?? balanceCurrency ?? entries.FirstOrDefault()?.Currency
                         ?? throw new StatementFileException("The statement names no currency.", Where(account));
        var from = Date(s.Element(x["FrToDt"])?.Element(x["FrDtTm"]));
        var to = Date(s.Element(x["FrToDt"])?.Element(x["ToDtTm"]));
        return new ParsedStatement(format, id, iban, other, currencyOf, opening, closing,
            from ?? (entries.Count > 0 ? entries.Min(e => e.BookingDate) : null),
            to ?? (entries.Count > 0 ? entries.Max(e => e.BookingDate) : null), entries);
    }

    private static ParsedEntry ReadEntry(XElement ntry, Names x, string? status)
    {
        var (amount, currency) = Amount(ntry, x);
        var credit = Direction(ntry, x);
        var reversal = Text(ntry, x, "RvslInd") is "true" or "1";
        var booking = DateChoice(ntry.Element(x["BookgDt"]), x);
        var value = DateChoice(ntry.Element(x["ValDt"]), x);
        var bookingDate = booking ?? value ?? throw new StatementFileException("The entry has neither a booking date nor a value date.", Where(ntry));
        var reference = Text(ntry, x, "AcctSvcrRef");
        var entryText = Text(ntry, x, "AddtlNtryInf");

        var details = ntry.Elements(x["NtryDtls"]).SelectMany(d => d.Elements(x["TxDtls"])).ToList();
        var transactions = new List<ParsedTransaction>(Math.Max(1, details.Count));
        foreach (var tx in details)
        {
            // v04 and later carry Amt on the transaction; v02 only AmtDtls/TxAmt; a single transaction may carry neither.
            var own = tx.Element(x["Amt"]) ?? tx.Element(x["AmtDtls"])?.Element(x["TxAmt"])?.Element(x["Amt"]);
            decimal txAmount;
            var txCurrency = currency;
            if (own is not null) (txAmount, txCurrency) = AmountOf(own);
            else if (details.Count == 1) txAmount = amount;
            else throw new StatementFileException("A transaction of a batch entry has no amount (Amt or AmtDtls/TxAmt/Amt).", Where(tx));
            var txCredit = Text(tx, x, "CdtDbtInd") is { } d ? ParseDirection(d, tx) : credit;
            // The other party: who paid a credit, who was paid a debit.
            var party = txCredit ? "Dbtr" : "Cdtr";
            var parties = tx.Element(x["RltdPties"]);
            var name = parties is null ? null : Text(parties, x, party, "Nm") ?? Text(parties, x, party, "Pty", "Nm")
                ?? Text(parties, x, "Ultmt" + party, "Nm") ?? Text(parties, x, "Ultmt" + party, "Pty", "Nm");
            var partyIban = parties is null ? null : Text(parties, x, party + "Acct", "Id", "IBAN") ?? Text(parties, x, party + "Acct", "Id", "Othr", "Id");
            var rmt = tx.Element(x["RmtInf"]);
            var ustrd = rmt?.Elements(x["Ustrd"]).Select(u => u.Value.Trim()).Where(u => u.Length > 0).ToList() ?? [];
            var text = ustrd.Count > 0 ? string.Join(" ", ustrd) : Text(tx, x, "AddtlTxInf") ?? (details.Count == 1 ? entryText : null);
            var structured = rmt?.Elements(x["Strd"]).Select(st => Text(st, x, "CdtrRefInf", "Ref")).FirstOrDefault(r => r is not null);
            var documents = rmt?.Elements(x["Strd"]).SelectMany(st => st.Elements(x["RfrdDocInf"]))
                .Select(r => Text(r, x, "Nb")).OfType<string>().ToList() ?? [];
            if (structured is null && documents.Count > 0) structured = string.Join(" ", documents);
            var endToEnd = Text(tx, x, "Refs", "EndToEndId");
            if (endToEnd == "NOTPROVIDED") endToEnd = null;
            transactions.Add(new ParsedTransaction(txAmount, txCurrency, txCredit, name, partyIban, text, structured, endToEnd,
                Text(tx, x, "Refs", "AcctSvcrRef") ?? reference));
        }
        if (transactions.Count == 0)
            transactions.Add(new ParsedTransaction(amount, currency, credit, null, null, entryText, null, null, reference));
        return new ParsedEntry(amount, currency, credit, reversal, bookingDate, value, reference, status, transactions);
    }

    /// <summary>Where the reader stopped; a refused DTD has no position of its own, so its declaration's line is named.</summary>
    private static string Position(XmlException e, byte[] content)
    {
        if (e.LineNumber > 0) return $"line {e.LineNumber}, column {e.LinePosition}";
        var doctype = content.AsSpan().IndexOf("<!DOCTYPE"u8);
        return doctype < 0 ? "line 1" : $"line {1 + content.AsSpan(0, doctype).Count((byte)'\n')}, the DOCTYPE declaration";
    }

    private readonly struct Names(XNamespace ns)
    {
        public XName this[string local] => ns + local;
    }

    private static string? Text(XElement e, Names x, params string[] path)
    {
        XElement? at = e;
        foreach (var step in path)
        {
            at = at.Element(x[step]);
            if (at is null) return null;
        }
        var value = at.Value.Trim();
        return value.Length == 0 ? null : value;
    }

    private static string Required(XElement e, Names x, string name) => Text(e, x, name) ?? throw Missing(e, name);

    private static StatementFileException Missing(XElement e, string name) =>
        new($"{e.Name.LocalName} has no {name}.", Where(e));

    private static (decimal Amount, string Currency) Amount(XElement e, Names x) => AmountOf(e.Element(x["Amt"]) ?? throw Missing(e, "Amt"));

    private static (decimal Amount, string Currency) AmountOf(XElement amt)
    {
        var currency = (string?)amt.Attribute("Ccy");
        if (currency is null || currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
            throw new StatementFileException("An amount has no valid currency (Ccy, three capital letters).", Where(amt));
        if (!decimal.TryParse(amt.Value.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            throw new StatementFileException($"'{StatementFileException.Clip(amt.Value)}' is not an amount (digits with a decimal point).", Where(amt));
        return (amount, currency);
    }

    private static bool Direction(XElement e, Names x) => ParseDirection(Text(e, x, "CdtDbtInd") ?? throw Missing(e, "CdtDbtInd"), e);

    private static bool ParseDirection(string code, XElement at) => code switch
    {
        "CRDT" => true,
        "DBIT" => false,
        _ => throw new StatementFileException($"CdtDbtInd must be CRDT or DBIT, not '{StatementFileException.Clip(code)}'.", Where(at)),
    };

    private static DateOnly? DateChoice(XElement? e, Names x) => e is null ? null : Date(e.Element(x["Dt"]) ?? e.Element(x["DtTm"]));

    /// <summary>A date (<c>2014-12-31</c>) or a date-time (the calendar date as written, whatever its offset).</summary>
    private static DateOnly? Date(XElement? e)
    {
        if (e is null) return null;
        var text = e.Value.Trim();
        if (text.Length >= 10 && DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            && (text.Length == 10 || text[10] == 'T'))
            return d;
        throw new StatementFileException($"'{StatementFileException.Clip(text)}' is not a date (yyyy-MM-dd) or date-time.", Where(e));
    }

    internal static string Where(XElement e)
    {
        var path = string.Join("/", e.AncestorsAndSelf().Reverse().Select(a => a.Name.LocalName));
        return e is IXmlLineInfo info && info.HasLineInfo() ? $"line {info.LineNumber}, element {path}" : "element " + path;
    }
}
