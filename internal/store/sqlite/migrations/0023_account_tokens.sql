-- Single-use, expiring links to set an account's password: resets asked
-- for by e-mail and invitations. Only the hash of the secret is kept.
CREATE TABLE account_tokens (
	hash       TEXT    PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind       TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
) WITHOUT ROWID;
