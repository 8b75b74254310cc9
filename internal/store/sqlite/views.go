package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"masthead/internal/news"
)

// addViewsSQL adds a count (hour, article_id, count, article_id) to the
// hourly table; views of a story deleted meanwhile are dropped.
const addViewsSQL = `INSERT INTO article_views (hour, article_id, count)
	SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?)
	ON CONFLICT (hour, article_id) DO UPDATE SET count = count + excluded.count`

// AddViews adds counts to the hourly table. Each row is an upsert that adds,
// so concurrent flushes from several processes sum exactly; counts for a
// story deleted in the meantime are dropped rather than failing the batch.
func (db *DB) AddViews(ctx context.Context, counts []news.ViewCount) error {
	if len(counts) == 0 {
		return nil
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, addViewsSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, c := range counts {
			if c.Count <= 0 {
				continue
			}
			hour := c.Hour.UTC().Truncate(time.Hour).UnixMicro()
			if _, err := stmt.ExecContext(ctx, hour, c.ArticleID, c.Count, c.ArticleID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add views: %w", err)
	}
	return nil
}

// TopArticles returns the most-read stories of a window. The window is a
// range of the (hour, article_id) primary key, which also holds the count,
// so the sum reads nothing but that index and the matching stories.
func (db *DB) TopArticles(ctx context.Context, f news.TopFilter) ([]news.TopEntry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 1000)
	where, args := articleWhere(news.ArticleFilter{PublicAt: f.PublicAt, SectionID: f.SectionID})
	var since int64
	if !f.Since.IsZero() {
		since = f.Since.UnixMicro()
	}
	var out []news.TopEntry
	err := db.view(ctx, func(tx *sql.Tx) error {
		// Sum the window first, from a range of the (hour, article_id)
		// primary key; "+article_id" stops the planner from grouping along
		// the (article_id, hour) index instead, which would read every
		// hour ever counted. Then keep the stories readers may see,
		// checked in the covering index, never the wide story rows.
		q := db.cached(tx)
		rows, err := q.QueryContext(ctx, `SELECT v.article_id, v.n
			FROM (SELECT article_id, sum(count) AS n FROM article_views WHERE hour >= ? GROUP BY +article_id) v
			CROSS JOIN articles a INDEXED BY articles_card ON a.id = v.article_id
			WHERE `+where+`
			ORDER BY v.n DESC, v.article_id DESC LIMIT ?`,
			append(append([]any{since}, args...), limit)...)
		if err != nil {
			return err
		}
		var ids []int64
		views := map[int64]int64{}
		for rows.Next() {
			var id, n int64
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			views[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		as, err := selectArticles(ctx, q, articleSelect+` WHERE a.id `+inIDs, jsonIDs(ids))
		if err != nil {
			return err
		}
		byID := make(map[int64]*news.Article, len(as))
		for _, a := range as {
			byID[a.ID] = a
		}
		for _, id := range ids {
			if a := byID[id]; a != nil {
				out = append(out, news.TopEntry{Article: a, Views: views[a.ID]})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("top articles: %w", err)
	}
	return out, nil
}

// ArticleViews returns a story's hourly counts since a time, oldest first.
func (db *DB) ArticleViews(ctx context.Context, articleID int64, since time.Time) ([]news.ViewCount, error) {
	var s int64
	if !since.IsZero() {
		s = since.UnixMicro()
	}
	rows, err := db.stmts.query(ctx, `SELECT hour, count FROM article_views WHERE article_id = ? AND hour >= ? ORDER BY hour`, articleID, s)
	if err != nil {
		return nil, fmt.Errorf("article views %d: %w", articleID, err)
	}
	defer rows.Close()
	var out []news.ViewCount
	for rows.Next() {
		var h sql.NullInt64
		vc := news.ViewCount{ArticleID: articleID}
		if err := rows.Scan(&h, &vc.Count); err != nil {
			return nil, fmt.Errorf("article views %d: %w", articleID, err)
		}
		vc.Hour = fromMicro(h)
		out = append(out, vc)
	}
	return out, rows.Err()
}
