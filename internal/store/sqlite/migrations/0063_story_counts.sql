-- Counts of published stories per section (kind 1), author (2) and tag (3),
-- kept by triggers in the transaction of every write that changes them, so
-- a list page's pager reads one row instead of counting the list (12,500
-- index entries for a section of a 100,000-story paper), and a page past
-- the end is known to be one without reading any story.
--
-- "Published" here is status = 'published' with a publication time: what
-- IsPublicAt needs less the time. The stores subtract the few published
-- stories that are not public yet (a future publication time, an embargo)
-- when they read a count (articles_not_public below).
CREATE TABLE story_counts (
	kind INTEGER NOT NULL,
	id   INTEGER NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
) WITHOUT ROWID;

INSERT INTO story_counts (kind, id, n)
	SELECT 1, section_id, count(*) FROM articles
	WHERE status = 'published' AND published_at IS NOT NULL AND section_id IS NOT NULL GROUP BY section_id;
INSERT INTO story_counts (kind, id, n)
	SELECT 2, x.author_id, count(*) FROM article_authors x JOIN articles a ON a.id = x.article_id
	WHERE a.status = 'published' AND a.published_at IS NOT NULL GROUP BY x.author_id;
INSERT INTO story_counts (kind, id, n)
	SELECT 3, x.tag_id, count(*) FROM article_tags x JOIN articles a ON a.id = x.article_id
	WHERE a.status = 'published' AND a.published_at IS NOT NULL GROUP BY x.tag_id;

-- The published stories that are not public yet are few; these two ranges
-- find them without reading the archive.
CREATE INDEX articles_embargoed ON articles(embargo_until) WHERE status = 'published' AND embargo_until IS NOT NULL;

CREATE TRIGGER story_counts_insert AFTER INSERT ON articles
WHEN new.status = 'published' AND new.published_at IS NOT NULL AND new.section_id IS NOT NULL
BEGIN
	INSERT INTO story_counts (kind, id, n) VALUES (1, new.section_id, 1)
		ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
END;

-- Each trigger reads the other table's current rows, so any order of
-- writes in a transaction (the story row first, then its bylines, or the
-- reverse) keeps the counts right.
CREATE TRIGGER story_counts_update AFTER UPDATE OF status, published_at, section_id ON articles
WHEN (old.status = 'published' AND old.published_at IS NOT NULL) OR (new.status = 'published' AND new.published_at IS NOT NULL)
BEGIN
	UPDATE story_counts SET n = n - 1
		WHERE kind = 1 AND id = old.section_id AND old.status = 'published' AND old.published_at IS NOT NULL;
	INSERT INTO story_counts (kind, id, n)
		SELECT 1, new.section_id, 1 WHERE new.status = 'published' AND new.published_at IS NOT NULL AND new.section_id IS NOT NULL
		ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
	INSERT INTO story_counts (kind, id, n)
		SELECT 2, author_id, CASE WHEN new.status = 'published' AND new.published_at IS NOT NULL THEN 1 ELSE -1 END
		FROM article_authors WHERE article_id = new.id
			AND (old.status = 'published' AND old.published_at IS NOT NULL) IS NOT (new.status = 'published' AND new.published_at IS NOT NULL)
		ON CONFLICT (kind, id) DO UPDATE SET n = n + excluded.n;
	INSERT INTO story_counts (kind, id, n)
		SELECT 3, tag_id, CASE WHEN new.status = 'published' AND new.published_at IS NOT NULL THEN 1 ELSE -1 END
		FROM article_tags WHERE article_id = new.id
			AND (old.status = 'published' AND old.published_at IS NOT NULL) IS NOT (new.status = 'published' AND new.published_at IS NOT NULL)
		ON CONFLICT (kind, id) DO UPDATE SET n = n + excluded.n;
END;

-- Before the row goes: its bylines and tags are deleted here, while the
-- story still counts, so their triggers take them off (the cascade then
-- finds nothing left).
CREATE TRIGGER story_counts_delete BEFORE DELETE ON articles
BEGIN
	DELETE FROM article_authors WHERE article_id = old.id;
	DELETE FROM article_tags WHERE article_id = old.id;
	UPDATE story_counts SET n = n - 1
		WHERE kind = 1 AND id = old.section_id AND old.status = 'published' AND old.published_at IS NOT NULL;
END;

CREATE TRIGGER story_counts_byline_insert AFTER INSERT ON article_authors
WHEN EXISTS (SELECT 1 FROM articles WHERE id = new.article_id AND status = 'published' AND published_at IS NOT NULL)
BEGIN
	INSERT INTO story_counts (kind, id, n) VALUES (2, new.author_id, 1)
		ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER story_counts_byline_delete AFTER DELETE ON article_authors
WHEN EXISTS (SELECT 1 FROM articles WHERE id = old.article_id AND status = 'published' AND published_at IS NOT NULL)
BEGIN
	UPDATE story_counts SET n = n - 1 WHERE kind = 2 AND id = old.author_id;
END;

CREATE TRIGGER story_counts_tag_insert AFTER INSERT ON article_tags
WHEN EXISTS (SELECT 1 FROM articles WHERE id = new.article_id AND status = 'published' AND published_at IS NOT NULL)
BEGIN
	INSERT INTO story_counts (kind, id, n) VALUES (3, new.tag_id, 1)
		ON CONFLICT (kind, id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER story_counts_tag_delete AFTER DELETE ON article_tags
WHEN EXISTS (SELECT 1 FROM articles WHERE id = old.article_id AND status = 'published' AND published_at IS NOT NULL)
BEGIN
	UPDATE story_counts SET n = n - 1 WHERE kind = 3 AND id = old.tag_id;
END;
