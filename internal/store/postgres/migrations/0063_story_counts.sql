-- Counts of published stories per section (kind 1), author (2) and tag (3),
-- kept by triggers in the transaction of every write that changes them, so
-- a list page's pager reads one row instead of counting the list, and a
-- page past the end is known to be one without reading any story. See the
-- SQLite store's 0063 for the rules; the counters are added to, never
-- recounted, so concurrent writers serialise on the row and none is lost.
CREATE TABLE story_counts (
    kind smallint NOT NULL,
    id   bigint NOT NULL,
    n    bigint NOT NULL,
    PRIMARY KEY (kind, id)
);

INSERT INTO story_counts (kind, id, n)
    SELECT 1, section_id, count(*) FROM articles
    WHERE status = 'published' AND published_at IS NOT NULL AND section_id IS NOT NULL GROUP BY section_id;
INSERT INTO story_counts (kind, id, n)
    SELECT 2, x.author_id, count(*) FROM article_authors x JOIN articles a ON a.id = x.article_id
    WHERE a.status = 'published' AND a.published_at IS NOT NULL GROUP BY x.author_id;
INSERT INTO story_counts (kind, id, n)
    SELECT 3, x.tag_id, count(*) FROM article_tags x JOIN articles a ON a.id = x.article_id
    WHERE a.status = 'published' AND a.published_at IS NOT NULL GROUP BY x.tag_id;

CREATE INDEX articles_embargoed ON articles (embargo_until) WHERE status = 'published' AND embargo_until IS NOT NULL;

CREATE FUNCTION story_count_add(k smallint, i bigint, d bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO story_counts (kind, id, n) VALUES (k, i, d)
    ON CONFLICT (kind, id) DO UPDATE SET n = story_counts.n + excluded.n
$$;

CREATE FUNCTION story_counts_articles() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was boolean := false;
    now_counted boolean := false;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        was := OLD.status = 'published' AND OLD.published_at IS NOT NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        now_counted := NEW.status = 'published' AND NEW.published_at IS NOT NULL;
    END IF;
    IF was AND OLD.section_id IS NOT NULL THEN
        PERFORM story_count_add(1::smallint, OLD.section_id, -1);
    END IF;
    IF now_counted AND NEW.section_id IS NOT NULL THEN
        PERFORM story_count_add(1::smallint, NEW.section_id, 1);
    END IF;
    IF TG_OP = 'DELETE' THEN
        -- Before the row goes: take its bylines and tags off while it
        -- still counts (their triggers do), so the cascade finds none.
        DELETE FROM article_authors WHERE article_id = OLD.id;
        DELETE FROM article_tags WHERE article_id = OLD.id;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND was <> now_counted THEN
        PERFORM story_count_add(2::smallint, author_id, CASE WHEN now_counted THEN 1 ELSE -1 END)
            FROM article_authors WHERE article_id = NEW.id;
        PERFORM story_count_add(3::smallint, tag_id, CASE WHEN now_counted THEN 1 ELSE -1 END)
            FROM article_tags WHERE article_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER story_counts_insert AFTER INSERT ON articles
    FOR EACH ROW WHEN (NEW.status = 'published' AND NEW.published_at IS NOT NULL)
    EXECUTE FUNCTION story_counts_articles();
CREATE TRIGGER story_counts_update AFTER UPDATE OF status, published_at, section_id ON articles
    FOR EACH ROW EXECUTE FUNCTION story_counts_articles();
CREATE TRIGGER story_counts_delete BEFORE DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION story_counts_articles();

CREATE FUNCTION story_counts_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k smallint := CASE WHEN TG_TABLE_NAME = 'article_authors' THEN 2 ELSE 3 END;
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN r := NEW; ELSE r := OLD; END IF;
    IF EXISTS (SELECT 1 FROM articles WHERE id = r.article_id AND status = 'published' AND published_at IS NOT NULL) THEN
        IF k = 2 THEN
            PERFORM story_count_add(k, r.author_id, CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END);
        ELSE
            PERFORM story_count_add(k, r.tag_id, CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER story_counts_bylines AFTER INSERT OR DELETE ON article_authors
    FOR EACH ROW EXECUTE FUNCTION story_counts_links();
CREATE TRIGGER story_counts_tags AFTER INSERT OR DELETE ON article_tags
    FOR EACH ROW EXECUTE FUNCTION story_counts_links();
