-- The transactional write path (issue 12): versions, full revisions, the
-- change log, leases and redirects.

-- Integer versions: a write names the version it was made against, and
-- changes the row only if that is still the stored one.
ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sections ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sections ADD COLUMN updated_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sections ADD COLUMN updated_at INTEGER;
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN updated_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN updated_at INTEGER;
ALTER TABLE settings ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE settings ADD COLUMN updated_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE settings ADD COLUMN updated_at INTEGER;

-- A revision keeps every field an editor edits, and the version it
-- records, so that two editors' work can be merged against the version
-- both started from. Older revisions (version 0) take the story's current
-- values for the fields they did not keep: the best guess there is.
ALTER TABLE revisions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE revisions ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN slug TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN section_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE revisions ADD COLUMN author_ids TEXT NOT NULL DEFAULT '[]'; -- JSON array, byline order
ALTER TABLE revisions ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';       -- JSON array of names
ALTER TABLE revisions ADD COLUMN photo_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE revisions ADD COLUMN seo_title TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN seo_description TEXT NOT NULL DEFAULT '';
ALTER TABLE revisions ADD COLUMN embargo_until INTEGER;
UPDATE revisions SET
	slug = (SELECT a.slug FROM articles a WHERE a.id = revisions.article_id),
	lang = (SELECT a.lang FROM articles a WHERE a.id = revisions.article_id),
	section_id = coalesce((SELECT a.section_id FROM articles a WHERE a.id = revisions.article_id), 0),
	photo_id = coalesce((SELECT a.photo_id FROM articles a WHERE a.id = revisions.article_id), 0),
	seo_title = (SELECT a.seo_title FROM articles a WHERE a.id = revisions.article_id),
	seo_description = (SELECT a.seo_description FROM articles a WHERE a.id = revisions.article_id),
	embargo_until = (SELECT a.embargo_until FROM articles a WHERE a.id = revisions.article_id),
	author_ids = coalesce((SELECT json_group_array(author_id) FROM (SELECT author_id FROM article_authors
		WHERE article_id = revisions.article_id ORDER BY position)), '[]'),
	tags = coalesce((SELECT json_group_array(t.name) FROM article_tags at JOIN tags t ON t.id = at.tag_id
		WHERE at.article_id = revisions.article_id), '[]');
CREATE INDEX revisions_version ON revisions(article_id, version, id);

-- The change log: one row per committed change readers can see, numbered
-- by the generation counter in the same transaction, so rows commit in
-- seq order. Every process tails it (page caches purge by key); webhooks
-- and newsletters read its events.
CREATE TABLE changes (
	seq    INTEGER PRIMARY KEY,
	at     INTEGER NOT NULL,
	change TEXT    NOT NULL -- JSON news.Change
);
CREATE INDEX changes_at ON changes(at);

-- Leases elect one process for a job; token is the fencing token.
CREATE TABLE leases (
	name       TEXT    NOT NULL PRIMARY KEY,
	holder     TEXT    NOT NULL,
	token      INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Old paths that answer 301 (renamed sections, imported permalinks).
CREATE TABLE redirects (
	from_path  TEXT    NOT NULL PRIMARY KEY,
	to_path    TEXT    NOT NULL,
	code       INTEGER NOT NULL DEFAULT 301,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;
