using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Features.Posting;

/// <summary>
/// What posting a journal line does for its account type: which party, ledger, applications and invoices it writes
/// and reads, and how the amounts are signed. A customer's payment is negative (a credit to the customer) and settles
/// sales invoices, whose entries are positive; a vendor's payment is positive (a debit to the vendor) and settles
/// purchase invoices, whose entries are negative. <see cref="JournalPoster"/> is the same for both.
/// </summary>
public sealed class PostingSide
{
    /// <summary>-1: a payment is a negative amount (customers); +1: a positive one (vendors).</summary>
    public required int PaymentSign { get; init; }
    /// <summary>"customer" or "vendor", for messages.</summary>
    public required string Party { get; init; }
    /// <summary>The fields that name the party on the line's API page, for messages.</summary>
    public required string PartyFields { get; init; }
    /// <summary>The invoices it settles, for messages.</summary>
    public required string InvoiceKind { get; init; }
    /// <summary>The posting group's account that holds what is owed, for messages.</summary>
    public required string PartyAccountName { get; init; }
    public required string PartyTable { get; init; }
    /// <summary>The party's balance column (kept by posting), which moves by <see cref="BalanceSign"/> × amount.</summary>
    public required string BalanceColumn { get; init; }
    public required int BalanceSign { get; init; }
    public required string LedgerTable { get; init; }
    public required string LedgerPartyColumn { get; init; }
    public required string LedgerPartyNumberColumn { get; init; }
    public required string LedgerInvoiceColumn { get; init; }
    public required string ApplicationsTable { get; init; }
    public required string InvoicesTable { get; init; }
    /// <summary>The column of general_ledger_entries that names the party, or null where there is none.</summary>
    public string? GeneralLedgerPartyColumn { get; init; }
    /// <summary>The entity sets webhook subscribers name: the lines, the ledger entries and the invoices.</summary>
    public required string LinesSet { get; init; }
    public required string LedgerSet { get; init; }
    public required string InvoicesSet { get; init; }
    /// <summary>Blocked values that refuse a payment.</summary>
    public required string[] BlockedForPayment { get; init; }

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
        GeneralLedgerPartyColumn = "customer_id", LinesSet = "customerPayments", LedgerSet = "customerLedgerEntries", InvoicesSet = "salesInvoices",
        BlockedForPayment = ["All"],
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
        BlockedForPayment = ["All", "Payment"],
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

    /// <summary>The side of a journal's template: cash receipts post to customers, payments to vendors.</summary>
    public static PostingSide Of(JournalBatch journal) => journal.Template switch
    {
        JournalTemplates.CashReceipts => Customer,
        JournalTemplates.Payments => Vendor,
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
