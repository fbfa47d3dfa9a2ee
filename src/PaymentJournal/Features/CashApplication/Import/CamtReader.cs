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

    /// <summary>
    /// The statements of the file, read as a stream: each entry is loaded, read and dropped in turn, so a large file never
    /// stands in memory as one tree. Line numbers double the cost of loading, so they are kept only on a second read
    /// made when the file is refused, to name the line of the element at fault.
    /// </summary>
    public static IReadOnlyList<ParsedStatement> Read(byte[] content)
    {
        try
        {
            return Read(content, LoadOptions.None);
        }
        catch (StatementFileException)
        {
            return Read(content, LoadOptions.SetLineInfo);
        }
    }

    private static IReadOnlyList<ParsedStatement> Read(byte[] content, LoadOptions options)
    {
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            using var reader = XmlReader.Create(stream, Settings(content.LongLength * 2 + 1024));
            reader.MoveToContent();
            var ns = XNamespace.Get(reader.NamespaceURI);
            var format = ns.NamespaceName.StartsWith(Namespace053, StringComparison.Ordinal) ? StatementFormat.Camt053
                : ns.NamespaceName.StartsWith(Namespace054, StringComparison.Ordinal) ? StatementFormat.Camt054
                : throw new StatementFileException(
                    $"The XML is not a camt.053 or camt.054 document (its namespace is '{ns.NamespaceName}').", At(reader, reader.LocalName));
            if (reader.LocalName != "Document") throw new StatementFileException("The root element must be Document.", At(reader, reader.LocalName));
            var x = new Names(ns);
            var bodyName = format == StatementFormat.Camt053 ? "BkToCstmrStmt" : "BkToCstmrDbtCdtNtfctn";
            var partName = format == StatementFormat.Camt053 ? "Stmt" : "Ntfctn";
            // The elements above the statements stand empty, so that a refused element's path names them.
            var document = new XElement(x["Document"]);
            XElement? body = null;
            var statements = new List<ParsedStatement>();
            foreach (var _ in Children(reader))
            {
                if (body is not null || reader.LocalName != bodyName || reader.NamespaceURI != ns.NamespaceName) { reader.Skip(); continue; }
                body = new XElement(x[bodyName]);
                document.Add(body);
                foreach (var __ in Children(reader))
                {
                    if (reader.LocalName != partName || reader.NamespaceURI != ns.NamespaceName) { reader.Skip(); continue; }
                    var statement = new XElement(x[partName]);
                    body.Add(statement);
                    statements.Add(ReadStatement(reader, statement, x, format, options));
                }
                if (statements.Count == 0) throw new StatementFileException("The document holds no statement.", At(reader, "Document/" + bodyName));
            }
            if (body is null) throw new StatementFileException($"Document has no {bodyName}.", At(reader, "Document"));
            while (reader.Read()) { } // the rest of the file must be well-formed too
            return statements;
        }
        catch (XmlException e)
        {
            throw new StatementFileException("The file is not well-formed XML, or uses a DTD or entity (refused): " + e.Message, Position(e, content));
        }
    }

    /// <summary>
    /// Steps the reader onto each child element of the element it stands on, and past that element's end at the end; the
    /// caller reads or skips each child.
    /// </summary>
    private static IEnumerable<bool> Children(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            yield break;
        }
        reader.Read();
        while (!reader.EOF)
        {
            var node = reader.MoveToContent();
            if (node == XmlNodeType.Element) yield return true;
            else if (node == XmlNodeType.EndElement)
            {
                reader.Read();
                yield break;
            }
            else reader.Read(); // text between elements
        }
    }

    /// <summary>The element the reader stands on, loaded with what it holds; the reader moves past it.</summary>
    private static XElement Load(XmlReader reader, LoadOptions options)
    {
        if (options == LoadOptions.None) return (XElement)XNode.ReadFrom(reader);
        XElement element;
        using (var subtree = reader.ReadSubtree()) element = XElement.Load(subtree, options);
        reader.Read(); // past the element's end tag (or the empty element)
        return element;
    }

    private static string At(XmlReader reader, string path) =>
        reader is IXmlLineInfo info && info.HasLineInfo() ? $"line {info.LineNumber}, element {path}" : "element " + path;

    private static ParsedStatement ReadStatement(XmlReader reader, XElement s, Names x, StatementFormat format, LoadOptions options)
    {
        // The statement's own elements stay in s; its entries are read one by one as they come, each under s meanwhile.
        var entries = new List<ParsedEntry>();
        foreach (var _ in Children(reader))
        {
            var child = Load(reader, options);
            s.Add(child);
            if (child.Name != x["Ntry"]) continue;
            // Only booked entries change the balance; pending and information-only ones are left out.
            var status = Text(child, x, "Sts", "Cd") ?? Text(child, x, "Sts", "Prtry") ?? Text(child, x, "Sts");
            if (status is null || status == "BOOK") entries.Add(ReadEntry(child, x, status));
            child.Remove();
        }

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

    private static string? Text(XElement e, Names x, params ReadOnlySpan<string> path)
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
