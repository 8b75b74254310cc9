-- Published stories per hour of publication (UTC hours since 1970), with
-- the latest change among them (publication, update or end of embargo, in
-- microseconds): what the sitemap index and a monthly sitemap need to know
-- about a month without reading its stories. Hours, because a month in the
-- paper's time zone starts on an hour in nearly every zone (the stores
-- read the stories of a partial hour at a month's edge themselves).
--
-- The triggers recount the hour a write touches (a few stories) in the
-- write's transaction, rather than adding and subtracting: the latest
-- change of an hour that loses its latest story can only be recounted.
CREATE TABLE story_hours (
	hour    INTEGER PRIMARY KEY,
	n       INTEGER NOT NULL,
	lastmod INTEGER NOT NULL
);

-- The same by UTC day (hours since 1970 / 24), summed from the hours: a
-- month is some 30 days and two partial days, so the sitemap index sums
-- about 1,100 rows for three years rather than 26,000 hours.
CREATE TABLE story_days (
	day     INTEGER PRIMARY KEY,
	n       INTEGER NOT NULL,
	lastmod INTEGER NOT NULL
);

INSERT INTO story_hours (hour, n, lastmod)
	SELECT (published_at - ((published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000 AS h, count(*),
		max(max(published_at, coalesce(updated_at, 0), coalesce(embargo_until, 0)))
	FROM articles WHERE status = 'published' AND published_at IS NOT NULL GROUP BY h;

INSERT INTO story_days (day, n, lastmod)
	SELECT (hour - ((hour % 24) + 24) % 24) / 24 AS d, sum(n), max(lastmod) FROM story_hours GROUP BY d;

CREATE TRIGGER story_hours_insert AFTER INSERT ON articles
WHEN new.status = 'published' AND new.published_at IS NOT NULL
BEGIN
	INSERT INTO story_hours (hour, n, lastmod)
		SELECT h, count(a.id), coalesce(max(max(a.published_at, coalesce(a.updated_at, 0), coalesce(a.embargo_until, 0))), 0)
		FROM (SELECT (new.published_at - ((new.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000 AS h) AS b
		LEFT JOIN articles a ON a.status = 'published' AND a.published_at >= b.h * 3600000000 AND a.published_at < (b.h + 1) * 3600000000
		WHERE new.status = 'published' AND new.published_at IS NOT NULL
		GROUP BY h
		ON CONFLICT (hour) DO UPDATE SET n = excluded.n, lastmod = excluded.lastmod;
	INSERT INTO story_days (day, n, lastmod)
		SELECT d.d, coalesce(sum(h.n), 0), coalesce(max(h.lastmod), 0)
		FROM (SELECT ((new.published_at - ((new.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000
			- ((((new.published_at - ((new.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000) % 24) + 24) % 24) / 24 AS d) AS d
		LEFT JOIN story_hours h ON h.hour >= d.d * 24 AND h.hour < d.d * 24 + 24 AND h.n > 0
		WHERE new.status = 'published' AND new.published_at IS NOT NULL
		GROUP BY d.d
		ON CONFLICT (day) DO UPDATE SET n = excluded.n, lastmod = excluded.lastmod;
END;

CREATE TRIGGER story_hours_update AFTER UPDATE OF status, published_at, updated_at, embargo_until ON articles
WHEN (old.status = 'published' AND old.published_at IS NOT NULL) OR (new.status = 'published' AND new.published_at IS NOT NULL)
BEGIN
	INSERT INTO story_hours (hour, n, lastmod)
		SELECT h, count(a.id), coalesce(max(max(a.published_at, coalesce(a.updated_at, 0), coalesce(a.embargo_until, 0))), 0)
		FROM (SELECT (old.published_at - ((old.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000 AS h) AS b
		LEFT JOIN articles a ON a.status = 'published' AND a.published_at >= b.h * 3600000000 AND a.published_at < (b.h + 1) * 3600000000
		WHERE old.status = 'published' AND old.published_at IS NOT NULL
		GROUP BY h
		ON CONFLICT (hour) DO UPDATE SET n = excluded.n, lastmod = excluded.lastmod;
	INSERT INTO story_days (day, n, lastmod)
		SELECT d.d, coalesce(sum(h.n), 0), coalesce(max(h.lastmod), 0)
		FROM (SELECT ((old.published_at - ((old.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000
			- ((((old.published_at - ((old.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000) % 24) + 24) % 24) / 24 AS d) AS d
		LEFT JOIN story_hours h ON h.hour >= d.d * 24 AND h.hour < d.d * 24 + 24 AND h.n > 0
		WHERE old.status = 'published' AND old.published_at IS NOT NULL
		GROUP BY d.d
		ON CONFLICT (day) DO UPDATE SET n = excluded.n, lastmod = excluded.lastmod;
	INSERT INTO story_hours (hour, n, lastmod)
		SELECT h, count(a.id), coalesce(max(max(a.published_at, coalesce(a.updated_at, 0), coalesce(a.embargo_until, 0))), 0)
		FROM (SELECT (new.published_at - ((new.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000 AS h) AS b
		LEFT JOIN articles a ON a.status = 'published' AND a.published_at >= b.h * 3600000000 AND a.published_at < (b.h + 1) * 3600000000
		WHERE new.status = 'published' AND new.published_at IS NOT NULL
		GROUP BY h
		ON CONFLICT (hour) DO UPDATE SET n = excluded.n, lastmod = excluded.lastmod;
	INSERT INTO story_days (day, n, lastmod)
		SELECT d.d, coalesce(sum(h.n), 0), coalesce(max(h.lastmod), 0)
		FROM (SELECT ((new.published_at - ((new.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000
			- ((((new.published_at - ((new.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000) % 24) + 24) % 24) / 24 AS d) AS d
		LEFT JOIN story_hours h ON h.hour >= d.d * 24 AND h.hour < d.d * 24 + 24 AND h.n > 0
		WHERE new.status = 'published' AND new.published_at IS NOT NULL
		GROUP BY d.d
		ON CONFLICT (day) DO UPDATE SET n = excluded.n, lastmod = excluded.lastmod;
END;

-- After the row is gone, so the recount leaves it out.
CREATE TRIGGER story_hours_delete AFTER DELETE ON articles
WHEN old.status = 'published' AND old.published_at IS NOT NULL
BEGIN
	INSERT INTO story_hours (hour, n, lastmod)
		SELECT h, count(a.id), coalesce(max(max(a.published_at, coalesce(a.updated_at, 0), coalesce(a.embargo_until, 0))), 0)
		FROM (SELECT (old.published_at - ((old.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000 AS h) AS b
		LEFT JOIN articles a ON a.status = 'published' AND a.published_at >= b.h * 3600000000 AND a.published_at < (b.h + 1) * 3600000000
		WHERE old.status = 'published' AND old.published_at IS NOT NULL
		GROUP BY h
		ON CONFLICT (hour) DO UPDATE SET n = excluded.n, lastmod = excluded.lastmod;
	INSERT INTO story_days (day, n, lastmod)
		SELECT d.d, coalesce(sum(h.n), 0), coalesce(max(h.lastmod), 0)
		FROM (SELECT ((old.published_at - ((old.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000
			- ((((old.published_at - ((old.published_at % 3600000000) + 3600000000) % 3600000000) / 3600000000) % 24) + 24) % 24) / 24 AS d) AS d
		LEFT JOIN story_hours h ON h.hour >= d.d * 24 AND h.hour < d.d * 24 + 24 AND h.n > 0
		WHERE old.status = 'published' AND old.published_at IS NOT NULL
		GROUP BY d.d
		ON CONFLICT (day) DO UPDATE SET n = excluded.n, lastmod = excluded.lastmod;
END;
