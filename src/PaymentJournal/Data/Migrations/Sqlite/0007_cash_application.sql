-- Cash application (Features/CashApplication): bank statement imports, their statements and lines, the matcher's
-- proposals for each credit line, CSV import profiles and the IBANs learned for customers. Amounts are cents; a line's
-- amount is positive with its direction in is_credit. Empty text or the empty GUID means "none".
CREATE TABLE csv_import_profiles (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    delimiter TEXT NOT NULL,
    decimal_separator TEXT NOT NULL,
    date_format TEXT NOT NULL,
    has_header INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    currency TEXT NOT NULL,
    account_iban TEXT NOT NULL,
    booking_date_column TEXT NOT NULL,
    value_date_column TEXT NOT NULL,
    amount_column TEXT NOT NULL,
    credit_column TEXT NOT NULL,
    debit_column TEXT NOT NULL,
    currency_column TEXT NOT NULL,
    counterparty_name_column TEXT NOT NULL,
    counterparty_iban_column TEXT NOT NULL,
    remittance_column TEXT NOT NULL,
    reference_column TEXT NOT NULL,
    end_to_end_id_column TEXT NOT NULL,
    bank_reference_column TEXT NOT NULL,
    balance_column TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_csv_import_profiles_code ON csv_import_profiles(company_id, code);
CREATE TABLE customer_iban_mappings (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    iban TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    payments INTEGER NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_customer_iban_mappings_iban ON customer_iban_mappings(company_id, iban);
CREATE TABLE bank_statement_imports (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    csv_profile_code TEXT NOT NULL,
    bank_statement_ids TEXT NOT NULL,
    statement_count INTEGER NOT NULL,
    line_count INTEGER NOT NULL,
    proposal_count INTEGER NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_bank_statement_imports_hash ON bank_statement_imports(company_id, file_hash);
CREATE TABLE bank_statements (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    import_id TEXT NOT NULL REFERENCES bank_statement_imports(id),
    statement_number TEXT NOT NULL,
    account_iban TEXT NOT NULL,
    currency TEXT NOT NULL,
    has_balances INTEGER NOT NULL,
    opening_balance INTEGER NOT NULL,
    closing_balance INTEGER NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    entry_count INTEGER NOT NULL,
    line_count INTEGER NOT NULL,
    file_hash TEXT NOT NULL,
    format TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_bank_statements_period ON bank_statements(company_id, account_iban, statement_number, period_from, period_to);
CREATE INDEX ix_bank_statements_import ON bank_statements(import_id);
CREATE TABLE bank_statement_lines (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    bank_statement_id TEXT NOT NULL REFERENCES bank_statements(id),
    line_number INTEGER NOT NULL,
    booking_date TEXT NOT NULL,
    value_date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    is_credit INTEGER NOT NULL,
    is_reversal INTEGER NOT NULL,
    counterparty_name TEXT NOT NULL,
    counterparty_iban TEXT NOT NULL,
    remittance_text TEXT NOT NULL,
    structured_reference TEXT NOT NULL,
    end_to_end_id TEXT NOT NULL,
    bank_reference TEXT NOT NULL,
    status TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    applied_invoices TEXT NOT NULL,
    applications_data TEXT NOT NULL,
    applied_amount INTEGER NOT NULL,
    note TEXT NOT NULL,
    journal_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_bank_statement_lines_number ON bank_statement_lines(bank_statement_id, line_number);
CREATE TABLE bank_match_proposals (
    id TEXT NOT NULL PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    line_id TEXT NOT NULL REFERENCES bank_statement_lines(id),
    rank INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    invoices TEXT NOT NULL,
    applications_data TEXT NOT NULL,
    amount INTEGER NOT NULL,
    score INTEGER NOT NULL,
    confidence TEXT NOT NULL,
    reasons TEXT NOT NULL
);
CREATE INDEX ix_bank_match_proposals_line ON bank_match_proposals(line_id, rank);
