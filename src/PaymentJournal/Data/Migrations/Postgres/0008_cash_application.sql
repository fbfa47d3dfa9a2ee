-- Cash application (Features/CashApplication): bank statement imports, their statements and lines, the matcher's
-- proposals for each credit line, CSV import profiles and the IBANs learned for customers. Amounts are cents; a line's
-- amount is positive with its direction in is_credit. Empty text or the empty GUID means "none".
CREATE TABLE csv_import_profiles (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    code text COLLATE "C" NOT NULL,
    delimiter text COLLATE "C" NOT NULL,
    decimal_separator text COLLATE "C" NOT NULL,
    date_format text COLLATE "C" NOT NULL,
    has_header boolean NOT NULL,
    encoding text COLLATE "C" NOT NULL,
    currency text COLLATE "C" NOT NULL,
    account_iban text COLLATE "C" NOT NULL,
    booking_date_column text COLLATE "C" NOT NULL,
    value_date_column text COLLATE "C" NOT NULL,
    amount_column text COLLATE "C" NOT NULL,
    credit_column text COLLATE "C" NOT NULL,
    debit_column text COLLATE "C" NOT NULL,
    currency_column text COLLATE "C" NOT NULL,
    counterparty_name_column text COLLATE "C" NOT NULL,
    counterparty_iban_column text COLLATE "C" NOT NULL,
    remittance_column text COLLATE "C" NOT NULL,
    reference_column text COLLATE "C" NOT NULL,
    end_to_end_id_column text COLLATE "C" NOT NULL,
    bank_reference_column text COLLATE "C" NOT NULL,
    balance_column text COLLATE "C" NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_csv_import_profiles_code ON csv_import_profiles(company_id, code);
CREATE TABLE customer_iban_mappings (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    iban text COLLATE "C" NOT NULL,
    customer_id uuid NOT NULL,
    customer_number text COLLATE "C" NOT NULL,
    payments integer NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_customer_iban_mappings_iban ON customer_iban_mappings(company_id, iban);
CREATE TABLE bank_statement_imports (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    file_name text COLLATE "C" NOT NULL,
    format text COLLATE "C" NOT NULL,
    file_hash text COLLATE "C" NOT NULL,
    csv_profile_code text COLLATE "C" NOT NULL,
    bank_statement_ids text COLLATE "C" NOT NULL,
    statement_count integer NOT NULL,
    line_count integer NOT NULL,
    proposal_count integer NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_bank_statement_imports_hash ON bank_statement_imports(company_id, file_hash);
CREATE TABLE bank_statements (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    import_id uuid NOT NULL REFERENCES bank_statement_imports(id),
    statement_number text COLLATE "C" NOT NULL,
    account_iban text COLLATE "C" NOT NULL,
    currency text COLLATE "C" NOT NULL,
    has_balances boolean NOT NULL,
    opening_balance bigint NOT NULL,
    closing_balance bigint NOT NULL,
    period_from date NOT NULL,
    period_to date NOT NULL,
    entry_count integer NOT NULL,
    line_count integer NOT NULL,
    file_hash text COLLATE "C" NOT NULL,
    format text COLLATE "C" NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_bank_statements_period ON bank_statements(company_id, account_iban, statement_number, period_from, period_to);
CREATE INDEX ix_bank_statements_import ON bank_statements(import_id);
CREATE TABLE bank_statement_lines (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    bank_statement_id uuid NOT NULL REFERENCES bank_statements(id),
    line_number integer NOT NULL,
    booking_date date NOT NULL,
    value_date date NOT NULL,
    amount bigint NOT NULL,
    currency text COLLATE "C" NOT NULL,
    is_credit boolean NOT NULL,
    is_reversal boolean NOT NULL,
    counterparty_name text COLLATE "C" NOT NULL,
    counterparty_iban text COLLATE "C" NOT NULL,
    remittance_text text COLLATE "C" NOT NULL,
    structured_reference text COLLATE "C" NOT NULL,
    end_to_end_id text COLLATE "C" NOT NULL,
    bank_reference text COLLATE "C" NOT NULL,
    status text COLLATE "C" NOT NULL,
    customer_id uuid NOT NULL,
    customer_number text COLLATE "C" NOT NULL,
    applied_invoices text COLLATE "C" NOT NULL,
    applications_data text COLLATE "C" NOT NULL,
    applied_amount bigint NOT NULL,
    note text COLLATE "C" NOT NULL,
    journal_id uuid NOT NULL,
    payment_id uuid NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_bank_statement_lines_number ON bank_statement_lines(bank_statement_id, line_number);
CREATE TABLE bank_match_proposals (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    line_id uuid NOT NULL REFERENCES bank_statement_lines(id),
    rank integer NOT NULL,
    customer_id uuid NOT NULL,
    customer_number text COLLATE "C" NOT NULL,
    customer_name text COLLATE "C" NOT NULL,
    invoices text COLLATE "C" NOT NULL,
    applications_data text COLLATE "C" NOT NULL,
    amount bigint NOT NULL,
    score integer NOT NULL,
    confidence text COLLATE "C" NOT NULL,
    reasons text COLLATE "C" NOT NULL
);
CREATE INDEX ix_bank_match_proposals_line ON bank_match_proposals(line_id, rank);
