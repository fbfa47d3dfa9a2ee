using System.Globalization;

namespace PaymentJournal.Features.CashApplication.Matching;

/// <summary>
/// A labelled set of customers, open invoices, known account numbers and bank credits with the right answer for each,
/// made from a seed: invoice numbers written in many ways (prefixes, spaces, leading zeros, external document numbers),
/// combined, partial and over-payments, payments without any reference, payer names with typos and legal forms, several
/// customers with near-identical names, and payers who are not customers. Measures the matcher (bench/matching) and
/// keeps its quality from sliding (tests).
/// </summary>
public sealed class EvaluationSet
{
    public required IReadOnlyList<MatchCustomer> Customers { get; init; }
    public required IReadOnlyList<OpenInvoice> Invoices { get; init; }
    public required IReadOnlyList<IbanMapping> Ibans { get; init; }
    public required IReadOnlyList<Case> Cases { get; init; }

    /// <summary>A credit and the right answer: the customer and the invoices it settles (none for a stranger).</summary>
    public sealed record Case(string Kind, PaymentToMatch Payment, Guid? CustomerId, IReadOnlySet<Guid> InvoiceIds);

    private static readonly string[] First =
    [
        "Adatum", "Contoso", "Fabrikam", "Northwind", "Tailspin", "Wingtip", "Litware", "Proseware", "Alpine", "Blue Yonder", "Coho",
        "Fourth Coffee", "Graphic", "Humongous", "Lucerne", "Margie", "Relecloud", "Trey", "Wide World", "Woodgrove", "Bellows",
        "Consolidated", "Datum", "Lamna", "Nod", "Southridge", "VanArsdel", "Woodland", "Adventure", "Alpenglow", "Baltic", "Cedar",
        "Delta", "Evergreen", "Falcon", "Granite", "Harbor", "Iron", "Juniper", "Keystone", "Lakeside", "Meridian", "Nordic", "Oakridge",
        "Pinnacle", "Quarry", "Redwood", "Summit", "Timber", "Union", "Valley", "Westfield", "Yellowstone", "Zenith", "Aurora", "Beacon",
        "Crescent", "Dynamo", "Ember", "Fjord", "Glacier", "Horizon", "Indigo", "Jasper", "Kestrel", "Lumen", "Monarch", "Nimbus",
    ];

    private static readonly string[] Second =
    [
        "Traders", "Systems", "Foods", "Logistics", "Pharmaceuticals", "Software", "Bikes", "Interiors", "Energy", "Textiles", "Motors",
        "Electronics", "Furniture", "Consulting", "Builders", "Printing", "Travel", "Farms", "Labs", "Media", "Outfitters", "Supplies",
        "Hardware", "Brewing", "Marine", "Optics", "Plastics", "Robotics", "Dental", "Garden",
    ];

    private static readonly string[] Forms = ["Ltd", "GmbH", "Inc.", "AG", "LLC", "Corp.", "S.A.", "B.V.", "plc", ""];

    private static readonly string[] Strangers =
        ["Jane Doe", "Max Mustermann", "Tax Office Refund", "Interest Credit", "ATM Deposit", "Erika Musterfrau", "Card Settlement", "John Smith"];

    public static EvaluationSet Generate(int seed, int customers, int invoices, int cases)
    {
        var random = new Random(seed);
        Guid NewId() { var b = new byte[16]; random.NextBytes(b); return new Guid(b); }

        var customerList = new List<MatchCustomer>(customers);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (customerList.Count < customers)
        {
            var name = $"{Pick(random, First)} {Pick(random, Second)} {Pick(random, Forms)}".Trim();
            // Beyond the plain combinations, a place tells them apart.
            if (!names.Add(name)) name = $"{name} {Pick(random, ["North", "South", "East", "West", "Central", "International"])} {customerList.Count}";
            names.Add(name);
            customerList.Add(new MatchCustomer(NewId(), "C" + (10000 + customerList.Count).ToString(CultureInfo.InvariantCulture), name));
        }

        var invoiceList = new List<OpenInvoice>(invoices);
        var start = new DateOnly(2026, 1, 1);
        for (var i = 0; i < invoices; i++)
        {
            var customer = customerList[random.Next(customerList.Count)];
            // Some amounts recur (round prices, subscriptions), so an amount alone is often ambiguous.
            var cents = random.Next(10) == 0 ? Pick(random, [10000L, 25000L, 50000L, 99900L, 100000L, 150000L])
                : random.NextInt64(5_000, 2_000_000);
            var external = random.Next(4) == 0 ? "PO-" + random.Next(10000, 99999).ToString(CultureInfo.InvariantCulture) : "";
            invoiceList.Add(new OpenInvoice(NewId(), (100001 + i).ToString(CultureInfo.InvariantCulture), external, customer.Id, cents,
                start.AddDays(random.Next(330))));
        }
        var byCustomer = invoiceList.GroupBy(i => i.CustomerId).ToDictionary(g => g.Key, g => g.OrderBy(i => i.DueDate).ThenBy(i => i.Number).ToList());

        var ibans = new List<IbanMapping>();
        var ibanOf = new Dictionary<Guid, string>();
        foreach (var c in customerList)
        {
            var iban = "DE" + random.Next(10, 99).ToString(CultureInfo.InvariantCulture) + random.NextInt64(1_000_000_000_000_000, 9_999_999_999_999_999).ToString(CultureInfo.InvariantCulture);
            ibanOf[c.Id] = iban;
            if (random.Next(10) < 4) ibans.Add(new IbanMapping(iban, c.Id, random.Next(1, 6)));
        }

        var used = new HashSet<Guid>();
        var list = new List<Case>(cases);
        var attempts = 0;
        while (list.Count < cases && attempts++ < cases * 20)
        {
            var roll = random.Next(100);
            if (roll < 5)
            {
                list.Add(new Case("stranger", new PaymentToMatch(random.NextInt64(1_000, 500_000), Pick(random, Strangers), null,
                    [Pick(random, ["Refund", "Transfer", "Deposit", "Salary", "Thank you", ""])]), null, new HashSet<Guid>()));
                continue;
            }
            var customer = customerList[random.Next(customerList.Count)];
            if (!byCustomer.TryGetValue(customer.Id, out var open)) continue;
            var available = open.Where(i => !used.Contains(i.Id)).ToList();
            if (available.Count == 0) continue;
            var payer = Payer(random, customer.Name);
            var iban = random.Next(3) == 0 ? ibanOf[customer.Id] : null;
            var invoice = available[random.Next(available.Count)];
            string kind;
            long amount;
            List<OpenInvoice> settled = [invoice];
            List<string> texts;
            switch (roll)
            {
                case < 40:
                    kind = "invoice number";
                    amount = invoice.RemainingCents;
                    texts = [Written(random, invoice.Number)];
                    break;
                case < 48:
                    kind = "external document number";
                    if (invoice.ExternalDocumentNumber.Length == 0) continue;
                    amount = invoice.RemainingCents;
                    texts = [Pick(random, ["Your order ", "PO ", "Order "]) + invoice.ExternalDocumentNumber];
                    break;
                case < 60:
                    kind = "combined";
                    var more = available.Where(i => i != invoice).Take(random.Next(1, 3)).ToList();
                    if (more.Count == 0) continue;
                    settled = [invoice, .. more];
                    amount = settled.Sum(i => i.RemainingCents);
                    texts = random.Next(3) == 0 ? [Pick(random, ["Payment", "Invoices", "Settlement"])]
                        : [Pick(random, ["Invoices ", "Inv ", "Rechnungen "]) + string.Join(Pick(random, [", ", " ", " / ", "+"]), settled.Select(i => i.Number))];
                    break;
                case < 68:
                    kind = "partial";
                    amount = Math.Max(100, invoice.RemainingCents * random.Next(30, 90) / 100);
                    texts = [Written(random, invoice.Number)];
                    break;
                case < 73:
                    kind = "overpayment";
                    amount = invoice.RemainingCents + random.Next(100, 5_000);
                    texts = [Written(random, invoice.Number)];
                    break;
                case < 90:
                    kind = "no reference";
                    amount = invoice.RemainingCents;
                    texts = [Pick(random, ["Payment", "Thanks", "Zahlung", "", "Transfer"])];
                    break;
                default:
                    kind = "reference typo";
                    amount = invoice.RemainingCents;
                    // A digit swapped: the number no longer names the invoice; name, account and amount still can.
                    var n = invoice.Number.ToCharArray();
                    var p = random.Next(n.Length - 1);
                    (n[p], n[p + 1]) = (n[p + 1], n[p]);
                    if (n.SequenceEqual(invoice.Number)) continue;
                    texts = ["Invoice " + new string(n)];
                    break;
            }
            foreach (var i in settled) used.Add(i.Id);
            list.Add(new Case(kind, new PaymentToMatch(amount, payer, iban, texts), customer.Id, settled.Select(i => i.Id).ToHashSet()));
        }
        return new EvaluationSet { Customers = customerList, Invoices = invoiceList, Ibans = ibans, Cases = list };
    }

    /// <summary>An invoice number as payers write it.</summary>
    private static string Written(Random random, string number) => random.Next(8) switch
    {
        0 => number,
        1 => "Invoice " + number,
        2 => "INV-" + number,
        3 => "Rechnung Nr. " + number + " vom " + random.Next(1, 28).ToString(CultureInfo.InvariantCulture) + ".11.",
        4 => "INV " + number[..3] + " " + number[3..],
        5 => "R" + number,
        6 => "Payment for invoice 00" + number + " thank you",
        _ => "Ref " + number + "/" + random.Next(1, 9).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The payer's name as the bank shows it: sometimes exact, sometimes without the legal form, upper-cased or with a typo.</summary>
    private static string? Payer(Random random, string name) => random.Next(10) switch
    {
        0 => null,
        1 or 2 => name.ToUpperInvariant(),
        3 => Typo(random, name),
        4 => string.Join(' ', name.Split(' ').Take(2)),
        _ => name,
    };

    private static string Typo(Random random, string name)
    {
        var i = random.Next(1, name.Length - 1);
        return random.Next(2) == 0 ? name.Remove(i, 1) : name.Insert(i, name[i].ToString());
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    /// <summary>How the matcher did on this set.</summary>
    public Report Evaluate(Matcher matcher)
    {
        var byLevel = new Dictionary<MatchConfidence, (int Proposed, int Correct)>();
        int payable = 0, firstRight = 0, strangersProposed = 0;
        var kinds = new Dictionary<string, (int Cases, int FirstRight)>();
        foreach (var c in Cases)
        {
            var first = matcher.Propose(c.Payment).FirstOrDefault();
            var right = first is not null && c.CustomerId == first.CustomerId
                        && first.Applications.Select(a => a.InvoiceId).ToHashSet().SetEquals(c.InvoiceIds);
            if (first is not null)
            {
                var (p, r) = byLevel.GetValueOrDefault(first.Confidence);
                byLevel[first.Confidence] = (p + 1, r + (right ? 1 : 0));
            }
            if (c.CustomerId is null)
            {
                if (first is not null) strangersProposed++;
            }
            else
            {
                payable++;
                if (right) firstRight++;
            }
            var (n, k) = kinds.GetValueOrDefault(c.Kind);
            kinds[c.Kind] = (n + 1, k + (right || c.CustomerId is null && first is null ? 1 : 0));
        }
        return new Report(Cases.Count, payable, firstRight, strangersProposed, byLevel, kinds);
    }

    public sealed record Report(int Cases, int Payable, int FirstRight, int StrangersProposed,
        IReadOnlyDictionary<MatchConfidence, (int Proposed, int Correct)> ByLevel, IReadOnlyDictionary<string, (int Cases, int FirstRight)> ByKind)
    {
        public double Precision(MatchConfidence level) => ByLevel.TryGetValue(level, out var x) && x.Proposed > 0 ? (double)x.Correct / x.Proposed : 1;
        public double FirstRightShare => Payable == 0 ? 1 : (double)FirstRight / Payable;

        public override string ToString()
        {
            var lines = new List<string> { $"cases {Cases}, payable {Payable}, right first proposal {FirstRight} ({FirstRightShare:P2}), strangers given a proposal {StrangersProposed}" };
            foreach (var level in new[] { MatchConfidence.High, MatchConfidence.Medium, MatchConfidence.Low })
            {
                var (p, c) = ByLevel.GetValueOrDefault(level);
                lines.Add($"  {level}: first proposals {p}, right {c}, precision {(p == 0 ? 1 : (double)c / p):P2}, recall {(Payable == 0 ? 0 : (double)c / Payable):P2}");
            }
            foreach (var (kind, (n, k)) in ByKind.OrderBy(x => x.Key, StringComparer.Ordinal))
                lines.Add($"  {kind}: {n} cases, right {k} ({(n == 0 ? 0 : (double)k / n):P1})");
            return string.Join(Environment.NewLine, lines);
        }
    }
}
