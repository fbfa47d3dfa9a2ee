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
        var grams = Trigrams(Normalize(name));
        if (grams.Count == 0) return [];
        // Shared trigram counts per customer, in an array of this thread's kept between calls (reset as it is read).
        var shared = _shared ??= [];
        if (shared.Length < _ids.Length) _shared = shared = new int[_ids.Length];
        var touched = _touched ??= [];
        touched.Clear();
        foreach (var g in grams)
            if (_postings.TryGetValue(g, out var p))
                foreach (var i in p)
                    if (shared[i]++ == 0) touched.Add(i);
        var best = new List<(int Index, double Similarity)>();
        foreach (var i in touched)
        {
            var similarity = 2.0 * shared[i] / (grams.Count + _sizes[i]);
            shared[i] = 0;
            if (similarity >= threshold) best.Add((i, similarity));
        }
        return best.OrderByDescending(x => x.Similarity).ThenBy(x => x.Index).Take(max).Select(x => (_ids[x.Index], x.Similarity)).ToList();
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
        var grams = Trigrams(word);
        foreach (var other in LongLegalForms)
        {
            var shared = grams.Count(other.Contains);
            if (2.0 * shared / (grams.Count + other.Count) >= 0.7) return true;
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
