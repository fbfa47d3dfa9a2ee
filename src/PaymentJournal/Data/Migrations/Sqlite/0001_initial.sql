-- Initial schema (SQLite). Money is stored as integers scaled by 100 (quantities by 100000);
-- GUIDs, dates and timestamps as TEXT in the formats EF Core's SQLite provider writes.
CREATE TABLE companies (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    business_profile_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    allow_posting_from TEXT NULL,
    allow_posting_to TEXT NULL,
    last_entry_number INTEGER NOT NULL DEFAULT 0,
    last_transaction_number INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE TABLE number_series (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    prefix TEXT NOT NULL,
    digits INTEGER NOT NULL,
    last_used INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_number_series_code ON number_series(company_id, code);
CREATE TABLE customer_posting_groups (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    receivables_account_id TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_customer_posting_groups_code ON customer_posting_groups(company_id, code);
CREATE TABLE accounts (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    display_name TEXT NOT NULL,
    category TEXT NOT NULL,
    sub_category TEXT NOT NULL,
    blocked INTEGER NOT NULL,
    account_type TEXT NOT NULL,
    direct_posting INTEGER NOT NULL,
    net_change INTEGER NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_accounts_number ON accounts(company_id, number);
CREATE TABLE customers (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    display_name TEXT NOT NULL,
    type TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    country TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    email TEXT NOT NULL,
    website TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    blocked TEXT NOT NULL,
    credit_limit INTEGER NOT NULL,
    balance_due INTEGER NOT NULL,
    posting_group_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_customers_number ON customers(company_id, number);
CREATE INDEX ix_customers_name ON customers(company_id, display_name);
CREATE TABLE contacts (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    display_name TEXT NOT NULL,
    type TEXT NOT NULL,
    job_title TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    email TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_contacts_number ON contacts(company_id, number);
CREATE INDEX ix_contacts_customer ON contacts(customer_id);
CREATE TABLE sales_invoices (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    external_document_number TEXT NOT NULL,
    invoice_date TEXT NOT NULL,
    posting_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    bill_to_customer_id TEXT NOT NULL,
    bill_to_customer_number TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    status TEXT NOT NULL,
    total_amount_excluding_tax INTEGER NOT NULL,
    total_tax_amount INTEGER NOT NULL,
    total_amount_including_tax INTEGER NOT NULL,
    remaining_amount INTEGER NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_sales_invoices_number ON sales_invoices(company_id, number);
CREATE INDEX ix_sales_invoices_customer ON sales_invoices(company_id, customer_id);
CREATE TABLE sales_invoice_lines (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    document_id TEXT NOT NULL REFERENCES sales_invoices(id) ON DELETE CASCADE,
    sequence INTEGER NOT NULL,
    line_type TEXT NOT NULL,
    account_id TEXT NOT NULL,
    line_object_number TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price INTEGER NOT NULL,
    amount_excluding_tax INTEGER NOT NULL,
    total_tax_amount INTEGER NOT NULL,
    amount_including_tax INTEGER NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_sales_invoice_lines_seq ON sales_invoice_lines(document_id, sequence);
CREATE TABLE customer_payment_journals (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    display_name TEXT NOT NULL,
    balancing_account_id TEXT NOT NULL,
    balancing_account_number TEXT NOT NULL,
    number_series_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_customer_payment_journals_code ON customer_payment_journals(company_id, code);
CREATE TABLE customer_payments (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    journal_id TEXT NOT NULL REFERENCES customer_payment_journals(id) ON DELETE CASCADE,
    journal_code TEXT NOT NULL,
    line_number INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    posting_date TEXT NOT NULL,
    document_number TEXT NOT NULL,
    external_document_number TEXT NOT NULL,
    amount INTEGER NOT NULL,
    applies_to_invoice_id TEXT NOT NULL,
    applies_to_invoice_number TEXT NOT NULL,
    description TEXT NOT NULL,
    comment TEXT NOT NULL,
    balancing_account_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
-- The access paths of the API: a journal's lines by line number (the default order and keyset paging),
-- and the common filters within a journal.
CREATE UNIQUE INDEX ux_customer_payments_line ON customer_payments(journal_id, line_number);
CREATE INDEX ix_customer_payments_posting_date ON customer_payments(journal_id, posting_date);
CREATE INDEX ix_customer_payments_customer ON customer_payments(journal_id, customer_id);
CREATE INDEX ix_customer_payments_document ON customer_payments(journal_id, document_number);
CREATE INDEX ix_customer_payments_modified ON customer_payments(journal_id, last_modified);
CREATE TABLE dimensions (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    display_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_dimensions_code ON dimensions(company_id, code);
CREATE TABLE dimension_values (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    dimension_id TEXT NOT NULL REFERENCES dimensions(id),
    dimension_code TEXT NOT NULL,
    code TEXT NOT NULL,
    display_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_dimension_values_code ON dimension_values(dimension_id, code);
CREATE TABLE payment_dimensions (
    company_id TEXT NOT NULL,
    payment_id TEXT NOT NULL REFERENCES customer_payments(id) ON DELETE CASCADE,
    dimension_id TEXT NOT NULL REFERENCES dimensions(id),
    dimension_value_id TEXT NOT NULL REFERENCES dimension_values(id),
    dimension_code TEXT NOT NULL,
    dimension_name TEXT NOT NULL,
    value_code TEXT NOT NULL,
    value_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    PRIMARY KEY (payment_id, dimension_id)
);
CREATE TABLE customer_ledger_entries (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    entry_number INTEGER NOT NULL,
    transaction_number INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    posting_date TEXT NOT NULL,
    document_type TEXT NOT NULL,
    document_number TEXT NOT NULL,
    external_document_number TEXT NOT NULL,
    description TEXT NOT NULL,
    amount INTEGER NOT NULL,
    remaining_amount INTEGER NOT NULL,
    open INTEGER NOT NULL,
    sales_invoice_id TEXT NOT NULL,
    journal_code TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_customer_ledger_entries_number ON customer_ledger_entries(company_id, entry_number);
CREATE INDEX ix_customer_ledger_entries_customer ON customer_ledger_entries(company_id, customer_id, open);
CREATE INDEX ix_customer_ledger_entries_invoice ON customer_ledger_entries(sales_invoice_id);
CREATE TABLE customer_ledger_applications (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    transaction_number INTEGER NOT NULL,
    applying_entry_id TEXT NOT NULL,
    applied_entry_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    posting_date TEXT NOT NULL
);
CREATE TABLE general_ledger_entries (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    entry_number INTEGER NOT NULL,
    transaction_number INTEGER NOT NULL,
    posting_date TEXT NOT NULL,
    document_type TEXT NOT NULL,
    document_number TEXT NOT NULL,
    account_id TEXT NOT NULL,
    account_number TEXT NOT NULL,
    description TEXT NOT NULL,
    amount INTEGER NOT NULL,
    debit_amount INTEGER NOT NULL,
    credit_amount INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_general_ledger_entries_number ON general_ledger_entries(company_id, entry_number);
CREATE INDEX ix_general_ledger_entries_transaction ON general_ledger_entries(company_id, transaction_number);
CREATE INDEX ix_general_ledger_entries_account ON general_ledger_entries(company_id, account_id, posting_date);
CREATE TABLE ledger_entry_dimensions (
    company_id TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    dimension_id TEXT NOT NULL,
    dimension_value_id TEXT NOT NULL,
    PRIMARY KEY (entry_id, dimension_id)
);
