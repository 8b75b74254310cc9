-- Autosaved working copies: one per user and story, replaced on every
-- autosave, dropped on save; seen_at is the presence heartbeat.
CREATE TABLE working_copies (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	data       TEXT    NOT NULL DEFAULT '',
	saved_at   INTEGER NOT NULL DEFAULT 0,
	seen_at    INTEGER NOT NULL,
	PRIMARY KEY (article_id, user_id)
) WITHOUT ROWID;
