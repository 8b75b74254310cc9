package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// TestSearchRoundTrips: a search page asked the server in 8 round trips
// for its stories (BEGIN, the planner settings, the cutoff, index scans
// off, the window, the page, COMMIT, the relations) and 3 for the names
// that match (sections, bylines, tags). The settings go with the BEGIN and
// with the window's statement, and the names are one batch.
func TestSearchRoundTrips(t *testing.T) {
	tc := &tripCounter{}
	db := openTraced(t, tc)
	ctx := context.Background()
	au := &news.Author{Slug: "kim", Name: "Kim Korea"}
	if err := db.CreateAuthor(ctx, au); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		a := &news.Article{Slug: fmt.Sprintf("korea-%d", i), Headline: "Korea trade talks resume", BodyHTML: "<p>Korea and trade.</p>",
			Status: news.StatusPublished, Authors: []*news.Author{au}, PublishedAt: time.Date(2026, 3, 1, i, 0, 0, 0, time.UTC)}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	q := news.SearchQuery{Text: "korea", PublicAt: now, Limit: 20}
	// The first search reads the index's word statistics (kept a while).
	if _, _, err := db.SearchArticles(ctx, q); err != nil {
		t.Fatal(err)
	}
	tc.take()
	hits, total, err := db.SearchArticles(ctx, q)
	if err != nil || total != 5 || len(hits) != 5 || len(hits[0].Article.Authors) != 1 {
		t.Fatalf("search: %d hits of %d, %v", len(hits), total, err)
	}
	trips := tc.take()
	if len(trips) != 6 {
		t.Errorf("a search: %d round trips, want 6 (BEGIN with its settings, cutoff, window with index scans off, page, COMMIT, relations):\n%s", len(trips), tripList(trips))
	}
	if _, err := db.SearchNames(ctx, news.NameQuery{Text: "korea", PublicAt: now}); err != nil {
		t.Fatal(err)
	}
	names, err := db.SearchNames(ctx, news.NameQuery{Text: "kim", PublicAt: now})
	if err != nil || len(names.Authors) != 1 || names.Authors[0].ID != au.ID {
		t.Fatalf("names: %+v, %v", names, err)
	}
	if trips := tc.take(); len(trips) != 2 {
		t.Errorf("two name searches: %d round trips, want 2:\n%s", len(trips), tripList(trips))
	}
}

func tripList(trips [][]string) string {
	var b strings.Builder
	for i, t := range trips {
		for _, q := range t {
			fmt.Fprintf(&b, "%d: %.90s\n", i, strings.Join(strings.Fields(q), " "))
		}
	}
	return b.String()
}

// TestSearchKeepsPlans: a search plans its window for each query (custom
// plans, so that the planner sees the words and the cutoff), but its
// cutoff's statement and its page's read are the same plan every time and
// are kept after PostgreSQL's five custom plans. The whole search ran with
// custom plans, which planned those two anew on every search (0.3 and
// 0.1 ms of the server's time at 100,000 stories).
func TestSearchKeepsPlans(t *testing.T) {
	ctx := context.Background()
	db := openURL(t, withParam(freshSchema(t), "pool_max_conns", "1"))
	for i := range 8 {
		a := &news.Article{Slug: fmt.Sprintf("korea-%d", i), Headline: "Korea trade talks resume", BodyHTML: "<p>Korea and trade.</p>",
			Status: news.StatusPublished, PublishedAt: time.Date(2026, 3, 1, i, 0, 0, 0, time.UTC)}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	// With statistics, the cutoff comes from the words' shares.
	if _, err := db.pool.Exec(ctx, "ANALYZE articles"); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for i := range 12 {
		// Other words, other pages: the plans are the statements', not
		// one query's.
		text := []string{"korea", "trade", "talks korea"}[i%3]
		if _, _, err := db.SearchArticles(ctx, news.SearchQuery{Text: text, PublicAt: now, Limit: 1 + i%3}); err != nil {
			t.Fatal(err)
		}
	}
	plans := planCounts(t, db, func(sql string) string {
		switch {
		case sql == searchPageSQL:
			return "page"
		case strings.Contains(sql, "story_days"):
			return "cutoff"
		case strings.Contains(sql, "search @@"):
			return "window"
		}
		return ""
	})
	wantKeptPlans(t, plans, 12, "searches", "cutoff", "page")
	if p := plans["window"]; p[0] != 0 || p[1] < 12 {
		t.Errorf("windows of 12 searches: %d generic plans and %d custom, want every one custom", p[0], p[1])
	}
}

// planCounts sums the generic and custom plans of the statements db's one
// connection prepared (pg_prepared_statements), by the name kind gives
// each ("" leaves it out).
// wantKeptPlans checks that each of kinds (planCounts' names) ran its
// generic plan after PostgreSQL's five custom ones, over n runs of what
// (renders, searches).
func wantKeptPlans(t *testing.T, plans map[string][2]int64, n int, what string, kinds ...string) {
	t.Helper()
	for _, k := range kinds {
		p, ok := plans[k]
		t.Logf("%s: %v", k, p)
		if !ok || p[0] < int64(n-5) {
			t.Errorf("%s over %d %s: %d generic plans and %d custom (seen: %v), want the generic plan after the fifth", k, n, what, p[0], p[1], ok)
		}
	}
}

func planCounts(t *testing.T, db *DB, kind func(sql string) string) map[string][2]int64 {
	t.Helper()
	rows, err := db.pool.Query(context.Background(), "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	plans := map[string][2]int64{}
	for rows.Next() {
		var sql string
		var generic, custom int64
		if err := rows.Scan(&sql, &generic, &custom); err != nil {
			t.Fatal(err)
		}
		if k := kind(sql); k != "" {
			p := plans[k]
			plans[k] = [2]int64{p[0] + generic, p[1] + custom}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plans
}
