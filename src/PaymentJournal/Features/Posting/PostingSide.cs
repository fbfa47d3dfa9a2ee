using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Features.Posting;

/// <summary>
/// What posting a journal line does for its account type: which party, ledger, applications and invoices it writes
/// and reads, and how the amounts are signed. A customer's payment is negative (a credit to the customer) and settles
/// sales invoices, whose entries are positive; a vendor's payment is positive (a debit to the vendor) and settles
/// purchase invoices, whose entries are negative; a G/L account's line has no ledger of its own and any sign (a debit
/// to the account when positive). <see cref="JournalPoster"/> is the same for all.
/// </summary>
public sealed class PostingSide
{
    /// <summary>-1: a payment is a negative amount (customers); +1: a positive one (vendors); 0: either, not zero (G/L accounts).</summary>
    public required int PaymentSign { get; init; }
    /// <summary>"customer" or "vendor", for messages.</summary>
    public required string Party { get; init; }
    /// <summary>The fields that name the party on the line's API page, for messages.</summary>
    public required string PartyFields { get; init; }
    /// <summary>The invoices it settles, for messages.</summary>
    public required string InvoiceKind { get; init; }
    /// <summary>The posting group's account that holds what is owed, for messages.</summary>
    public required string PartyAccountName { get; init; }
    /// <summary>Why the party takes no line (blocked, say), or null.</summary>
    public required Func<PostingParty, string?> Refusal { get; init; }
    // The party's ledger: none for G/L accounts (empty names), whose lines write G/L entries only.
    public string PartyTable { get; init; } = "";
    /// <summary>The party's balance column (kept by posting), which moves by <see cref="BalanceSign"/> × amount.</summary>
    public string BalanceColumn { get; init; } = "";
    public int BalanceSign { get; init; }
    public string LedgerTable { get; init; } = "";
    public string LedgerPartyColumn { get; init; } = "";
    public string LedgerPartyNumberColumn { get; init; } = "";
    public string LedgerInvoiceColumn { get; init; } = "";
    public string ApplicationsTable { get; init; } = "";
    public string InvoicesTable { get; init; } = "";
    public bool HasLedger => LedgerTable.Length > 0;
    /// <summary>Entries a line writes: its party's ledger entry (where there is a ledger) and two G/L entries.</summary>
    public int EntriesPerLine => HasLedger ? 3 : 2;
    /// <summary>document_type of the entries a line writes.</summary>
    public string DocumentType { get; init; } = "Payment";
    /// <summary>Whether the G/L entries name the line's party (general_ledger_entries.customer_id): customer lines only.</summary>
    public bool GeneralLedgerNamesParty { get; init; }
    /// <summary>The entity sets webhook subscribers name: the lines, the ledger entries and the invoices.</summary>
    public required string LinesSet { get; init; }
    public string LedgerSet { get; init; } = "";
    public string InvoicesSet { get; init; } = "";

    public required Func<AppDb, Guid, Guid[], CancellationToken, Task<List<PostingParty>>> PartiesAsync { get; init; }
    /// <summary>The company's posting groups: group id to the account that holds what is owed.</summary>
    public required Func<AppDb, Guid, CancellationToken, Task<Dictionary<Guid, Guid>>> GroupsAsync { get; init; }
    public required Func<AppDb, Guid, Guid[], CancellationToken, Task<List<PostingInvoice>>> InvoicesAsync { get; init; }

    public static readonly PostingSide Customer = new()
    {
        PaymentSign = -1, Party = "customer", PartyFields = "customerId or customerNumber", InvoiceKind = "posted sales invoice",
        PartyAccountName = "receivables account", PartyTable = "customers", BalanceColumn = "balance_due", BalanceSign = 1,
        LedgerTable = "customer_ledger_entries", LedgerPartyColumn = "customer_id", LedgerPartyNumberColumn = "customer_number",
        LedgerInvoiceColumn = "sales_invoice_id", ApplicationsTable = "customer_ledger_applications", InvoicesTable = "sales_invoices",
        GeneralLedgerNamesParty = true, LinesSet = "customerPayments", LedgerSet = "customerLedgerEntries", InvoicesSet = "salesInvoices",
        Refusal = p => p.Blocked == "All" ? $"the customer {p.Number} is blocked for all transactions (Blocked: All)" : null,
        PartiesAsync = async (db, company, ids, ct) => await db.Customers.AsNoTracking().Where(c => c.CompanyId == company && ids.Contains(c.Id))
            .Select(c => new PostingParty(c.Id, c.Number, c.Blocked, c.PostingGroupId)).ToListAsync(ct),
        GroupsAsync = (db, company, ct) => db.CustomerPostingGroups.AsNoTracking().Where(g => g.CompanyId == company).ToDictionaryAsync(g => g.Id, g => g.ReceivablesAccountId, ct),
        InvoicesAsync = async (db, company, ids, ct) =>
        {
            var found = await db.SalesInvoices.AsNoTracking().Where(i => i.CompanyId == company && ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
            var entries = await db.CustomerLedgerEntries.AsNoTracking()
                .Where(e => e.CompanyId == company && e.DocumentType == "Invoice" && ids.Contains(e.SalesInvoiceId)).ToListAsync(ct);
            // The invoice belongs to its (sell-to) customer, as the payment page's checks have it.
            return entries.Where(e => found.ContainsKey(e.SalesInvoiceId))
                .Select(e => new PostingInvoice(found[e.SalesInvoiceId], e, found[e.SalesInvoiceId].CustomerId, found[e.SalesInvoiceId].CustomerNumber, e.RemainingAmount)).ToList();
        },
    };

    public static readonly PostingSide Vendor = new()
    {
        PaymentSign = 1, Party = "vendor", PartyFields = "vendorId or vendorNumber", InvoiceKind = "posted purchase invoice",
        PartyAccountName = "payables account", PartyTable = "vendors", BalanceColumn = "balance", BalanceSign = -1,
        LedgerTable = "vendor_ledger_entries", LedgerPartyColumn = "vendor_id", LedgerPartyNumberColumn = "vendor_number",
        LedgerInvoiceColumn = "purchase_invoice_id", ApplicationsTable = "vendor_ledger_applications", InvoicesTable = "purchase_invoices",
        LinesSet = "vendorPayments", LedgerSet = "vendorLedgerEntries", InvoicesSet = "purchaseInvoices",
        Refusal = p => p.Blocked switch
        {
            "All" => $"the vendor {p.Number} is blocked for all transactions (Blocked: All)",
            "Payment" => $"the vendor {p.Number} is blocked for payments (Blocked: Payment)",
            _ => null,
        },
        PartiesAsync = async (db, company, ids, ct) => await db.Vendors.AsNoTracking().Where(v => v.CompanyId == company && ids.Contains(v.Id))
            .Select(v => new PostingParty(v.Id, v.Number, v.Blocked, v.PostingGroupId)).ToListAsync(ct),
        GroupsAsync = (db, company, ct) => db.VendorPostingGroups.AsNoTracking().Where(g => g.CompanyId == company).ToDictionaryAsync(g => g.Id, g => g.PayablesAccountId, ct),
        InvoicesAsync = async (db, company, ids, ct) =>
        {
            var found = await db.PurchaseInvoices.AsNoTracking().Where(i => i.CompanyId == company && ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
            var entries = await db.VendorLedgerEntries.AsNoTracking()
                .Where(e => e.CompanyId == company && e.DocumentType == "Invoice" && ids.Contains(e.PurchaseInvoiceId)).ToListAsync(ct);
            // The invoice's entry is the pay-to vendor's, and so is its payment; what is open is the entry's credit.
            return entries.Where(e => found.ContainsKey(e.PurchaseInvoiceId))
                .Select(e => new PostingInvoice(found[e.PurchaseInvoiceId], e, e.VendorId, e.VendorNumber, -e.RemainingAmount)).ToList();
        },
    };

    /// <summary>
    /// G/L accounts: the line's account is its own "party" and the account its amount goes to (its posting group is
    /// the account itself); a blocked or heading account takes no line.
    /// </summary>
    public static readonly PostingSide GeneralLedger = new()
    {
        PaymentSign = 0, Party = "G/L account", PartyFields = "accountId or accountNumber", InvoiceKind = "posted invoice",
        PartyAccountName = "account", LinesSet = "journalLines", DocumentType = " ",
        Refusal = p => p.Blocked switch
        {
            "Blocked" => $"the G/L account {p.Number} is blocked",
            "Heading" => $"the G/L account {p.Number} is not a posting account",
            _ => null,
        },
        PartiesAsync = async (db, company, ids, ct) => await db.Accounts.AsNoTracking().Where(a => a.CompanyId == company && ids.Contains(a.Id))
            .Select(a => new PostingParty(a.Id, a.Number, a.Blocked ? "Blocked" : a.AccountType != "Posting" ? "Heading" : " ", a.Id)).ToListAsync(ct),
        GroupsAsync = (db, company, ct) => db.Accounts.AsNoTracking().Where(a => a.CompanyId == company).ToDictionaryAsync(a => a.Id, a => a.Id, ct),
        InvoicesAsync = (_, _, _, _) => Task.FromResult(new List<PostingInvoice>()),
    };

    /// <summary>The side of a journal's template: cash receipts post to customers, payments to vendors, general journals to G/L accounts.</summary>
    public static PostingSide Of(JournalBatch journal) => journal.Template switch
    {
        JournalTemplates.CashReceipts => Customer,
        JournalTemplates.Payments => Vendor,
        JournalTemplates.General => GeneralLedger,
        _ => throw new InvalidOperationException($"No posting for journal template {journal.Template}."),
    };
}

/// <summary>A party (customer or vendor) as posting needs it.</summary>
public sealed record PostingParty(Guid Id, string Number, string Blocked, Guid PostingGroupId);

/// <summary>
/// A posted invoice with its invoice entry, as posting needs them: the party it belongs to, and what is open on it as
/// a positive amount (<see cref="Open"/>; the entry's remaining amount turned by the side's sign).
/// </summary>
public sealed record PostingInvoice(InvoiceDocument Invoice, PartyLedgerEntry Entry, Guid PartyId, string PartyNumber, long Open);
