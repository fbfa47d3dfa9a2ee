using System.Diagnostics;
using PaymentJournal.Features.CashApplication.Matching;

// Usage: dotnet run -c Release --project bench/matching [customers] [invoices] [lines] [seed] [--export DIR]
// Makes the labelled evaluation set, builds the matcher over its open invoices, proposes for every line, and prints the
// times, the process's peak resident memory and the quality report (precision and recall per confidence level).
// With --export DIR it only writes the set for a run through the service instead (see Export.cs, bench/cash-match.sh).
var at = Array.IndexOf(args, "--export");
var export = at >= 0 ? args[at + 1] : null;
if (export is not null) args = args.Where((_, i) => i != at && i != at + 1).ToArray();
var customers = args.Length > 0 ? int.Parse(args[0]) : 5_000;
var invoices = args.Length > 1 ? int.Parse(args[1]) : 100_000;
var lines = args.Length > 2 ? int.Parse(args[2]) : 10_000;
var seed = args.Length > 3 ? int.Parse(args[3]) : 20261206;

var set = EvaluationSet.Generate(seed, customers, invoices, lines);
if (export is not null)
{
    Export.Write(set, export, seed);
    return;
}
Console.WriteLine($"set: {set.Customers.Count} customers, {set.Invoices.Count} open invoices, {set.Ibans.Count} known IBANs, {set.Cases.Count} lines (seed {seed})");

var process = Process.GetCurrentProcess();
var cpuBefore = process.TotalProcessorTime;
var clock = Stopwatch.StartNew();
var matcher = new Matcher(set.Customers, set.Invoices, set.Ibans, new MatchSettings());
var built = clock.Elapsed;
process.Refresh();
var cpuBuilt = process.TotalProcessorTime - cpuBefore;
clock.Restart();
var proposals = new IReadOnlyList<MatchProposal>[set.Cases.Count];
Parallel.For(0, set.Cases.Count, i => proposals[i] = matcher.Propose(set.Cases[i].Payment));
var matched = clock.Elapsed;
Console.WriteLine($"matcher built in {built.TotalMilliseconds:0} ms; {set.Cases.Count} lines matched in {matched.TotalMilliseconds:0} ms " +
                  $"({Environment.ProcessorCount} cores); total {(built + matched).TotalMilliseconds:0} ms; " +
                  $"{proposals.Sum(p => p.Count)} proposals");
process.Refresh();
Console.WriteLine($"CPU time: building {cpuBuilt.TotalMilliseconds:0} ms, both {(process.TotalProcessorTime - cpuBefore).TotalMilliseconds:0} ms (a busy machine stretches the wall-clock times, not this)");
Console.WriteLine($"peak resident memory {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB");
Console.WriteLine(set.Evaluate(matcher));
