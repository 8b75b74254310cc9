-- Readers' messages to the newsroom (issue 15): the contact form and
-- "report an error". Newsroom state: no change is recorded for them.
CREATE TABLE reader_messages (
	id         INTEGER PRIMARY KEY,
	kind       TEXT    NOT NULL,
	name       TEXT    NOT NULL DEFAULT '',
	email      TEXT    NOT NULL DEFAULT '',
	url        TEXT    NOT NULL DEFAULT '',
	text       TEXT    NOT NULL,
	client_key TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	handled_by INTEGER NOT NULL DEFAULT 0,
	handled_at INTEGER
);
CREATE INDEX reader_messages_open ON reader_messages (handled_at, id);
