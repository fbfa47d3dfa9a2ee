-- Idempotency keys without an index on the key: the service keeps that index in memory (Data/IdempotencyRows.cs), one
-- random B-tree page less written per keyed request. The rows stay as they were.
CREATE TABLE idempotency_keys_rows (
    principal TEXT NOT NULL,
    company TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    state INTEGER NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
INSERT INTO idempotency_keys_rows (principal, company, idem_key, request_hash, state, status, headers, body, created_at, expires_at)
SELECT principal, company, idem_key, request_hash, state, status, headers, body, created_at, expires_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_rows RENAME TO idempotency_keys;
CREATE INDEX ix_idempotency_keys_expires ON idempotency_keys(expires_at);
