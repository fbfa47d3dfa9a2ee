using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Journals;
using PaymentJournal.OData;

namespace PaymentJournal.Features.VendorPayments;

/// <summary>
/// The vendor, invoice, amount and description rules of a vendor payment line (Business Central's page 30060 and the
/// journal line's own validation), shared by create and update.
/// </summary>
public static class VendorPaymentRules
{
    public static async Task ApplyAsync(RequestContext rc, Guid companyId, VendorPayment p, Body b, bool isCreate)
    {
        var db = rc.Db;
        var ct = rc.Aborted;
        var oldVendorId = p.VendorId;

        // The vendor from its id and/or number: either fills the other, both must name the same vendor, empty clears it.
        var hasId = b.TryGet("vendorId", out Guid vendorId);
        var hasNumber = b.TryGet("vendorNumber", out string vendorNumber);
        var vendor = await Vendors.VendorRules.ResolveAsync(db, companyId, hasId ? vendorId : null, hasNumber ? vendorNumber : null, ct);
        if (vendor is not null) SetVendor(p, vendor);
        else if ((hasId && vendorId == Guid.Empty && !(hasNumber && vendorNumber.Length > 0)) || (hasNumber && vendorNumber.Length == 0 && !hasId))
            SetVendor(p, null);

        // The invoice: a posted purchase invoice by id and/or number (a new vendor clears one not sent again).
        var hasInvoiceId = b.TryGet("appliesToInvoiceId", out Guid invoiceId);
        var hasInvoiceNumber = b.TryGet("appliesToInvoiceNumber", out string invoiceNumber);
        if (!isCreate && p.VendorId != oldVendorId && !hasInvoiceId && !hasInvoiceNumber)
        {
            p.AppliesToInvoiceId = Guid.Empty;
            p.AppliesToInvoiceNumber = "";
        }
        // A line without a vendor takes the invoice's pay-to vendor (its buy-from vendor when that is empty).
        if (await AppliesToInvoice.ApplyAsync(db.PurchaseInvoices, p, companyId, b, ct) is { } invoice && p.VendorId == Guid.Empty)
        {
            var payTo = invoice.PayToVendorId != Guid.Empty ? invoice.PayToVendorId : invoice.VendorId;
            vendor = await db.Vendors.AsNoTracking().FirstOrDefaultAsync(v => v.Id == payTo, ct);
            if (vendor is not null) SetVendor(p, vendor);
        }

        // The amount is stored as given (posting refuses one that is not a payment); the description defaults to the
        // vendor's name and follows a new vendor unless it was typed by hand.
        if (b.TryGet("amount", out long amount)) p.Amount = amount;
        if (b.TryGet("comment", out string comment)) p.Comment = comment;
        await LineDescription.ApplyAsync(p, b, isCreate, oldVendorId, p.VendorId, vendor?.DisplayName ?? "",
            id => db.Vendors.AsNoTracking().Where(v => v.Id == id).Select(v => v.DisplayName).FirstOrDefaultAsync(ct), 100);
    }

    private static void SetVendor(VendorPayment p, Vendor? vendor)
    {
        if (vendor is not null) CheckNotBlocked(vendor);
        p.VendorId = vendor?.Id ?? Guid.Empty;
        p.VendorNumber = vendor?.Number ?? "";
    }

    /// <summary>A vendor blocked for all transactions or for payments takes no payment line.</summary>
    public static void CheckNotBlocked(Vendor vendor)
    {
        if (vendor.Blocked == "All")
            throw ApiErrors.Dialog($"You cannot use vendor {vendor.Number} because it is blocked for all transactions (Blocked: All).");
        if (vendor.Blocked == "Payment")
            throw ApiErrors.Dialog($"You cannot use vendor {vendor.Number} because it is blocked for payments (Blocked: Payment).");
    }
}
