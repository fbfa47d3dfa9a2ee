-- The shared benchmark data set on PostgreSQL: the same rows as seed-customers.sql + seed-payments.sql
-- (../shared/bench/peers/cap/seed.js key scheme), written with generate_series. psql variables: J journals, P per journal.
BEGIN;
INSERT INTO customers (id, company_id, number, display_name, type, address_line1, address_line2, city, state, country,
                       postal_code, phone_number, email, website, currency_code, blocked, credit_limit, balance_due,
                       posting_group_id, version, last_modified)
SELECT format('c0000000-0000-4000-8000-%s', lpad(i::text, 12, '0'))::uuid, 'c0000000-0000-4000-8000-000000000001', format('C%s', lpad(i::text, 5, '0')),
       'Bench customer ' || i, 'Company', '', '', 'Seattle', '', 'US', '', '', format('accounts@bench%s.example.com', i), '', '',
       ' ', 1000000, 0, 'f1000000-0000-4000-8000-000000000001', 63871286400000000, '2025-01-01 00:00:00+00'
FROM generate_series(6, 200) AS i
ON CONFLICT (id) DO NOTHING;
UPDATE number_series SET last_used = greatest(last_used, 200) WHERE code = 'CUST';
INSERT INTO number_series (id, company_id, code, prefix, digits, last_used)
SELECT format('f5000000-0000-4000-8000-%s', lpad(j::text, 12, '0'))::uuid, 'c0000000-0000-4000-8000-000000000001',
       format('BENCH%s', lpad(j::text, 4, '0')), 'BP', 8, 0
FROM generate_series(1, :J) AS j;
INSERT INTO journal_batches (id, company_id, code, display_name, balancing_account_id, balancing_account_number,
                                       number_series_id, version, last_modified)
SELECT format('a0000000-0000-4000-8000-%s', lpad(j::text, 12, '0'))::uuid, 'c0000000-0000-4000-8000-000000000001',
       format('CPJ%s', lpad(j::text, 4, '0')), 'Customer payments ' || j, 'e0000000-0000-4000-8000-000000002910', '2910',
       format('f5000000-0000-4000-8000-%s', lpad(j::text, 12, '0'))::uuid, 63871286400000000, '2025-01-01 00:00:00+00'
FROM generate_series(1, :J) AS j;
INSERT INTO journal_lines (id, company_id, journal_id, journal_code, line_number, account_id, account_number, contact_id,
                               posting_date, document_number, external_document_number, amount, applies_to_invoice_id,
                               applies_to_invoice_number, description, comment, balancing_account_id, version, last_modified)
SELECT format('b0000000-0000-4000-8000-%s', lpad(g::text, 12, '0'))::uuid, 'c0000000-0000-4000-8000-000000000001',
       format('a0000000-0000-4000-8000-%s', lpad(j::text, 12, '0'))::uuid, format('CPJ%s', lpad(j::text, 4, '0')), 10 * k,
       format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'))::uuid, format('C%s', lpad(c::text, 5, '0')), 'CT' || c,
       date '2025-01-01' + (g % 365)::int, format('PAY%s', lpad(g::text, 8, '0')), 'EXT' || g,
       ((g * 2654435761) % 4294967296) % 99999 + 1,
       format('d0000000-0000-4000-8000-%s', lpad(g::text, 12, '0'))::uuid, 'INV' || g, 'Payment ' || g, '',
       'e0000000-0000-4000-8000-000000002910', 63871286400000000, '2025-01-01 00:00:00+00'
FROM (SELECT g, (g - 1) / :P + 1 AS j, (g - 1) % :P + 1 AS k, ((g * 7919) % 4294967296) % 200 + 1 AS c
      FROM generate_series(1::bigint, (:J)::bigint * :P) AS g) AS r;
COMMIT;
ANALYZE;
