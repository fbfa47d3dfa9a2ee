-- Webhooks (Features/Webhooks): the subscriptions, and the outbox of notifications written in the same transaction as
-- the change they announce. Times are Unix milliseconds. A subscription's lease says which node is sending its
-- notifications and until when; attempts and next_attempt_at hold the retry state of its pending notifications.
CREATE TABLE webhook_subscriptions (
    id TEXT NOT NULL PRIMARY KEY,
    api TEXT NOT NULL,
    notification_url TEXT NOT NULL,
    resource TEXT NOT NULL,
    client_state TEXT NOT NULL,
    company_id TEXT NOT NULL,
    entity_set TEXT NOT NULL,
    parent_nav TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT NOT NULL,
    lease_until INTEGER NOT NULL
);
CREATE TABLE webhook_outbox (
    id INTEGER PRIMARY KEY,
    subscription_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    change_type TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_webhook_outbox_subscription ON webhook_outbox(subscription_id, id);
