-- Integrations (issue 18): other programs let in with keys, what they may do,
-- and an audit of their calls.

CREATE TABLE integrations (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL,
    scopes     text NOT NULL, -- "content:read,stories:write"
    rate_limit int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);

-- Only the SHA-256 of a key is kept; it is how a request's key is found.
CREATE TABLE api_keys (
    id             bigserial PRIMARY KEY,
    integration_id bigint NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('content', 'admin')),
    hash           text NOT NULL,
    hint           text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    last_used_at   timestamptz
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (hash);
CREATE INDEX api_keys_integration ON api_keys (integration_id, created_at);

-- One row per Admin API call, and one per key and hour counting Content
-- API reads. No foreign keys: the log outlives what it names.
CREATE TABLE integration_calls (
    id             bigserial PRIMARY KEY,
    integration_id bigint NOT NULL,
    name           text NOT NULL,
    key_id         bigint NOT NULL DEFAULT 0,
    method         text NOT NULL DEFAULT '',
    route          text NOT NULL DEFAULT '',
    status         int NOT NULL DEFAULT 0,
    article_id     bigint NOT NULL DEFAULT 0,
    detail         text NOT NULL DEFAULT '',
    calls          bigint NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL,
    hour           timestamptz
);
CREATE INDEX integration_calls_integration ON integration_calls (integration_id, created_at, id);
CREATE INDEX integration_calls_created ON integration_calls (created_at, id);
CREATE UNIQUE INDEX integration_calls_hour ON integration_calls (key_id, hour) WHERE hour IS NOT NULL;
