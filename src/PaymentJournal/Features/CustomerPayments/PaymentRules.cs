using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Customers;
using PaymentJournal.Features.Journals;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CustomerPayments;

/// <summary>
/// The customer, contact, invoice, amount, description and comment rules of a payment line,
/// shared by create and update.
/// </summary>
public static class PaymentRules
{
    public static async Task ApplyAsync(RequestContext rc, Guid companyId, CustomerPayment p, Body b, bool isCreate)
    {
        var db = rc.Db;
        var ct = rc.Aborted;
        var oldCustomerId = p.CustomerId;

        // Rule 4: customer from id and/or number; Graph's contactId when neither is given.
        var hasId = b.TryGet("customerId", out Guid customerId);
        var hasNumber = b.TryGet("customerNumber", out string customerNumber);
        Customer? customer = null;
        var customerGiven = hasId || hasNumber;
        if (customerGiven)
        {
            customer = await CustomerRules.ResolveAsync(db, companyId, hasId ? customerId : null, hasNumber ? customerNumber : null, ct);
            SetCustomer(p, customer);
        }
        if (b.TryGet("contactId", out string contactId))
        {
            p.ContactId = contactId;
            if (!customerGiven && contactId.Length > 0)
            {
                var contactGuid = Guid.TryParse(contactId, out var g) ? g : Guid.Empty;
                var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.CompanyId == companyId && (c.Id == contactGuid || c.Number == contactId.ToUpperInvariant()), ct)
                              ?? throw ApiErrors.Dialog("The \"contactId\" does not match to a Contact.");
                if (contact.CustomerId == Guid.Empty)
                    throw ApiErrors.Dialog($"Contact {contact.Number} is not related to a customer.");
                customer = await db.Customers.AsNoTracking().FirstAsync(c => c.Id == contact.CustomerId, ct);
                SetCustomer(p, customer);
                customerGiven = true;
            }
        }

        // Rule 5: the invoice. Changing the customer clears an application that is not sent again.
        var hasInvoiceId = b.TryGet("appliesToInvoiceId", out Guid invoiceId);
        var hasInvoiceNumber = b.TryGet("appliesToInvoiceNumber", out string invoiceNumber);
        if (!isCreate && customerGiven && p.CustomerId != oldCustomerId && !hasInvoiceId && !hasInvoiceNumber)
        {
            p.AppliesToInvoiceId = Guid.Empty;
            p.AppliesToInvoiceNumber = "";
        }
        // A line without a customer takes the invoice's bill-to customer (its sell-to customer when that is empty).
        if (await AppliesToInvoice.ApplyAsync(db.SalesInvoices, p, companyId, b, ct) is { } invoice && p.CustomerId == Guid.Empty)
        {
            var billTo = invoice.BillToCustomerId != Guid.Empty ? invoice.BillToCustomerId : invoice.CustomerId;
            customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == billTo, ct);
            SetCustomer(p, customer);
        }

        if (!isCreate) await ApplicationRulesAsync(rc, p, oldCustomerId,
            (hasInvoiceId && invoiceId != Guid.Empty) || (hasInvoiceNumber && invoiceNumber.Length > 0));

        // Rule 6: description defaults to the customer's name (cut to 50); the amount is stored as given.
        var paidBefore = Math.Max(0, -p.Amount);
        if (b.TryGet("amount", out long amount)) p.Amount = amount;
        // Only a smaller payment can fall below its applications' amounts (they were within the payment before).
        if (!isCreate && b.Has("amount") && Math.Max(0, -p.Amount) < paidBefore) await CheckAppliedAmountsAsync(rc, p);
        if (b.TryGet("comment", out string comment)) p.Comment = comment;
        // A description typed by hand ("ad hoc") survives a change of customer.
        await LineDescription.ApplyAsync(p, b, isCreate, oldCustomerId, p.CustomerId, customer?.DisplayName ?? "",
            id => db.Customers.AsNoTracking().Where(c => c.Id == id).Select(c => c.DisplayName).FirstOrDefaultAsync(ct), 50);
    }

    /// <summary>
    /// A line's applications to several invoices (Applies-to ID) give way, as in Business Central: naming one invoice
    /// (appliesToInvoiceId/Number not empty) removes them all, and a new customer removes those of another customer's
    /// invoices. Sending the empty values a line with applications shows changes nothing.
    /// </summary>
    private static async Task ApplicationRulesAsync(RequestContext rc, CustomerPayment p, Guid oldCustomerId, bool namesInvoice)
    {
        var db = rc.Db;
        var id = p.Id;
        if (namesInvoice)
        {
            await db.PaymentApplications.Where(a => a.PaymentId == id).ExecuteDeleteAsync(rc.Aborted);
        }
        else if (p.CustomerId != oldCustomerId)
        {
            var customerId = p.CustomerId;
            await db.PaymentApplications
                .Where(a => a.PaymentId == id && !db.SalesInvoices.Any(i => i.Id == a.InvoiceId && i.CustomerId == customerId))
                .ExecuteDeleteAsync(rc.Aborted);
        }
    }

    private static readonly Func<AppDb, Guid, Task<long?>> GivenAmounts =
        EF.CompileAsyncQuery((AppDb db, Guid id) => db.PaymentApplications.Where(a => a.PaymentId == id).Sum(a => (long?)a.Amount));

    /// <summary>The amounts given on the line's applications together may not be more than the payment.</summary>
    private static async Task CheckAppliedAmountsAsync(RequestContext rc, CustomerPayment p)
    {
        var id = p.Id;
        var given = await GivenAmounts(rc.Db, id) ?? 0;
        var paid = Math.Max(0, -p.Amount);
        if (given > paid)
            throw ApiErrors.Dialog($"The amounts applied to invoices ({Money(given)}) are more than the payment ({Money(paid)}). " +
                                   "Lower them in the line's applications first.");
    }

    /// <summary>Cents as the API writes an amount, for messages.</summary>
    internal static string Money(long cents) => Wire.FromScaled(cents, 2).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void SetCustomer(CustomerPayment p, Customer? customer)
    {
        if (customer is not null) CustomerRules.CheckNotBlocked(customer);
        p.CustomerId = customer?.Id ?? Guid.Empty;
        p.CustomerNumber = customer?.Number ?? "";
    }

}
