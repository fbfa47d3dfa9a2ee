using Microsoft.EntityFrameworkCore;
using Series = PaymentJournal.Data.NumberSeries;

namespace PaymentJournal.Data;

/// <summary>
/// The demo company, seeded into an empty database (unless Demo:Seed=false). Every id is fixed, so examples,
/// tests and the benchmark can name them: the company and customers follow the benchmark's key scheme.
/// The posted invoices come with their ledger entries, so the ledger invariants hold from the first request.
/// </summary>
public static class DemoSeed
{
    public static readonly Guid CompanyId = Guid.Parse("c0000000-0000-4000-8000-000000000001");
    public static readonly Guid GeneralJournalId = Guid.Parse("f0000000-0000-4000-8000-000000000001");
    /// <summary>The vendor payment journal PAYMENT (template PAYMENT).</summary>
    public static readonly Guid PaymentJournalId = Guid.Parse("f0000000-0000-4000-8000-000000000002");
    public static readonly Guid DomesticPostingGroupId = Guid.Parse("f1000000-0000-4000-8000-000000000001");
    public static Guid CustomerId(int n) => Guid.Parse($"c0000000-0000-4000-8000-{n:D12}");
    public static string CustomerNumber(int n) => $"C{n:D5}";
    public static Guid AccountId(string number) => Guid.Parse($"e0000000-0000-4000-8000-{int.Parse(number, System.Globalization.CultureInfo.InvariantCulture):D12}");
    public static Guid InvoiceId(int n) => Guid.Parse($"d1000000-0000-4000-8000-{n:D12}");
    public static Guid ContactId(int n) => Guid.Parse($"c1000000-0000-4000-8000-{n:D12}");
    public static readonly Guid DomesticVendorPostingGroupId = Guid.Parse("f1000000-0000-4000-8000-000000000002");
    public static Guid VendorId(int n) => Guid.Parse($"b0000000-0000-4000-8000-{n:D12}");
    public static string VendorNumber(int n) => $"V{n:D5}";
    public static Guid PurchaseInvoiceId(int n) => Guid.Parse($"b1000000-0000-4000-8000-{n:D12}");
    public const string CashAccount = "2910";
    public const string ReceivablesAccount = "2310";
    public const string RevenueAccount = "6110";
    public const string PayablesAccount = "5410";
    public const string ExpenseAccount = "8210";

    private static readonly (string Number, string Name, string Category, string Sub)[] Accounts =
    [
        ("2310", "Customers Domestic", "Assets", "Accounts Receivable"),
        ("2320", "Customers Foreign", "Assets", "Accounts Receivable"),
        ("2910", "Cash", "Assets", "Cash"),
        ("2920", "Bank, Checking", "Assets", "Cash"),
        ("5410", "Vendors, Domestic", "Liabilities", "Accounts Payable"),
        ("6110", "Sales, Retail - Dom.", "Income", "Income, Product Sales"),
        ("6120", "Sales, Retail - EU", "Income", "Income, Product Sales"),
        ("8210", "Office Supplies", "Expense", "Operating Expenses"),
        ("8610", "Bank Charges", "Expense", "Other Expenses"),
    ];

    private static readonly string[] CustomerNames =
        ["Adatum Corporation", "Trey Research", "School of Fine Art", "Alpine Ski House", "Relecloud"];

    private static readonly string[] VendorNames = ["Fabrikam, Inc.", "First Up Consultants", "Graphic Design Institute"];

    private const int PurchaseInvoices = 5;

    public static async Task<bool> SeedAsync(AppDb db, CancellationToken ct = default)
    {
        if (await db.Companies.AnyAsync(ct)) return false;
        var now = db.Now();
        var c = CompanyId;
        db.Companies.Add(new Company
        {
            Id = c, Name = "CRONUS", DisplayName = "CRONUS Demo Company", BusinessProfileId = "", CreatedAt = now,
            AllowPostingFrom = new DateOnly(2024, 1, 1), AllowPostingTo = new DateOnly(2030, 12, 31),
        });
        foreach (var (number, name, category, sub) in Accounts)
            db.Accounts.Add(new Account { Id = AccountId(number), CompanyId = c, Number = number, DisplayName = name, Category = category, SubCategory = sub });
        db.CustomerPostingGroups.Add(new CustomerPostingGroup
        {
            Id = DomesticPostingGroupId, CompanyId = c, Code = "DOMESTIC", Description = "Domestic customers", ReceivablesAccountId = AccountId(ReceivablesAccount),
        });
        db.NumberSeries.AddRange(
            new Series { Id = Guid.Parse("f2000000-0000-4000-8000-000000000001"), CompanyId = c, Code = "CUST", Prefix = "C", Digits = 5, LastUsed = CustomerNames.Length },
            new Series { Id = Guid.Parse("f2000000-0000-4000-8000-000000000002"), CompanyId = c, Code = "CONT", Prefix = "CT", Digits = 6, LastUsed = CustomerNames.Length },
            new Series { Id = Guid.Parse("f2000000-0000-4000-8000-000000000003"), CompanyId = c, Code = "S-INV", Prefix = "103", Digits = 3, LastUsed = 10 },
            new Series { Id = Guid.Parse("f2000000-0000-4000-8000-000000000004"), CompanyId = c, Code = "GJNL-RCPT", Prefix = "G0", Digits = 4, LastUsed = 2000 },
            new Series { Id = Guid.Parse("f2000000-0000-4000-8000-000000000005"), CompanyId = c, Code = "VEND", Prefix = "V", Digits = 5, LastUsed = VendorNames.Length },
            new Series { Id = Guid.Parse("f2000000-0000-4000-8000-000000000006"), CompanyId = c, Code = "P-INV", Prefix = "108", Digits = 3, LastUsed = PurchaseInvoices },
            new Series { Id = Guid.Parse("f2000000-0000-4000-8000-000000000007"), CompanyId = c, Code = "GJNL-PMT", Prefix = "PMT", Digits = 5 });
        db.VendorPostingGroups.Add(new VendorPostingGroup
        {
            Id = DomesticVendorPostingGroupId, CompanyId = c, Code = "DOMESTIC", Description = "Domestic vendors", PayablesAccountId = AccountId(PayablesAccount),
        });
        for (var i = 1; i <= VendorNames.Length; i++)
            db.Vendors.Add(new Vendor
            {
                Id = VendorId(i), CompanyId = c, Number = VendorNumber(i), DisplayName = VendorNames[i - 1], City = "Atlanta", Country = "US",
                PostingGroupId = DomesticVendorPostingGroupId, Email = $"billing@vendor{i}.example.com",
            });

        for (var i = 1; i <= CustomerNames.Length; i++)
        {
            db.Customers.Add(new Customer
            {
                Id = CustomerId(i), CompanyId = c, Number = CustomerNumber(i), DisplayName = CustomerNames[i - 1], Type = "Company",
                City = "Seattle", Country = "US", PostingGroupId = DomesticPostingGroupId, CreditLimit = 1_000_000,
                Email = $"accounts@customer{i}.example.com",
            });
            db.Contacts.Add(new Contact
            {
                Id = ContactId(i), CompanyId = c, Number = $"CT{i:D6}", DisplayName = $"Contact of {CustomerNames[i - 1]}", Type = "Person",
                CustomerId = CustomerId(i), CustomerNumber = CustomerNumber(i),
            });
        }

        db.CustomerPaymentJournals.Add(new CustomerPaymentJournal
        {
            Id = GeneralJournalId, CompanyId = c, Code = "GENERAL", DisplayName = "General cash receipts",
            BalancingAccountId = AccountId(CashAccount), BalancingAccountNumber = CashAccount,
            NumberSeriesId = Guid.Parse("f2000000-0000-4000-8000-000000000004"),
        });
        db.VendorPaymentJournals.Add(new VendorPaymentJournal
        {
            Id = PaymentJournalId, CompanyId = c, Code = "PAYMENT", DisplayName = "Vendor payments",
            BalancingAccountId = AccountId(CashAccount), BalancingAccountNumber = CashAccount,
            NumberSeriesId = Guid.Parse("f2000000-0000-4000-8000-000000000007"),
        });

        var area = Guid.Parse("f3000000-0000-4000-8000-000000000001");
        var department = Guid.Parse("f3000000-0000-4000-8000-000000000002");
        db.Dimensions.AddRange(
            new Dimension { Id = area, CompanyId = c, Code = "AREA", DisplayName = "Area" },
            new Dimension { Id = department, CompanyId = c, Code = "DEPARTMENT", DisplayName = "Department" });
        var values = new (Guid Dim, string DimCode, string Code, string Name)[]
        {
            (area, "AREA", "10", "Europe North"), (area, "AREA", "20", "Europe South"), (area, "AREA", "30", "America"),
            (department, "DEPARTMENT", "ADM", "Administration"), (department, "DEPARTMENT", "PROD", "Production"), (department, "DEPARTMENT", "SALES", "Sales"),
        };
        var vi = 1;
        foreach (var (dim, dimCode, code, name) in values)
            db.DimensionValues.Add(new DimensionValue { Id = Guid.Parse($"f4000000-0000-4000-8000-{vi++:D12}"), CompanyId = c, DimensionId = dim, DimensionCode = dimCode, Code = code, DisplayName = name });

        // Ten posted invoices, two per customer, with their ledger entries (receivables against revenue).
        long entry = 0, transaction = 0;
        var balances = new long[CustomerNames.Length + 1];
        for (var n = 1; n <= 10; n++)
        {
            var cust = (n - 1) % CustomerNames.Length + 1;
            var amount = 50_000L + n * 12_345L; // cents
            var date = new DateOnly(2026, 1, 1).AddDays(n * 3);
            var number = $"103{n:D3}";
            var invoiceId = InvoiceId(n);
            db.SalesInvoices.Add(new SalesInvoice
            {
                Id = invoiceId, CompanyId = c, Number = number, InvoiceDate = date, PostingDate = date, DueDate = date.AddDays(30),
                CustomerId = CustomerId(cust), CustomerNumber = CustomerNumber(cust), CustomerName = CustomerNames[cust - 1],
                BillToCustomerId = CustomerId(cust), BillToCustomerNumber = CustomerNumber(cust), Status = "Open",
                TotalAmountExcludingTax = amount, TotalAmountIncludingTax = amount, RemainingAmount = amount,
            });
            db.SalesInvoiceLines.Add(new SalesInvoiceLine
            {
                Id = Guid.Parse($"d2000000-0000-4000-8000-{n:D12}"), CompanyId = c, DocumentId = invoiceId, Sequence = 10000, LineType = "Account",
                AccountId = AccountId(RevenueAccount), LineObjectNumber = RevenueAccount, Description = "Consulting services",
                Quantity = 100000, UnitPrice = amount, AmountExcludingTax = amount, AmountIncludingTax = amount,
            });
            transaction++;
            db.CustomerLedgerEntries.Add(new CustomerLedgerEntry
            {
                Id = Guid.Parse($"d3000000-0000-4000-8000-{n:D12}"), CompanyId = c, EntryNumber = ++entry, TransactionNumber = transaction,
                CustomerId = CustomerId(cust), CustomerNumber = CustomerNumber(cust), PostingDate = date, DocumentType = "Invoice",
                DocumentNumber = number, Description = $"Invoice {number}", Amount = amount, RemainingAmount = amount, Open = true,
                SalesInvoiceId = invoiceId, CreatedAt = now,
            });
            db.GeneralLedgerEntries.Add(Gl(c, ++entry, transaction, date, number, ReceivablesAccount, amount, CustomerId(cust), now));
            db.GeneralLedgerEntries.Add(Gl(c, ++entry, transaction, date, number, RevenueAccount, -amount, CustomerId(cust), now));
            balances[cust] += amount;
        }
        // Five posted purchase invoices, open, with their ledger entries (expense against payables; the vendor's entry is
        // negative, as Business Central signs a credit to the vendor).
        var owed = new long[VendorNames.Length + 1];
        for (var n = 1; n <= PurchaseInvoices; n++)
        {
            var vendor = (n - 1) % VendorNames.Length + 1;
            var amount = 20_000L + n * 7_531L; // cents
            var date = new DateOnly(2026, 1, 2).AddDays(n * 4);
            var number = $"108{n:D3}";
            var invoiceId = PurchaseInvoiceId(n);
            db.PurchaseInvoices.Add(new PurchaseInvoice
            {
                Id = invoiceId, CompanyId = c, Number = number, VendorInvoiceNumber = $"F-{2600 + n}", InvoiceDate = date, PostingDate = date,
                DueDate = date.AddDays(30), VendorId = VendorId(vendor), VendorNumber = VendorNumber(vendor), VendorName = VendorNames[vendor - 1],
                PayToVendorId = VendorId(vendor), PayToVendorNumber = VendorNumber(vendor), PayToName = VendorNames[vendor - 1], Status = "Open",
                TotalAmountExcludingTax = amount, TotalAmountIncludingTax = amount, RemainingAmount = amount,
            });
            db.PurchaseInvoiceLines.Add(new PurchaseInvoiceLine
            {
                Id = Guid.Parse($"b2000000-0000-4000-8000-{n:D12}"), CompanyId = c, DocumentId = invoiceId, Sequence = 10000, LineType = "Account",
                AccountId = AccountId(ExpenseAccount), LineObjectNumber = ExpenseAccount, Description = "Office supplies",
                Quantity = 100000, DirectUnitCost = amount, AmountExcludingTax = amount, AmountIncludingTax = amount,
            });
            transaction++;
            db.VendorLedgerEntries.Add(new VendorLedgerEntry
            {
                Id = Guid.Parse($"b3000000-0000-4000-8000-{n:D12}"), CompanyId = c, EntryNumber = ++entry, TransactionNumber = transaction,
                VendorId = VendorId(vendor), VendorNumber = VendorNumber(vendor), PostingDate = date, DocumentType = "Invoice",
                DocumentNumber = number, ExternalDocumentNumber = $"F-{2600 + n}", Description = $"Invoice {number}", Amount = -amount,
                RemainingAmount = -amount, Open = true, PurchaseInvoiceId = invoiceId, CreatedAt = now,
            });
            db.GeneralLedgerEntries.Add(Gl(c, ++entry, transaction, date, number, ExpenseAccount, amount, Guid.Empty, now));
            db.GeneralLedgerEntries.Add(Gl(c, ++entry, transaction, date, number, PayablesAccount, -amount, Guid.Empty, now));
            owed[vendor] += amount;
        }
        // How the demo bank's CSV export reads (samples/bank/cronus-2026-12-03.csv).
        db.CsvImportProfiles.Add(new CsvImportProfile
        {
            Id = Guid.Parse("f3000000-0000-4000-8000-000000000001"), CompanyId = c, Code = "CRONUS-CSV", Delimiter = ";", DecimalSeparator = ",",
            DateFormat = "dd.MM.yyyy", Currency = "EUR", AccountIban = "DE89370400440532013000", BookingDateColumn = "Date",
            CounterpartyNameColumn = "Payer", CounterpartyIbanColumn = "IBAN", RemittanceColumn = "Text", AmountColumn = "Amount", BalanceColumn = "Balance",
        });
        await db.SaveChangesAsync(ct);
        for (var i = 1; i <= CustomerNames.Length; i++)
        {
            var id = CustomerId(i);
            var balance = balances[i];
            await db.Customers.Where(x => x.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.BalanceDue, balance), ct);
        }
        for (var i = 1; i <= VendorNames.Length; i++)
        {
            var id = VendorId(i);
            var balance = owed[i];
            await db.Vendors.Where(x => x.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Balance, balance), ct);
        }
        var totalPayables = owed.Sum();
        await db.Accounts.Where(a => a.Id == AccountId(ExpenseAccount)).ExecuteUpdateAsync(u => u.SetProperty(a => a.NetChange, totalPayables), ct);
        await db.Accounts.Where(a => a.Id == AccountId(PayablesAccount)).ExecuteUpdateAsync(u => u.SetProperty(a => a.NetChange, -totalPayables), ct);
        var totalReceivables = balances.Sum();
        await db.Accounts.Where(a => a.Id == AccountId(ReceivablesAccount)).ExecuteUpdateAsync(u => u.SetProperty(a => a.NetChange, totalReceivables), ct);
        await db.Accounts.Where(a => a.Id == AccountId(RevenueAccount)).ExecuteUpdateAsync(u => u.SetProperty(a => a.NetChange, -totalReceivables), ct);
        await db.Companies.Where(x => x.Id == c).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastEntryNumber, entry).SetProperty(x => x.LastTransactionNumber, transaction), ct);
        return true;
    }

    private static GeneralLedgerEntry Gl(Guid company, long entry, long transaction, DateOnly date, string document, string account, long amount, Guid customer, DateTime now) => new()
    {
        Id = Guid.Parse($"d4000000-0000-4000-8000-{entry:D12}"), CompanyId = company, EntryNumber = entry, TransactionNumber = transaction,
        PostingDate = date, DocumentType = "Invoice", DocumentNumber = document, AccountId = AccountId(account), AccountNumber = account,
        Description = $"Invoice {document}", Amount = amount, DebitAmount = amount > 0 ? amount : 0, CreditAmount = amount < 0 ? -amount : 0,
        CustomerId = customer, CreatedAt = now,
    };
}
