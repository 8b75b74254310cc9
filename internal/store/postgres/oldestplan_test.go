package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// lastQuery keeps the last statement a pool ran, with its arguments.
type lastQuery struct {
	mu   sync.Mutex
	sql  string
	args []any
}

func (l *lastQuery) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	l.sql, l.args = d.SQL, d.Args
	l.mu.Unlock()
	return ctx
}

func (l *lastQuery) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestOldestReadsTheListingIndex: stories oldest first (a month's sitemap
// files, a story's translations) were ordered published_at ASC NULLS
// LAST, which no index gives (the listing indexes are DESC NULLS LAST, so
// backwards ASC NULLS FIRST): every match was read and sorted, a table
// scan of the month's 2,976 stories for a file of 1,000 at 10,000. Where
// no story without a publication time can match, the order is the
// indexes' own read backwards, and the plan has no sort.
func TestOldestReadsTheListingIndex(t *testing.T) {
	lq := &lastQuery{}
	db := openTraced(t, lq)
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	month := news.ArticleFilter{PublicAt: now, PublishedFrom: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		PublishedTo: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Order: "oldest", Limit: 1000, Offset: 1000, NoTotal: true}
	for _, c := range []struct {
		name string
		read func() error
	}{
		{"a month's sitemap file (stubs)", func() error { _, err := db.ArticleStubs(ctx, month); return err }},
		{"a month's stories", func() error { _, _, err := db.FindArticles(ctx, month); return err }},
		{"a story's translations", func() error {
			_, _, err := db.FindArticles(ctx, news.ArticleFilter{PublicAt: now, TranslationOf: 7, Order: "oldest", Limit: 50, NoTotal: true, NoBody: true})
			return err
		}},
	} {
		if err := c.read(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		lq.mu.Lock()
		sql, args := lq.sql, lq.args
		lq.mu.Unlock()
		tx, err := db.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// An empty table: make the planner use what indexes give.
		if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off"); err != nil {
			t.Fatal(err)
		}
		plan := explain(t, tx, sql, args...)
		tx.Rollback(ctx)
		if strings.Contains(plan, "Sort") {
			t.Errorf("%s sorts its stories:\n%s\n%s", c.name, sql, plan)
		}
	}
}
