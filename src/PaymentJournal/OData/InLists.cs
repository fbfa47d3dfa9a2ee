using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PaymentJournal.OData;

/// <summary>
/// Rewrites the lists of the <c>in</c> operator so that Microsoft.OData.Core reads each item as the literal it is.
/// The parser reads such a list as a JSON array: a quoted item's backslashes become JSON escapes, a comma inside a
/// quoted item splits it, and a date or a date-time without quotes is not valid JSON. Each string item therefore
/// becomes a JSON string with every character but ASCII letters and digits escaped, and each date or date-time a
/// JSON string; other items (numbers, GUIDs, null, typed literals) stay as they are. The parser cannot hold an empty
/// string in a list, so every string item is sent with <see cref="Marker"/> in front, which the binder takes off.
/// </summary>
public static partial class InLists
{
    /// <summary>A noncharacter put before every string item of a rewritten list.</summary>
    public const char Marker = '\uFDD0';

    public static string Rewrite(string text)
    {
        if (!text.Contains("in", StringComparison.Ordinal)) return text;
        var sb = new StringBuilder(text.Length + 16);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\'')
            {
                var end = EndOfQuoted(text, i);
                if (end < 0) return sb.Append(text, i, text.Length - i).ToString();
                sb.Append(text, i, end - i);
                i = end;
                continue;
            }
            if (IsWordChar(c))
            {
                var start = i;
                while (i < text.Length && IsWordChar(text[i])) i++;
                sb.Append(text, start, i - start);
                if (i - start == 2 && text[start] == 'i' && text[start + 1] == 'n' && start > 0 && char.IsWhiteSpace(text[start - 1]))
                {
                    var open = i;
                    while (open < text.Length && char.IsWhiteSpace(text[open])) open++;
                    if (open < text.Length && text[open] == '(' && TryList(text, open, out var list, out var next))
                    {
                        sb.Append(text, i, open - i).Append(list);
                        i = next;
                    }
                }
                continue;
            }
            sb.Append(c);
            i++;
        }
        return sb.ToString();
    }

    /// <summary>The list starting at <paramref name="open"/> ('('), rewritten; false when it is not a flat list of literals.</summary>
    private static bool TryList(string text, int open, out string list, out int next)
    {
        list = "";
        next = open;
        var items = new List<string>();
        var i = open + 1;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) return false;
            if (text[i] == ')' && items.Count == 0) break;
            string item;
            if (text[i] == '\'')
            {
                var end = EndOfQuoted(text, i);
                if (end < 0) return false;
                item = JsonString(text.Substring(i + 1, end - i - 2).Replace("''", "'", StringComparison.Ordinal));
                i = end;
            }
            else
            {
                var start = i;
                while (i >= 0 && i < text.Length && text[i] is not (',' or ')' or '('))
                    i = text[i] == '\'' ? EndOfQuoted(text, i) : i + 1;
                if (i < 0 || i >= text.Length || text[i] == '(') return false;
                item = text[start..i].TrimEnd();
                if (DateLiteral().IsMatch(item)) item = "\"" + item + "\"";
            }
            items.Add(item);
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) return false;
            if (text[i] == ')') break;
            if (text[i] != ',') return false;
            i++;
        }
        list = "(" + string.Join(",", items) + ")";
        next = i + 1;
        return true;
    }

    /// <summary>The index just past the quoted literal starting at <paramref name="start"/> ('' inside is a quote); -1 when it does not end.</summary>
    private static int EndOfQuoted(string text, int start)
    {
        var i = start + 1;
        while (i < text.Length)
        {
            if (text[i] == '\'')
            {
                if (i + 1 < text.Length && text[i + 1] == '\'') { i += 2; continue; }
                return i + 1;
            }
            i++;
        }
        return -1;
    }

    private static string JsonString(string value)
    {
        var sb = new StringBuilder(value.Length * 2 + 10).Append("\"\\ufdd0");
        foreach (var ch in value)
        {
            if (char.IsAsciiLetterOrDigit(ch)) sb.Append(ch);
            else sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
        }
        return sb.Append('"').ToString();
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '$';

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateLiteral();
}
