using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// The guarantees of docs/posting.md, checked straight against the database (not through the API).
/// Returns every violation found, so a failing test says all that is wrong at once.
/// </summary>
public static class LedgerInvariants
{
    public static async Task<List<string>> ViolationsAsync(AppDb db, Guid companyId)
    {
        var errors = new List<string>();
        var gl = await db.GeneralLedgerEntries.AsNoTracking().Where(e => e.CompanyId == companyId).ToListAsync();
        var cle = await db.CustomerLedgerEntries.AsNoTracking().Where(e => e.CompanyId == companyId).ToListAsync();
        var apps = await db.CustomerLedgerApplications.AsNoTracking().Where(a => a.CompanyId == companyId).ToListAsync();
        var customers = await db.Customers.AsNoTracking().Where(c => c.CompanyId == companyId).ToListAsync();
        var invoices = await db.SalesInvoices.AsNoTracking().Where(i => i.CompanyId == companyId).ToListAsync();
        var accounts = await db.Accounts.AsNoTracking().Where(a => a.CompanyId == companyId).ToListAsync();
        var company = await db.Companies.AsNoTracking().FirstAsync(c => c.Id == companyId);

        // 1. Every transaction's G/L entries sum to zero; debit and credit agree with the signed amount.
        foreach (var t in gl.GroupBy(e => e.TransactionNumber).Where(g => g.Sum(e => e.Amount) != 0))
            errors.Add($"G/L transaction {t.Key} sums to {t.Sum(e => e.Amount)}");
        foreach (var e in gl.Where(e => e.DebitAmount - e.CreditAmount != e.Amount || e.DebitAmount < 0 || e.CreditAmount < 0))
            errors.Add($"G/L entry {e.EntryNumber}: debit {e.DebitAmount} credit {e.CreditAmount} amount {e.Amount}");

        // 2. balanceDue = the sum of the remaining amounts of the customer's open entries.
        var openByCustomer = cle.Where(e => e.Open).GroupBy(e => e.CustomerId).ToDictionary(g => g.Key, g => g.Sum(e => e.RemainingAmount));
        foreach (var c in customers)
        {
            var open = openByCustomer.GetValueOrDefault(c.Id);
            if (open != c.BalanceDue) errors.Add($"customer {c.Number}: balanceDue {c.BalanceDue}, open entries {open}");
        }

        // 3. A posted invoice's remainingAmount is its entry's; Paid exactly when nothing remains.
        var invoiceEntries = cle.Where(e => e.DocumentType == "Invoice").ToLookup(e => e.SalesInvoiceId);
        foreach (var inv in invoices.Where(i => i.Status is "Open" or "Paid"))
        {
            var entry = invoiceEntries[inv.Id].SingleOrDefault();
            if (entry is null) { errors.Add($"invoice {inv.Number} has no ledger entry"); continue; }
            if (entry.RemainingAmount != inv.RemainingAmount) errors.Add($"invoice {inv.Number}: remaining {inv.RemainingAmount}, entry {entry.RemainingAmount}");
            if ((inv.RemainingAmount == 0) != (inv.Status == "Paid")) errors.Add($"invoice {inv.Number}: status {inv.Status} with remaining {inv.RemainingAmount}");
        }
        foreach (var inv in invoices.Where(i => i.Status == "Draft"))
            if (invoiceEntries[inv.Id].Any()) errors.Add($"draft invoice {inv.Number} has ledger entries");

        // 4. An entry's remaining amount is its amount moved only by its recorded applications; open while not zero.
        var appliedTo = apps.GroupBy(a => a.AppliedEntryId).ToDictionary(g => g.Key, g => g.Sum(a => a.Amount));
        var appliedFrom = apps.GroupBy(a => a.ApplyingEntryId).ToDictionary(g => g.Key, g => g.Sum(a => a.Amount));
        foreach (var e in cle)
        {
            var expected = e.Amount - appliedTo.GetValueOrDefault(e.Id) + appliedFrom.GetValueOrDefault(e.Id);
            if (expected != e.RemainingAmount) errors.Add($"customer entry {e.EntryNumber}: remaining {e.RemainingAmount}, amount and applications say {expected}");
            if (e.Open != (e.RemainingAmount != 0)) errors.Add($"customer entry {e.EntryNumber}: open {e.Open} with remaining {e.RemainingAmount}");
            if (e.Amount != 0 && Math.Sign(e.RemainingAmount) * Math.Sign(e.Amount) < 0) errors.Add($"customer entry {e.EntryNumber} changed sign");
        }

        // 5. netChange = the sum of the account's G/L entries; the receivables and the customer ledger agree.
        var byAccount = gl.GroupBy(e => e.AccountId).ToDictionary(g => g.Key, g => g.Sum(e => e.Amount));
        foreach (var a in accounts)
        {
            var sum = byAccount.GetValueOrDefault(a.Id);
            if (sum != a.NetChange) errors.Add($"account {a.Number}: netChange {a.NetChange}, entries {sum}");
        }
        if (customers.Sum(c => c.BalanceDue) != accounts.Where(a => a.SubCategory == "Accounts Receivable").Sum(a => a.NetChange))
            errors.Add("the receivables accounts do not agree with the customers' balances");

        // 2-3 on the purchase side: a vendor's balance is what its open entries owe (an invoice's entry is negative), and
        // a posted purchase invoice's remainingAmount is its entry's with the sign turned.
        var vle = await db.VendorLedgerEntries.AsNoTracking().Where(e => e.CompanyId == companyId).ToListAsync();
        var owed = vle.Where(e => e.Open).GroupBy(e => e.VendorId).ToDictionary(g => g.Key, g => -g.Sum(e => e.RemainingAmount));
        foreach (var v in await db.Vendors.AsNoTracking().Where(v => v.CompanyId == companyId).ToListAsync())
            if (owed.GetValueOrDefault(v.Id) != v.Balance) errors.Add($"vendor {v.Number}: balance {v.Balance}, open entries {owed.GetValueOrDefault(v.Id)}");
        var purchaseEntries = vle.Where(e => e.DocumentType == "Invoice").ToLookup(e => e.PurchaseInvoiceId);
        foreach (var inv in await db.PurchaseInvoices.AsNoTracking().Where(i => i.CompanyId == companyId).ToListAsync())
        {
            var entry = purchaseEntries[inv.Id].SingleOrDefault();
            if (inv.Status == "Draft") { if (entry is not null) errors.Add($"draft purchase invoice {inv.Number} has a ledger entry"); }
            else if (entry is null) errors.Add($"purchase invoice {inv.Number} has no ledger entry");
            else if (-entry.RemainingAmount != inv.RemainingAmount) errors.Add($"purchase invoice {inv.Number}: remaining {inv.RemainingAmount}, entry {entry.RemainingAmount}");
        }

        // 4-5 on the purchase side: an entry's remaining amount moves only by its applications (a payment applied to an
        // invoice raises the invoice entry's negative remaining towards zero and lowers the payment's); the payables
        // accounts hold what the vendors are owed, as credits.
        var vapps = await db.VendorLedgerApplications.AsNoTracking().Where(a => a.CompanyId == companyId).ToListAsync();
        var vAppliedTo = vapps.GroupBy(a => a.AppliedEntryId).ToDictionary(g => g.Key, g => g.Sum(a => a.Amount));
        var vAppliedFrom = vapps.GroupBy(a => a.ApplyingEntryId).ToDictionary(g => g.Key, g => g.Sum(a => a.Amount));
        foreach (var e in vle)
        {
            var expected = e.Amount + vAppliedTo.GetValueOrDefault(e.Id) - vAppliedFrom.GetValueOrDefault(e.Id);
            if (expected != e.RemainingAmount) errors.Add($"vendor entry {e.EntryNumber}: remaining {e.RemainingAmount}, amount and applications say {expected}");
            if (e.Open != (e.RemainingAmount != 0)) errors.Add($"vendor entry {e.EntryNumber}: open {e.Open} with remaining {e.RemainingAmount}");
            if (e.Amount != 0 && Math.Sign(e.RemainingAmount) * Math.Sign(e.Amount) < 0) errors.Add($"vendor entry {e.EntryNumber} changed sign");
        }
        var vendorsOwed = await db.Vendors.AsNoTracking().Where(v => v.CompanyId == companyId).SumAsync(v => v.Balance);
        if (vendorsOwed != -accounts.Where(a => a.SubCategory == "Accounts Payable").Sum(a => a.NetChange))
            errors.Add("the payables accounts do not agree with the vendors' balances");

        // 6. Entry numbers are unique and taken from the company's counter.
        var numbers = gl.Select(e => e.EntryNumber).Concat(cle.Select(e => e.EntryNumber)).Concat(vle.Select(e => e.EntryNumber)).ToList();
        if (numbers.Count != numbers.Distinct().Count()) errors.Add("an entry number is used twice");
        if (numbers.Count > 0 && numbers.Max() > company.LastEntryNumber) errors.Add("an entry number is beyond the company's counter");

        // 7. An invoice's remaining amount is its original amount (its entry's) less everything applied to it, and never below zero.
        foreach (var inv in invoices.Where(i => i.Status is "Open" or "Paid"))
        {
            if (invoiceEntries[inv.Id].SingleOrDefault() is not { } entry) continue;
            var applied = appliedTo.GetValueOrDefault(entry.Id);
            if (inv.RemainingAmount != entry.Amount - applied || inv.RemainingAmount < 0)
                errors.Add($"invoice {inv.Number}: remaining {inv.RemainingAmount}, but {entry.Amount} less {applied} applied is {entry.Amount - applied}");
        }
        return errors;
    }

    public static async Task AssertHoldAsync(ServiceFixture f, string companyId = ServiceFixture.Company)
    {
        var errors = await f.WithDb(db => ViolationsAsync(db, Guid.Parse(companyId)));
        Assert.True(errors.Count == 0, "Ledger invariants violated:\n" + string.Join("\n", errors));
    }

    /// <summary>A fingerprint of everything posting touches, to show that a rejected post changed nothing.</summary>
    public static Task<string> SnapshotAsync(ServiceFixture f) => f.WithDb(async db =>
    {
        var parts = new List<string>
        {
            string.Join(",", await db.CustomerLedgerEntries.OrderBy(e => e.EntryNumber).Select(e => e.EntryNumber + ":" + e.RemainingAmount + ":" + e.Open).ToListAsync()),
            string.Join(",", await db.GeneralLedgerEntries.OrderBy(e => e.EntryNumber).Select(e => e.EntryNumber + ":" + e.Amount).ToListAsync()),
            (await db.CustomerLedgerApplications.CountAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture),
            (await db.LedgerEntryDimensions.CountAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture),
            string.Join(",", await db.Customers.OrderBy(c => c.Number).Select(c => c.Number + ":" + c.BalanceDue + ":" + c.Version).ToListAsync()),
            string.Join(",", await db.Accounts.OrderBy(a => a.Number).Select(a => a.Number + ":" + a.NetChange).ToListAsync()),
            string.Join(",", await db.SalesInvoices.OrderBy(i => i.Number).Select(i => i.Number + ":" + i.Status + ":" + i.RemainingAmount + ":" + i.Version).ToListAsync()),
            string.Join(",", await db.CustomerPayments.OrderBy(p => p.Id).Select(p => p.Id + ":" + p.Version).ToListAsync()),
            string.Join(",", await db.PaymentDimensions.OrderBy(p => p.PaymentId).ThenBy(p => p.DimensionId).Select(p => p.PaymentId + ":" + p.DimensionId).ToListAsync()),
            string.Join(",", await db.PaymentApplications.OrderBy(a => a.Id).Select(a => a.Id + ":" + a.Amount + ":" + a.Version).ToListAsync()),
            string.Join(",", await db.Companies.Select(c => c.LastEntryNumber + ":" + c.LastTransactionNumber).ToListAsync()),
        };
        return string.Join("\n", parts);
    });
}
