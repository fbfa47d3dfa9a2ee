-- The ledger tables lose their foreign key to companies. Their rows are written only by posting (journals and sales
-- invoices; the demo seed and an emulator restore write them with their company), inside the posting transaction,
-- which has already updated the company's row (it reserves the entry and transaction numbers there), so
-- the company exists and cannot go until the commit; and the service never deletes a company. The key was checked
-- row by row: a 100,000-line journal paid 300,000 checks (a lookup and a row lock each), the largest single cost of
-- its post. Every read of these tables still filters by company_id, and the indexes keep it.
ALTER TABLE general_ledger_entries DROP CONSTRAINT IF EXISTS general_ledger_entries_company_id_fkey;
ALTER TABLE customer_ledger_entries DROP CONSTRAINT IF EXISTS customer_ledger_entries_company_id_fkey;
ALTER TABLE customer_ledger_applications DROP CONSTRAINT IF EXISTS customer_ledger_applications_company_id_fkey;
