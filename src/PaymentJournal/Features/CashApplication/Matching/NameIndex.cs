using System.Globalization;
using System.Text;

namespace PaymentJournal.Features.CashApplication.Matching;

/// <summary>
/// Customer names by their letter trigrams, to find the customers whose name is most like a payer's. Names are compared
/// without case, accents, punctuation and legal forms (GmbH, Inc, Ltd, ...); the similarity is the Dice coefficient of
/// the two trigram sets (1 for the same name, about 0.8 for one typo in a name of 15 letters).
/// </summary>
internal sealed class NameIndex
{
    private static readonly HashSet<string> LegalForms = new(StringComparer.Ordinal)
    {
        "GMBH", "AG", "KG", "INC", "LTD", "LIMITED", "LLC", "LLP", "CORP", "CORPORATION", "CO", "COMPANY", "SA", "SAS", "SARL", "BV", "NV",
        "PLC", "OY", "AB", "AS", "SRL", "SPA", "PTY", "THE", "UND", "AND",
    };

    private readonly Guid[] _ids;
    private readonly int[] _sizes;
    private readonly Dictionary<string, List<int>> _postings = new(StringComparer.Ordinal);

    public NameIndex(IEnumerable<MatchCustomer> customers)
    {
        var list = customers.OrderBy(c => c.Number, StringComparer.Ordinal).ToList();
        _ids = list.Select(c => c.Id).ToArray();
        _sizes = new int[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            var grams = Trigrams(Normalize(list[i].Name));
            _sizes[i] = grams.Count;
            foreach (var g in grams)
            {
                if (!_postings.TryGetValue(g, out var p)) _postings[g] = p = [];
                p.Add(i);
            }
        }
    }

    /// <summary>Up to <paramref name="max"/> customers at least <paramref name="threshold"/> similar, the most similar first.</summary>
    public List<(Guid Id, double Similarity)> Similar(string name, double threshold, int max)
    {
        var normalized = Normalize(name);
        if (normalized.Length == 0) return [];
        // Shared trigram counts per customer, in an array of this thread's kept between calls (reset as it is read).
        var shared = _shared ??= [];
        if (shared.Length < _ids.Length) _shared = shared = new int[_ids.Length];
        var touched = _touched ??= [];
        touched.Clear();
        // The name's distinct trigrams (as Trigrams makes them), looked up without a string each.
        var padded = " " + normalized + " ";
        var postings = _postings.GetAlternateLookup<ReadOnlySpan<char>>();
        var grams = 0;
        for (var at = 0; at + 3 <= padded.Length; at++)
        {
            var g = padded.AsSpan(at, 3);
            if (padded.AsSpan(0, at + 2).IndexOf(g) >= 0) continue; // the same trigram earlier in the name
            grams++;
            if (postings.TryGetValue(g, out var p))
                foreach (var i in p)
                    if (shared[i]++ == 0) touched.Add(i);
        }
        // The best max, the most similar first and of equals the first customer by number, kept in order as they come.
        var best = new List<(int Index, double Similarity)>(max + 1);
        foreach (var i in touched)
        {
            var similarity = 2.0 * shared[i] / (grams + _sizes[i]);
            shared[i] = 0;
            if (similarity < threshold) continue;
            var at = best.Count;
            while (at > 0 && (best[at - 1].Similarity < similarity || best[at - 1].Similarity == similarity && best[at - 1].Index > i)) at--;
            if (at >= max) continue;
            best.Insert(at, (i, similarity));
            if (best.Count > max) best.RemoveAt(max);
        }
        var result = new List<(Guid Id, double Similarity)>(best.Count);
        foreach (var (index, similarity) in best) result.Add((_ids[index], similarity));
        return result;
    }

    [ThreadStatic] private static int[]? _shared;
    [ThreadStatic] private static List<int>? _touched;

    internal static string Normalize(string name)
    {
        var decomposed = name.Normalize(NormalizationForm.FormD);
        var b = new StringBuilder(decomposed.Length);
        foreach (var ch in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            b.Append(char.IsLetterOrDigit(ch) ? char.ToUpperInvariant(ch) : ' ');
        }
        var words = b.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !LegalForms.Contains(w) && !LongLegalForm(w));
        return string.Join(' ', words);
    }

    private static readonly HashSet<string>[] LongLegalForms =
        new[] { "CORPORATION", "INCORPORATED", "LIMITED", "COMPANY", "GESELLSCHAFT" }.Select(Trigrams).ToArray();

    /// <summary>A long legal form with a typo ("Corporaton") is still a legal form.</summary>
    private static bool LongLegalForm(string word)
    {
        if (word.Length < 6) return false;
        // The word's distinct trigrams as Trigrams makes them, compared without a string each.
        Span<char> padded = word.Length <= 62 ? stackalloc char[word.Length + 2] : new char[word.Length + 2];
        padded[0] = ' ';
        word.CopyTo(padded[1..]);
        padded[^1] = ' ';
        foreach (var other in LongLegalForms)
        {
            var forms = other.GetAlternateLookup<ReadOnlySpan<char>>();
            int grams = 0, shared = 0;
            for (var at = 0; at + 3 <= padded.Length; at++)
            {
                var g = padded.Slice(at, 3);
                if (padded[..(at + 2)].IndexOf(g) >= 0) continue; // the same trigram earlier in the word
                grams++;
                if (forms.Contains(g)) shared++;
            }
            if (2.0 * shared / (grams + other.Count) >= 0.7) return true;
        }
        return false;
    }

    private static HashSet<string> Trigrams(string normalized)
    {
        var grams = new HashSet<string>(StringComparer.Ordinal);
        if (normalized.Length == 0) return grams;
        var padded = " " + normalized + " ";
        for (var i = 0; i + 3 <= padded.Length; i++) grams.Add(padded.Substring(i, 3));
        return grams;
    }
}
