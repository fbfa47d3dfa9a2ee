using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.PurchaseInvoices;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Posting;

/// <summary>
/// Posts a draft purchase invoice (purchaseInvoices({id})/Microsoft.NAV.post), inside the dispatcher's write
/// transaction: the invoice becomes Open with its whole total remaining, one vendor ledger entry (Invoice, negative:
/// a credit to the pay-to vendor) and G/L entries that debit the expense account of each line and credit the pay-to
/// vendor's payables account, all in one transaction number. The invoice keeps its number, as sales invoices do.
/// A post that is refused writes nothing; the refusal is the first of Business Central's checks that fails.
/// </summary>
public static class PurchaseInvoicePoster
{
    public static async Task PostAsync(RequestContext rc, PurchaseInvoice invoice, Webhooks.WebhookOutbox? webhooks = null)
    {
        var db = rc.Db;
        var ct = rc.Aborted;
        var raw = new RawSql(db);
        // Read again under a lock (PostgreSQL): of two posts at the same moment the second sees an Open invoice.
        if (raw.LocksRows)
            await raw.ExecuteAsync("SELECT id FROM purchase_invoices WHERE id = @p0 FOR UPDATE", ct, raw.Guid(invoice.Id));
        await db.Entry(invoice).ReloadAsync(ct);
        if (invoice.Status != "Draft") throw ApiErrors.Dialog("The action can be applied to a draft invoice only.");

        var lines = await db.PurchaseInvoiceLines.AsNoTracking().Where(l => l.DocumentId == invoice.Id).OrderBy(l => l.Sequence).ToListAsync(ct);
        var company = await db.Companies.AsNoTracking().FirstAsync(c => c.Id == invoice.CompanyId, ct);
        var accounts = await db.Accounts.AsNoTracking().Where(a => a.CompanyId == invoice.CompanyId).ToDictionaryAsync(a => a.Id, ct);
        var vendors = await db.Vendors.AsNoTracking()
            .Where(v => v.CompanyId == invoice.CompanyId && (v.Id == invoice.VendorId || v.Id == invoice.PayToVendorId)).ToDictionaryAsync(v => v.Id, ct);

        // Business Central's order: the posting date, the vendors' blocking, something to post, the vendor's invoice number.
        if (!AllowedPostingDates.Allow(company, invoice.PostingDate))
            throw ApiErrors.Dialog($"Posting Date is not within your range of allowed posting dates ({Wire.Date(invoice.PostingDate)}; allowed {AllowedPostingDates.Range(company)}).");
        if (!vendors.TryGetValue(invoice.VendorId, out var buyFrom)) throw ApiErrors.Dialog("The vendor cannot be found.");
        if (!vendors.TryGetValue(invoice.PayToVendorId, out var payTo)) throw ApiErrors.Dialog("The pay-to vendor cannot be found.");
        PurchaseInvoicesSet.CheckNotBlocked(buyFrom, "post");
        PurchaseInvoicesSet.CheckNotBlocked(payTo, "post");
        if (lines.Count == 0) throw ApiErrors.Dialog("There is nothing to post.");
        if (lines.Any(l => l.Quantity == 0))
            throw ApiErrors.Dialog("One or more document lines with a value in the No. field do not have a quantity specified.");
        var total = lines.Sum(l => l.AmountIncludingTax);
        // Business Central would post a zero invoice; here an open invoice always has something to pay.
        if (total <= 0) throw ApiErrors.Dialog("The total amount for the invoice must be greater than 0.");
        if (invoice.VendorInvoiceNumber.Length == 0)
            throw ApiErrors.Dialog("You need to enter the document number of the document from the vendor in the Vendor Invoice No. field, so that this document stays linked to the original.");
        foreach (var l in lines)
        {
            if (!accounts.TryGetValue(l.AccountId, out var account)) throw ApiErrors.Dialog("Account does not exist.");
            if (Accounts.AccountRules.PostingProblem(account) is { } problem) throw ApiErrors.Dialog(problem);
        }
        var group = await db.VendorPostingGroups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == payTo.PostingGroupId && g.CompanyId == invoice.CompanyId, ct);
        if (group is null || !accounts.TryGetValue(group.PayablesAccountId, out var payables))
            throw ApiErrors.Dialog($"Payables Account must have a value in Vendor Posting Group of vendor {payTo.Number}. It cannot be zero or empty.");

        // One G/L entry per expense account, debited; the payables account credited with the total.
        var debits = lines.GroupBy(l => l.AccountId).Select(g => (Account: accounts[g.Key], Amount: g.Sum(l => l.AmountIncludingTax))).ToList();
        if (debits.Sum(d => d.Amount) != total) throw new InvalidOperationException("Purchase invoice posting does not balance.");

        var (entryNumber, transaction) = await InvoiceLedger.ReserveAsync(raw, invoice.CompanyId, 2L + debits.Count, ct);
        var now = db.Now();
        var description = $"Invoice {invoice.Number}";
        var ledgerEntry = new VendorLedgerEntry
        {
            Id = SequentialIds.Next(), CompanyId = invoice.CompanyId, EntryNumber = entryNumber, TransactionNumber = transaction,
            VendorId = payTo.Id, VendorNumber = payTo.Number, PostingDate = invoice.PostingDate, DocumentType = "Invoice",
            DocumentNumber = invoice.Number, ExternalDocumentNumber = invoice.VendorInvoiceNumber, Description = description,
            Amount = -total, RemainingAmount = -total, Open = true, PurchaseInvoiceId = invoice.Id, CreatedAt = now,
        };
        db.VendorLedgerEntries.Add(ledgerEntry);
        var glEntries = InvoiceLedger.Entries(invoice.CompanyId, entryNumber + 1, transaction, invoice.PostingDate, invoice.Number, description, Guid.Empty, now,
            [.. debits, (payables, -total)]);
        db.GeneralLedgerEntries.AddRange(glEntries);

        invoice.Status = "Open";
        invoice.RemainingAmount = total;
        await db.SaveChangesAsync(ct);
        await InvoiceLedger.NotifyAsync(webhooks, db, invoice.CompanyId, "purchaseInvoices", invoice.Id, "vendorLedgerEntries", ledgerEntry.Id, glEntries, ct);

        // The vendor's balance is a sum over entries: it moves without moving the ETag.
        await raw.ExecuteAsync("UPDATE vendors SET balance = balance + @p0 WHERE id = @p1", ct, total, raw.Guid(payTo.Id));
        await InvoiceLedger.MoveNetChangeAsync(raw, glEntries, ct);
    }
}
