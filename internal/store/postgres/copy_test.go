package postgres

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestCopyCoversEveryColumn fails when a migration adds a column to a table
// copy-db moves without teaching copy.go about it: the column would be
// silently left behind by a copy.
func TestCopyCoversEveryColumn(t *testing.T) {
	db := openURL(t, freshSchema(t))
	// Columns ImportRows computes instead of copying.
	derived := map[string][]string{
		"articles":     {"body_text", "search", "search_head", "search_deck"},
		"article_tags": {"position", "published_at", "embargo_until"},
		// Kept by triggers from the story (migrations 0065, 0074).
		"article_authors": {"published_at", "embargo_until"},
	}
	for name, ct := range copyTables {
		rows, err := db.pool.Query(context.Background(),
			`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, name)
		if err != nil {
			t.Fatal(err)
		}
		var have []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			have = append(have, c)
		}
		rows.Close()
		want := append(strings.Split(strings.ReplaceAll(ct.cols, " ", ""), ","), derived[name]...)
		slices.Sort(have)
		slices.Sort(want)
		if !slices.Equal(have, want) {
			t.Errorf("%s: table has columns %v, copy.go knows %v", name, have, want)
		}
	}
}

// TestCopyCoversEveryTable fails when a migration adds a table that
// copy-db neither moves nor knowingly leaves behind.
func TestCopyCoversEveryTable(t *testing.T) {
	db := openURL(t, freshSchema(t))
	// Left behind on purpose: sessions (everyone signs in again), the
	// generation counter (the destination keeps its own) and bookkeeping.
	// view_readers holds only today's salted reader hashes: a copy
	// counts today's readers again, as a restart without them would.
	skipped := []string{"sessions", "generation", "schema_migrations", "changes", "leases", "view_readers",
		// Readers' links and sessions, as the newsroom's; newsletter
		// issues and their queue (a send finishes before a copy).
		"reader_tokens", "reader_sessions", "newsletter_issues", "newsletter_deliveries", "newsletter_publish_sends", "newsletter_opens",
		// The webhook outbox and idempotent answers: hours of state.
		"webhook_deliveries", "webhook_attempts", "idempotency_keys",
		// Reset and invitation links, and autosaves in progress, like
		// sessions, do not move to another database.
		"account_tokens", "working_copies",
		// Counts the writes keep: the copy's inserts keep them again.
		"story_counts", "story_hours", "story_days"}
	rows, err := db.pool.Query(context.Background(),
		`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if _, ok := copyTables[name]; !ok && !slices.Contains(skipped, name) {
			t.Errorf("table %s is neither copied by copy-db nor listed as left behind", name)
		}
	}
}

// TestImportAnalyzes: copy-db ran no ANALYZE, so until autovacuum came the
// planner had no statistics for a whole copied paper. ImportRows gathers
// them: every copied table has been analyzed (reltuples is -1 until then).
// It vacuums them too, so that the copied rows become all-visible and
// index-only scans of the listing indexes stop reading the table.
func TestImportAnalyzes(t *testing.T) {
	db := openURL(t, freshSchema(t))
	ctx := context.Background()
	err := db.ImportRows(ctx, func(put func(string, []any) error) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range copyTables {
		var vacuumed bool
		if err := db.pool.QueryRow(ctx, `SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relid = $1::regclass`, tb.name).Scan(&vacuumed); err != nil {
			t.Fatal(err)
		}
		if !vacuumed {
			t.Errorf("%s was not vacuumed after the import", tb.name)
		}
	}
	for _, tb := range copyTables {
		var n float64
		if err := db.pool.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = $1::regclass`, tb.name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 0 {
			t.Errorf("%s was not analyzed after the import", tb.name)
		}
	}
}
