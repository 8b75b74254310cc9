-- Integrations (issue 18): other programs let in with keys, what they may do,
-- and an audit of their calls. Times are INTEGER microseconds, NULL unset.

CREATE TABLE integrations (
	id         INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	scopes     TEXT    NOT NULL, -- "content:read,stories:write"
	rate_limit INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

-- Only the SHA-256 of a key is kept; it is how a request's key is found.
CREATE TABLE api_keys (
	id             INTEGER PRIMARY KEY,
	integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
	kind           TEXT    NOT NULL CHECK (kind IN ('content', 'admin')),
	hash           TEXT    NOT NULL UNIQUE,
	hint           TEXT    NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL,
	revoked_at     INTEGER,
	last_used_at   INTEGER
);
CREATE INDEX api_keys_integration ON api_keys(integration_id, created_at);

-- The audit of calls: one row per Admin API call, and one per key and hour
-- counting Content API reads (calls > 1). No foreign keys: the log outlives
-- what it names.
CREATE TABLE integration_calls (
	id             INTEGER PRIMARY KEY,
	integration_id INTEGER NOT NULL,
	name           TEXT    NOT NULL,
	key_id         INTEGER NOT NULL DEFAULT 0,
	method         TEXT    NOT NULL DEFAULT '',
	route          TEXT    NOT NULL DEFAULT '',
	status         INTEGER NOT NULL DEFAULT 0,
	article_id     INTEGER NOT NULL DEFAULT 0,
	detail         TEXT    NOT NULL DEFAULT '',
	calls          INTEGER NOT NULL DEFAULT 1,
	created_at     INTEGER NOT NULL,
	-- hour is set on counted rows only: one per key and hour.
	hour           INTEGER
);
CREATE INDEX integration_calls_integration ON integration_calls(integration_id, created_at, id);
CREATE INDEX integration_calls_created ON integration_calls(created_at, id);
CREATE UNIQUE INDEX integration_calls_hour ON integration_calls(key_id, hour) WHERE hour IS NOT NULL;
