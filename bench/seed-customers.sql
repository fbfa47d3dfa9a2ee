-- The benchmark's 200 customers: c0000000-0000-4000-8000-<n, 12 digits>, numbers C<n, 5 digits> (n = 1..200).
-- 1..5 exist already (demo seed, same scheme); this adds 6..200 and moves the CUST number series past them.
-- Formats as EF Core's SQLite provider writes them: GUID TEXT uppercase, DateTime 'yyyy-MM-dd HH:mm:ss', money in cents.
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 6 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO customers (id, company_id, number, display_name, type, address_line1, address_line2, city, state, country,
                       postal_code, phone_number, email, website, currency_code, blocked, credit_limit, balance_due,
                       posting_group_id, version, last_modified)
SELECT printf('C0000000-0000-4000-8000-%012d', i), 'C0000000-0000-4000-8000-000000000001', printf('C%05d', i),
       'Bench customer ' || i, 'Company', '', '', 'Seattle', '', 'US', '', '', printf('accounts@bench%d.example.com', i), '', '',
       ' ', 1000000, 0, 'F1000000-0000-4000-8000-000000000001', 63871286400000000, '2025-01-01 00:00:00'
FROM n WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = printf('C0000000-0000-4000-8000-%012d', i));
UPDATE number_series SET last_used = MAX(last_used, 200) WHERE code = 'CUST';
COMMIT;
