-- Autosaved working copies: one per user and story, replaced on every
-- autosave, dropped on save; seen_at is the presence heartbeat.
CREATE TABLE working_copies (
    article_id bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    data       text        NOT NULL DEFAULT '',
    saved_at   timestamptz,
    seen_at    timestamptz NOT NULL,
    PRIMARY KEY (article_id, user_id)
);
