-- Readers' passkeys (issue 16): WebAuthn credentials, the library's JSON.
CREATE TABLE reader_passkeys (
    id         text PRIMARY KEY,
    reader_id  bigint NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
    name       text NOT NULL DEFAULT '',
    data       text NOT NULL,
    created_at timestamptz NOT NULL,
    last_used  timestamptz
);
CREATE INDEX reader_passkeys_reader ON reader_passkeys (reader_id);
