-- One table of journal batches and one of journal lines for every journal kind, as Business Central keeps them
-- (Gen. Journal Batch, Gen. Journal Line): the customer payment journals and their lines become the batches and lines
-- of the cash receipts template (CASHRCPT) with account type Customer. Every row keeps its id, version and
-- last_modified, so ETags and lastModifiedDateTime survive; the dimension and application rows keep their line ids.
ALTER TABLE customer_payment_journals RENAME TO journal_batches;
ALTER TABLE journal_batches ADD COLUMN template TEXT NOT NULL DEFAULT 'CASHRCPT';
DROP INDEX ux_customer_payment_journals_code;
CREATE UNIQUE INDEX ux_journal_batches_code ON journal_batches(company_id, template, code);

ALTER TABLE customer_payments RENAME TO journal_lines;
ALTER TABLE journal_lines RENAME COLUMN customer_id TO account_id;
ALTER TABLE journal_lines RENAME COLUMN customer_number TO account_number;
ALTER TABLE journal_lines ADD COLUMN template TEXT NOT NULL DEFAULT 'CASHRCPT';
ALTER TABLE journal_lines ADD COLUMN account_type TEXT NOT NULL DEFAULT 'Customer';
-- The indexes under the table's name (SQLite renames no index): the posting reads through the line-number one by name.
DROP INDEX ux_customer_payments_line;
DROP INDEX ix_customer_payments_posting_date;
DROP INDEX ix_customer_payments_customer;
DROP INDEX ix_customer_payments_document;
DROP INDEX ix_customer_payments_modified;
CREATE UNIQUE INDEX ux_journal_lines_line ON journal_lines(journal_id, line_number);
CREATE INDEX ix_journal_lines_posting_date ON journal_lines(journal_id, posting_date);
CREATE INDEX ix_journal_lines_account ON journal_lines(journal_id, account_id);
CREATE INDEX ix_journal_lines_document ON journal_lines(journal_id, document_number);
CREATE INDEX ix_journal_lines_modified ON journal_lines(journal_id, last_modified);

-- A payments journal in the demo company (Data/DemoSeed.cs gives a new one the same), under the same fixed ids.
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
SELECT 'F2000000-0000-4000-8000-000000000007', c.id, 'GJNL-PMT', 'PMT', 5, 0
FROM companies c WHERE c.id = 'C0000000-0000-4000-8000-000000000001' AND NOT EXISTS (SELECT 1 FROM number_series s WHERE s.company_id = c.id AND s.code = 'GJNL-PMT')
  AND EXISTS (SELECT 1 FROM accounts a WHERE a.company_id = c.id AND a.number = '2910');
INSERT INTO journal_batches (id, company_id, template, code, display_name, balancing_account_id, balancing_account_number,
                             number_series_id, version, last_modified)
SELECT 'F0000000-0000-4000-8000-000000000002', c.id, 'PAYMENT', 'PAYMENT', 'Vendor payments', a.id, a.number,
       'F2000000-0000-4000-8000-000000000007', 1, strftime('%Y-%m-%d %H:%M:%f', 'now')
FROM companies c JOIN accounts a ON a.company_id = c.id AND a.number = '2910'
WHERE c.id = 'C0000000-0000-4000-8000-000000000001' AND EXISTS (SELECT 1 FROM number_series s WHERE s.id = 'F2000000-0000-4000-8000-000000000007')
  AND NOT EXISTS (SELECT 1 FROM journal_batches b WHERE b.company_id = c.id AND b.template = 'PAYMENT' AND b.code = 'PAYMENT');
