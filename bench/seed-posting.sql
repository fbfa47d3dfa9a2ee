-- A journal of @N@ lines that pass the posting checks (docs/posting.md), rendered by seed.sh:
--   journal id A1000000-0000-4000-8000-<N, 12 digits>, code P<N>, balancing account 2910, own number series;
--   line k (1..N), g = @OFF@ + k: id B1000000-0000-4000-8000-<g, 12 digits>, lineNumber 10000*k (in-range for N <= 100,000),
--   a receipt (negative amount, 0.01..999.99), customer c = (g*7919 mod 2^32) mod 200 + 1 (all exist), posting date
--   2025-01-01 + (g mod 365) days (inside the demo company's 2024-01-01..2030-12-31), document number PST<g, 8 digits>,
--   no invoice application.
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -524288;
BEGIN;
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
VALUES (printf('F6000000-0000-4000-8000-%012d', @N@), 'C0000000-0000-4000-8000-000000000001', 'PST' || @N@, 'PS', 8, 0);
INSERT INTO journal_batches (id, company_id, code, display_name, balancing_account_id, balancing_account_number,
                                       number_series_id, version, last_modified)
VALUES (printf('A1000000-0000-4000-8000-%012d', @N@), 'C0000000-0000-4000-8000-000000000001', 'P' || @N@,
        'Posting bench ' || @N@, 'E0000000-0000-4000-8000-000000002910', '2910',
        printf('F6000000-0000-4000-8000-%012d', @N@), 63871286400000000, '2025-01-01 00:00:00');
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < @N@),
     r(k, g, c) AS (SELECT k, @OFF@ + k, (((@OFF@ + k) * 7919) % 4294967296) % 200 + 1 FROM n)
INSERT INTO journal_lines (id, company_id, journal_id, journal_code, line_number, account_id, account_number, contact_id,
                               posting_date, document_number, external_document_number, amount, applies_to_invoice_id,
                               applies_to_invoice_number, description, comment, balancing_account_id, version, last_modified)
SELECT printf('B1000000-0000-4000-8000-%012d', g), 'C0000000-0000-4000-8000-000000000001',
       printf('A1000000-0000-4000-8000-%012d', @N@), 'P' || @N@, 10000 * k,
       printf('C0000000-0000-4000-8000-%012d', c), printf('C%05d', c), '',
       date('2025-01-01', '+' || (g % 365) || ' days'), printf('PST%08d', g), '',
       -(((g * 2654435761) % 4294967296) % 99999 + 1),
       '00000000-0000-0000-0000-000000000000', '', 'Posting bench ' || g, '',
       'E0000000-0000-4000-8000-000000002910', 63871286400000000, '2025-01-01 00:00:00'
FROM r;
COMMIT;
