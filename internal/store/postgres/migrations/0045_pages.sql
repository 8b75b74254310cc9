-- Static pages (issue 15): About, Contact, Privacy... at /{slug}. The body
-- is the canonical story body (content.Normalize), like articles.body_html.
CREATE TABLE pages (
    id           bigserial PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    title        text NOT NULL,
    description  text NOT NULL DEFAULT '',
    body         text NOT NULL DEFAULT '',
    lang         text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'draft',
    position     int NOT NULL DEFAULT 0,
    in_footer    boolean NOT NULL DEFAULT false,
    version      bigint NOT NULL DEFAULT 1,
    updated_by   bigint NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    published_at timestamptz
);
