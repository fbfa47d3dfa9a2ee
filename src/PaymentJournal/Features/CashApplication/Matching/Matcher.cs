using System.Globalization;
using System.Text;

namespace PaymentJournal.Features.CashApplication.Matching;

/// <summary>
/// Proposes who paid a bank statement credit and which open invoices it settles. The evidence is Business Central's:
/// the related party (an account number seen on this customer's earlier payments, or the payer's name), document
/// numbers named in the texts (invoice or external document numbers, with spaces or prefixes), and the amount (one
/// invoice's remaining amount within the tolerance, or a combination of one customer's open invoices). The three
/// outcomes pick the confidence from Business Central's standard matching rules. Built once over the open invoices;
/// <see cref="Propose"/> is deterministic and does not change the matcher, so lines can be matched in parallel.
/// </summary>
public sealed class Matcher
{
    private enum Party { No, Partially, Fully }
    private enum Documents { No, Yes, Multiple }
    private enum Amounts { No, One, Multiple }

    private readonly MatchSettings _settings;
    private readonly Dictionary<Guid, MatchCustomer> _customers = [];
    private readonly Dictionary<Guid, OpenInvoice[]> _byCustomer;
    private readonly Dictionary<string, List<OpenInvoice>> _byDocument = new(StringComparer.Ordinal);
    private readonly long[] _amounts;
    private readonly OpenInvoice[] _byAmount;
    private readonly Dictionary<string, IbanMapping[]> _ibans;
    private readonly NameIndex _names;
    // The customers like each payer's name, kept for the matcher's life (one import): a statement names the same payers often.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<(Guid Id, double Similarity)>> _similar = new(StringComparer.Ordinal);

    public Matcher(IEnumerable<MatchCustomer> customers, IEnumerable<OpenInvoice> invoices, IEnumerable<IbanMapping> ibans, MatchSettings settings)
    {
        _settings = settings;
        foreach (var c in customers) _customers[c.Id] = c;
        var open = invoices.Where(i => i.RemainingCents > 0 && _customers.ContainsKey(i.CustomerId)).ToList();
        // The oldest first, as Business Central applies a payment without amounts to its invoices.
        _byCustomer = open.GroupBy(i => i.CustomerId)
            .ToDictionary(g => g.Key, g => g.OrderBy(i => i.DueDate).ThenBy(i => i.Number, StringComparer.Ordinal).ToArray());
        foreach (var i in open)
        {
            foreach (var key in new[] { Normalize(i.Number), Normalize(i.ExternalDocumentNumber) }.Distinct())
            {
                if (key.Length < MinDocumentLength) continue;
                if (!_byDocument.TryGetValue(key, out var list)) _byDocument[key] = list = [];
                list.Add(i);
            }
        }
        _byAmount = open.OrderBy(i => i.RemainingCents).ThenBy(i => i.Number, StringComparer.Ordinal).ToArray();
        _amounts = _byAmount.Select(i => i.RemainingCents).ToArray();
        _ibans = ibans.Where(m => _customers.ContainsKey(m.CustomerId)).GroupBy(m => Normalize(m.Iban))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(m => m.Payments).ToArray(), StringComparer.Ordinal);
        _names = new NameIndex(_customers.Values);
    }

    /// <summary>Document numbers shorter than this are not looked for in texts (Business Central's threshold).</summary>
    public const int MinDocumentLength = 4;

    /// <summary>Names at least this similar count as the same party, partially (0..1, on letter trigrams).</summary>
    public const double NameMatch = 0.65;

    /// <summary>A near-exact name counts fully only when no other customer's name is this similar.</summary>
    public const double NameRival = 0.80;

    public IReadOnlyList<MatchProposal> Propose(PaymentToMatch payment)
    {
        if (payment.AmountCents <= 0) return [];
        var named = NamedInvoices(payment.Texts);
        var iban = payment.CounterpartyIban is { Length: > 0 } raw ? Normalize(raw) : null;
        var mapped = iban is not null && _ibans.TryGetValue(iban, out var m) ? m : [];
        var similar = payment.CounterpartyName is { Length: > 0 } name
            ? _similar.GetOrAdd(name, static (n, names) => names.Similar(n, 0.5, 5), _names) : [];
        var inBand = InBand(payment.AmountCents);

        var candidates = new List<Guid>();
        void Add(Guid id) { if (!candidates.Contains(id)) candidates.Add(id); }
        foreach (var i in named.Invoices) Add(i.CustomerId);
        foreach (var x in mapped) Add(x.CustomerId);
        foreach (var (id, _) in similar) Add(id);
        // Amount alone names a payer only when few invoices have that amount.
        if (inBand.Count <= 10) foreach (var i in inBand) Add(i.CustomerId);

        var proposals = new List<MatchProposal>();
        foreach (var id in candidates)
            if (ProposeFor(id, payment, named, mapped, similar, inBand) is { } p) proposals.Add(p);
        return proposals
            .OrderByDescending(p => p.Confidence).ThenByDescending(p => p.Score)
            .ThenBy(p => p.CustomerNumber, StringComparer.Ordinal)
            .Take(_settings.MaxProposals).ToList();
    }

    private MatchProposal? ProposeFor(Guid customerId, PaymentToMatch payment, Named named, IbanMapping[] mapped,
        List<(Guid Id, double Similarity)> similar, List<OpenInvoice> inBand)
    {
        var customer = _customers[customerId];
        var open = _byCustomer.GetValueOrDefault(customerId) ?? [];
        var reasons = new List<string>();
        var score = 0;

        // The related party: the account number, else the name.
        var party = Party.No;
        if (mapped.FirstOrDefault(x => x.CustomerId == customerId) is { } mapping)
        {
            party = Party.Fully;
            score += 40;
            reasons.Add($"IBAN {mapping.Iban} seen on {mapping.Payments} earlier payment{(mapping.Payments == 1 ? "" : "s")} of this customer");
        }
        var nameScore = similar.FirstOrDefault(s => s.Id == customerId).Similarity;
        if (nameScore >= NameMatch)
        {
            // Fully when the name is as good as exact and no other customer comes close; partially otherwise.
            var rival = similar.Where(s => s.Id != customerId).Select(s => s.Similarity).DefaultIfEmpty(0).Max();
            var nameParty = nameScore >= 0.95 && rival < NameRival ? Party.Fully : Party.Partially;
            if (nameParty > party) party = nameParty;
            score += (int)Math.Round(30 * nameScore);
            reasons.Add($"name matches customer {customer.Name} {nameScore * 100:0}%");
        }

        // Document numbers named in the texts.
        var mine = named.Invoices.Where(i => i.CustomerId == customerId).ToList();
        var documents = mine.Count switch { 0 => Documents.No, 1 => Documents.Yes, _ => Documents.Multiple };
        foreach (var i in mine)
            reasons.Add(named.ByExternal.Contains(i.Id)
                ? $"order number {i.ExternalDocumentNumber} of invoice {i.Number} named in the remittance text"
                : $"invoice {i.Number} named in the remittance text");
        score += mine.Count > 0 ? 40 + 5 * Math.Min(mine.Count - 1, 3) : 0;

        // The amount: one invoice's remaining amount, or the named invoices together, or a combination.
        var amount = Amounts.No;
        List<OpenInvoice>? settles = null;
        var single = inBand.Where(i => i.CustomerId == customerId).ToList();
        if (mine.Count > 1 && Within(mine.Sum(i => i.RemainingCents), payment.AmountCents))
        {
            amount = Amounts.One;
            settles = mine;
            reasons.Add("amount equals the remaining amounts of the invoices named");
        }
        else if (single.Count > 0)
        {
            amount = single.Count == 1 ? Amounts.One : Amounts.Multiple;
            // Of several with that amount, the one named, else the oldest.
            var pick = single.FirstOrDefault(mine.Contains) ?? single.OrderBy(i => i.DueDate).ThenBy(i => i.Number, StringComparer.Ordinal).First();
            settles = [pick];
            reasons.Add(single.Count == 1
                ? $"amount equals the remaining amount of invoice {pick.Number}"
                : $"amount equals the remaining amount of {single.Count} invoices of this customer");
        }
        // A combination is looked for only for a payer already recognised: by amount alone it would be a guess.
        else if (mine.Count == 0 && party != Party.No && Combination(open, payment.AmountCents) is { } combined)
        {
            amount = Amounts.One;
            settles = combined;
            reasons.Add($"amount equals invoices {string.Join(" + ", combined.Select(i => i.Number))} together");
        }
        score += amount switch { Amounts.One => 30, Amounts.Multiple => 10, _ => 0 };

        var confidence = Rule(party, documents, amount);
        if (confidence == MatchConfidence.None) return null;

        // What the payment settles: the named invoices in the order named, else what the amount found, else the oldest.
        IReadOnlyList<OpenInvoice> order = mine.Count > 0 ? (settles is not null && settles.All(mine.Contains) ? settles : mine) : settles is not null ? settles : open;
        var applications = new List<InvoiceApplication>();
        var left = payment.AmountCents;
        foreach (var i in order)
        {
            if (left <= 0) break;
            var part = Math.Min(left, i.RemainingCents);
            applications.Add(new InvoiceApplication(i.Id, i.Number, part));
            left -= part;
        }
        if (applications.Count > 0 && left > 0) reasons.Add($"{Money(left)} more than the invoices applied");
        else if (applications.Count > 0 && applications[^1].AmountCents < order.First(i => i.Id == applications[^1].InvoiceId).RemainingCents)
            reasons.Add($"pays part of invoice {applications[^1].InvoiceNumber}");
        if (applications.Count == 0) reasons.Add("no open invoice of this customer: a payment on account");
        return new MatchProposal(customer.Id, customer.Number, customer.Name, applications, score, confidence, reasons);
    }

    /// <summary>Business Central's standard payment application rules: related party, document numbers, amount.</summary>
    private static MatchConfidence Rule(Party party, Documents documents, Amounts amount) => (party, documents, amount) switch
    {
        (Party.Fully, Documents.Multiple or Documents.Yes, Amounts.One or Amounts.Multiple) => MatchConfidence.High,
        (Party.Partially, Documents.Multiple, Amounts.One or Amounts.Multiple) => MatchConfidence.High,
        (Party.Partially, Documents.Yes, Amounts.One) => MatchConfidence.High,
        (Party.Fully, Documents.No, Amounts.One) => MatchConfidence.High,
        (Party.No, Documents.Multiple, Amounts.One or Amounts.Multiple) => MatchConfidence.High,
        (Party.Fully, Documents.Multiple or Documents.Yes, _) => MatchConfidence.Medium,
        (Party.Fully, Documents.No, Amounts.Multiple) => MatchConfidence.Medium,
        (Party.Partially, Documents.Multiple or Documents.Yes, _) => MatchConfidence.Medium,
        (Party.No, Documents.Yes, Amounts.One) => MatchConfidence.Medium,
        (Party.No, Documents.Multiple, _) => MatchConfidence.Medium,
        (Party.Partially, Documents.No, Amounts.One) => MatchConfidence.Medium,
        (Party.No, Documents.Yes, _) => MatchConfidence.Medium,
        (Party.Fully, Documents.No, Amounts.No) => MatchConfidence.Low,
        (Party.Partially, Documents.No, _) => MatchConfidence.Low,
        (Party.No, Documents.No, Amounts.One or Amounts.Multiple) => MatchConfidence.Low,
        _ => MatchConfidence.None,
    };

    private long Tolerance(long amount) => Math.Max(_settings.ToleranceCents, (long)Math.Round(amount * _settings.TolerancePercent / 100m));

    private bool Within(long remaining, long amount) => Math.Abs(remaining - amount) <= Tolerance(amount);

    /// <summary>Open invoices whose remaining amount is within the tolerance of the payment.</summary>
    private List<OpenInvoice> InBand(long amount)
    {
        var tolerance = Tolerance(amount);
        var lo = LowerBound(_amounts, amount - tolerance);
        var result = new List<OpenInvoice>();
        for (var i = lo; i < _amounts.Length && _amounts[i] <= amount + tolerance; i++) result.Add(_byAmount[i]);
        return result;
    }

    private static int LowerBound(long[] sorted, long value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// Two to <see cref="MatchSettings.MaxCombinedInvoices"/> of the customer's oldest open invoices (at most 16 looked at)
    /// whose remaining amounts add up to the payment; the combination of the fewest, then the oldest, invoices.
    /// </summary>
    private List<OpenInvoice>? Combination(OpenInvoice[] open, long amount)
    {
        var pool = new List<OpenInvoice>(16);
        foreach (var i in open)
            if (i.RemainingCents < amount && pool.Count < 16) pool.Add(i);
        if (pool.Count < 2) return null;
        var tolerance = Tolerance(amount);
        var pick = new int[_settings.MaxCombinedInvoices];
        for (var size = 2; size <= Math.Min(_settings.MaxCombinedInvoices, pool.Count); size++)
            if (Search(0, 0, 0L, size)) return pick.Take(size).Select(i => pool[i]).ToList();
        return null;

        bool Search(int start, int depth, long sum, int size)
        {
            if (depth == size) return Math.Abs(sum - amount) <= tolerance;
            for (var i = start; i <= pool.Count - (size - depth); i++)
            {
                var next = sum + pool[i].RemainingCents;
                if (next > amount + tolerance) continue;
                pick[depth] = i;
                if (Search(i + 1, depth + 1, next, size)) return true;
            }
            return false;
        }
    }

    /// <summary>The open invoices the texts name, in the order named, and which of them by their external document number.</summary>
    private sealed record Named(List<OpenInvoice> Invoices, HashSet<Guid> ByExternal);

    private Named NamedInvoices(IReadOnlyList<string> texts)
    {
        var found = new Named([], []);
        foreach (var candidate in DocumentCandidates(texts))
            if (_byDocument.TryGetValue(candidate, out var invoices))
                foreach (var i in invoices)
                {
                    if (found.Invoices.Contains(i)) continue;
                    found.Invoices.Add(i);
                    if (Normalize(i.Number) != candidate) found.ByExternal.Add(i.Id);
                }
        return found;
    }

    /// <summary>
    /// What in the texts could be a document number: each word (letters and digits, upper-cased), its digits without a
    /// letter prefix ("INV103004", "R77561") or leading zeros, and runs of two or three number groups written apart ("103 004").
    /// </summary>
    internal static List<string> DocumentCandidates(IReadOnlyList<string> texts)
    {
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string c)
        {
            if (c.Length >= MinDocumentLength && seen.Add(c)) found.Add(c);
        }
        foreach (var text in texts)
        {
            var words = Words(text);
            for (var w = 0; w < words.Count; w++)
            {
                var word = words[w];
                // The word, its digits after a letter prefix, and those digits without leading zeros.
                Add(word);
                var firstDigit = word.AsSpan().IndexOfAnyInRange('0', '9');
                if (firstDigit >= 0 && IsDigits(word.AsSpan(firstDigit)))
                {
                    var digits = firstDigit > 0 ? word[firstDigit..] : word;
                    if (firstDigit > 0) Add(digits);
                    if (digits.Length > 1 && digits[0] == '0' && digits.AsSpan().TrimStart('0').Length > 0) Add(digits.TrimStart('0'));
                }
                // A short letter prefix written apart: "PO 4711", "INV-103004".
                if (w + 1 < words.Count && word.Length <= 4 && !word.AsSpan().ContainsAnyExceptInRange('A', 'Z') && IsDigits(words[w + 1])
                    && word.Length + words[w + 1].Length >= MinDocumentLength)
                    Add(word + words[w + 1]);
                // Number groups written apart: "103 004", "10 30 04".
                if (!IsDigits(word)) continue;
                var joined = word;
                for (var k = w + 1; k < Math.Min(words.Count, w + 3) && IsDigits(words[k]); k++)
                {
                    joined += words[k];
                    Add(joined);
                }
            }
        }
        return found;
    }

    private static bool IsDigits(ReadOnlySpan<char> s) => s.Length > 0 && !s.ContainsAnyExceptInRange('0', '9');

    /// <summary>The runs of ASCII letters and digits of a text, upper-cased.</summary>
    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var rest = text.AsSpan();
        var at = 0;
        while (true)
        {
            var start = IndexOfLetterOrDigit(rest, at);
            if (start < 0) break;
            var end = start;
            while (end < rest.Length && char.IsAsciiLetterOrDigit(rest[end])) end++;
            words.Add(string.Create(end - start, (text, start), static (span, at) => at.text.AsSpan(at.start, span.Length).ToUpperInvariant(span)));
            at = end;
        }
        return words;
    }

    private static int IndexOfLetterOrDigit(ReadOnlySpan<char> s, int from)
    {
        for (var i = from; i < s.Length; i++)
            if (char.IsAsciiLetterOrDigit(s[i])) return i;
        return -1;
    }

    /// <summary>A document number as looked for: letters and digits only, upper-cased.</summary>
    internal static string Normalize(string number)
    {
        var b = new StringBuilder(number.Length);
        foreach (var ch in number) if (char.IsAsciiLetterOrDigit(ch)) b.Append(char.ToUpperInvariant(ch));
        return b.ToString();
    }

    private static string Money(long cents) => (cents / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
