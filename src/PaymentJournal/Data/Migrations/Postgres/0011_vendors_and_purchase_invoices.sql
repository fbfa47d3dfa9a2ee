-- Vendors and what the company owes them: vendor posting groups (which G/L account holds the payables), vendors,
-- purchase invoices with their lines, and vendor ledger entries with their applications, shaped as the customer side
-- is. Amounts are cents, quantities 10^-5. The ledger tables have no foreign key to companies, as the customer ledger (0009_posting_keys).
CREATE TABLE vendor_posting_groups (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    code text COLLATE "C" NOT NULL,
    description text COLLATE "C" NOT NULL,
    payables_account_id uuid NOT NULL
);
CREATE UNIQUE INDEX ux_vendor_posting_groups_code ON vendor_posting_groups(company_id, code);
CREATE TABLE vendors (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    number text COLLATE "C" NOT NULL,
    display_name text COLLATE "C" NOT NULL,
    address_line1 text COLLATE "C" NOT NULL,
    address_line2 text COLLATE "C" NOT NULL,
    city text COLLATE "C" NOT NULL,
    state text COLLATE "C" NOT NULL,
    country text COLLATE "C" NOT NULL,
    postal_code text COLLATE "C" NOT NULL,
    phone_number text COLLATE "C" NOT NULL,
    email text COLLATE "C" NOT NULL,
    website text COLLATE "C" NOT NULL,
    tax_registration_number text COLLATE "C" NOT NULL,
    currency_code text COLLATE "C" NOT NULL,
    tax_liable boolean NOT NULL,
    blocked text COLLATE "C" NOT NULL,
    balance bigint NOT NULL,
    posting_group_id uuid NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_vendors_number ON vendors(company_id, number);
CREATE INDEX ix_vendors_name ON vendors(company_id, display_name);
CREATE TABLE purchase_invoices (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    number text COLLATE "C" NOT NULL,
    vendor_invoice_number text COLLATE "C" NOT NULL,
    invoice_date date NOT NULL,
    posting_date date NOT NULL,
    due_date date NOT NULL,
    vendor_id uuid NOT NULL,
    vendor_number text COLLATE "C" NOT NULL,
    vendor_name text COLLATE "C" NOT NULL,
    pay_to_vendor_id uuid NOT NULL,
    pay_to_vendor_number text COLLATE "C" NOT NULL,
    pay_to_name text COLLATE "C" NOT NULL,
    currency_code text COLLATE "C" NOT NULL,
    status text COLLATE "C" NOT NULL,
    total_amount_excluding_tax bigint NOT NULL,
    total_tax_amount bigint NOT NULL,
    total_amount_including_tax bigint NOT NULL,
    remaining_amount bigint NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_purchase_invoices_number ON purchase_invoices(company_id, number);
CREATE INDEX ix_purchase_invoices_vendor ON purchase_invoices(company_id, vendor_id);
CREATE INDEX ix_purchase_invoices_status ON purchase_invoices(company_id, status);
CREATE TABLE purchase_invoice_lines (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    document_id uuid NOT NULL REFERENCES purchase_invoices(id) ON DELETE CASCADE,
    sequence integer NOT NULL,
    line_type text COLLATE "C" NOT NULL,
    account_id uuid NOT NULL,
    line_object_number text COLLATE "C" NOT NULL,
    description text COLLATE "C" NOT NULL,
    quantity bigint NOT NULL,
    direct_unit_cost bigint NOT NULL,
    amount_excluding_tax bigint NOT NULL,
    total_tax_amount bigint NOT NULL,
    amount_including_tax bigint NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_purchase_invoice_lines_seq ON purchase_invoice_lines(document_id, sequence);
CREATE TABLE vendor_ledger_entries (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL,
    entry_number bigint NOT NULL,
    transaction_number bigint NOT NULL,
    vendor_id uuid NOT NULL,
    vendor_number text COLLATE "C" NOT NULL,
    posting_date date NOT NULL,
    document_type text COLLATE "C" NOT NULL,
    document_number text COLLATE "C" NOT NULL,
    external_document_number text COLLATE "C" NOT NULL,
    description text COLLATE "C" NOT NULL,
    amount bigint NOT NULL,
    remaining_amount bigint NOT NULL,
    open boolean NOT NULL,
    purchase_invoice_id uuid NOT NULL,
    journal_code text COLLATE "C" NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_vendor_ledger_entries_number ON vendor_ledger_entries(company_id, entry_number);
CREATE INDEX ix_vendor_ledger_entries_vendor ON vendor_ledger_entries(company_id, vendor_id, open);
CREATE INDEX ix_vendor_ledger_entries_invoice ON vendor_ledger_entries(purchase_invoice_id) WHERE document_type = 'Invoice';
CREATE TABLE vendor_ledger_applications (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL,
    transaction_number bigint NOT NULL,
    applying_entry_id uuid NOT NULL,
    applied_entry_id uuid NOT NULL,
    amount bigint NOT NULL,
    posting_date date NOT NULL
);
CREATE INDEX ix_vendor_ledger_applications_applied ON vendor_ledger_applications(applied_entry_id);
CREATE INDEX ix_vendor_ledger_applications_transaction ON vendor_ledger_applications(company_id, transaction_number);

-- A demo company made by an earlier release gets what a new one gets (Data/DemoSeed.cs): the payables and expense
-- accounts, the domestic vendor posting group and the vendors' number series, under the same fixed ids.
INSERT INTO accounts (id, company_id, number, display_name, category, sub_category, blocked, account_type, direct_posting, net_change, version, last_modified)
SELECT v.id, c.id, v.number, v.name, v.category, v.sub, false, 'Posting', true, 0, 1, now()
FROM companies c, (SELECT 'e0000000-0000-4000-8000-000000005410'::uuid AS id, '5410' AS number, 'Vendors, Domestic' AS name, 'Liabilities' AS category, 'Accounts Payable' AS sub
                   UNION ALL SELECT 'e0000000-0000-4000-8000-000000008210'::uuid, '8210', 'Office Supplies', 'Expense', 'Operating Expenses') v
WHERE c.id = 'c0000000-0000-4000-8000-000000000001' AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.company_id = c.id AND a.number = v.number);
INSERT INTO vendor_posting_groups (id, company_id, code, description, payables_account_id)
SELECT 'f1000000-0000-4000-8000-000000000002', c.id, 'DOMESTIC', 'Domestic vendors', a.id
FROM companies c JOIN accounts a ON a.company_id = c.id AND a.number = '5410'
WHERE c.id = 'c0000000-0000-4000-8000-000000000001';
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
SELECT 'f2000000-0000-4000-8000-000000000005', c.id, 'VEND', 'V', 5, 0
FROM companies c WHERE c.id = 'c0000000-0000-4000-8000-000000000001' AND NOT EXISTS (SELECT 1 FROM number_series s WHERE s.company_id = c.id AND s.code = 'VEND');
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
SELECT 'f2000000-0000-4000-8000-000000000006', c.id, 'P-INV', '108', 3, 0
FROM companies c WHERE c.id = 'c0000000-0000-4000-8000-000000000001' AND NOT EXISTS (SELECT 1 FROM number_series s WHERE s.company_id = c.id AND s.code = 'P-INV');
