-- Readers' messages to the newsroom (issue 15): the contact form and
-- "report an error". Newsroom state: no change is recorded for them.
CREATE TABLE reader_messages (
    id         bigserial PRIMARY KEY,
    kind       text NOT NULL,
    name       text NOT NULL DEFAULT '',
    email      text NOT NULL DEFAULT '',
    url        text NOT NULL DEFAULT '',
    text       text NOT NULL,
    client_key text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    handled_by bigint NOT NULL DEFAULT 0,
    handled_at timestamptz
);
CREATE INDEX reader_messages_open ON reader_messages (handled_at, id);
