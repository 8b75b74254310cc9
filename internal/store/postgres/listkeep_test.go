package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// TestListPagesKeepPlans: an author's or tag's later page (read from the
// bylines' or tags' listing index, migration 0065) is the same plan every
// render, kept after PostgreSQL's five custom plans. Its embargo test was
// a subquery over articles whose generic plan was costed at a third of the
// table, so each render was planned anew: 0.14-0.30 ms of planning for a
// page read in 0.05 ms. The links carry the embargo now (0074). And the
// page's bylines are read from the bylines' key alone (0075).
func TestListPagesKeepPlans(t *testing.T) {
	ctx := context.Background()
	db := openURL(t, withParam(freshSchema(t), "pool_max_conns", "1"))
	au := &news.Author{Slug: "kim", Name: "Kim"}
	if err := db.CreateAuthor(ctx, au); err != nil {
		t.Fatal(err)
	}
	tg := &news.Tag{Slug: "trade", Name: "Trade"}
	if err := db.EnsureTag(ctx, tg); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 40 {
		a := &news.Article{Slug: fmt.Sprintf("s%d", i), Headline: "H", BodyHTML: "<p>b</p>", Status: news.StatusPublished,
			PublishedAt: base.Add(time.Duration(i) * time.Hour), Authors: []*news.Author{au}, Tags: []*news.Tag{tg}}
		if i == 30 {
			a.EmbargoUntil = base.AddDate(1, 0, 0) // under embargo at every render below
		}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	// The rest of the paper, in bulk: the subquery's generic cost grew
	// with the articles table (a fresh schema's few pages hid it).
	if _, err := db.pool.Exec(ctx, `INSERT INTO articles (slug, headline, body_html, status, created_at, published_at)
		SELECT 'other-' || i, 'Other', repeat('<p>Words.</p>', 100), 'published', $1::timestamptz, $1::timestamptz - i * interval '1 minute'
		FROM generate_series(1, 1500) i`, base); err != nil {
		t.Fatal(err)
	}
	wire := &news.Author{Slug: "wire", Name: "Wire"}
	if err := db.CreateAuthor(ctx, wire); err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO article_authors (article_id, author_id, position)
		SELECT id, $1, 0 FROM articles WHERE slug LIKE 'other-%'`, wire.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, "VACUUM ANALYZE articles, article_authors, article_tags"); err != nil {
		t.Fatal(err)
	}
	now := base.AddDate(0, 1, 0)
	for i := range 12 {
		// A render's own time, a page past the first (the first is read
		// with its total in one batch).
		at := now.Add(time.Duration(i) * time.Second)
		for _, f := range []news.ArticleFilter{{AuthorID: au.ID}, {TagID: tg.ID}} {
			f.PublicAt, f.Offset, f.Limit, f.NoBody = at, 10, 5, true
			list, total, err := db.FindArticles(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if total != 39 || len(list) != 5 {
				t.Fatalf("%+v: %d stories of %d, want 5 of 39 (one under embargo)", f, len(list), total)
			}
		}
	}
	// A page's bylines come from the bylines' key alone (migration
	// 0075): without the position in it, the planner read the whole
	// bylines table of a 1,500-story paper rather than probe the key and
	// the table for each story.
	var plan string
	for _, ids := range [][]int64{{1, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}} {
		rows, err := db.pool.Query(ctx, "EXPLAIN "+relationsSQL, ids)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if plan = strings.Join(lines, "\n"); !strings.Contains(plan, "Index Only Scan using article_authors_pkey") {
			t.Errorf("bylines of %d stories not read from the bylines' key alone:\n%s", len(ids), plan)
		}
	}
	plans := planCounts(t, db, func(sql string) string {
		for _, table := range []string{"article_authors", "article_tags"} {
			if strings.Contains(sql, "FROM "+table+" l WHERE") && strings.Contains(sql, "ARRAY(") {
				return table
			}
		}
		return ""
	})
	for _, table := range []string{"article_authors", "article_tags"} {
		t.Logf("%s: %v", table, plans[table])
		if p, ok := plans[table]; !ok || p[0] < 12-5 {
			t.Errorf("pages of %s over 12 renders: %d generic plans and %d custom (seen: %v), want the generic plan after the fifth", table, p[0], p[1], ok)
		}
	}
}
