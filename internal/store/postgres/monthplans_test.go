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

// TestArchiveMonthsKeepPlans: the sitemap index's months (ArchiveMonths,
// read again after every change) are the same plans every render, kept
// after PostgreSQL's five custom plans. The hours of stories not public
// yet and the sums of the kept days and hours were planned anew on every
// render (their generic plans costed a third of the table and ten ranges):
// 0.12-0.27 ms of bind each against 0.01-0.07 of execution at 1k.
// MASTHEAD_BENCH_PG (a copied paper) checks the planner's choice on real
// statistics.
func TestArchiveMonthsKeepPlans(t *testing.T) {
	ctx := context.Background()
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if u := os.Getenv("MASTHEAD_BENCH_PG"); u != "" {
		checkMonthPlans(t, openURL(t, withParam(u, "pool_max_conns", "1")), now, seoul, -1)
		return
	}
	db := openURL(t, withParam(freshSchema(t), "pool_max_conns", "1"))
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	now = base.AddDate(0, 1, 0)
	for i := range 40 {
		a := &news.Article{Slug: fmt.Sprintf("s%d", i), Headline: "H", BodyHTML: "<p>b</p>", Status: news.StatusPublished,
			PublishedAt: base.Add(time.Duration(i) * 17 * time.Hour)}
		switch i {
		case 10:
			a.EmbargoUntil = now.AddDate(1, 0, 0) // under embargo at every render below
		case 39:
			a.PublishedAt = now.AddDate(0, 0, 3) // scheduled
		}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	otherStories(t, db, base)
	if _, err := db.pool.Exec(ctx, "VACUUM ANALYZE articles, story_hours, story_days"); err != nil {
		t.Fatal(err)
	}
	// 1,500 others and 38 of the 40: one under embargo, one scheduled.
	checkMonthPlans(t, db, now, seoul, 1500+38)
}

// checkMonthPlans reads the months 12 times at now (a second apart, as
// renders are), checks they count want stories (-1: any), and that each
// statement kept its generic plan after the fifth custom one.
func checkMonthPlans(t *testing.T, db *DB, now time.Time, loc *time.Location, want int) {
	t.Helper()
	for i := range 12 {
		ms, err := db.ArchiveMonths(context.Background(), now.Add(time.Duration(i)*time.Second), loc)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range ms {
			n += m.Total
		}
		if want >= 0 && n != want {
			t.Fatalf("render %d: %d stories in the months, want %d", i, n, want)
		}
	}
	plans := planCounts(t, db, func(sql string) string {
		switch {
		case strings.Contains(sql, "UNION ALL SELECT published_at FROM articles"):
			return "not public yet"
		case strings.Contains(sql, "JOIN story_days"):
			return "days"
		case strings.Contains(sql, "JOIN story_hours"):
			return "hours"
		}
		return ""
	})
	wantKeptPlans(t, plans, 12, "renders", "not public yet", "days", "hours")
	// The kept plan of the stories under embargo reads their index, not
	// the whole section index (it did, 1.2 ms at 10k, until 0076).
	ctx := context.Background()
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, q := range []string{"SET plan_cache_mode = force_generic_plan", "PREPARE not_public_yet(timestamptz) AS " + notPublicYetSQL} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	defer conn.Exec(ctx, "RESET plan_cache_mode; DEALLOCATE not_public_yet")
	if plan := explain(t, conn, "EXECUTE not_public_yet('"+now.UTC().Format(time.RFC3339)+"')"); !strings.Contains(plan, "Index Only Scan using articles_embargoed") {
		t.Errorf("the kept plan of the stories not public yet reads no index of the embargoed stories alone:\n%s", plan)
	}
}
