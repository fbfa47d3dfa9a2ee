using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.Features.Invoices;

/// <summary>What sales and purchase invoices do alike with their lines: no tax, no discounts, lines of type Account.</summary>
public static class InvoiceDocuments
{
    /// <summary>
    /// Quantity has 5 decimals, the unit price or cost 2: the amount in cents is their product / 10^5, rounded half away
    /// from zero. Dividing first keeps the product inside decimal's range for any stored quantity and price.
    /// </summary>
    public static long LineAmount(long quantity, long unitPrice)
    {
        var amount = Math.Round(quantity / 100000m * unitPrice, 0, MidpointRounding.AwayFromZero);
        if (amount > 1_000_000_000_000m) throw ApiErrors.FieldValidation("The line amount is out of range.");
        return (long)amount;
    }

    /// <summary>Sets a line's amounts from its quantity and its unit price (or cost); without tax, including = excluding.</summary>
    public static void Price(InvoiceLine line, long unitPrice)
    {
        var amount = LineAmount(line.Quantity, unitPrice);
        line.AmountExcludingTax = amount;
        line.AmountIncludingTax = amount;
        line.TotalTaxAmount = 0;
    }

    /// <summary>
    /// Reads the invoice's status again inside the write transaction, its row locked on PostgreSQL (as the invoice's
    /// post locks it), so that a line written at the moment the invoice is posted cannot slip onto it once it is Open.
    /// </summary>
    public static async Task ReadStatusAgainAsync<TInvoice>(AppDb db, DbSet<TInvoice> invoices, string table, TInvoice invoice, CancellationToken ct)
        where TInvoice : InvoiceDocument
    {
        var raw = new RawSql(db);
        if (raw.LocksRows)
            await raw.ExecuteAsync($"SELECT id FROM {table} WHERE id = @p0 FOR UPDATE", ct, raw.Guid(invoice.Id));
        invoice.Status = await invoices.Where(i => i.Id == invoice.Id).Select(i => i.Status).FirstAsync(ct);
    }

    /// <summary>The invoice's totals follow its lines (saved already).</summary>
    public static async Task RecalculateTotalsAsync<TInvoice, TLine>(DbSet<TInvoice> invoices, DbSet<TLine> lines, Guid invoiceId, CancellationToken ct)
        where TInvoice : InvoiceDocument where TLine : InvoiceLine
    {
        var total = await lines.Where(l => l.DocumentId == invoiceId).SumAsync(l => l.AmountIncludingTax, ct);
        var inv = await invoices.FirstAsync(i => i.Id == invoiceId, ct);
        inv.TotalAmountExcludingTax = total;
        inv.TotalAmountIncludingTax = total;
        inv.TotalTaxAmount = 0;
    }

    /// <summary>
    /// Deletes a draft invoice's lines with it; a subscriber to the lines' set (<paramref name="linesSet"/>) hears of each
    /// (their keys are read only when somebody listens).
    /// </summary>
    public static async Task DeleteLinesAsync<TLine>(AppDb db, DbSet<TLine> lines, Webhooks.WebhookOutbox? webhooks, string linesSet, InvoiceDocument invoice,
        CancellationToken ct) where TLine : InvoiceLine
    {
        var ofInvoice = lines.Where(l => l.DocumentId == invoice.Id);
        if (webhooks is not null && webhooks.Watches(invoice.CompanyId, linesSet))
        {
            var ids = await ofInvoice.OrderBy(l => l.Sequence).Select(l => l.Id).ToListAsync(ct);
            await webhooks.RecordKeysAsync(db, invoice.CompanyId, linesSet, ids.Count, () => Task.FromResult<IReadOnlyList<Guid>>(ids),
                Webhooks.WebhookOutbox.Deleted, invoice.Id, ct);
        }
        await ofInvoice.ExecuteDeleteAsync(ct);
    }
}
