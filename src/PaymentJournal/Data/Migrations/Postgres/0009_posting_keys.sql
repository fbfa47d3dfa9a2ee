-- Posting a journal writes three ledger rows and deletes one payment line per journal line. Foreign keys are checked
-- row by row on PostgreSQL (one lookup, and on insert a row lock, per row), and for a 100,000-line journal those
-- checks were the largest cost of the post. Two changes, each keeping what the keys guaranteed:
--
-- 1. The ledger tables lose their foreign key to companies. Their rows are written only by posting (journals and sales
--    invoices; the demo seed and an emulator restore write them with their company), inside the posting transaction,
--    which has already updated the company's row (it reserves the entry and transaction numbers there), so the company
--    exists and cannot go until the commit; and the service never deletes a company. Every read of these tables still
--    filters by company_id, and the indexes keep it.
ALTER TABLE general_ledger_entries DROP CONSTRAINT IF EXISTS general_ledger_entries_company_id_fkey;
ALTER TABLE customer_ledger_entries DROP CONSTRAINT IF EXISTS customer_ledger_entries_company_id_fkey;
ALTER TABLE customer_ledger_applications DROP CONSTRAINT IF EXISTS customer_ledger_applications_company_id_fkey;

-- 2. A payment line's dimensions and applications reference it through statement-level triggers instead of foreign
--    keys: deleting lines deletes their dimensions and applications in one statement per table (the key's cascade ran
--    two statements per deleted line), and inserting or updating them checks, once per statement, that every line they
--    name exists, locking those lines FOR KEY SHARE as the key's check did (a concurrent delete of the line waits for
--    this transaction; one that committed first makes the insert fail with foreign_key_violation, SQLSTATE 23503).
ALTER TABLE payment_dimensions DROP CONSTRAINT IF EXISTS payment_dimensions_payment_id_fkey;
ALTER TABLE customer_payment_applications DROP CONSTRAINT IF EXISTS customer_payment_applications_payment_id_fkey;

CREATE FUNCTION customer_payments_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM payment_dimensions WHERE payment_id IN (SELECT id FROM deleted_lines);
    DELETE FROM customer_payment_applications WHERE payment_id IN (SELECT id FROM deleted_lines);
    RETURN NULL;
END
$$;
CREATE TRIGGER customer_payments_cascade AFTER DELETE ON customer_payments
    REFERENCING OLD TABLE AS deleted_lines FOR EACH STATEMENT EXECUTE FUNCTION customer_payments_deleted();

CREATE FUNCTION customer_payment_children_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM customer_payments WHERE id IN (SELECT payment_id FROM written_rows) FOR KEY SHARE;
    IF EXISTS (SELECT 1 FROM written_rows w WHERE NOT EXISTS (SELECT 1 FROM customer_payments p WHERE p.id = w.payment_id)) THEN
        RAISE EXCEPTION 'insert or update on table "%" names a customer payment that does not exist', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER payment_dimensions_line_inserted AFTER INSERT ON payment_dimensions
    REFERENCING NEW TABLE AS written_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_payment_children_check();
CREATE TRIGGER payment_dimensions_line_updated AFTER UPDATE ON payment_dimensions
    REFERENCING NEW TABLE AS written_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_payment_children_check();
CREATE TRIGGER customer_payment_applications_line_inserted AFTER INSERT ON customer_payment_applications
    REFERENCING NEW TABLE AS written_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_payment_children_check();
CREATE TRIGGER customer_payment_applications_line_updated AFTER UPDATE ON customer_payment_applications
    REFERENCING NEW TABLE AS written_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_payment_children_check();
