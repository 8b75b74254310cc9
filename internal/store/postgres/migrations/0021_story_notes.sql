-- Notes between editors and reporters on a story; never shown to readers.
CREATE TABLE story_notes (
    id         bigserial   PRIMARY KEY,
    article_id bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id    bigint      NOT NULL DEFAULT 0,
    text       text        NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX story_notes_article ON story_notes (article_id, id);
