-- Webhooks (Features/Webhooks): the subscriptions, and the outbox of notifications written in the same transaction as
-- the change they announce. Times are Unix milliseconds. A subscription's lease says which node is sending its
-- notifications and until when; attempts and next_attempt_at hold the retry state of its pending notifications.
CREATE TABLE webhook_subscriptions (
    id text COLLATE "C" NOT NULL PRIMARY KEY,
    api text COLLATE "C" NOT NULL,
    notification_url text COLLATE "C" NOT NULL,
    resource text COLLATE "C" NOT NULL,
    client_state text COLLATE "C" NOT NULL,
    company_id text COLLATE "C" NOT NULL,
    entity_set text COLLATE "C" NOT NULL,
    parent_nav text COLLATE "C" NOT NULL,
    parent_id text COLLATE "C" NOT NULL,
    user_id text COLLATE "C" NOT NULL,
    version bigint NOT NULL,
    created_at bigint NOT NULL,
    modified_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    attempts bigint NOT NULL,
    next_attempt_at bigint NOT NULL,
    lease_owner text COLLATE "C" NOT NULL,
    lease_until bigint NOT NULL
);
CREATE TABLE webhook_outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id text COLLATE "C" NOT NULL,
    resource text COLLATE "C" NOT NULL,
    change_type text COLLATE "C" NOT NULL,
    last_modified bigint NOT NULL,
    created_at bigint NOT NULL
);
CREATE INDEX ix_webhook_outbox_subscription ON webhook_outbox(subscription_id, id);
