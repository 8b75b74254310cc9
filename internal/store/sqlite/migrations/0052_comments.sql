-- Comments (issue 16): one level of replies; moderation state per comment;
-- reports once per reader; threads closed per story.
CREATE TABLE comments (
	id            INTEGER PRIMARY KEY,
	article_id    INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	parent_id     INTEGER REFERENCES comments(id) ON DELETE CASCADE,
	reader_id     INTEGER REFERENCES readers(id) ON DELETE SET NULL,
	author_name   TEXT    NOT NULL DEFAULT '',
	staff         INTEGER NOT NULL DEFAULT 0,
	staff_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
	body          TEXT    NOT NULL,
	status        TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'spam', 'deleted')),
	shadow        INTEGER NOT NULL DEFAULT 0,
	spam_score    REAL    NOT NULL DEFAULT 0,
	reports       INTEGER NOT NULL DEFAULT 0,
	source_key    TEXT    NOT NULL DEFAULT '', -- imports: unique when set
	created_at    INTEGER NOT NULL,
	edited_at     INTEGER
);
CREATE INDEX comments_article ON comments(article_id, created_at, id);
CREATE INDEX comments_reader ON comments(reader_id, created_at);
CREATE INDEX comments_status ON comments(status, created_at);

CREATE UNIQUE INDEX comments_source ON comments(source_key) WHERE source_key <> '';

CREATE TABLE comment_reports (
	comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
	reader_id  INTEGER NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
	reason     TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	PRIMARY KEY (comment_id, reader_id)
);

CREATE TABLE comment_threads (
	article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
	closed     INTEGER NOT NULL DEFAULT 0
);
