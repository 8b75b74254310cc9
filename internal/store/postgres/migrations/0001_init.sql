-- The first schema of masthead on PostgreSQL. Times are timestamptz (stored
-- in UTC); "no time" is NULL, never a zero date. Optional references are
-- NULL rather than 0 so foreign keys hold.

CREATE TABLE generation (
    id    int PRIMARY KEY CHECK (id = 1),
    value bigint NOT NULL
);
INSERT INTO generation (id, value) VALUES (1, 1);

CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE photos (
    id           bigserial PRIMARY KEY,
    key          text NOT NULL,
    content_type text NOT NULL DEFAULT '',
    width        int NOT NULL DEFAULT 0,
    height       int NOT NULL DEFAULT 0,
    caption      text NOT NULL DEFAULT '',
    credit       text NOT NULL DEFAULT '',
    alt          text NOT NULL DEFAULT '',
    focal_x      double precision NOT NULL DEFAULT 0.5,
    focal_y      double precision NOT NULL DEFAULT 0.5,
    widths       int[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL
);

CREATE TABLE sections (
    id          bigserial PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    position    int NOT NULL DEFAULT 0
);

CREATE TABLE authors (
    id       bigserial PRIMARY KEY,
    slug     text NOT NULL UNIQUE,
    name     text NOT NULL,
    email    text NOT NULL DEFAULT '',
    bio      text NOT NULL DEFAULT '',
    title    text NOT NULL DEFAULT '',
    photo_id bigint REFERENCES photos (id) ON DELETE SET NULL,
    position int NOT NULL DEFAULT 0
);
-- E-mail addresses are compared without case; wire bylines have none.
CREATE UNIQUE INDEX authors_email ON authors (lower(email)) WHERE email <> '';

CREATE TABLE tags (
    id   bigserial PRIMARY KEY,
    slug text NOT NULL UNIQUE,
    name text NOT NULL
);

CREATE TABLE articles (
    id              bigserial PRIMARY KEY,
    slug            text NOT NULL UNIQUE,
    headline        text NOT NULL DEFAULT '',
    deck            text NOT NULL DEFAULT '',
    body_markdown   text NOT NULL DEFAULT '',
    body_html       text NOT NULL DEFAULT '',
    -- body_text is the body as plain text: what search snippets quote.
    body_text       text NOT NULL DEFAULT '',
    lang            text NOT NULL DEFAULT '',
    status          text NOT NULL CHECK (status IN ('draft', 'review', 'scheduled', 'published', 'unpublished')),
    section_id      bigint REFERENCES sections (id),
    photo_id        bigint REFERENCES photos (id) ON DELETE SET NULL,
    seo_title       text NOT NULL DEFAULT '',
    seo_description text NOT NULL DEFAULT '',
    source_key      text NOT NULL DEFAULT '',
    translation_of  bigint REFERENCES articles (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    published_at    timestamptz,
    updated_at      timestamptz,
    embargo_until   timestamptz,
    -- search is built by the store on every write: headline A, deck B, body
    -- C, each twice: English words (stemmed) and CJK bigrams ('simple').
    search          tsvector NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX articles_source_key ON articles (source_key) WHERE source_key <> '';
CREATE INDEX articles_published ON articles (published_at DESC, id DESC);
CREATE INDEX articles_status ON articles (status, published_at);
CREATE INDEX articles_section ON articles (section_id, published_at DESC);
CREATE INDEX articles_updated ON articles (updated_at DESC);
CREATE INDEX articles_search ON articles USING gin (search);

-- Former slugs keep resolving (301) after a story is renamed.
CREATE TABLE article_slugs (
    slug       text PRIMARY KEY,
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);
CREATE INDEX article_slugs_article ON article_slugs (article_id);

CREATE TABLE article_authors (
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id  bigint NOT NULL REFERENCES authors (id),
    position   int NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author ON article_authors (author_id);

CREATE TABLE article_tags (
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     bigint NOT NULL REFERENCES tags (id),
    position   int NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id);

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL,
    name          text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('admin', 'editor', 'reporter', 'contributor')),
    password_hash text NOT NULL DEFAULT '',
    author_id     bigint REFERENCES authors (id) ON DELETE SET NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE revisions (
    id            bigserial PRIMARY KEY,
    article_id    bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id       bigint REFERENCES users (id) ON DELETE SET NULL,
    headline      text NOT NULL DEFAULT '',
    deck          text NOT NULL DEFAULT '',
    body_markdown text NOT NULL DEFAULT '',
    body_html     text NOT NULL DEFAULT '',
    note          text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL
);
CREATE INDEX revisions_article ON revisions (article_id, created_at DESC);

CREATE TABLE corrections (
    id          bigserial PRIMARY KEY,
    article_id  bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('correction', 'clarification', 'update')),
    text        text NOT NULL,
    created_at  timestamptz NOT NULL,
    revision_id bigint REFERENCES revisions (id) ON DELETE SET NULL
);
CREATE INDEX corrections_article ON corrections (article_id, created_at);
CREATE INDEX corrections_created ON corrections (created_at DESC);

CREATE TABLE sessions (
    id         text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL,
    user_agent text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The audit log outlives what it mentions: no foreign keys.
CREATE TABLE audit (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL DEFAULT 0,
    action     text NOT NULL,
    article_id bigint NOT NULL DEFAULT 0,
    detail     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE INDEX audit_created ON audit (created_at DESC);

-- Views per story per hour. Nodes add with INSERT ... ON CONFLICT DO UPDATE
-- SET count = count + EXCLUDED.count, so concurrent additions sum exactly.
CREATE TABLE article_views (
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    hour       timestamptz NOT NULL,
    count      bigint NOT NULL CHECK (count >= 0),
    PRIMARY KEY (article_id, hour)
);
-- Most-read lists scan a window of hours: this index answers them without
-- touching the table (index-only scan).
CREATE INDEX article_views_hour ON article_views (hour, article_id) INCLUDE (count);
