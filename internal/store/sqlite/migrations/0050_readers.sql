-- Readers (issue 16): accounts without passwords. E-mailed links and
-- sessions are kept as SHA-256 hashes of their secrets.
CREATE TABLE readers (
	id            INTEGER PRIMARY KEY,
	email         TEXT    NOT NULL,
	email_key     TEXT    NOT NULL UNIQUE, -- lower-cased in Go, as users.email_key
	name          TEXT    NOT NULL DEFAULT '',
	banned        INTEGER NOT NULL DEFAULT 0,
	shadow_banned INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
);

CREATE TABLE reader_tokens (
	hash       TEXT    PRIMARY KEY,
	purpose    TEXT    NOT NULL,
	email_key  TEXT    NOT NULL,
	email      TEXT    NOT NULL,
	reader_id  INTEGER REFERENCES readers(id) ON DELETE CASCADE,
	data       TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
);
CREATE INDEX reader_tokens_email ON reader_tokens(email_key, created_at);
CREATE INDEX reader_tokens_expiry ON reader_tokens(expires_at);

CREATE TABLE reader_sessions (
	id         TEXT    PRIMARY KEY,
	reader_id  INTEGER NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL
);
CREATE INDEX reader_sessions_reader ON reader_sessions(reader_id);
CREATE INDEX reader_sessions_expiry ON reader_sessions(expires_at);
