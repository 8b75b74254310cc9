-- Webhooks (issue 18): subscriptions, the outbox of deliveries (one per
-- event and webhook, one message id however many attempts), and the log of
-- attempts with the receiver's answers; idempotency records.

CREATE TABLE webhooks (
    id             bigserial PRIMARY KEY,
    integration_id bigint NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    url            text NOT NULL,
    events         text NOT NULL,
    secret         text NOT NULL,
    created_at     timestamptz NOT NULL,
    disabled_at    timestamptz
);
CREATE INDEX webhooks_integration ON webhooks (integration_id, id);

CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    webhook_id      bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    msg_id          text NOT NULL UNIQUE,
    event_type      text NOT NULL,
    article_id      bigint NOT NULL DEFAULT 0,
    photo_id        bigint NOT NULL DEFAULT 0,
    payload         bytea NOT NULL,
    state           text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_status     int NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    claim           text NOT NULL DEFAULT '',
    claimed_until   timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

CREATE TABLE webhook_attempts (
    id          bigserial PRIMARY KEY,
    delivery_id bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    status      int NOT NULL DEFAULT 0,
    error       text NOT NULL DEFAULT '',
    duration_us bigint NOT NULL DEFAULT 0
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

CREATE TABLE idempotency_keys (
    integration_id bigint NOT NULL,
    key            text NOT NULL,
    fingerprint    text NOT NULL,
    status         int NOT NULL DEFAULT 0,
    body           bytea NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (integration_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
