-- Newsletters (issue 16): lists, subscriptions, and the send queue. A
-- delivery row per subscriber and issue, unique on the pair, is what makes
-- a send exactly once however many nodes work through it.
CREATE TABLE newsletter_lists (
	id          INTEGER PRIMARY KEY,
	slug        TEXT    NOT NULL UNIQUE,
	name        TEXT    NOT NULL,
	description TEXT    NOT NULL DEFAULT '',
	kind        TEXT    NOT NULL CHECK (kind IN ('digest', 'breaking', 'section')),
	section_id  INTEGER REFERENCES sections(id) ON DELETE SET NULL,
	position    INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL
);

CREATE TABLE subscriptions (
	id              INTEGER PRIMARY KEY,
	list_id         INTEGER NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
	reader_id       INTEGER REFERENCES readers(id) ON DELETE CASCADE,
	email           TEXT    NOT NULL,
	email_key       TEXT    NOT NULL,
	status          TEXT    NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced', 'complained')),
	created_at      INTEGER NOT NULL,
	confirmed_at    INTEGER,
	unsubscribed_at INTEGER,
	UNIQUE (list_id, email_key)
);
CREATE INDEX subscriptions_reader ON subscriptions(reader_id);
CREATE INDEX subscriptions_email ON subscriptions(email_key);
CREATE INDEX subscriptions_active ON subscriptions(list_id, id) WHERE status = 'active';

CREATE TABLE newsletter_issues (
	id          INTEGER PRIMARY KEY,
	list_id     INTEGER NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
	key         TEXT    NOT NULL UNIQUE,
	subject     TEXT    NOT NULL,
	article_ids TEXT    NOT NULL DEFAULT '', -- comma-separated, in order
	created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
	status      TEXT    NOT NULL CHECK (status IN ('sending', 'sent')),
	created_at  INTEGER NOT NULL,
	finished_at INTEGER
);

CREATE TABLE newsletter_deliveries (
	id              INTEGER PRIMARY KEY,
	issue_id        INTEGER NOT NULL REFERENCES newsletter_issues(id) ON DELETE CASCADE,
	subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
	email           TEXT    NOT NULL,
	status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_at         INTEGER NOT NULL,
	claim           TEXT    NOT NULL DEFAULT '',
	lease_until     INTEGER NOT NULL DEFAULT 0,
	sent_at         INTEGER,
	error           TEXT    NOT NULL DEFAULT '',
	UNIQUE (issue_id, subscription_id)
);
-- The senders' claim: pending rows in the order they are due.
CREATE INDEX newsletter_deliveries_due ON newsletter_deliveries(next_at, id) WHERE status = 'pending';
CREATE INDEX newsletter_deliveries_issue ON newsletter_deliveries(issue_id, status);
