-- Deleted stories, restorable for 30 days (news.TrashDays): the story row
-- stays; this says it is deleted, when, by whom and what it was before.
CREATE TABLE trash (
    article_id bigint      PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    deleted_at timestamptz NOT NULL,
    deleted_by bigint      NOT NULL DEFAULT 0,
    status     text        NOT NULL
);
CREATE INDEX trash_deleted_at ON trash (deleted_at);
