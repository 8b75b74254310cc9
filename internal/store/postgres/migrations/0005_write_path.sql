-- The transactional write path (issue 12): versions, full revisions, the
-- change log, leases and redirects.

-- Integer versions: a write names the version it was made against, and
-- changes the row only if that is still the stored one.
ALTER TABLE articles ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE sections ADD COLUMN version bigint NOT NULL DEFAULT 1,
    ADD COLUMN updated_by bigint NOT NULL DEFAULT 0,
    ADD COLUMN updated_at timestamptz;
ALTER TABLE users ADD COLUMN version bigint NOT NULL DEFAULT 1,
    ADD COLUMN updated_by bigint NOT NULL DEFAULT 0,
    ADD COLUMN updated_at timestamptz;
ALTER TABLE settings ADD COLUMN version bigint NOT NULL DEFAULT 1,
    ADD COLUMN updated_by bigint NOT NULL DEFAULT 0,
    ADD COLUMN updated_at timestamptz;

-- A revision keeps every field an editor edits, and the version it
-- records, so two editors' work can be merged against the version both
-- started from. Older revisions (version 0) take the story's current
-- values for the fields they did not keep: the best guess there is.
ALTER TABLE revisions ADD COLUMN version bigint NOT NULL DEFAULT 0,
    ADD COLUMN status text NOT NULL DEFAULT '',
    ADD COLUMN slug text NOT NULL DEFAULT '',
    ADD COLUMN lang text NOT NULL DEFAULT '',
    ADD COLUMN section_id bigint NOT NULL DEFAULT 0,
    ADD COLUMN author_ids bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN tags text[] NOT NULL DEFAULT '{}',
    ADD COLUMN photo_id bigint NOT NULL DEFAULT 0,
    ADD COLUMN seo_title text NOT NULL DEFAULT '',
    ADD COLUMN seo_description text NOT NULL DEFAULT '',
    ADD COLUMN embargo_until timestamptz;
UPDATE revisions r SET slug = a.slug, lang = a.lang, section_id = coalesce(a.section_id, 0), photo_id = coalesce(a.photo_id, 0),
    seo_title = a.seo_title, seo_description = a.seo_description, embargo_until = a.embargo_until,
    author_ids = coalesce((SELECT array_agg(aa.author_id ORDER BY aa.position) FROM article_authors aa WHERE aa.article_id = a.id), '{}'),
    tags = coalesce((SELECT array_agg(t.name ORDER BY t.name) FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '{}')
FROM articles a WHERE a.id = r.article_id;
CREATE INDEX revisions_version ON revisions (article_id, version, id);

-- The change log: one row per committed change readers can see, numbered
-- by the generation counter in the same transaction. The generation row
-- stays locked until commit, so rows commit in seq order. Every node and
-- process tails it (page caches purge by key); webhooks and newsletters
-- read its events.
CREATE TABLE changes (
    seq    bigint PRIMARY KEY,
    at     timestamptz NOT NULL,
    change text NOT NULL -- JSON news.Change
);
CREATE INDEX changes_at ON changes (at);

-- Leases elect one node for a job; token is the fencing token. Times are
-- the server's clock.
CREATE TABLE leases (
    name       text PRIMARY KEY,
    holder     text NOT NULL,
    token      bigint NOT NULL,
    expires_at timestamptz NOT NULL
);

-- Old paths that answer 301 (renamed sections, imported permalinks).
CREATE TABLE redirects (
    from_path  text PRIMARY KEY,
    to_path    text NOT NULL,
    code       int NOT NULL DEFAULT 301 CHECK (code IN (301, 308)),
    created_at timestamptz NOT NULL
);
