package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"masthead/internal/news"
)

// ArticleStubs lists the stories f matches as the sitemaps need them
// (sitemap.StubLister): ID, slug, headline, language, status, section ID, its times and the lead
// photo's ID, key and widths; no text, bylines, tags or section. Listing a
// month of 2,900 stories read every body and byline (66 ms CPU at 10,000
// stories); this reads narrow rows.
func (db *DB) ArticleStubs(ctx context.Context, f news.ArticleFilter) ([]*news.Article, error) {
	where, args := articleWhere(f)
	limit, offset := pageBounds(f.Limit, f.Offset)
	var as []*news.Article
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := db.cached(tx).QueryContext(ctx, `SELECT a.id, a.slug, a.headline, a.lang, a.status, a.section_id,
			a.created_at, a.published_at, a.updated_at, a.embargo_until, p.id, p.key, p.widths
			FROM articles a LEFT JOIN photos p ON p.id = a.photo_id
			WHERE `+where+` ORDER BY `+orderSQL(f.Order)+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				a                          news.Article
				status                     string
				created, pub, upd, embargo sql.NullInt64
				photoID, section           sql.NullInt64
				photoKey, widths           sql.NullString
			)
			if err := rows.Scan(&a.ID, &a.Slug, &a.Headline, &a.Lang, &status, &section, &created, &pub, &upd, &embargo, &photoID, &photoKey, &widths); err != nil {
				return err
			}
			a.Status, a.SectionID = news.Status(status), section.Int64
			a.CreatedAt, a.PublishedAt, a.UpdatedAt, a.EmbargoUntil = fromMicro(created), fromMicro(pub), fromMicro(upd), fromMicro(embargo)
			if photoID.Valid {
				a.PhotoID = photoID.Int64
				a.Photo = &news.Photo{ID: photoID.Int64, Key: photoKey.String, Widths: parseWidths(widths.String)}
			}
			as = append(as, &a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("article stubs: %w", translate(err))
	}
	return as, nil
}

// LastModifiedByAuthorAndTag returns, over the stories public at t, the
// latest LastModified of each author's and each tag's stories
// (sitemap.SurveyStore): two aggregates instead of every story with its
// bylines and tags.
func (db *DB) LastModifiedByAuthorAndTag(ctx context.Context, t time.Time) (authors, tags map[int64]time.Time, err error) {
	where, args := articleWhere(news.ArticleFilter{PublicAt: t})
	authors, tags = map[int64]time.Time{}, map[int64]time.Time{}
	err = db.view(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			table, col string
			m          map[int64]time.Time
		}{
			{"article_authors", "author_id", authors},
			{"article_tags", "tag_id", tags},
		} {
			rows, err := tx.QueryContext(ctx, `SELECT x.`+q.col+`, max(max(a.published_at, coalesce(a.updated_at, 0)))
				FROM `+q.table+` x JOIN articles a ON a.id = x.article_id WHERE `+where+` GROUP BY x.`+q.col, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				var at sql.NullInt64
				if err := rows.Scan(&id, &at); err != nil {
					rows.Close()
					return err
				}
				q.m[id] = fromMicro(at)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("last modified by author and tag: %w", translate(err))
	}
	return authors, tags, nil
}

// RecentSummary is how many of the newest stories public at f.PublicAt
// and published from f.PublishedFrom there are, at most f.Limit, and
// their latest change: publication, update or end of embargo
// (sitemap.RecentSummarizer). The sitemap index lists the news sitemap
// with that change; it read the news sitemap's stubs for it.
func (db *DB) RecentSummary(ctx context.Context, f news.ArticleFilter) (int, time.Time, error) {
	if !f.IsRecentWindow() {
		return 0, time.Time{}, news.Errorf(news.EINVALID, "recent summary: filter not supported: %+v", f)
	}
	where, args := articleWhere(f)
	limit, _ := pageBounds(f.Limit, 0)
	var n int
	var last sql.NullInt64
	err := db.view(ctx, func(tx *sql.Tx) error {
		return db.cached(tx).QueryRowContext(ctx, `SELECT count(*), max(max(x.published_at, coalesce(x.updated_at, 0), coalesce(x.embargo_until, 0))) FROM (
			SELECT a.published_at, a.updated_at, a.embargo_until FROM articles a WHERE `+where+`
			ORDER BY `+orderSQL("")+` LIMIT ?) x`, append(args, limit)...).Scan(&n, &last)
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("recent summary: %w", translate(err))
	}
	return n, fromMicro(last), nil
}
