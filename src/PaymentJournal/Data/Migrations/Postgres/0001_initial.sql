-- Initial schema (PostgreSQL). Money is stored as integers scaled by 100 (quantities by 100000);
-- GUIDs as uuid, dates as date, timestamps as timestamptz.
CREATE TABLE companies (
    id uuid NOT NULL PRIMARY KEY,
    name text NOT NULL,
    display_name text NOT NULL,
    business_profile_id text NOT NULL,
    created_at timestamptz NOT NULL,
    allow_posting_from date NULL,
    allow_posting_to date NULL,
    last_entry_number bigint NOT NULL DEFAULT 0,
    last_transaction_number bigint NOT NULL DEFAULT 0,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE TABLE number_series (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    code text NOT NULL,
    prefix text NOT NULL,
    digits integer NOT NULL,
    last_used bigint NOT NULL
);
CREATE UNIQUE INDEX ux_number_series_code ON number_series(company_id, code);
CREATE TABLE customer_posting_groups (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    code text NOT NULL,
    description text NOT NULL,
    receivables_account_id uuid NOT NULL
);
CREATE UNIQUE INDEX ux_customer_posting_groups_code ON customer_posting_groups(company_id, code);
CREATE TABLE accounts (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    number text NOT NULL,
    display_name text NOT NULL,
    category text NOT NULL,
    sub_category text NOT NULL,
    blocked boolean NOT NULL,
    account_type text NOT NULL,
    direct_posting boolean NOT NULL,
    net_change bigint NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_accounts_number ON accounts(company_id, number);
CREATE TABLE customers (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    number text NOT NULL,
    display_name text NOT NULL,
    type text NOT NULL,
    address_line1 text NOT NULL,
    address_line2 text NOT NULL,
    city text NOT NULL,
    state text NOT NULL,
    country text NOT NULL,
    postal_code text NOT NULL,
    phone_number text NOT NULL,
    email text NOT NULL,
    website text NOT NULL,
    currency_code text NOT NULL,
    blocked text NOT NULL,
    credit_limit bigint NOT NULL,
    balance_due bigint NOT NULL,
    posting_group_id uuid NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_customers_number ON customers(company_id, number);
CREATE INDEX ix_customers_name ON customers(company_id, display_name);
CREATE TABLE contacts (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    number text NOT NULL,
    display_name text NOT NULL,
    type text NOT NULL,
    job_title text NOT NULL,
    phone_number text NOT NULL,
    email text NOT NULL,
    customer_id uuid NOT NULL,
    customer_number text NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_contacts_number ON contacts(company_id, number);
CREATE INDEX ix_contacts_customer ON contacts(customer_id);
CREATE TABLE sales_invoices (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    number text NOT NULL,
    external_document_number text NOT NULL,
    invoice_date date NOT NULL,
    posting_date date NOT NULL,
    due_date date NOT NULL,
    customer_id uuid NOT NULL,
    customer_number text NOT NULL,
    customer_name text NOT NULL,
    bill_to_customer_id uuid NOT NULL,
    bill_to_customer_number text NOT NULL,
    currency_code text NOT NULL,
    status text NOT NULL,
    total_amount_excluding_tax bigint NOT NULL,
    total_tax_amount bigint NOT NULL,
    total_amount_including_tax bigint NOT NULL,
    remaining_amount bigint NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_sales_invoices_number ON sales_invoices(company_id, number);
CREATE INDEX ix_sales_invoices_customer ON sales_invoices(company_id, customer_id);
CREATE TABLE sales_invoice_lines (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    document_id uuid NOT NULL REFERENCES sales_invoices(id) ON DELETE CASCADE,
    sequence integer NOT NULL,
    line_type text NOT NULL,
    account_id uuid NOT NULL,
    line_object_number text NOT NULL,
    description text NOT NULL,
    quantity bigint NOT NULL,
    unit_price bigint NOT NULL,
    amount_excluding_tax bigint NOT NULL,
    total_tax_amount bigint NOT NULL,
    amount_including_tax bigint NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_sales_invoice_lines_seq ON sales_invoice_lines(document_id, sequence);
CREATE TABLE customer_payment_journals (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    code text NOT NULL,
    display_name text NOT NULL,
    balancing_account_id uuid NOT NULL,
    balancing_account_number text NOT NULL,
    number_series_id uuid NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_customer_payment_journals_code ON customer_payment_journals(company_id, code);
CREATE TABLE customer_payments (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    journal_id uuid NOT NULL REFERENCES customer_payment_journals(id) ON DELETE CASCADE,
    journal_code text NOT NULL,
    line_number integer NOT NULL,
    customer_id uuid NOT NULL,
    customer_number text NOT NULL,
    contact_id text NOT NULL,
    posting_date date NOT NULL,
    document_number text NOT NULL,
    external_document_number text NOT NULL,
    amount bigint NOT NULL,
    applies_to_invoice_id uuid NOT NULL,
    applies_to_invoice_number text NOT NULL,
    description text NOT NULL,
    comment text NOT NULL,
    balancing_account_id uuid NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
-- The access paths of the API: a journal's lines by line number (the default order and keyset paging),
-- and the common filters within a journal.
CREATE UNIQUE INDEX ux_customer_payments_line ON customer_payments(journal_id, line_number);
CREATE INDEX ix_customer_payments_posting_date ON customer_payments(journal_id, posting_date);
CREATE INDEX ix_customer_payments_customer ON customer_payments(journal_id, customer_id);
CREATE INDEX ix_customer_payments_document ON customer_payments(journal_id, document_number);
CREATE INDEX ix_customer_payments_modified ON customer_payments(journal_id, last_modified);
CREATE TABLE dimensions (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    code text NOT NULL,
    display_name text NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_dimensions_code ON dimensions(company_id, code);
CREATE TABLE dimension_values (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    dimension_id uuid NOT NULL REFERENCES dimensions(id),
    dimension_code text NOT NULL,
    code text NOT NULL,
    display_name text NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_dimension_values_code ON dimension_values(dimension_id, code);
CREATE TABLE payment_dimensions (
    company_id uuid NOT NULL,
    payment_id uuid NOT NULL REFERENCES customer_payments(id) ON DELETE CASCADE,
    dimension_id uuid NOT NULL REFERENCES dimensions(id),
    dimension_value_id uuid NOT NULL REFERENCES dimension_values(id),
    dimension_code text NOT NULL,
    dimension_name text NOT NULL,
    value_code text NOT NULL,
    value_name text NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL,
    PRIMARY KEY (payment_id, dimension_id)
);
CREATE TABLE customer_ledger_entries (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    entry_number bigint NOT NULL,
    transaction_number bigint NOT NULL,
    customer_id uuid NOT NULL,
    customer_number text NOT NULL,
    posting_date date NOT NULL,
    document_type text NOT NULL,
    document_number text NOT NULL,
    external_document_number text NOT NULL,
    description text NOT NULL,
    amount bigint NOT NULL,
    remaining_amount bigint NOT NULL,
    open boolean NOT NULL,
    sales_invoice_id uuid NOT NULL,
    journal_code text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_customer_ledger_entries_number ON customer_ledger_entries(company_id, entry_number);
CREATE INDEX ix_customer_ledger_entries_customer ON customer_ledger_entries(company_id, customer_id, open);
CREATE INDEX ix_customer_ledger_entries_invoice ON customer_ledger_entries(sales_invoice_id);
CREATE TABLE customer_ledger_applications (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    transaction_number bigint NOT NULL,
    applying_entry_id uuid NOT NULL,
    applied_entry_id uuid NOT NULL,
    amount bigint NOT NULL,
    posting_date date NOT NULL
);
CREATE TABLE general_ledger_entries (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    entry_number bigint NOT NULL,
    transaction_number bigint NOT NULL,
    posting_date date NOT NULL,
    document_type text NOT NULL,
    document_number text NOT NULL,
    account_id uuid NOT NULL,
    account_number text NOT NULL,
    description text NOT NULL,
    amount bigint NOT NULL,
    debit_amount bigint NOT NULL,
    credit_amount bigint NOT NULL,
    customer_id uuid NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_general_ledger_entries_number ON general_ledger_entries(company_id, entry_number);
CREATE INDEX ix_general_ledger_entries_transaction ON general_ledger_entries(company_id, transaction_number);
CREATE INDEX ix_general_ledger_entries_account ON general_ledger_entries(company_id, account_id, posting_date);
CREATE TABLE ledger_entry_dimensions (
    company_id uuid NOT NULL,
    entry_id uuid NOT NULL,
    dimension_id uuid NOT NULL,
    dimension_value_id uuid NOT NULL,
    PRIMARY KEY (entry_id, dimension_id)
);
