-- Readers (issue 16): accounts without passwords. E-mailed links and
-- sessions are kept as SHA-256 hashes of their secrets. email_key is the
-- address lower-cased in Go, as in the SQLite store.
CREATE TABLE readers (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL,
    email_key     text NOT NULL UNIQUE,
    name          text NOT NULL DEFAULT '',
    banned        boolean NOT NULL DEFAULT false,
    shadow_banned boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL
);

CREATE TABLE reader_tokens (
    hash       text PRIMARY KEY,
    purpose    text NOT NULL,
    email_key  text NOT NULL,
    email      text NOT NULL,
    reader_id  bigint REFERENCES readers(id) ON DELETE CASCADE,
    data       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX reader_tokens_email ON reader_tokens (email_key, created_at);
CREATE INDEX reader_tokens_expiry ON reader_tokens (expires_at);

CREATE TABLE reader_sessions (
    id         text PRIMARY KEY,
    reader_id  bigint NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL
);
CREATE INDEX reader_sessions_reader ON reader_sessions (reader_id);
CREATE INDEX reader_sessions_expiry ON reader_sessions (expires_at);
