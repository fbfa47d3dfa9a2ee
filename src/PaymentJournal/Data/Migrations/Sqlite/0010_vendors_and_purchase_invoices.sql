-- Vendors and what the company owes them: vendor posting groups (which G/L account holds the payables), vendors,
-- purchase invoices with their lines, and vendor ledger entries with their applications, shaped as the customer side
-- is. Amounts are cents, quantities 10^-5. Booleans are 0 or 1, dates yyyy-MM-dd.
CREATE TABLE vendor_posting_groups (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    payables_account_id TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_vendor_posting_groups_code ON vendor_posting_groups(company_id, code);
CREATE TABLE vendors (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    display_name TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    country TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    email TEXT NOT NULL,
    website TEXT NOT NULL,
    tax_registration_number TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    tax_liable INTEGER NOT NULL,
    blocked TEXT NOT NULL,
    balance INTEGER NOT NULL,
    posting_group_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_vendors_number ON vendors(company_id, number);
CREATE INDEX ix_vendors_name ON vendors(company_id, display_name);
CREATE TABLE purchase_invoices (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    vendor_invoice_number TEXT NOT NULL,
    invoice_date TEXT NOT NULL,
    posting_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    vendor_number TEXT NOT NULL,
    vendor_name TEXT NOT NULL,
    pay_to_vendor_id TEXT NOT NULL,
    pay_to_vendor_number TEXT NOT NULL,
    pay_to_name TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    status TEXT NOT NULL,
    total_amount_excluding_tax INTEGER NOT NULL,
    total_tax_amount INTEGER NOT NULL,
    total_amount_including_tax INTEGER NOT NULL,
    remaining_amount INTEGER NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_purchase_invoices_number ON purchase_invoices(company_id, number);
CREATE INDEX ix_purchase_invoices_vendor ON purchase_invoices(company_id, vendor_id);
CREATE INDEX ix_purchase_invoices_status ON purchase_invoices(company_id, status);
CREATE TABLE purchase_invoice_lines (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    document_id TEXT NOT NULL REFERENCES purchase_invoices(id) ON DELETE CASCADE,
    sequence INTEGER NOT NULL,
    line_type TEXT NOT NULL,
    account_id TEXT NOT NULL,
    line_object_number TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    direct_unit_cost INTEGER NOT NULL,
    amount_excluding_tax INTEGER NOT NULL,
    total_tax_amount INTEGER NOT NULL,
    amount_including_tax INTEGER NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_purchase_invoice_lines_seq ON purchase_invoice_lines(document_id, sequence);
CREATE TABLE vendor_ledger_entries (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    entry_number INTEGER NOT NULL,
    transaction_number INTEGER NOT NULL,
    vendor_id TEXT NOT NULL,
    vendor_number TEXT NOT NULL,
    posting_date TEXT NOT NULL,
    document_type TEXT NOT NULL,
    document_number TEXT NOT NULL,
    external_document_number TEXT NOT NULL,
    description TEXT NOT NULL,
    amount INTEGER NOT NULL,
    remaining_amount INTEGER NOT NULL,
    open INTEGER NOT NULL,
    purchase_invoice_id TEXT NOT NULL,
    journal_code TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_vendor_ledger_entries_number ON vendor_ledger_entries(company_id, entry_number);
CREATE INDEX ix_vendor_ledger_entries_vendor ON vendor_ledger_entries(company_id, vendor_id, open);
CREATE INDEX ix_vendor_ledger_entries_invoice ON vendor_ledger_entries(purchase_invoice_id) WHERE document_type = 'Invoice';
CREATE TABLE vendor_ledger_applications (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    transaction_number INTEGER NOT NULL,
    applying_entry_id TEXT NOT NULL,
    applied_entry_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    posting_date TEXT NOT NULL
);
CREATE INDEX ix_vendor_ledger_applications_applied ON vendor_ledger_applications(applied_entry_id);
CREATE INDEX ix_vendor_ledger_applications_transaction ON vendor_ledger_applications(company_id, transaction_number);

-- A demo company made by an earlier release gets what a new one gets (Data/DemoSeed.cs): the payables and expense
-- accounts, the domestic vendor posting group and the vendors' number series, under the same fixed ids.
INSERT INTO accounts (id, company_id, number, display_name, category, sub_category, blocked, account_type, direct_posting, net_change, version, last_modified)
SELECT v.id, c.id, v.number, v.name, v.category, v.sub, 0, 'Posting', 1, 0, 1, strftime('%Y-%m-%d %H:%M:%f', 'now')
FROM companies c, (SELECT 'E0000000-0000-4000-8000-000000005410' AS id, '5410' AS number, 'Vendors, Domestic' AS name, 'Liabilities' AS category, 'Accounts Payable' AS sub
                   UNION ALL SELECT 'E0000000-0000-4000-8000-000000008210', '8210', 'Office Supplies', 'Expense', 'Operating Expenses') v
WHERE c.id = 'C0000000-0000-4000-8000-000000000001' AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.company_id = c.id AND a.number = v.number);
INSERT INTO vendor_posting_groups (id, company_id, code, description, payables_account_id)
SELECT 'F1000000-0000-4000-8000-000000000002', c.id, 'DOMESTIC', 'Domestic vendors', a.id
FROM companies c JOIN accounts a ON a.company_id = c.id AND a.number = '5410'
WHERE c.id = 'C0000000-0000-4000-8000-000000000001';
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
SELECT 'F2000000-0000-4000-8000-000000000005', c.id, 'VEND', 'V', 5, 0
FROM companies c WHERE c.id = 'C0000000-0000-4000-8000-000000000001' AND NOT EXISTS (SELECT 1 FROM number_series s WHERE s.company_id = c.id AND s.code = 'VEND');
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
SELECT 'F2000000-0000-4000-8000-000000000006', c.id, 'P-INV', '108', 3, 0
FROM companies c WHERE c.id = 'C0000000-0000-4000-8000-000000000001' AND NOT EXISTS (SELECT 1 FROM number_series s WHERE s.company_id = c.id AND s.code = 'P-INV');
