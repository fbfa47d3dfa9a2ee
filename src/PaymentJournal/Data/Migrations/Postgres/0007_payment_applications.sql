-- A payment line's applications to invoices, the way Business Central's Applies-to ID applies one payment to several
-- invoices. amount is the amount applied to that invoice in cents, positive; 0 means not given (posting applies what is
-- left of the payment to such invoices, oldest first). A line with applications has no applies_to_invoice_id.
CREATE TABLE customer_payment_applications (
    id uuid NOT NULL PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies(id),
    payment_id uuid NOT NULL REFERENCES customer_payments(id) ON DELETE CASCADE,
    invoice_id uuid NOT NULL,
    invoice_number text COLLATE "C" NOT NULL,
    amount bigint NOT NULL,
    sequence integer NOT NULL,
    version bigint NOT NULL,
    last_modified timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_customer_payment_applications_invoice ON customer_payment_applications(payment_id, invoice_id);
CREATE INDEX ix_customer_payment_applications_sequence ON customer_payment_applications(payment_id, sequence);
CREATE INDEX ix_customer_payment_applications_by_invoice ON customer_payment_applications(invoice_id);
