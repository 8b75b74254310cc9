-- Comments (issue 16): one level of replies; moderation state per comment;
-- reports once per reader; threads closed per story.
CREATE TABLE comments (
    id            bigserial PRIMARY KEY,
    article_id    bigint NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    parent_id     bigint REFERENCES comments(id) ON DELETE CASCADE,
    reader_id     bigint REFERENCES readers(id) ON DELETE SET NULL,
    author_name   text NOT NULL DEFAULT '',
    staff         boolean NOT NULL DEFAULT false,
    staff_user_id bigint REFERENCES users(id) ON DELETE SET NULL,
    body          text NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'spam', 'deleted')),
    shadow        boolean NOT NULL DEFAULT false,
    spam_score    double precision NOT NULL DEFAULT 0,
    reports       int NOT NULL DEFAULT 0,
    source_key    text NOT NULL DEFAULT '', -- imports: unique when set
    created_at    timestamptz NOT NULL,
    edited_at     timestamptz
);
CREATE INDEX comments_article ON comments (article_id, created_at, id);
CREATE INDEX comments_reader ON comments (reader_id, created_at);
CREATE INDEX comments_status ON comments (status, created_at);

CREATE UNIQUE INDEX comments_source ON comments (source_key) WHERE source_key <> '';

CREATE TABLE comment_reports (
    comment_id bigint NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    reader_id  bigint NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
    reason     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    PRIMARY KEY (comment_id, reader_id)
);

CREATE TABLE comment_threads (
    article_id bigint PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    closed     boolean NOT NULL DEFAULT false
);
