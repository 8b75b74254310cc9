-- Published stories per UTC hour of publication with the latest change
-- among them (publication, update or end of embargo): see the SQLite
-- store's 0064. The trigger recounts the hour a write touches after
-- locking its row (and its day's), in a statement of its own, so under
-- READ COMMITTED it counts what a concurrent writer of the same hour
-- committed before it.
CREATE TABLE story_hours (
    hour    bigint PRIMARY KEY,
    n       bigint NOT NULL,
    lastmod timestamptz
);

INSERT INTO story_hours (hour, n, lastmod)
    SELECT floor(extract(epoch FROM published_at) / 3600)::bigint AS h, count(*),
        max(greatest(published_at, updated_at, embargo_until))
    FROM articles WHERE status = 'published' AND published_at IS NOT NULL GROUP BY h;

-- The same by UTC day (hour / 24), summed from the hours: the sitemap
-- index sums about 1,100 days for three years rather than 26,000 hours.
CREATE TABLE story_days (
    day     bigint PRIMARY KEY,
    n       bigint NOT NULL,
    lastmod timestamptz
);

INSERT INTO story_days (day, n, lastmod)
    SELECT floor(hour / 24.0)::bigint AS d, sum(n), max(lastmod) FROM story_hours GROUP BY d;

-- The day's row is locked before the hour's, by every writer, so two
-- writers of one day queue on the day rather than take the rows in
-- opposite orders.
CREATE FUNCTION story_hour_recount(t timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    h bigint := floor(extract(epoch FROM t) / 3600)::bigint;
    d bigint := floor(floor(extract(epoch FROM t) / 3600) / 24)::bigint;
BEGIN
    INSERT INTO story_days (day, n) VALUES (d, 0) ON CONFLICT (day) DO NOTHING;
    PERFORM 1 FROM story_days WHERE day = d FOR UPDATE;
    INSERT INTO story_hours (hour, n) VALUES (h, 0) ON CONFLICT (hour) DO NOTHING;
    PERFORM 1 FROM story_hours WHERE hour = h FOR UPDATE;
    UPDATE story_hours SET (n, lastmod) = (
        SELECT count(*), max(greatest(a.published_at, a.updated_at, a.embargo_until)) FROM articles a
        WHERE a.status = 'published' AND a.published_at >= to_timestamp(h * 3600) AND a.published_at < to_timestamp((h + 1) * 3600))
    WHERE hour = h;
    UPDATE story_days SET (n, lastmod) = (
        SELECT coalesce(sum(x.n), 0), max(x.lastmod) FILTER (WHERE x.n > 0) FROM story_hours x
        WHERE x.hour >= d * 24 AND x.hour < d * 24 + 24)
    WHERE day = d;
END $$;

CREATE FUNCTION story_hours_articles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = 'published' AND OLD.published_at IS NOT NULL THEN
        PERFORM story_hour_recount(OLD.published_at);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'published' AND NEW.published_at IS NOT NULL THEN
        PERFORM story_hour_recount(NEW.published_at);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER story_hours_insert AFTER INSERT ON articles
    FOR EACH ROW WHEN (NEW.status = 'published' AND NEW.published_at IS NOT NULL)
    EXECUTE FUNCTION story_hours_articles();
CREATE TRIGGER story_hours_update AFTER UPDATE OF status, published_at, updated_at, embargo_until ON articles
    FOR EACH ROW EXECUTE FUNCTION story_hours_articles();
CREATE TRIGGER story_hours_delete AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION story_hours_articles();
