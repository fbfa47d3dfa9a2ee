-- The benchmark's 200 vendors and 20 empty vendor payment journals (builds with the journal core only; seed.sh checks):
--   vendors b0000000-0000-4000-8000-<n, 12 digits>, numbers V<n, 5 digits> (n = 1..200; 1..3 exist: demo seed, same
--   scheme), in the demo's vendor posting group; journal j (1..20): id a3000000-0000-4000-8000-<j, 12 digits>, code
--   VPJ<j, 4 digits>, template PAYMENT, balancing account 2910, its own number series.
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 4 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO vendors (id, company_id, number, display_name, address_line1, address_line2, city, state, country, postal_code,
                     phone_number, email, website, tax_registration_number, currency_code, tax_liable, blocked, balance,
                     posting_group_id, version, last_modified)
SELECT printf('B0000000-0000-4000-8000-%012d', i), 'C0000000-0000-4000-8000-000000000001', printf('V%05d', i),
       'Bench vendor ' || i, '', '', 'Seattle', '', 'US', '', '', '', '', '', '', 0, ' ', 0,
       'F1000000-0000-4000-8000-000000000002', 63871286400000000, '2025-01-01 00:00:00'
FROM n WHERE NOT EXISTS (SELECT 1 FROM vendors v WHERE v.id = printf('B0000000-0000-4000-8000-%012d', i));
UPDATE number_series SET last_used = MAX(last_used, 200) WHERE code = 'VEND';
WITH RECURSIVE n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < 20)
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
SELECT printf('F8000000-0000-4000-8000-%012d', j), 'C0000000-0000-4000-8000-000000000001', printf('VBENCH%04d', j), 'VB', 8, 0 FROM n;
WITH RECURSIVE n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < 20)
INSERT INTO journal_batches (id, company_id, template, code, display_name, balancing_account_id, balancing_account_number,
                             number_series_id, version, last_modified)
SELECT printf('A3000000-0000-4000-8000-%012d', j), 'C0000000-0000-4000-8000-000000000001', 'PAYMENT', printf('VPJ%04d', j),
       'Vendor payments ' || j, 'E0000000-0000-4000-8000-000000002910', '2910',
       printf('F8000000-0000-4000-8000-%012d', j), 63871286400000000, '2025-01-01 00:00:00' FROM n;
COMMIT;
