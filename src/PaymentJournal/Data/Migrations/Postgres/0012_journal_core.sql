-- One table of journal batches and one of journal lines for every journal kind, as Business Central keeps them
-- (Gen. Journal Batch, Gen. Journal Line): the customer payment journals and their lines become the batches and lines
-- of the cash receipts template (CASHRCPT) with account type Customer. Every row keeps its id, version and
-- last_modified, so ETags and lastModifiedDateTime survive; the dimension and application rows keep their line ids.
ALTER TABLE customer_payment_journals RENAME TO journal_batches;
ALTER TABLE journal_batches ADD COLUMN template text COLLATE "C" NOT NULL DEFAULT 'CASHRCPT';
DROP INDEX ux_customer_payment_journals_code;
CREATE UNIQUE INDEX ux_journal_batches_code ON journal_batches(company_id, template, code);
ALTER INDEX customer_payment_journals_pkey RENAME TO journal_batches_pkey;

ALTER TABLE customer_payments RENAME TO journal_lines;
ALTER TABLE journal_lines RENAME COLUMN customer_id TO account_id;
ALTER TABLE journal_lines RENAME COLUMN customer_number TO account_number;
ALTER TABLE journal_lines ADD COLUMN template text COLLATE "C" NOT NULL DEFAULT 'CASHRCPT';
ALTER TABLE journal_lines ADD COLUMN account_type text COLLATE "C" NOT NULL DEFAULT 'Customer';
ALTER INDEX customer_payments_pkey RENAME TO journal_lines_pkey;
ALTER INDEX ux_customer_payments_line RENAME TO ux_journal_lines_line;
ALTER INDEX ix_customer_payments_posting_date RENAME TO ix_journal_lines_posting_date;
ALTER INDEX ix_customer_payments_customer RENAME TO ix_journal_lines_account;
ALTER INDEX ix_customer_payments_document RENAME TO ix_journal_lines_document;
ALTER INDEX ix_customer_payments_modified RENAME TO ix_journal_lines_modified;

-- The triggers that stand for the lines' foreign keys (0009_posting_keys) name the table in their bodies.
DROP TRIGGER customer_payments_cascade ON journal_lines;
DROP FUNCTION customer_payments_deleted();
CREATE FUNCTION journal_lines_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM payment_dimensions WHERE payment_id IN (SELECT id FROM deleted_lines);
    DELETE FROM customer_payment_applications WHERE payment_id IN (SELECT id FROM deleted_lines);
    RETURN NULL;
END
$$;
CREATE TRIGGER journal_lines_cascade AFTER DELETE ON journal_lines
    REFERENCING OLD TABLE AS deleted_lines FOR EACH STATEMENT EXECUTE FUNCTION journal_lines_deleted();
CREATE OR REPLACE FUNCTION customer_payment_children_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM journal_lines WHERE id IN (SELECT payment_id FROM written_rows) FOR KEY SHARE;
    IF EXISTS (SELECT 1 FROM written_rows w WHERE NOT EXISTS (SELECT 1 FROM journal_lines p WHERE p.id = w.payment_id)) THEN
        RAISE EXCEPTION 'insert or update on table "%" names a journal line that does not exist', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;

-- A payments journal in the demo company (Data/DemoSeed.cs gives a new one the same), under the same fixed ids.
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
SELECT 'f2000000-0000-4000-8000-000000000007', c.id, 'GJNL-PMT', 'PMT', 5, 0
FROM companies c WHERE c.id = 'c0000000-0000-4000-8000-000000000001' AND NOT EXISTS (SELECT 1 FROM number_series s WHERE s.company_id = c.id AND s.code = 'GJNL-PMT')
  AND EXISTS (SELECT 1 FROM accounts a WHERE a.company_id = c.id AND a.number = '2910');
INSERT INTO journal_batches (id, company_id, template, code, display_name, balancing_account_id, balancing_account_number,
                             number_series_id, version, last_modified)
SELECT 'f0000000-0000-4000-8000-000000000002', c.id, 'PAYMENT', 'PAYMENT', 'Vendor payments', a.id, a.number,
       'f2000000-0000-4000-8000-000000000007', 1, now()
FROM companies c JOIN accounts a ON a.company_id = c.id AND a.number = '2910'
WHERE c.id = 'c0000000-0000-4000-8000-000000000001' AND EXISTS (SELECT 1 FROM number_series s WHERE s.id = 'f2000000-0000-4000-8000-000000000007')
  AND NOT EXISTS (SELECT 1 FROM journal_batches b WHERE b.company_id = c.id AND b.template = 'PAYMENT' AND b.code = 'PAYMENT');
