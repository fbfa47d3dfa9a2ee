-- A company's open invoices, read whole when bank statement lines are matched: an index by status, so that a company
-- with few open invoices among many paid ones reads only those (the same index as on SQLite).
CREATE INDEX ix_sales_invoices_status ON sales_invoices(company_id, status);
