using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Ledger;
using PaymentJournal.Features.SalesInvoices;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Posting;

/// <summary>
/// Posts a draft sales invoice (salesInvoices({id})/Microsoft.NAV.post), inside the dispatcher's write transaction:
/// the invoice becomes Open with its whole total remaining, one customer ledger entry (Invoice) and G/L entries that
/// debit the customer's receivables account and credit the revenue account of each line, all in one transaction number.
/// The invoice keeps its number: this service has one series for draft and posted invoices (Business Central gives a
/// posted invoice a number from the posted-invoice series), so the number a client saw on the draft stays valid.
/// </summary>
public static class InvoicePoster
{
    public static async Task PostAsync(RequestContext rc, SalesInvoice invoice, Webhooks.WebhookOutbox? webhooks = null)
    {
        var db = rc.Db;
        var ct = rc.Aborted;
        var raw = new RawSql(db);
        // The invoice was read before the write transaction began: lock it (PostgreSQL) and read it again, so that
        // of two posts at the same moment the second sees a posted invoice and is refused.
        if (raw.LocksRows)
            await raw.ExecuteAsync("SELECT id FROM sales_invoices WHERE id = @p0 FOR UPDATE", ct, raw.Guid(invoice.Id));
        await db.Entry(invoice).ReloadAsync(ct);
        if (invoice.Status != "Draft")
            throw ApiErrors.Dialog($"The sales invoice {invoice.Number} cannot be posted: its status is {invoice.Status}, and only a draft can be posted.");

        var lines = await db.SalesInvoiceLines.AsNoTracking().Where(l => l.DocumentId == invoice.Id).OrderBy(l => l.Sequence).ToListAsync(ct);
        var company = await db.Companies.AsNoTracking().FirstAsync(c => c.Id == invoice.CompanyId, ct);
        var accounts = await db.Accounts.AsNoTracking().Where(a => a.CompanyId == invoice.CompanyId).ToDictionaryAsync(a => a.Id, ct);
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == invoice.CustomerId && c.CompanyId == invoice.CompanyId, ct);

        var problems = new List<string>();
        if (lines.Count == 0) problems.Add("it has no lines");
        var total = lines.Sum(l => l.AmountIncludingTax);
        if (lines.Count > 0 && total <= 0) problems.Add($"its total must be positive, but it is {Wire.FromScaled(total, 2).ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        foreach (var l in lines)
        {
            if (!accounts.TryGetValue(l.AccountId, out var account)) problems.Add($"line {l.Sequence} has no G/L account");
            else if (account.Blocked) problems.Add($"line {l.Sequence}: the G/L account {account.Number} is blocked");
            else if (account.AccountType != "Posting") problems.Add($"line {l.Sequence}: the G/L account {account.Number} is not a posting account");
        }
        Account? receivables = null;
        if (customer is null) problems.Add("its customer does not exist");
        else
        {
            // Blocked Invoice or All: the customer may not be invoiced (customerBlocked in Business Central).
            if (customer.Blocked is "Invoice" or "All") problems.Add($"the customer {customer.Number} is blocked (Blocked: {customer.Blocked})");
            var group = await db.CustomerPostingGroups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == customer.PostingGroupId, ct);
            if (group is null || !accounts.TryGetValue(group.ReceivablesAccountId, out receivables))
                problems.Add($"the customer posting group of customer {customer.Number} has no receivables account");
        }
        if (!AllowedPostingDates.Allow(company, invoice.PostingDate))
            problems.Add($"the posting date {Wire.Date(invoice.PostingDate)} is not within the range of allowed posting dates ({AllowedPostingDates.Range(company)})");
        if (problems.Count > 0)
            throw ApiErrors.Dialog($"The sales invoice {invoice.Number} was not posted: {string.Join("; ", problems)}.");

        // One G/L entry per revenue account, credited; the receivables account debited with the total.
        var credits = lines.GroupBy(l => l.AccountId).Select(g => (Account: accounts[g.Key], Amount: g.Sum(l => l.AmountIncludingTax))).ToList();
        if (credits.Sum(c => c.Amount) != total) throw new InvalidOperationException("Invoice posting does not balance.");

        var (entryNumber, transaction) = await InvoiceLedger.ReserveAsync(raw, invoice.CompanyId, 2L + credits.Count, ct);
        var now = db.Now();
        var description = $"Invoice {invoice.Number}";
        var ledgerEntry = new CustomerLedgerEntry
        {
            Id = SequentialIds.Next(), CompanyId = invoice.CompanyId, EntryNumber = entryNumber, TransactionNumber = transaction,
            CustomerId = customer!.Id, CustomerNumber = customer.Number, PostingDate = invoice.PostingDate, DocumentType = "Invoice",
            DocumentNumber = invoice.Number, ExternalDocumentNumber = invoice.ExternalDocumentNumber, Description = description,
            Amount = total, RemainingAmount = total, Open = true, SalesInvoiceId = invoice.Id, CreatedAt = now,
        };
        db.CustomerLedgerEntries.Add(ledgerEntry);
        var glEntries = InvoiceLedger.Entries(invoice.CompanyId, entryNumber + 1, transaction, invoice.PostingDate, invoice.Number, description, customer.Id, now,
            [(receivables!, total), .. credits.Select(c => (c.Account, -c.Amount))]);
        db.GeneralLedgerEntries.AddRange(glEntries);

        invoice.Status = "Open";
        invoice.RemainingAmount = total;
        await db.SaveChangesAsync(ct);
        await InvoiceLedger.NotifyAsync(webhooks, db, invoice.CompanyId, "salesInvoices", invoice.Id, "customerLedgerEntries", ledgerEntry.Id, glEntries, ct);

        // balanceDue is a sum over entries (a FlowField in Business Central): it moves without moving the ETag.
        await raw.ExecuteAsync("UPDATE customers SET balance_due = balance_due + @p0 WHERE id = @p1", ct, total, raw.Guid(customer.Id));
        await InvoiceLedger.MoveNetChangeAsync(raw, glEntries, ct);
    }
}
