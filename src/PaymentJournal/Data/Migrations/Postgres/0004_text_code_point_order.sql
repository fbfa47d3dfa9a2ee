-- Strings compare and sort in code-point order whatever the server's default collation (an ICU or locale default
-- would order 'a' < 'B' < 'b' and ignore punctuation): every text column of the schema gets COLLATE "C", which is
-- also SQLite's order. Changing only the collation keeps every value; indexes on the columns are rebuilt.
DO $$
DECLARE
    t record;
BEGIN
    -- One ALTER TABLE per table, so that its indexes are rebuilt once.
    FOR t IN
        SELECT c.relname AS table_name,
               string_agg(format('ALTER COLUMN %I TYPE %s COLLATE "C"', a.attname, format_type(a.atttypid, a.atttypmod)), ', ') AS changes
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype)
          AND a.attcollation <> 'pg_catalog."C"'::regcollation
        GROUP BY c.relname
    LOOP
        EXECUTE format('ALTER TABLE %I ', t.table_name) || t.changes;
    END LOOP;
END $$;

-- tolower and toupper map Unicode characters one by one, which "C" does not do (it maps A-Z only): pj_case is a libc
-- UTF-8 collation when the server has one (C.UTF-8 maps every character by Unicode's simple case mapping), else ICU's root.
DO $$
DECLARE
    source text;
BEGIN
    SELECT collname INTO source FROM pg_collation
    WHERE collprovider = 'c' AND collencoding IN (-1, 6) AND lower(collname) IN ('c.utf8', 'c.utf-8')
    ORDER BY collname LIMIT 1;
    IF source IS NULL THEN
        SELECT collname INTO source FROM pg_collation WHERE collname = 'und-x-icu';
    END IF;
    IF source IS NULL THEN
        source := 'C';
    END IF;
    EXECUTE format('CREATE COLLATION IF NOT EXISTS pj_case FROM %I', source);
END $$;
