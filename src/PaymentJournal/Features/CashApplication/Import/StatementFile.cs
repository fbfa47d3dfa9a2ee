using System.Security.Cryptography;
using System.Text;

namespace PaymentJournal.Features.CashApplication.Import;

/// <summary>A bank statement file read: its format, its statements and the SHA-256 of its bytes (to find it again).</summary>
public sealed record StatementFileContent(StatementFormat Format, string FileHash, IReadOnlyList<ParsedStatement> Statements);

/// <summary>
/// Reads a bank statement file of a format detected from its content: XML is camt.053 or camt.054, text starting with
/// MT940 tags is MT940, anything else CSV (which needs an import profile). Every statement with balances must add up:
/// opening balance plus its booked entries equals its closing balance.
/// </summary>
public static class StatementFile
{
    public static StatementFileContent Read(byte[] content, string fileName, CsvProfile? csvProfile)
    {
        if (content.Length == 0) throw new StatementFileException("The file is empty.", "byte 0");
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        IReadOnlyList<ParsedStatement> statements;
        StatementFormat format;
        if (CamtReader.LooksLikeXml(content))
        {
            statements = CamtReader.Read(content);
            format = statements[0].Format;
        }
        else
        {
            var text = Decode(content, csvProfile?.Encoding ?? "utf-8");
            if (Mt940Reader.LooksLikeMt940(text))
            {
                statements = Mt940Reader.Read(text);
                format = StatementFormat.Mt940;
            }
            else
            {
                if (csvProfile is null)
                    throw new StatementFileException("The file is not camt.053, camt.054 or MT940; a CSV file needs an import profile (csvProfile).", "line 1");
                statements = [CsvStatementReader.Read(text, csvProfile, Path.GetFileNameWithoutExtension(fileName))];
                format = StatementFormat.Csv;
            }
        }
        foreach (var s in statements) CheckBalance(s);
        return new StatementFileContent(format, hash, statements);
    }

    /// <summary>Opening balance plus the booked entries must be the closing balance; the difference is named otherwise.</summary>
    public static void CheckBalance(ParsedStatement s)
    {
        if (s.OpeningBalance is not { } opening || s.ClosingBalance is not { } closing) return;
        var moved = s.Entries.Sum(e => e.Signed);
        if (opening + moved == closing) return;
        throw new StatementFileException(
            $"Statement {s.StatementId} does not add up: opening balance {opening:0.00#####} plus its entries {moved:+0.00#####;-0.00#####} is " +
            $"{opening + moved:0.00#####}, but its closing balance is {closing:0.00#####} (difference {closing - opening - moved:0.00#####}).",
            "statement " + s.StatementId);
    }

    /// <summary>Text in the given encoding; invalid UTF-8, or UTF-16 and binary files (NUL bytes), are refused with the byte's position.</summary>
    private static string Decode(byte[] content, string encoding)
    {
        var nul = Array.IndexOf(content, (byte)0);
        if (nul >= 0) throw new StatementFileException("The file holds NUL bytes: it is binary or UTF-16, not UTF-8 text.", $"byte {nul}");
        if (encoding == "iso-8859-1") return Encoding.Latin1.GetString(content);
        var start = content.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content, start, content.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            var at = start + Math.Max(0, e.Index);
            var line = 1 + content.AsSpan(0, Math.Min(at, content.Length)).Count((byte)'\n');
            throw new StatementFileException("The file is not valid UTF-8 text (name another encoding in the import profile for CSV).", $"line {line}, byte {at}");
        }
    }
}
