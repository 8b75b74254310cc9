-- Static pages (issue 15): About, Contact, Privacy... at /{slug}. The body
-- is the canonical story body (content.Normalize), like articles.body_html.
CREATE TABLE pages (
	id           INTEGER PRIMARY KEY,
	slug         TEXT    NOT NULL UNIQUE,
	title        TEXT    NOT NULL,
	description  TEXT    NOT NULL DEFAULT '',
	body         TEXT    NOT NULL DEFAULT '',
	lang         TEXT    NOT NULL DEFAULT '',
	status       TEXT    NOT NULL DEFAULT 'draft',
	position     INTEGER NOT NULL DEFAULT 0,
	in_footer    INTEGER NOT NULL DEFAULT 0,
	version      INTEGER NOT NULL DEFAULT 1,
	updated_by   INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	published_at INTEGER
);
