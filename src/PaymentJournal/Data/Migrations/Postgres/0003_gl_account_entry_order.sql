-- G/L entries of an account are read in entry-number order (the set's default order, and keyset paging), and
-- posting appends entry numbers: an index in that order serves the read without a sort and takes new entries at
-- its end instead of at random places (by posting date), which cost posting more than any other index.
DROP INDEX ix_general_ledger_entries_account;
CREATE INDEX ix_general_ledger_entries_account ON general_ledger_entries(company_id, account_id, entry_number);
