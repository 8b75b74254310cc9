-- Newsletters (issue 16): lists, subscriptions and the send queue. A
-- delivery row per subscriber and issue, unique on the pair, is what makes
-- a send exactly once however many nodes work through it.
CREATE TABLE newsletter_lists (
    id          bigserial PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    kind        text NOT NULL CHECK (kind IN ('digest', 'breaking', 'section')),
    section_id  bigint REFERENCES sections(id) ON DELETE SET NULL,
    position    int NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL
);

CREATE TABLE subscriptions (
    id              bigserial PRIMARY KEY,
    list_id         bigint NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
    reader_id       bigint REFERENCES readers(id) ON DELETE CASCADE,
    email           text NOT NULL,
    email_key       text NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced', 'complained')),
    created_at      timestamptz NOT NULL,
    confirmed_at    timestamptz,
    unsubscribed_at timestamptz,
    UNIQUE (list_id, email_key)
);
CREATE INDEX subscriptions_reader ON subscriptions (reader_id);
CREATE INDEX subscriptions_email ON subscriptions (email_key);
CREATE INDEX subscriptions_active ON subscriptions (list_id, id) WHERE status = 'active';

CREATE TABLE newsletter_issues (
    id          bigserial PRIMARY KEY,
    list_id     bigint NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
    key         text NOT NULL UNIQUE,
    subject     text NOT NULL,
    article_ids bigint[] NOT NULL DEFAULT '{}',
    created_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    status      text NOT NULL CHECK (status IN ('sending', 'sent')),
    created_at  timestamptz NOT NULL,
    finished_at timestamptz
);

CREATE TABLE newsletter_deliveries (
    id              bigserial PRIMARY KEY,
    issue_id        bigint NOT NULL REFERENCES newsletter_issues(id) ON DELETE CASCADE,
    subscription_id bigint NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    email           text NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_at         timestamptz NOT NULL,
    claim           text NOT NULL DEFAULT '',
    lease_until     timestamptz NOT NULL DEFAULT '1970-01-01 00:00:00+00',
    sent_at         timestamptz,
    error           text NOT NULL DEFAULT '',
    UNIQUE (issue_id, subscription_id)
);
CREATE INDEX newsletter_deliveries_due ON newsletter_deliveries (next_at, id) WHERE status = 'pending';
CREATE INDEX newsletter_deliveries_issue ON newsletter_deliveries (issue_id, status);
