-- Posting copies a journal line's dimensions onto its ledger entries. Dimensions and their values are
-- create-and-read only, so the codes and names are kept on the ledger row (as payment_dimensions does),
-- which lets dimensionSetLines under a ledger entry be read without joins.
ALTER TABLE ledger_entry_dimensions ADD COLUMN dimension_code text NOT NULL DEFAULT '';
ALTER TABLE ledger_entry_dimensions ADD COLUMN dimension_name text NOT NULL DEFAULT '';
ALTER TABLE ledger_entry_dimensions ADD COLUMN value_code text NOT NULL DEFAULT '';
ALTER TABLE ledger_entry_dimensions ADD COLUMN value_name text NOT NULL DEFAULT '';
-- Applications are read per invoice entry and per transaction.
CREATE INDEX ix_customer_ledger_applications_applied ON customer_ledger_applications(applied_entry_id);
CREATE INDEX ix_customer_ledger_applications_transaction ON customer_ledger_applications(company_id, transaction_number);
-- Only invoice entries are looked up by their invoice: payment entries need not pay for this index.
DROP INDEX ix_customer_ledger_entries_invoice;
CREATE INDEX ix_customer_ledger_entries_invoice ON customer_ledger_entries(sales_invoice_id) WHERE document_type = 'Invoice';
