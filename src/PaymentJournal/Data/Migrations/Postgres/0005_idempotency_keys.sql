-- Idempotency keys (Features/Idempotency): one row per credential, company and key. state 0 = running (claimed, answer
-- not stored yet), 1 = done (status, the headers a client needs and the body stored for replay). Times are Unix
-- milliseconds; expired rows are purged in the background.
CREATE TABLE idempotency_keys (
    principal text COLLATE "C" NOT NULL,
    company text COLLATE "C" NOT NULL,
    idem_key text COLLATE "C" NOT NULL,
    request_hash bytea NOT NULL,
    state smallint NOT NULL,
    status integer NOT NULL,
    headers text COLLATE "C" NOT NULL,
    body bytea NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    PRIMARY KEY (principal, company, idem_key)
);
CREATE INDEX ix_idempotency_keys_expires ON idempotency_keys(expires_at);
