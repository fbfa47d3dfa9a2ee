-- seed-posting.sql's journal on PostgreSQL (same ids, lines and amounts): a journal of :N lines that pass the posting
-- checks, line k taking g = :OFF + k. psql variables: N lines, OFF offset of the line ids.
BEGIN;
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
VALUES (format('f6000000-0000-4000-8000-%s', lpad(:N::text, 12, '0'))::uuid, 'c0000000-0000-4000-8000-000000000001', 'PST' || :N, 'PS', 8, 0);
INSERT INTO journal_batches (id, company_id, code, display_name, balancing_account_id, balancing_account_number,
                                       number_series_id, version, last_modified)
VALUES (format('a1000000-0000-4000-8000-%s', lpad(:N::text, 12, '0'))::uuid, 'c0000000-0000-4000-8000-000000000001', 'P' || :N,
        'Posting bench ' || :N, 'e0000000-0000-4000-8000-000000002910', '2910',
        format('f6000000-0000-4000-8000-%s', lpad(:N::text, 12, '0'))::uuid, 63871286400000000, '2025-01-01 00:00:00+00');
INSERT INTO journal_lines (id, company_id, journal_id, journal_code, line_number, account_id, account_number, contact_id,
                               posting_date, document_number, external_document_number, amount, applies_to_invoice_id,
                               applies_to_invoice_number, description, comment, balancing_account_id, version, last_modified)
SELECT format('b1000000-0000-4000-8000-%s', lpad(g::text, 12, '0'))::uuid, 'c0000000-0000-4000-8000-000000000001',
       format('a1000000-0000-4000-8000-%s', lpad(:N::text, 12, '0'))::uuid, 'P' || :N, 10000 * k,
       format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'))::uuid, format('C%s', lpad(c::text, 5, '0')), '',
       date '2025-01-01' + (g % 365)::int, format('PST%s', lpad(g::text, 8, '0')), '',
       -(((g * 2654435761) % 4294967296) % 99999 + 1),
       '00000000-0000-0000-0000-000000000000', '', 'Posting bench ' || g, '',
       'e0000000-0000-4000-8000-000000002910', 63871286400000000, '2025-01-01 00:00:00+00'
FROM (SELECT k, :OFF + k AS g, (((:OFF + k) * 7919) % 4294967296) % 200 + 1 AS c FROM generate_series(1::bigint, :N) AS k) AS r;
COMMIT;
ANALYZE journal_lines;
