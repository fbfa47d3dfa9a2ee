-- Posting copies a journal line's dimensions onto its ledger entries. Dimensions and their values are
-- create-and-read only, so the codes and names are kept on the ledger row (as payment_dimensions does),
-- which lets dimensionSetLines under a ledger entry be read without joins.
ALTER TABLE ledger_entry_dimensions ADD COLUMN dimension_code TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_entry_dimensions ADD COLUMN dimension_name TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_entry_dimensions ADD COLUMN value_code TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_entry_dimensions ADD COLUMN value_name TEXT NOT NULL DEFAULT '';
-- Applications are read per payment entry and per invoice entry.
CREATE INDEX ix_customer_ledger_applications_applying ON customer_ledger_applications(applying_entry_id);
CREATE INDEX ix_customer_ledger_applications_applied ON customer_ledger_applications(applied_entry_id);
