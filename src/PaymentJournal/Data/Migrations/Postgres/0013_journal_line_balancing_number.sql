-- A general journal line may name its own balancing account; every line keeps its number beside its id.
ALTER TABLE journal_lines ADD COLUMN balancing_account_number text COLLATE "C" NOT NULL DEFAULT '';
UPDATE journal_lines SET balancing_account_number = COALESCE((SELECT a.number FROM accounts a WHERE a.id = journal_lines.balancing_account_id), '');
