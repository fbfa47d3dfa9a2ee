-- A company's open invoices, read whole when bank statement lines are matched. Through the (company_id, customer_id)
-- index SQLite visits the rows in customer order, one random table page per row; this index keeps each status's rows
-- in rowid order, so the same read walks the table's pages in order (100,000 open invoices: 0.41 s before, 0.05 s).
CREATE INDEX ix_sales_invoices_status ON sales_invoices(company_id, status);
