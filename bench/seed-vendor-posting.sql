-- A vendor payment journal of @N@ lines that pass the posting checks (docs/posting.md), rendered by seed.sh, shaped as
-- the customer journals of seed-posting.sql so the two posts compare:
--   the 200 vendors of seed-vendors.sql;
--   journal id A2000000-0000-4000-8000-<N, 12 digits>, code VP<N>, template PAYMENT, balancing account 2910, own series;
--   line k (1..N): id B2000000-0000-4000-8000-<k, 12 digits>, lineNumber 10000*k, a payment (positive, 0.01..999.99),
--   vendor v = (k*7919 mod 2^32) mod 200 + 1, posting date 2025-01-01 + (k mod 365) days, document number VPS<k, 8 digits>,
--   no invoice application.
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -524288;
BEGIN;
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
VALUES (printf('F7000000-0000-4000-8000-%012d', @N@), 'C0000000-0000-4000-8000-000000000001', 'VPS' || @N@, 'VS', 8, 0);
INSERT INTO journal_batches (id, company_id, template, code, display_name, balancing_account_id, balancing_account_number,
                             number_series_id, version, last_modified)
VALUES (printf('A2000000-0000-4000-8000-%012d', @N@), 'C0000000-0000-4000-8000-000000000001', 'PAYMENT', 'VP' || @N@,
        'Vendor posting bench ' || @N@, 'E0000000-0000-4000-8000-000000002910', '2910',
        printf('F7000000-0000-4000-8000-%012d', @N@), 63871286400000000, '2025-01-01 00:00:00');
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < @N@),
     r(k, v) AS (SELECT k, ((k * 7919) % 4294967296) % 200 + 1 FROM n)
INSERT INTO journal_lines (id, company_id, journal_id, template, account_type, journal_code, line_number, account_id, account_number,
                           contact_id, posting_date, document_number, external_document_number, amount, applies_to_invoice_id,
                           applies_to_invoice_number, description, comment, balancing_account_id, version, last_modified)
SELECT printf('B2000000-0000-4000-8000-%012d', k), 'C0000000-0000-4000-8000-000000000001',
       printf('A2000000-0000-4000-8000-%012d', @N@), 'PAYMENT', 'Vendor', 'VP' || @N@, 10000 * k,
       printf('B0000000-0000-4000-8000-%012d', v), printf('V%05d', v), '',
       date('2025-01-01', '+' || (k % 365) || ' days'), printf('VPS%08d', k), '',
       ((k * 2654435761) % 4294967296) % 99999 + 1,
       '00000000-0000-0000-0000-000000000000', '', 'Vendor bench ' || k, '',
       'E0000000-0000-4000-8000-000000002910', 63871286400000000, '2025-01-01 00:00:00'
FROM r;
COMMIT;
