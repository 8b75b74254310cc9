-- Wire copy (issue 18): which agency item, at which version, each story
-- came from, with the credits and distribution rights that came with it.
-- No foreign key to articles: a kill of a story the paper never had is
-- remembered too (article_id 0), so a late resend of it never goes up.
CREATE TABLE wire_items (
	uri             TEXT    NOT NULL PRIMARY KEY,
	article_id      INTEGER NOT NULL DEFAULT 0,
	version         INTEGER NOT NULL,
	version_created INTEGER,
	pubstatus       TEXT    NOT NULL DEFAULT 'usable',
	distributor     TEXT    NOT NULL DEFAULT '',
	credit          TEXT    NOT NULL DEFAULT '',
	rights          TEXT    NOT NULL DEFAULT '',
	ednote          TEXT    NOT NULL DEFAULT '',
	integration_id  INTEGER NOT NULL DEFAULT 0,
	updated_at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX wire_items_article ON wire_items(article_id) WHERE article_id <> 0;
