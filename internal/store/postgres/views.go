package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

type viewKey struct {
	article int64
	hour    time.Time
}

// AddViews adds counted views to the hourly totals. Each node flushes its
// own counters; INSERT ... ON CONFLICT DO UPDATE SET count = count + n is
// atomic per row, so concurrent flushes from any number of nodes sum
// exactly. Views of stories deleted meanwhile are dropped, not an error.
func (db *DB) AddViews(ctx context.Context, counts []news.ViewCount) error {
	sums := map[viewKey]int64{}
	for _, c := range counts {
		if c.ArticleID <= 0 || c.Count < 0 || c.Hour.IsZero() {
			return fmt.Errorf("add views: %w", invalid("bad view count %+v", c))
		}
		if c.Count == 0 {
			continue
		}
		// One row per (story, hour): a statement may not update a row twice.
		sums[viewKey{c.ArticleID, c.Hour.UTC().Truncate(time.Hour)}] += c.Count
	}
	if len(sums) == 0 {
		return nil
	}
	keys := make([]viewKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	// Every node locks rows in the same order, so two flushes can wait for
	// each other but never deadlock.
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].article != keys[j].article {
			return keys[i].article < keys[j].article
		}
		return keys[i].hour.Before(keys[j].hour)
	})
	ids := make([]int64, len(keys))
	hours := make([]time.Time, len(keys))
	ns := make([]int64, len(keys))
	for i, k := range keys {
		ids[i], hours[i], ns[i] = k.article, k.hour, sums[k]
	}
	_, err := db.pool.Exec(ctx, `
		INSERT INTO article_views AS v (article_id, hour, count)
		SELECT u.id, u.hour, u.n
		FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[]) WITH ORDINALITY AS u(id, hour, n, ord)
		WHERE EXISTS (SELECT 1 FROM articles a WHERE a.id = u.id)
		ORDER BY u.ord
		ON CONFLICT (article_id, hour) DO UPDATE SET count = v.count + EXCLUDED.count`, ids, hours, ns)
	return translate(err, "add views")
}

// TopArticles ranks stories by views in hours >= f.Since. The sum runs on
// the (hour, article_id) INCLUDE (count) index alone, the ranking over
// narrow rows; only the winners' whole rows are then read.
func (db *DB) TopArticles(ctx context.Context, f news.TopFilter) ([]news.TopEntry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 1000)
	var w where
	since := w.arg(f.Since.UTC())
	if !f.PublicAt.IsZero() {
		w.public(f.PublicAt)
	}
	if f.SectionID != 0 {
		w.add("a.section_id = " + w.arg(f.SectionID))
	}
	rows, err := db.pool.Query(ctx, `
		WITH v AS (
			SELECT article_id, sum(count) AS views FROM article_views
			WHERE hour >= `+since+` GROUP BY article_id
		), top AS (
			SELECT v.article_id, v.views FROM v JOIN articles a ON a.id = v.article_id
			WHERE `+w.sql()+`
			ORDER BY v.views DESC, a.published_at DESC NULLS LAST, a.id DESC
			LIMIT `+fmt.Sprint(limit)+`
		)
		SELECT `+articleColumns+`, top.views
		FROM top JOIN articles a ON a.id = top.article_id
		ORDER BY top.views DESC, a.published_at DESC NULLS LAST, a.id DESC`, w.args...)
	if err != nil {
		return nil, translate(err, "top articles")
	}
	var (
		top  []news.TopEntry
		list []*news.Article
	)
	for rows.Next() {
		var views int64
		a, err := scanArticle(extraRow{rows, []any{&views}})
		if err != nil {
			rows.Close()
			return nil, translate(err, "top articles")
		}
		top = append(top, news.TopEntry{Article: a, Views: views})
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "top articles")
	}
	if err := db.fill(ctx, list); err != nil {
		return nil, fmt.Errorf("top articles: %w", err)
	}
	return top, nil
}

// ArticleViews returns a story's hourly counts since a time, oldest first.
func (db *DB) ArticleViews(ctx context.Context, articleID int64, since time.Time) ([]news.ViewCount, error) {
	rows, err := db.pool.Query(ctx, `SELECT article_id, hour, count FROM article_views
		WHERE article_id = $1 AND hour >= $2 ORDER BY hour`, articleID, since.UTC())
	if err != nil {
		return nil, translate(err, fmt.Sprintf("views of article %d", articleID))
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (news.ViewCount, error) {
		var v news.ViewCount
		err := r.Scan(&v.ArticleID, &v.Hour, &v.Count)
		v.Hour = v.Hour.UTC()
		return v, err
	})
	return list, translate(err, fmt.Sprintf("views of article %d", articleID))
}
