-- The shared benchmark data set (../shared/bench/peers/cap/seed.js), rendered by seed.sh with @J@ journals x @P@ payments:
--   journal j:  id a0000000-0000-4000-8000-<j, 12 digits>, code CPJ<j, 4 digits>, balancing account 2910
--   payment k of journal j, g = (j-1)*P + k:  id b0000000-0000-4000-8000-<g, 12 digits>, lineNumber 10*k,
--   customer c = (g*7919 mod 2^32) mod 200 + 1, amount = ((g*2654435761 mod 2^32) mod 99999 + 1) cents,
--   postingDate 2025-01-01 + (g mod 365) days, documentNumber PAY<g, 8 digits>, externalDocumentNumber EXT<g>,
--   appliesToInvoiceId d0000000-0000-4000-8000-<g, 12 digits>, appliesToInvoiceNumber INV<g>, description 'Payment <g>'.
-- Each journal gets its own number series (journal_batches.number_series_id).
-- Version/lastModified: 2025-01-01T00:00:00Z (version = ticks / 10, as the service stamps them).
-- Bulk-load settings: no rollback journal, no fsync (a scratch file); seed.sh switches the file back to WAL.
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -524288;
PRAGMA temp_store = MEMORY;
BEGIN;
WITH RECURSIVE n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < @J@)
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
SELECT printf('F5000000-0000-4000-8000-%012d', j), 'C0000000-0000-4000-8000-000000000001', printf('BENCH%04d', j), 'BP', 8, 0 FROM n;
WITH RECURSIVE n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < @J@)
INSERT INTO journal_batches (id, company_id, code, display_name, balancing_account_id, balancing_account_number,
                                       number_series_id, version, last_modified)
SELECT printf('A0000000-0000-4000-8000-%012d', j), 'C0000000-0000-4000-8000-000000000001', printf('CPJ%04d', j),
       'Customer payments ' || j, 'E0000000-0000-4000-8000-000000002910', '2910',
       printf('F5000000-0000-4000-8000-%012d', j), 63871286400000000, '2025-01-01 00:00:00' FROM n;
WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < @J@ * @P@),
     r(g, j, k, c) AS (SELECT g, (g - 1) / @P@ + 1, (g - 1) % @P@ + 1, ((g * 7919) % 4294967296) % 200 + 1 FROM n)
INSERT INTO journal_lines (id, company_id, journal_id, journal_code, line_number, account_id, account_number, contact_id,
                               posting_date, document_number, external_document_number, amount, applies_to_invoice_id,
                               applies_to_invoice_number, description, comment, balancing_account_id, version, last_modified)
SELECT printf('B0000000-0000-4000-8000-%012d', g), 'C0000000-0000-4000-8000-000000000001',
       printf('A0000000-0000-4000-8000-%012d', j), printf('CPJ%04d', j), 10 * k,
       printf('C0000000-0000-4000-8000-%012d', c), printf('C%05d', c), 'CT' || c,
       date('2025-01-01', '+' || (g % 365) || ' days'), printf('PAY%08d', g), 'EXT' || g,
       ((g * 2654435761) % 4294967296) % 99999 + 1,
       printf('D0000000-0000-4000-8000-%012d', g), 'INV' || g, 'Payment ' || g, '',
       'E0000000-0000-4000-8000-000000002910', 63871286400000000, '2025-01-01 00:00:00'
FROM r;
COMMIT;
