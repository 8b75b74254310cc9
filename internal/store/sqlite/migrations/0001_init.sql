-- masthead schema, version 1.
-- Times are INTEGER microseconds since the Unix epoch, UTC; NULL means "not
-- set" (news uses the zero time.Time for that). Integers compare and index
-- faster than text and cannot be written in two formats by mistake.

CREATE TABLE sections (
	id          INTEGER PRIMARY KEY,
	slug        TEXT    NOT NULL UNIQUE,
	name        TEXT    NOT NULL,
	description TEXT    NOT NULL DEFAULT '',
	position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE photos (
	id           INTEGER PRIMARY KEY,
	key          TEXT    NOT NULL,
	content_type TEXT    NOT NULL DEFAULT '',
	width        INTEGER NOT NULL DEFAULT 0,
	height       INTEGER NOT NULL DEFAULT 0,
	caption      TEXT    NOT NULL DEFAULT '',
	credit       TEXT    NOT NULL DEFAULT '',
	alt          TEXT    NOT NULL DEFAULT '',
	focal_x      REAL    NOT NULL DEFAULT 0.5,
	focal_y      REAL    NOT NULL DEFAULT 0.5,
	widths       TEXT    NOT NULL DEFAULT '', -- "320,640,1280"
	created_at   INTEGER NOT NULL
);

CREATE TABLE authors (
	id       INTEGER PRIMARY KEY,
	slug     TEXT    NOT NULL UNIQUE,
	name     TEXT    NOT NULL,
	email    TEXT    NOT NULL DEFAULT '',
	bio      TEXT    NOT NULL DEFAULT '',
	title    TEXT    NOT NULL DEFAULT '',
	photo_id INTEGER REFERENCES photos(id) ON DELETE SET NULL,
	position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX authors_email ON authors(email COLLATE NOCASE);

CREATE TABLE tags (
	id   INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL
);

CREATE TABLE articles (
	id              INTEGER PRIMARY KEY,
	slug            TEXT    NOT NULL UNIQUE,
	headline        TEXT    NOT NULL,
	deck            TEXT    NOT NULL DEFAULT '',
	body_markdown   TEXT    NOT NULL DEFAULT '',
	body_html       TEXT    NOT NULL DEFAULT '',
	lang            TEXT    NOT NULL DEFAULT '',
	status          TEXT    NOT NULL CHECK (status IN ('draft', 'review', 'scheduled', 'published', 'unpublished')),
	section_id      INTEGER REFERENCES sections(id) ON DELETE SET NULL,
	photo_id        INTEGER REFERENCES photos(id) ON DELETE SET NULL,
	seo_title       TEXT    NOT NULL DEFAULT '',
	seo_description TEXT    NOT NULL DEFAULT '',
	source_key      TEXT,   -- NULL for newsroom stories, so they never clash
	translation_of  INTEGER REFERENCES articles(id) ON DELETE SET NULL,
	created_at      INTEGER NOT NULL,
	published_at    INTEGER,
	updated_at      INTEGER,
	embargo_until   INTEGER
);
CREATE UNIQUE INDEX articles_source_key ON articles(source_key) WHERE source_key IS NOT NULL;
-- Reader lists walk published_at newest first; the status prefix keeps the
-- public range contiguous, the section variant serves section pages.
CREATE INDEX articles_status_published  ON articles(status, published_at, id);
CREATE INDEX articles_section_published ON articles(section_id, status, published_at, id);
CREATE INDEX articles_published         ON articles(published_at, id);
CREATE INDEX articles_updated           ON articles(updated_at, id);

CREATE TABLE article_authors (
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	author_id  INTEGER NOT NULL REFERENCES authors(id),
	position   INTEGER NOT NULL,
	PRIMARY KEY (article_id, author_id)
) WITHOUT ROWID;
CREATE INDEX article_authors_author ON article_authors(author_id, article_id);

CREATE TABLE article_tags (
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	tag_id     INTEGER NOT NULL REFERENCES tags(id),
	PRIMARY KEY (article_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX article_tags_tag ON article_tags(tag_id, article_id);

-- Former slugs of renamed stories, so old links still resolve (301).
CREATE TABLE article_slugs (
	slug       TEXT    NOT NULL PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX article_slugs_article ON article_slugs(article_id);

CREATE TABLE corrections (
	id          INTEGER PRIMARY KEY,
	article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	kind        TEXT    NOT NULL,
	text        TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	revision_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX corrections_article ON corrections(article_id, created_at);
CREATE INDEX corrections_created ON corrections(created_at, id);

CREATE TABLE revisions (
	id            INTEGER PRIMARY KEY,
	article_id    INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	user_id       INTEGER NOT NULL DEFAULT 0,
	headline      TEXT    NOT NULL DEFAULT '',
	deck          TEXT    NOT NULL DEFAULT '',
	body_markdown TEXT    NOT NULL DEFAULT '',
	body_html     TEXT    NOT NULL DEFAULT '',
	note          TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
);
CREATE INDEX revisions_article ON revisions(article_id, created_at, id);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT    NOT NULL,
	-- email_key is the e-mail lower-cased in Go (Unicode-aware, unlike
	-- SQLite's NOCASE), so uniqueness ignores case.
	email_key     TEXT    NOT NULL UNIQUE,
	name          TEXT    NOT NULL DEFAULT '',
	role          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL DEFAULT '',
	author_id     INTEGER REFERENCES authors(id) ON DELETE SET NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
	id         TEXT    NOT NULL PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf_token TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	last_seen  INTEGER,
	user_agent TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user    ON sessions(user_id, created_at);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- No foreign keys: the log must outlive the stories and users it mentions.
CREATE TABLE audit (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL DEFAULT 0,
	action     TEXT    NOT NULL,
	article_id INTEGER NOT NULL DEFAULT 0,
	detail     TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX audit_created ON audit(created_at, id);

CREATE TABLE settings (
	key   TEXT NOT NULL PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- One row, bumped in the same transaction as every write readers can see.
-- Other processes on the same file (masthead import beside serve) poll it.
CREATE TABLE generation (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	value INTEGER NOT NULL
);
INSERT INTO generation (id, value) VALUES (1, 1);

-- Views per story per hour, added to (never overwritten) by every node.
-- The primary key leads with the hour so a most-read window is one range
-- scan of a covering index.
CREATE TABLE article_views (
	hour       INTEGER NOT NULL,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	count      INTEGER NOT NULL,
	PRIMARY KEY (hour, article_id)
) WITHOUT ROWID;
CREATE INDEX article_views_article ON article_views(article_id, hour);

-- Full-text index. Contentless (content=''): the text lives in articles;
-- the index holds the tokens of IndexText(headline|deck|plain body), where
-- CJK runs are bigrams. porter stems English; unicode61 folds case and, with
-- remove_diacritics 2, accents. contentless_delete lets an update or delete
-- remove a story's old tokens without keeping a second copy of the text.
CREATE VIRTUAL TABLE article_fts USING fts5(
	headline, deck, body,
	content = '',
	contentless_delete = 1,
	tokenize = 'porter unicode61 remove_diacritics 2'
);
