-- Deleted stories, restorable for 30 days (news.TrashDays): the story row
-- stays; this says it is deleted, when, by whom and what it was before.
CREATE TABLE trash (
	article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
	deleted_at INTEGER NOT NULL,
	deleted_by INTEGER NOT NULL DEFAULT 0,
	status     TEXT    NOT NULL
);
CREATE INDEX trash_deleted_at ON trash (deleted_at);
