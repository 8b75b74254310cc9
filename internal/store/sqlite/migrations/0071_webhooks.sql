-- Webhooks (issue 18): subscriptions, the outbox of deliveries (one per
-- event and webhook, one message id however many attempts), and the log of
-- attempts with the receiver's answers.

CREATE TABLE webhooks (
	id             INTEGER PRIMARY KEY,
	integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
	url            TEXT    NOT NULL,
	events         TEXT    NOT NULL, -- "story.published,story.updated"
	secret         TEXT    NOT NULL,
	created_at     INTEGER NOT NULL,
	disabled_at    INTEGER
);
CREATE INDEX webhooks_integration ON webhooks(integration_id, id);

CREATE TABLE webhook_deliveries (
	id              INTEGER PRIMARY KEY,
	webhook_id      INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
	msg_id          TEXT    NOT NULL UNIQUE,
	event_type      TEXT    NOT NULL,
	article_id      INTEGER NOT NULL DEFAULT 0,
	photo_id        INTEGER NOT NULL DEFAULT 0,
	payload         BLOB    NOT NULL,
	state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT    NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	delivered_at    INTEGER,
	claim           TEXT    NOT NULL DEFAULT '',
	claimed_until   INTEGER
);
-- The deliverer's question: what is pending and due, oldest first.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);

CREATE TABLE webhook_attempts (
	id          INTEGER PRIMARY KEY,
	delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
	at          INTEGER NOT NULL,
	status      INTEGER NOT NULL DEFAULT 0,
	error       TEXT    NOT NULL DEFAULT '',
	duration_us INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);

-- Answers to POSTs made with an Idempotency-Key, per integration.
CREATE TABLE idempotency_keys (
	integration_id INTEGER NOT NULL,
	key            TEXT    NOT NULL,
	fingerprint    TEXT    NOT NULL,
	status         INTEGER NOT NULL DEFAULT 0,
	body           BLOB    NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL,
	PRIMARY KEY (integration_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
