using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// What posting customer payment journals should leave behind, by the rules of docs/posting.md: a journal is refused
/// whole when one of its lines names an invoice that is already paid; otherwise its lines apply in line order, each
/// up to what its invoice still has open, an overpayment stays open on the payment entry, and every receipt moves the
/// customer's balance, the cash account and the receivables account by its amount. Amounts are in cents.
/// </summary>
public sealed class LedgerModel
{
    public sealed record Line(string CustomerId, string CustomerNumber, string? InvoiceId, long Cents, string DocumentNumber);
    public sealed record Journal(string Id, IReadOnlyList<Line> Lines);

    private Dictionary<string, long> _invoices = new();
    private Dictionary<string, long> _payments = new();
    private Dictionary<string, long> _balances = new();
    private long _cash, _receivables;

    public void AddCustomer(string id) => _balances[id] = 0;

    public void AddInvoice(string id, string customerId, long cents)
    {
        _invoices[id] = cents;
        _balances[customerId] += cents;
        _receivables += cents;
    }

    public long Remaining(string invoiceId) => _invoices[invoiceId];

    /// <summary>The G/L totals the model starts from (the accounts also carry the demo data's entries); a posted invoice
    /// added after this debits the receivables.</summary>
    public void SetAccounts(long cash, long receivables) => (_cash, _receivables) = (cash, receivables);

    public LedgerModel Clone() => new()
    {
        _invoices = new(_invoices), _payments = new(_payments), _balances = new(_balances), _cash = _cash, _receivables = _receivables,
    };

    /// <summary>Posts the journal into the model; false when it is refused (and nothing changes).</summary>
    public bool Post(Journal journal)
    {
        if (journal.Lines.Any(l => l.InvoiceId is { } i && _invoices[i] == 0)) return false;
        foreach (var l in journal.Lines)
        {
            long applied = 0;
            if (l.InvoiceId is { } i)
            {
                applied = Math.Min(_invoices[i], l.Cents);
                _invoices[i] -= applied;
            }
            _payments[l.DocumentNumber] = -l.Cents + applied;
            _balances[l.CustomerId] -= l.Cents;
            _cash += l.Cents;
            _receivables -= l.Cents;
        }
        return true;
    }

    /// <summary>The model's state, one fact a line, in the form <see cref="ObserveAsync"/> reads it from the database.</summary>
    public string Render() => Render(
        _invoices.Select(kv => (kv.Key, kv.Value, kv.Value == 0 ? "Paid" : "Open")),
        _payments.Select(kv => (kv.Key, kv.Value, kv.Value != 0)),
        _balances.Select(kv => (kv.Key, kv.Value)), _cash, _receivables);

    /// <summary>The same facts from the database: the model's invoices and customers, every payment entry of those
    /// customers (one the model does not know shows up as a difference), and the cash and receivables totals.</summary>
    public async Task<string> ObserveAsync(AppDb db)
    {
        var invoiceIds = _invoices.Keys.Select(Guid.Parse).ToList();
        var customerIds = _balances.Keys.Select(Guid.Parse).ToList();
        var invoices = await db.SalesInvoices.AsNoTracking().Where(i => invoiceIds.Contains(i.Id))
            .Select(i => new { i.Id, i.RemainingAmount, i.Status }).ToListAsync();
        var payments = await db.CustomerLedgerEntries.AsNoTracking().Where(e => e.DocumentType == "Payment" && customerIds.Contains(e.CustomerId))
            .Select(e => new { e.DocumentNumber, e.RemainingAmount, e.Open }).ToListAsync();
        var customers = await db.Customers.AsNoTracking().Where(c => customerIds.Contains(c.Id)).Select(c => new { c.Id, c.BalanceDue }).ToListAsync();
        var (cash, receivables) = await AccountsAsync(db);
        return Render(
            invoices.Select(i => (i.Id.ToString(), i.RemainingAmount, i.Status)),
            payments.Select(p => (p.DocumentNumber, p.RemainingAmount, p.Open)),
            customers.Select(c => (c.Id.ToString(), c.BalanceDue)), cash, receivables);
    }

    public static async Task<(long Cash, long Receivables)> AccountsAsync(AppDb db)
    {
        var cash = await db.Accounts.AsNoTracking().Where(a => a.Id == Guid.Parse(PostingApi.Cash)).Select(a => a.NetChange).SingleAsync();
        var receivables = await db.Accounts.AsNoTracking().Where(a => a.Id == Guid.Parse(PostingApi.Receivables)).Select(a => a.NetChange).SingleAsync();
        return (cash, receivables);
    }

    private static string Render(IEnumerable<(string Id, long Remaining, string Status)> invoices, IEnumerable<(string Document, long Remaining, bool Open)> payments,
        IEnumerable<(string Id, long Balance)> customers, long cash, long receivables)
    {
        var facts = new List<string>();
        facts.AddRange(invoices.Select(i => $"invoice {i.Id}: remaining {i.Remaining}, {i.Status}"));
        facts.AddRange(payments.Select(p => $"payment {p.Document}: remaining {p.Remaining}, {(p.Open ? "open" : "closed")}"));
        facts.AddRange(customers.Select(c => $"customer {c.Id}: balance {c.Balance}"));
        facts.Sort(StringComparer.Ordinal);
        facts.Add($"cash netChange {cash}");
        facts.Add($"receivables netChange {receivables}");
        return string.Join("\n", facts);
    }

    /// <summary>The lines on which two renderings differ, for a failure message.</summary>
    public static string Diff(string expected, string observed)
    {
        var e = expected.Split('\n');
        var o = observed.Split('\n');
        return string.Join("\n", e.Except(o).Select(x => "  expected " + x).Concat(o.Except(e).Select(x => "  observed " + x)));
    }
}
