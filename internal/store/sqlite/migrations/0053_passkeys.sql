-- Readers' passkeys (issue 16): WebAuthn credentials, the library's JSON.
CREATE TABLE reader_passkeys (
	id         TEXT    PRIMARY KEY,
	reader_id  INTEGER NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
	name       TEXT    NOT NULL DEFAULT '',
	data       TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	last_used  INTEGER
);
CREATE INDEX reader_passkeys_reader ON reader_passkeys(reader_id);
