-- Notes between editors and reporters on a story; never shown to readers.
CREATE TABLE story_notes (
	id         INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL DEFAULT 0,
	text       TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX story_notes_article ON story_notes (article_id, id);
