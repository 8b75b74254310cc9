package postgres

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// TestListPlans checks that PostgreSQL can answer a list page without
// reading the list: the total from story_counts and the index of stories
// not public yet, a section's, author's and tag's page ids from a listing
// index in order (no sort, no table), and the month sums from the
// aggregates' keys. With sequential scans, bitmap scans and sorts off (an
// empty test schema would otherwise be scanned and sorted, as it is
// small) a plan that still reads the articles table sequentially or sorts
// has no index to use. MASTHEAD_BENCH_PG (a copied paper) checks
// the planner's own choice on real statistics instead.
func TestListPlans(t *testing.T) {
	u, real := os.Getenv("MASTHEAD_BENCH_PG"), true
	if u == "" {
		u, real = freshSchema(t), false
	}
	db := openURL(t, u)
	ctx := context.Background()
	now := time.Now().UTC()
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if !real {
		if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off"); err != nil {
			t.Fatal(err)
		}
	}
	listPlan := func(name, q string, args ...any) string {
		t.Helper()
		plan := explain(t, tx, q, args...)
		t.Logf("%s:\n%s", name, plan)
		if strings.Contains(plan, "Seq Scan on articles") {
			t.Errorf("%s reads the articles table:\n%s", name, plan)
		}
		return plan
	}
	for _, f := range []news.ArticleFilter{{SectionID: 3}, {AuthorID: 3}, {TagID: 3}} {
		f.PublicAt = now
		kind, id, cond, ok := listShape(f)
		if !ok {
			t.Fatalf("%+v is not a kept list", f)
		}
		plan := listPlan(fmt.Sprintf("total of list kind %d", kind), listCountQuery(kind, cond, id), kind, id, now)
		if !strings.Contains(plan, "story_counts_pkey") {
			t.Errorf("total of list kind %d does not read its kept count:\n%s", kind, plan)
		}
	}
	// A section with its sub-sections: each section's listing range,
	// merged in order, no sort of the set.
	for _, order := range []string{"a.published_at DESC NULLS LAST, a.id DESC", reversedOrder("")} {
		q, args, err := sectionSetPageSQL(news.ArticleFilter{PublicAt: now, SectionIDs: []int64{3, 4}, NoBody: true}, order, 20, 600)
		if err != nil {
			t.Fatal(err)
		}
		plan := listPlan("section set page "+order, q, args...)
		if !strings.Contains(plan, "Merge Append") || strings.Count(plan, "articles_section_public") != 2 {
			t.Errorf("section set page, %s: not the sections' listing ranges merged:\n%s", order, plan)
		}
	}
	// A section with its sub-sections sums their kept counts.
	if plan := listPlan("total of a set of sections", listCountQuery(countSection, `a.section_id = ANY($2)`, []int64{3, 4}), countSection, []int64{3, 4}, now); !strings.Contains(plan, "story_counts_pkey") {
		t.Errorf("the total of a set of sections does not read their kept counts:\n%s", plan)
	}
	var w where
	w.public(now)
	w.add("a.section_id = " + w.arg(int64(3)))
	for _, order := range []string{"a.published_at DESC NULLS LAST, a.id DESC", reversedOrder("")} {
		plan := listPlan("section page ids "+order, `SELECT a.id FROM articles a WHERE `+w.sql()+` ORDER BY `+order+` LIMIT 20 OFFSET 600`, w.args...)
		if !strings.Contains(plan, "articles_section_public") || strings.Contains(plan, "Sort") {
			t.Errorf("section page ids, %s: not the listing index in order:\n%s", order, plan)
		}
	}
	for _, l := range []struct{ table, col string }{{"article_authors", "author_id"}, {"article_tags", "tag_id"}} {
		plan := listPlan("page ids of "+l.table, `SELECT l.article_id FROM `+l.table+` l WHERE l.`+l.col+` = $1
			AND l.published_at IS NOT NULL AND l.published_at <= $2
			AND (l.embargo_until IS NULL OR l.embargo_until <= $2)
			ORDER BY l.published_at DESC NULLS LAST, l.article_id DESC LIMIT 20 OFFSET 600`, int64(7), now)
		// On a real paper the planner may sort a short list (an author's
		// 250 stories at 10,000) instead; the index must exist for it.
		if !real && (!strings.Contains(plan, l.table+"_listing") || strings.Contains(plan, "Sort")) {
			t.Errorf("page ids of %s: not the listing index in order:\n%s", l.table, plan)
		}
	}
	plan := listPlan("month sums", `SELECT coalesce(sum(n), 0) FROM story_days WHERE day >= $1 AND day < $2`, int64(20000), int64(20031))
	if !strings.Contains(plan, "story_days_pkey") {
		t.Errorf("month sums do not use the days' key:\n%s", plan)
	}
}
