-- Single-use, expiring links to set an account's password: resets asked
-- for by e-mail and invitations. Only the hash of the secret is kept.
CREATE TABLE account_tokens (
    hash       text        PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
