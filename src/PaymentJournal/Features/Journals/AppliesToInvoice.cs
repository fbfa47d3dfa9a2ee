using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Journals;

/// <summary>
/// A payment line's appliesToInvoiceId and appliesToInvoiceNumber, as Business Central's payment pages validate them:
/// an id must be a posted invoice's; a number that is one fills the id, an unknown number is kept and clears the id;
/// both must name the same invoice; an empty value clears the pair.
/// </summary>
public static class AppliesToInvoice
{
    /// <summary>Applies the body's invoice fields to the line; the posted invoice they name, or null (also when they were not sent).</summary>
    public static async Task<TInvoice?> ApplyAsync<TInvoice>(IQueryable<TInvoice> invoices, JournalLine p, Guid companyId, Body b, CancellationToken ct)
        where TInvoice : InvoiceDocument
    {
        var hasId = b.TryGet("appliesToInvoiceId", out Guid invoiceId);
        var hasNumber = b.TryGet("appliesToInvoiceNumber", out string invoiceNumber);
        if (!hasId && !hasNumber) return null;
        TInvoice? invoice = null;
        if (hasId && invoiceId != Guid.Empty)
        {
            invoice = await invoices.AsNoTracking().FirstOrDefaultAsync(i => i.Id == invoiceId && i.CompanyId == companyId, ct);
            if (invoice is null || !invoice.IsPosted)
                throw ApiErrors.Dialog("The \"appliesToInvoiceId\" should be the ID of an Open, Paid, Corrective, or Canceled Invoice.");
        }
        if (hasNumber && invoiceNumber.Length > 0)
        {
            if (invoice is not null)
            {
                if (invoice.Number != invoiceNumber) throw ApiErrors.Dialog("The Applies To Invoice values do not match to the same Invoice.");
            }
            else
            {
                var byNumber = await invoices.AsNoTracking().FirstOrDefaultAsync(i => i.Number == invoiceNumber && i.CompanyId == companyId, ct);
                invoice = byNumber is { IsPosted: true } ? byNumber : null;
                if (invoice is null)
                {
                    p.AppliesToInvoiceId = Guid.Empty;
                    p.AppliesToInvoiceNumber = invoiceNumber;
                }
            }
        }
        if (invoice is not null)
        {
            p.AppliesToInvoiceId = invoice.Id;
            p.AppliesToInvoiceNumber = invoice.Number;
        }
        else if ((hasId && invoiceId == Guid.Empty && !(hasNumber && invoiceNumber.Length > 0)) || (hasNumber && invoiceNumber.Length == 0 && !hasId))
        {
            p.AppliesToInvoiceId = Guid.Empty;
            p.AppliesToInvoiceNumber = "";
        }
        return invoice;
    }
}
