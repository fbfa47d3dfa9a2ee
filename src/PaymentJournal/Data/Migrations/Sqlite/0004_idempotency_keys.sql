-- Idempotency keys (Features/Idempotency): one row per credential, company and key. state 0 = running (claimed, answer
-- not stored yet), 1 = done (status, the headers a client needs and the body stored for replay). Times are Unix
-- milliseconds; expired rows are purged in the background.
CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    company TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    state INTEGER NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (principal, company, idem_key)
);
CREATE INDEX ix_idempotency_keys_expires ON idempotency_keys(expires_at);
