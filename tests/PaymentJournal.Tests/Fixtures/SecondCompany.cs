using PaymentJournal.Data;
using PaymentJournal.Features.Accounts;
using PaymentJournal.Features.Companies;
using PaymentJournal.Features.Contacts;
using PaymentJournal.Features.CustomerPaymentJournals;
using PaymentJournal.Features.CustomerPayments;
using PaymentJournal.Features.Customers;
using PaymentJournal.Features.Dimensions;
using PaymentJournal.Features.Ledger;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Features.SalesInvoices;
using Series = PaymentJournal.Data.NumberSeries;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// A second company ("B") with one row in every entity set, written straight to the database, so that isolation
/// tests address rows that exist: a 404 for them can only come from the credential, never from a missing row.
/// </summary>
public static class SecondCompany
{
    public const string Id = "b0000000-0000-4000-8000-00000000000b";
    public static readonly Guid CompanyId = Guid.Parse(Id);
    public static readonly Guid Customer = G("b1"), Contact = G("b2"), Account = G("b3"), Journal = G("b4"), Series = G("b5"),
        Payment = G("b6"), Invoice = G("b7"), InvoiceLine = G("b8"), Dimension = G("b9"), DimensionValue = G("ba"), PostingGroup = G("bb"),
        CustomerEntry = G("bc"), DebitEntry = G("bd"), CreditEntry = G("be"), Application = G("bf"),
        PurchaseVendor = G("c1"), PurchaseInvoice = G("c2"), PurchaseInvoiceLine = G("c3"),
        VendorPostingGroup = G("c4"), VendorEntry = G("c5"), VendorJournal = G("c6"), VendorPaymentLine = G("c7"), VendorSeries = G("c8"),
        GeneralJournal = G("c9"), GeneralLine = G("ca"), GeneralSeries = G("cb");

    /// <summary>The id of B's row in each entity set (dimensionSetLines and dimensionLines are keyed by the dimension's id).</summary>
    public static readonly IReadOnlyDictionary<string, Guid> Keys = new Dictionary<string, Guid>
    {
        ["companies"] = CompanyId, ["customers"] = Customer, ["contacts"] = Contact, ["accounts"] = Account,
        ["customerPaymentJournals"] = Journal, ["customerPayments"] = Payment, ["salesInvoices"] = Invoice,
        ["salesInvoiceLines"] = InvoiceLine, ["dimensions"] = Dimension, ["dimensionValues"] = DimensionValue,
        ["dimensionSetLines"] = Dimension, ["dimensionLines"] = Dimension, ["journals"] = GeneralJournal, ["journalLines"] = GeneralLine, ["customerLedgerEntries"] = CustomerEntry,
        ["generalLedgerEntries"] = DebitEntry, ["ledgerEntryDimensionSetLines"] = Dimension,
        ["customerPaymentApplications"] = Application,
        ["purchaseInvoices"] = PurchaseInvoice, ["purchaseInvoiceLines"] = PurchaseInvoiceLine,
        ["vendors"] = PurchaseVendor, ["vendorLedgerEntries"] = VendorEntry,
        ["vendorPaymentJournals"] = VendorJournal, ["vendorPayments"] = VendorPaymentLine,
    };

    private static Guid G(string prefix) => Guid.Parse($"{prefix}000000-0000-4000-8000-00000000000b");

    public static async Task SeedAsync(AppDb db)
    {
        var c = CompanyId;
        db.Companies.Add(new Company { Id = c, Name = "FABRIKAM", DisplayName = "Fabrikam (second company)", CreatedAt = db.Now() });
        db.Accounts.Add(new Account { Id = Account, CompanyId = c, Number = "2910", DisplayName = "Cash B", Category = "Assets", SubCategory = "Cash" });
        db.CustomerPostingGroups.Add(new CustomerPostingGroup { Id = PostingGroup, CompanyId = c, Code = "DOMESTIC", ReceivablesAccountId = Account });
        db.NumberSeries.Add(new Series { Id = Series, CompanyId = c, Code = "GJNL-RCPT", Prefix = "B0", Digits = 4 });
        db.Customers.Add(new Customer { Id = Customer, CompanyId = c, Number = "B00001", DisplayName = "Fabrikam customer", PostingGroupId = PostingGroup });
        db.Contacts.Add(new Contact { Id = Contact, CompanyId = c, Number = "BCT001", DisplayName = "Fabrikam contact", CustomerId = Customer, CustomerNumber = "B00001" });
        db.CustomerPaymentJournals.Add(new CustomerPaymentJournal
        {
            Id = Journal, CompanyId = c, Code = "GENERAL", DisplayName = "B receipts", BalancingAccountId = Account, BalancingAccountNumber = "2910", NumberSeriesId = Series,
        });
        db.CustomerPayments.Add(new CustomerPayment
        {
            Id = Payment, CompanyId = c, JournalId = Journal, JournalCode = "GENERAL", LineNumber = 10000, CustomerId = Customer, CustomerNumber = "B00001",
            PostingDate = new DateOnly(2026, 3, 1), DocumentNumber = "B00001", Amount = -10000, Description = "Fabrikam payment", BalancingAccountId = Account,
        });
        db.SalesInvoices.Add(new SalesInvoice
        {
            Id = Invoice, CompanyId = c, Number = "BDRAFT1", InvoiceDate = new DateOnly(2026, 3, 1), PostingDate = new DateOnly(2026, 3, 1), DueDate = new DateOnly(2026, 4, 1),
            CustomerId = Customer, CustomerNumber = "B00001", CustomerName = "Fabrikam customer", BillToCustomerId = Customer, BillToCustomerNumber = "B00001", Status = "Draft",
        });
        db.SalesInvoiceLines.Add(new SalesInvoiceLine
        {
            Id = InvoiceLine, CompanyId = c, DocumentId = Invoice, Sequence = 10000, LineType = "Account", AccountId = Account, LineObjectNumber = "2910",
            Description = "B line", Quantity = 100000, UnitPrice = 10000, AmountExcludingTax = 10000, AmountIncludingTax = 10000,
        });
        // A draft purchase invoice of B's own vendor, with one line.
        db.Vendors.Add(new Vendor { Id = PurchaseVendor, CompanyId = c, Number = "BV-PI", DisplayName = "Fabrikam supplier" });
        db.PurchaseInvoices.Add(new PurchaseInvoice
        {
            Id = PurchaseInvoice, CompanyId = c, Number = "BPDRAFT1", VendorInvoiceNumber = "BF-1", InvoiceDate = new DateOnly(2026, 3, 1), PostingDate = new DateOnly(2026, 3, 1),
            DueDate = new DateOnly(2026, 4, 1), VendorId = PurchaseVendor, VendorNumber = "BV-PI", VendorName = "Fabrikam supplier", PayToVendorId = PurchaseVendor,
            PayToVendorNumber = "BV-PI", PayToName = "Fabrikam supplier", Status = "Draft", TotalAmountExcludingTax = 10000, TotalAmountIncludingTax = 10000,
        });
        db.PurchaseInvoiceLines.Add(new PurchaseInvoiceLine
        {
            Id = PurchaseInvoiceLine, CompanyId = c, DocumentId = PurchaseInvoice, Sequence = 10000, LineType = "Account", AccountId = Account, LineObjectNumber = "2910",
            Description = "B purchase line", Quantity = 100000, DirectUnitCost = 10000, AmountExcludingTax = 10000, AmountIncludingTax = 10000,
        });
        // A vendor payment journal with one line, which carries the dimension too.
        db.NumberSeries.Add(new Series { Id = VendorSeries, CompanyId = c, Code = "GJNL-PMT", Prefix = "BP", Digits = 4 });
        db.VendorPaymentJournals.Add(new VendorPaymentJournal
        {
            Id = VendorJournal, CompanyId = c, Code = "PAYMENT", DisplayName = "B payments", BalancingAccountId = Account, BalancingAccountNumber = "2910", NumberSeriesId = VendorSeries,
        });
        db.VendorPayments.Add(new VendorPayment
        {
            Id = VendorPaymentLine, CompanyId = c, JournalId = VendorJournal, JournalCode = "PAYMENT", LineNumber = 10000, VendorId = PurchaseVendor, VendorNumber = "BV-PI",
            PostingDate = new DateOnly(2026, 3, 1), DocumentNumber = "BP0001", Amount = 3000, Description = "Fabrikam supplier", BalancingAccountId = Account,
        });
        // A general journal with one line, which carries the dimension too.
        db.NumberSeries.Add(new Series { Id = GeneralSeries, CompanyId = c, Code = "GJNL-GEN", Prefix = "BG", Digits = 4 });
        db.GeneralJournals.Add(new GeneralJournal
        {
            Id = GeneralJournal, CompanyId = c, Code = "DEFAULT", DisplayName = "B general", BalancingAccountId = Account, BalancingAccountNumber = "2910", NumberSeriesId = GeneralSeries,
        });
        db.GeneralJournalLines.Add(new GeneralJournalLine
        {
            Id = GeneralLine, CompanyId = c, JournalId = GeneralJournal, JournalCode = "DEFAULT", LineNumber = 10000, AccountId = Account, AccountNumber = "2910",
            PostingDate = new DateOnly(2026, 3, 1), DocumentNumber = "BG0001", Amount = 1000, Description = "Cash B", BalancingAccountId = Account, BalancingAccountNumber = "2910",
        });
        db.Dimensions.Add(new Dimension { Id = Dimension, CompanyId = c, Code = "AREA", DisplayName = "Area" });
        db.DimensionValues.Add(new DimensionValue { Id = DimensionValue, CompanyId = c, DimensionId = Dimension, DimensionCode = "AREA", Code = "10", DisplayName = "North" });
        db.PaymentDimensions.Add(new PaymentDimension
        {
            CompanyId = c, PaymentId = Payment, DimensionId = Dimension, DimensionValueId = DimensionValue, DimensionCode = "AREA", DimensionName = "Area", ValueCode = "10", ValueName = "North",
        });
        db.PaymentDimensions.Add(new PaymentDimension
        {
            CompanyId = c, PaymentId = VendorPaymentLine, DimensionId = Dimension, DimensionValueId = DimensionValue, DimensionCode = "AREA", DimensionName = "Area", ValueCode = "10", ValueName = "North",
        });
        db.PaymentDimensions.Add(new PaymentDimension
        {
            CompanyId = c, PaymentId = GeneralLine, DimensionId = Dimension, DimensionValueId = DimensionValue, DimensionCode = "AREA", DimensionName = "Area", ValueCode = "10", ValueName = "North",
        });
        db.PaymentApplications.Add(new PaymentApplication
        {
            Id = Application, CompanyId = c, PaymentId = Payment, InvoiceId = Invoice, InvoiceNumber = "BDRAFT1", Amount = 0, Sequence = 1,
        });
        // One posted payment of 50.00 (its lines already left the journal), balanced, with a dimension on each entry.
        var date = new DateOnly(2026, 2, 1);
        var now = db.Now();
        db.CustomerLedgerEntries.Add(new CustomerLedgerEntry
        {
            Id = CustomerEntry, CompanyId = c, EntryNumber = 1, TransactionNumber = 1, CustomerId = Customer, CustomerNumber = "B00001", PostingDate = date,
            DocumentType = "Payment", DocumentNumber = "B00000", Description = "Fabrikam payment", Amount = -5000, RemainingAmount = -5000, Open = true, CreatedAt = now,
        });
        foreach (var (id, number, amount) in new[] { (DebitEntry, 2L, 5000L), (CreditEntry, 3L, -5000L) })
            db.GeneralLedgerEntries.Add(new GeneralLedgerEntry
            {
                Id = id, CompanyId = c, EntryNumber = number, TransactionNumber = 1, PostingDate = date, DocumentType = "Payment", DocumentNumber = "B00000",
                AccountId = Account, AccountNumber = "2910", Description = "Fabrikam payment", Amount = amount, DebitAmount = Math.Max(amount, 0),
                CreditAmount = Math.Max(-amount, 0), CustomerId = Customer, CreatedAt = now,
            });
        foreach (var entry in new[] { CustomerEntry, DebitEntry, CreditEntry })
            db.LedgerEntryDimensions.Add(new LedgerEntryDimension
            {
                CompanyId = c, EntryId = entry, DimensionId = Dimension, DimensionValueId = DimensionValue, DimensionCode = "AREA", DimensionName = "Area", ValueCode = "10", ValueName = "North",
            });
        // One open invoice entry of 80.00 for B's vendor (no posted purchase invoice behind it: the entry is all the walk
        // needs); the vendor's posting group and balance are set below.
        db.VendorPostingGroups.Add(new VendorPostingGroup { Id = VendorPostingGroup, CompanyId = c, Code = "DOMESTIC", PayablesAccountId = Account });
        db.VendorLedgerEntries.Add(new VendorLedgerEntry
        {
            Id = VendorEntry, CompanyId = c, EntryNumber = 4, TransactionNumber = 2, VendorId = PurchaseVendor, VendorNumber = "BV-PI", PostingDate = date,
            DocumentType = "Invoice", DocumentNumber = "BPI0001", Description = "Fabrikam purchase", Amount = -8000, RemainingAmount = -8000, Open = true, CreatedAt = now,
        });
        await db.SaveChangesAsync();
        await db.Customers.Where(x => x.Id == Customer).ExecuteUpdateAsync(u => u.SetProperty(x => x.BalanceDue, -5000L));
        await db.Vendors.Where(x => x.Id == PurchaseVendor).ExecuteUpdateAsync(u => u.SetProperty(x => x.Balance, 8000L).SetProperty(x => x.PostingGroupId, VendorPostingGroup));
        await db.Companies.Where(x => x.Id == c).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastEntryNumber, 4L).SetProperty(x => x.LastTransactionNumber, 2L));
    }
}
