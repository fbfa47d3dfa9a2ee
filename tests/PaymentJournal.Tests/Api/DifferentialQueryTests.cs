using System.Globalization;
using System.Text;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Random $filter/$orderby/$top/$skip/$select/$count queries over payments with awkward values, each evaluated here by
/// OData's rules (a small evaluator of its own, not the service's binder) and compared with the service's answer:
/// the rows, their order, the selected values and the count. Every query has a seed of its own; a failure prints it
/// with the query. PAYMENTJOURNAL_DIFF_SEED=n replays one seed; PAYMENTJOURNAL_DIFF_QUERIES=n runs n queries per
/// base seed instead of the suite's 100 (seeds 1000000.., 2000000.. and, in the ICU class, 3000000..).
/// </summary>
public abstract class DifferentialQueryTestsBase(FilterFixture f)
{
    private static readonly string C = ServiceFixture.CompanyPath();
    private const int DefaultQueriesPerSeed = 100;

    /// <summary>The base seeds of a suite run; each gives <see cref="DefaultQueriesPerSeed"/> queries.</summary>
    protected abstract int[] BaseSeeds { get; }

    private static readonly string[] Texts =
    [
        "a", "A", "b", "B", "it's", "back\\slash", "a\\tb", "a\tb", "\tlead", "trail\u00A0", "\u00A0nb\u00A0", "😀", "😀😀", "x😀y",
        "Café", "CAFÉ", "café", "Élan", "élan", "ÄÖÜ", "äöü", "Ωμέγα", "_", "-", "10", "9", " spaced ", "\uFF01", "a,b", "(x)",
        "\"q\"", "100%", "a_b", "\u3000wide\u2003", "Z", "z", "ab", "a b",
    ];

    private static readonly string[] Codes = ["D-1", "D-2", "X1", "ÄB", "A'B"];
    private static readonly decimal[] Amounts = [0m, -0.01m, 0.01m, -100m, 100.5m, -12345.67m, 1m, -1m, 250.25m, -250.25m];
    private static readonly string[] Dates = ["1999-12-31", "2000-01-01", "2024-02-29", "2024-12-31", "2025-01-01", "2030-06-15"];

    private sealed record Row(int Line, string Id, string Description, string Comment, string DocumentNumber, decimal Amount, DateOnly Date);

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private string? _path;
    private List<Row>? _rows;

    [Fact]
    public async Task Random_queries_answer_as_odata_rules_say()
    {
        var (path, rows) = await Data();
        var single = Environment.GetEnvironmentVariable("PAYMENTJOURNAL_DIFF_SEED");
        var perSeed = int.TryParse(Environment.GetEnvironmentVariable("PAYMENTJOURNAL_DIFF_QUERIES"), out var n) ? n : DefaultQueriesPerSeed;
        List<int> seeds = single is { Length: > 0 }
            ? [int.Parse(single, CultureInfo.InvariantCulture)]
            : BaseSeeds.SelectMany(s => Enumerable.Range(0, perSeed).Select(i => s * 1_000_000 + i)).ToList();

        var failures = new List<string>();
        foreach (var seed in seeds)
        {
            var failure = await RunOne(path, rows, seed);
            if (failure is not null) failures.Add(failure);
            if (failures.Count >= 5) break;
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {seeds.Count} queries differ on {f.Provider}:\n" + string.Join("\n\n", failures));
    }

    private async Task<string?> RunOne(string path, List<Row> rows, int seed)
    {
        var q = new Generator(new Random(seed)).Query();
        var url = path + "?" + string.Join("&", q.Options.Select(o => o.Key + "=" + Uri.EscapeDataString(o.Value)));
        var shown = $"seed {seed} (PAYMENTJOURNAL_DIFF_SEED={seed}): ?" + string.Join("&", q.Options.Select(o => o.Key + "=" + o.Value));
        var (status, body, _) = await f.Http.Get(url);
        if (status != 200) return $"{shown}\n  -> {status} {body?.ToJsonString()} {f.LastError()}";

        var matching = rows.Where(q.Filter).ToList();
        matching.Sort(q.Compare);
        var expected = matching.Skip(q.Skip).Take(q.Top).ToList();
        var actual = body!["value"]!.AsArray();
        var actualLines = actual.Select(x => x!["lineNumber"]!.GetValue<int>()).ToList();
        if (!actualLines.SequenceEqual(expected.Select(r => r.Line)))
            return $"{shown}\n  expected lines [{string.Join(",", expected.Select(r => r.Line / 100))}]\n  got      [{string.Join(",", actualLines.Select(l => l / 100))}] (line/100)";
        if (q.Count && body["@odata.count"]?.GetValue<long>() != matching.Count)
            return $"{shown}\n  expected count {matching.Count}, got {body["@odata.count"]}";
        for (var i = 0; i < expected.Count; i++)
        {
            var r = expected[i];
            var o = actual[i]!.AsObject();
            var names = o.Select(p => p.Key).Where(k => !k.StartsWith('@')).ToHashSet();
            if (!names.SetEquals(q.Select.Distinct())) return $"{shown}\n  selected [{string.Join(",", names)}]";
            foreach (var name in q.Select)
            {
                var ok = name switch
                {
                    "lineNumber" => o[name]!.GetValue<int>() == r.Line,
                    "description" => o[name]!.GetValue<string>() == r.Description,
                    "comment" => o[name]!.GetValue<string>() == r.Comment,
                    "documentNumber" => o[name]!.GetValue<string>() == r.DocumentNumber,
                    "amount" => o[name]!.GetValue<decimal>() == r.Amount,
                    "postingDate" => o[name]!.GetValue<string>() == r.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    _ => true,
                };
                if (!ok) return $"{shown}\n  line {r.Line}: {name} is {o[name]}";
            }
        }
        return null;
    }

    /// <summary>The payments, made once per class: every awkward text as description and comment, codes, amounts, dates.</summary>
    private async Task<(string, List<Row>)> Data()
    {
        await Gate.WaitAsync();
        try
        {
            if (_path is not null) return (_path, _rows!);
            var (status, body, _) = await f.Http.Post(C + "/customerPaymentJournals", new { code = "DIFF" + Guid.NewGuid().ToString("N")[..6] });
            Assert.True(status == 201, f.LastError());
            var path = $"{C}/customerPaymentJournals({body.Str("id")})/customerPayments";
            var random = new Random(7);
            for (var i = 0; i < Texts.Length; i++)
            {
                var (s, b, _) = await f.Http.Post(path, new
                {
                    customerNumber = "C00001",
                    description = Texts[i],
                    comment = i % 5 == 0 ? "" : Texts[random.Next(Texts.Length)],
                    documentNumber = Codes[random.Next(Codes.Length)],
                    amount = Amounts[i % Amounts.Length],
                    postingDate = Dates[random.Next(Dates.Length)],
                });
                Assert.True(s == 201, b?.ToJsonString() + f.LastError());
            }
            // The model is what the service stored (a code field is kept upper-cased), read back once.
            var (all, list, _) = await f.Http.Get(path + "?$top=1000");
            Assert.Equal(200, all);
            _rows = list!["value"]!.AsArray().Select(x => new Row(
                x!["lineNumber"]!.GetValue<int>(), x["id"]!.GetValue<string>(), x["description"]!.GetValue<string>(), x["comment"]!.GetValue<string>(),
                x["documentNumber"]!.GetValue<string>(), x["amount"]!.GetValue<decimal>(),
                DateOnly.Parse(x["postingDate"]!.GetValue<string>(), CultureInfo.InvariantCulture))).ToList();
            Assert.Equal(Texts.Length, _rows.Count);
            Assert.Equal(Texts, _rows.Select(r => r.Description));
            _path = path;
            return (_path, _rows);
        }
        finally
        {
            Gate.Release();
        }
    }

    // ------------------------------------------------------------------ the model of OData's rules

    private static int CompareText(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));
    private static int[] CodePoints(string s) => s.EnumerateRunes().Select(r => r.Value).ToArray();
    private static string FromCodePoints(IEnumerable<int> cps) => string.Concat(cps.Select(char.ConvertFromUtf32));
    private static string Literal(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
    private static string Literal(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>An expression: its OData text and its value for a row.</summary>
    private sealed record Expr<T>(string Text, Func<Row, T> Eval);

    private sealed record Query(List<KeyValuePair<string, string>> Options, Func<Row, bool> Filter, Comparison<Row> Compare, int Skip, int Top,
        bool Count, List<string> Select);

    private sealed class Generator(Random r)
    {
        private T Pick<T>(IReadOnlyList<T> items) => items[r.Next(items.Count)];
        private bool Chance(int percent) => r.Next(100) < percent;

        public Query Query()
        {
            var options = new List<KeyValuePair<string, string>>();
            Func<Row, bool> filter = _ => true;
            if (Chance(90))
            {
                var e = Bool(r.Next(3));
                options.Add(new("$filter", e.Text));
                filter = e.Eval;
            }
            var keys = new List<(string Text, Comparison<Row> Compare)>();
            for (var i = r.Next(3); i > 0; i--) keys.Add(OrderKey());
            keys.Add(("lineNumber", (a, b) => a.Line.CompareTo(b.Line)));
            options.Add(new("$orderby", string.Join(",", keys.Select(k => k.Text))));
            var skip = Chance(40) ? r.Next(12) : 0;
            var top = Chance(60) ? r.Next(16) : int.MaxValue;
            if (skip > 0) options.Add(new("$skip", skip.ToString(CultureInfo.InvariantCulture)));
            if (top != int.MaxValue) options.Add(new("$top", top.ToString(CultureInfo.InvariantCulture)));
            var count = Chance(50);
            if (count) options.Add(new("$count", "true"));
            var select = new List<string> { "lineNumber" };
            foreach (var name in new[] { "description", "comment", "documentNumber", "amount", "postingDate" })
                if (Chance(35)) select.Add(name);
            options.Add(new("$select", string.Join(",", select)));
            Comparison<Row> compare = (a, b) =>
            {
                foreach (var k in keys)
                {
                    var c = k.Compare(a, b);
                    if (c != 0) return c;
                }
                return 0;
            };
            return new Query(options, filter, compare, skip, top, count, select);
        }

        private (string, Comparison<Row>) OrderKey()
        {
            var desc = Chance(40);
            (string Text, Comparison<Row> Compare) key = r.Next(7) switch
            {
                0 => ("description", (a, b) => CompareText(a.Description, b.Description)),
                1 => ("comment", (a, b) => CompareText(a.Comment, b.Comment)),
                2 => ("amount", (a, b) => a.Amount.CompareTo(b.Amount)),
                3 => ("postingDate", (a, b) => a.Date.CompareTo(b.Date)),
                4 => ("documentNumber", (a, b) => CompareText(a.DocumentNumber, b.DocumentNumber)),
                5 => ("tolower(description)", (a, b) => CompareText(a.Description.ToLowerInvariant(), b.Description.ToLowerInvariant())),
                _ => ("length(comment)", (a, b) => CodePoints(a.Comment).Length.CompareTo(CodePoints(b.Comment).Length)),
            };
            return desc ? (key.Text + " desc", (a, b) => key.Compare(b, a)) : key;
        }

        private Expr<bool> Bool(int depth)
        {
            if (depth > 0)
            {
                switch (r.Next(4))
                {
                    case 0:
                    {
                        var (a, b) = (Bool(depth - 1), Bool(depth - 1));
                        return new($"({a.Text}) and ({b.Text})", x => a.Eval(x) && b.Eval(x));
                    }
                    case 1:
                    {
                        var (a, b) = (Bool(depth - 1), Bool(depth - 1));
                        return new($"({a.Text}) or ({b.Text})", x => a.Eval(x) || b.Eval(x));
                    }
                    case 2:
                    {
                        var a = Bool(depth - 1);
                        return new($"not ({a.Text})", x => !a.Eval(x));
                    }
                }
            }
            return r.Next(9) switch
            {
                0 or 1 => StringComparison(),
                2 => StringPredicate(),
                3 => StringIn(),
                4 => IntegerComparison(),
                5 => AmountComparison(),
                6 => DateComparison(),
                7 => CodeComparison(),
                _ => IntegerComparison(),
            };
        }

        private string TextLiteral() => Chance(15) ? "" : Chance(70) ? Pick(Texts) : Pick(new[] { "a", "é", "😀", "\t", "\u00A0", "\\", "'", "%", "_", "É" });

        private Expr<string> StringField() => Chance(50)
            ? new("description", x => x.Description)
            : new("comment", x => x.Comment);

        private Expr<string> StringExpr()
        {
            var f = StringField();
            switch (r.Next(8))
            {
                case 0: return new($"tolower({f.Text})", x => f.Eval(x).ToLowerInvariant());
                case 1: return new($"toupper({f.Text})", x => f.Eval(x).ToUpperInvariant());
                case 2: return new($"trim({f.Text})", x => f.Eval(x).Trim());
                case 3:
                {
                    var s = TextLiteral();
                    return Chance(50) ? new($"concat({f.Text},{Literal(s)})", x => f.Eval(x) + s) : new($"concat({Literal(s)},{f.Text})", x => s + f.Eval(x));
                }
                case 4:
                {
                    var k = r.Next(4);
                    return new($"substring({f.Text},{k})", x => FromCodePoints(CodePoints(f.Eval(x)).Skip(k)));
                }
                case 5:
                {
                    var (k, n) = (r.Next(3), r.Next(4));
                    return new($"substring({f.Text},{k},{n})", x => FromCodePoints(CodePoints(f.Eval(x)).Skip(k).Take(n)));
                }
                default: return f;
            }
        }

        private static readonly string[] Ops = ["eq", "ne", "gt", "ge", "lt", "le"];

        private static bool Holds(string op, int c) => op switch
        {
            "eq" => c == 0, "ne" => c != 0, "gt" => c > 0, "ge" => c >= 0, "lt" => c < 0, _ => c <= 0,
        };

        private Expr<bool> StringComparison()
        {
            var a = StringExpr();
            var op = Pick(Ops);
            if (Chance(25))
            {
                var b = StringExpr();
                return new($"{a.Text} {op} {b.Text}", x => Holds(op, CompareText(a.Eval(x), b.Eval(x))));
            }
            var s = TextLiteral();
            return new($"{a.Text} {op} {Literal(s)}", x => Holds(op, CompareText(a.Eval(x), s)));
        }

        private Expr<bool> StringPredicate()
        {
            var a = StringExpr();
            var s = TextLiteral();
            return r.Next(3) switch
            {
                0 => new($"contains({a.Text},{Literal(s)})", x => a.Eval(x).Contains(s, System.StringComparison.Ordinal)),
                1 => new($"startswith({a.Text},{Literal(s)})", x => a.Eval(x).StartsWith(s, System.StringComparison.Ordinal)),
                _ => new($"endswith({a.Text},{Literal(s)})", x => a.Eval(x).EndsWith(s, System.StringComparison.Ordinal)),
            };
        }

        private Expr<bool> StringIn()
        {
            var a = Chance(70) ? StringField() : StringExpr();
            var items = Enumerable.Range(0, 1 + r.Next(4)).Select(_ => TextLiteral()).ToList();
            return new($"{a.Text} in ({string.Join(",", items.Select(Literal))})", x => items.Contains(a.Eval(x)));
        }

        private Expr<long> IntegerExpr()
        {
            switch (r.Next(7))
            {
                case 0: return new("lineNumber", x => x.Line);
                case 1:
                {
                    var s = StringExpr();
                    return new($"length({s.Text})", x => CodePoints(s.Eval(x)).Length);
                }
                case 2:
                {
                    var s = StringField();
                    var p = Pick(new[] { "a", "😀", "b", " ", "\\", "é" });
                    return new($"indexof({s.Text},{Literal(p)})", x => IndexOf(s.Eval(x), p));
                }
                case 3: return new("year(postingDate)", x => x.Date.Year);
                case 4: return new("month(postingDate)", x => x.Date.Month);
                case 5: return new("day(postingDate)", x => x.Date.Day);
                default:
                {
                    var a = IntegerExpr();
                    var k = r.Next(-5, 6);
                    return Chance(50) ? new($"{a.Text} add {k}", x => a.Eval(x) + k) : new($"{a.Text} sub {k}", x => a.Eval(x) - k);
                }
            }
        }

        private static long IndexOf(string s, string p)
        {
            var i = s.IndexOf(p, System.StringComparison.Ordinal);
            return i < 0 ? -1 : CodePoints(s[..i]).Length;
        }

        private Expr<bool> IntegerComparison()
        {
            var a = IntegerExpr();
            var op = Pick(Ops);
            if (Chance(40))
            {
                var b = IntegerExpr();
                return new($"{a.Text} {op} {b.Text}", x => Holds(op, a.Eval(x).CompareTo(b.Eval(x))));
            }
            var k = Pick(new long[] { -1, 0, 1, 2, 3, 4, 12, 29, 2024, 2025, 20000 });
            return new($"{a.Text} {op} {k}", x => Holds(op, a.Eval(x).CompareTo(k)));
        }

        private Expr<bool> AmountComparison()
        {
            var op = Pick(Ops);
            var k = Pick(new[] { 0m, -0.01m, 0.005m, -100m, 100.5m, 1m, -1m, -12345.67m, 250.249m });
            switch (r.Next(4))
            {
                case 0:
                {
                    var m = Pick(new[] { 2m, -1m, 0.5m, 3m });
                    return new($"amount mul {Literal(m)} {op} {Literal(k)}", x => Holds(op, (x.Amount * m).CompareTo(k)));
                }
                case 1:
                {
                    var d = Pick(new[] { 0.01m, -7m, 100m });
                    return new($"amount add {Literal(d)} {op} {Literal(k)}", x => Holds(op, (x.Amount + d).CompareTo(k)));
                }
                case 2:
                {
                    var items = Enumerable.Range(0, 1 + r.Next(3)).Select(_ => Pick(Amounts)).ToList();
                    return new($"amount in ({string.Join(",", items.Select(Literal))})", x => items.Contains(x.Amount));
                }
                default: return new($"amount {op} {Literal(k)}", x => Holds(op, x.Amount.CompareTo(k)));
            }
        }

        private Expr<bool> DateComparison()
        {
            if (Chance(30))
            {
                var items = Enumerable.Range(0, 1 + r.Next(3)).Select(_ => Pick(Dates)).ToList();
                var dates = items.Select(d => DateOnly.Parse(d, CultureInfo.InvariantCulture)).ToList();
                return new($"postingDate in ({string.Join(",", items)})", x => dates.Contains(x.Date));
            }
            var op = Pick(Ops);
            var k = Pick(Dates);
            var date = DateOnly.Parse(k, CultureInfo.InvariantCulture);
            return new($"postingDate {op} {k}", x => Holds(op, x.Date.CompareTo(date)));
        }

        // Code fields hold upper case, and a constant compared with one is upper-cased first (as Business Central does).
        private Expr<bool> CodeComparison()
        {
            var s = Chance(70) ? Pick(Codes) : Pick(Codes).ToLowerInvariant();
            var upper = s.ToUpperInvariant();
            return r.Next(3) switch
            {
                0 => new($"documentNumber eq {Literal(s)}", x => x.DocumentNumber == upper),
                1 => new($"documentNumber gt {Literal(s)}", x => CompareText(x.DocumentNumber, upper) > 0),
                _ => new($"documentNumber in ({Literal(s)},'D-2')", x => x.DocumentNumber == upper || x.DocumentNumber == "D-2"),
            };
        }
    }
}

[Trait("Category", "Slow")]
public sealed class DifferentialQueryTests(FilterFixture f) : DifferentialQueryTestsBase(f), IClassFixture<FilterFixture>
{
    protected override int[] BaseSeeds => [1, 2];
}

/// <summary>The same queries on a PostgreSQL database whose default collation is ICU's (in the PostgreSQL run).</summary>
[Trait("Category", "Slow")]
public sealed class DifferentialQueryIcuTests(IcuPostgresFixture f) : DifferentialQueryTestsBase(f), IClassFixture<IcuPostgresFixture>
{
    protected override int[] BaseSeeds => [3];
}
