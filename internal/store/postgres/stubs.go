package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"masthead/internal/news"
)

// ArticleStubs lists the stories f matches as the sitemaps need them
// (sitemap.StubLister): ID, slug, language, status, section ID, its times and the lead
// photo's ID, key and widths; no text, bylines, tags or section. Listing a
// month of 2,900 stories read every body and byline; this reads narrow
// rows. It takes the filters the sitemaps use: PublicAt, PublishedFrom,
// PublishedTo, SectionID, Order ("oldest" or newest), Offset and Limit.
func (db *DB) ArticleStubs(ctx context.Context, f news.ArticleFilter) ([]*news.Article, error) {
	if f.Status != "" || f.AuthorID != 0 || f.TagID != 0 || len(f.IDs) > 0 || len(f.ExcludeIDs) > 0 || f.TranslationOf != 0 {
		return nil, fmt.Errorf("article stubs: %w", invalid("filter not supported: %+v", f))
	}
	var w where
	if !f.PublicAt.IsZero() {
		w.public(f.PublicAt)
	}
	if f.SectionID != 0 {
		w.add("a.section_id = " + w.arg(f.SectionID))
	}
	if !f.PublishedFrom.IsZero() {
		w.add("a.published_at >= " + w.arg(f.PublishedFrom.UTC()))
	}
	if !f.PublishedTo.IsZero() {
		w.add("a.published_at < " + w.arg(f.PublishedTo.UTC()))
	}
	order, from := "a.published_at DESC NULLS LAST, a.id DESC", "<="
	if f.Order == "oldest" {
		order, from = oldestOrder(f), ">="
	}
	cond, offset := w.sql(), max(f.Offset, 0)
	if offset > 0 && !f.PublicAt.IsZero() {
		// A month's later files: the file's first story is found by
		// counting in the listing index alone (an index-only scan), and
		// the file read from it. With OFFSET every story skipped was
		// read from the table and joined to its photo first: 3.5 ms for
		// the third file of a 2,880-story month at 100,000, 2.2 this
		// way. (Public stories all have a publication time, so the row
		// comparison follows the order.)
		cond += ` AND (a.published_at, a.id) ` + from + ` (SELECT a.published_at, a.id FROM articles a WHERE ` + w.sql() +
			` ORDER BY ` + order + fmt.Sprintf(" OFFSET %d LIMIT 1)", offset)
		offset = 0
	}
	rows, err := db.pool.Query(ctx, `SELECT a.id, a.slug, a.headline, a.lang, a.status, a.section_id, a.created_at, a.published_at, a.updated_at, a.embargo_until,
			p.id, p.key, p.widths
		FROM articles a LEFT JOIN photos p ON p.id = a.photo_id
		WHERE `+cond+` ORDER BY `+order+fmt.Sprintf(" LIMIT %d OFFSET %d", pageLimit(f.Limit), offset), w.args...)
	if err != nil {
		return nil, translate(err, "article stubs")
	}
	defer rows.Close()
	var as []*news.Article
	for rows.Next() {
		var (
			a                           news.Article
			status                      string
			published, updated, embargo *time.Time
			photoID, section            *int64
			photoKey                    *string
			widths                      []int32
		)
		if err := rows.Scan(&a.ID, &a.Slug, &a.Headline, &a.Lang, &status, &section, &a.CreatedAt, &published, &updated, &embargo, &photoID, &photoKey, &widths); err != nil {
			return nil, translate(err, "article stubs")
		}
		a.Status, a.SectionID = news.Status(status), fromNullID(section)
		a.CreatedAt = a.CreatedAt.UTC()
		a.PublishedAt, a.UpdatedAt, a.EmbargoUntil = fromNull(published), fromNull(updated), fromNull(embargo)
		if photoID != nil {
			a.PhotoID = *photoID
			a.Photo = &news.Photo{ID: *photoID}
			if photoKey != nil {
				a.Photo.Key = *photoKey
			}
			for _, wd := range widths {
				a.Photo.Widths = append(a.Photo.Widths, int(wd))
			}
		}
		as = append(as, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "article stubs")
	}
	return as, nil
}

// LastModifiedByAuthorAndTag returns, over the stories public at t, the
// latest LastModified of each author's and each tag's stories
// (sitemap.SurveyStore): two aggregates instead of every story with its
// bylines and tags.
func (db *DB) LastModifiedByAuthorAndTag(ctx context.Context, t time.Time) (authors, tags map[int64]time.Time, err error) {
	authors, tags = map[int64]time.Time{}, map[int64]time.Time{}
	for _, q := range []struct {
		table, col string
		m          map[int64]time.Time
	}{
		{"article_authors", "author_id", authors},
		{"article_tags", "tag_id", tags},
	} {
		col := "x." + q.col
		var w where
		w.public(t)
		rows, err := db.pool.Query(ctx, `SELECT `+col+`, max(GREATEST(a.published_at, a.updated_at))
			FROM articles a JOIN `+q.table+` x ON x.article_id = a.id WHERE `+w.sql()+` GROUP BY `+col, w.args...)
		if err != nil {
			return nil, nil, translate(err, "last modified by author and tag")
		}
		for rows.Next() {
			var id int64
			var at *time.Time
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return nil, nil, translate(err, "last modified by author and tag")
			}
			q.m[id] = fromNull(at)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, translate(err, "last modified by author and tag")
		}
	}
	return authors, tags, nil
}

// RecentSummary is how many of the newest stories public at f.PublicAt
// and published from f.PublishedFrom there are, at most f.Limit, and
// their latest change: publication, update or end of embargo
// (sitemap.RecentSummarizer). The sitemap index lists the news sitemap
// with that change; it read the news sitemap's stubs for it, 191 rows at
// a 1,000-story paper.
func (db *DB) RecentSummary(ctx context.Context, f news.ArticleFilter) (int, time.Time, error) {
	if !f.IsRecentWindow() {
		return 0, time.Time{}, fmt.Errorf("recent summary: %w", invalid("filter not supported: %+v", f))
	}
	var w where
	w.public(f.PublicAt)
	w.add("a.published_at >= " + w.arg(f.PublishedFrom.UTC()))
	var n int64
	var last *time.Time
	err := db.pool.QueryRow(ctx, `SELECT count(*), max(GREATEST(x.published_at, x.updated_at, x.embargo_until)) FROM (
		SELECT a.published_at, a.updated_at, a.embargo_until FROM articles a WHERE `+w.sql()+`
		ORDER BY a.published_at DESC NULLS LAST, a.id DESC LIMIT `+strconv.Itoa(min(f.Limit, 1000))+`) x`, w.args...).Scan(&n, &last)
	if err != nil {
		return 0, time.Time{}, translate(err, "recent summary")
	}
	return int(n), fromNull(last), nil
}
