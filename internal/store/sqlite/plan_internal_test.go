package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// TestReaderListPlans checks the query plans of the lists an uncached page
// makes: the front page (latest), an article's related stories (its
// section, less itself) and the Top 10 fallback (latest 10), and the
// section, tag and author pages with their pager counts. Pages that show
// the newest stories of a section or of the paper must walk an index in
// date order and stop at LIMIT, never sort all matches; nothing may scan
// the articles table. With MASTHEAD_BENCH_PAPER set to a generated paper
// (cmd/loadbench -generate) the plans are those of that paper, statistics
// included; otherwise of an empty database. Run with -v to see them.
func TestReaderListPlans(t *testing.T) {
	ctx := context.Background()
	path := os.Getenv("MASTHEAD_BENCH_PAPER")
	if path == "" {
		path = filepath.Join(t.TempDir(), "plans.db")
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	cases := []struct {
		name    string
		f       news.ArticleFilter
		count   bool // the page has a pager
		ordered bool // must not sort the matches
	}{
		{"front latest", news.ArticleFilter{PublicAt: now, Limit: 20}, false, true},
		{"top fallback latest 10", news.ArticleFilter{PublicAt: now, Limit: 10}, false, true},
		{"related", news.ArticleFilter{PublicAt: now, SectionID: 3, ExcludeIDs: []int64{50000}, Limit: 4}, false, true},
		{"front section box", news.ArticleFilter{PublicAt: now, SectionID: 3, ExcludeIDs: []int64{1, 2, 3, 4, 5}, Limit: 4}, false, true},
		{"section page", news.ArticleFilter{PublicAt: now, SectionID: 3, Limit: 20}, true, true},
		{"tag page", news.ArticleFilter{PublicAt: now, TagID: 5, Limit: 20}, true, false},
		{"author page", news.ArticleFilter{PublicAt: now, AuthorID: 7, Limit: 20}, true, false},
	}
	for _, c := range cases {
		where, args := articleWhere(c.f)
		queries := map[string]string{"page": pageSQL(where, c.f.Order)}
		if c.count {
			queries["count"] = `SELECT count(*) FROM articles a WHERE ` + where
		}
		for kind, q := range queries {
			qargs := args
			if kind == "page" {
				qargs = append(append([]any(nil), args...), 20, 0)
			}
			plan := explain(t, db, q, qargs...)
			t.Logf("%s, %s:\n%s", c.name, kind, plan)
			for _, line := range strings.Split(plan, "\n") {
				// "SCAN a" alone is the whole table; "SCAN a USING
				// COVERING INDEX" (a count over an index) is not.
				if strings.HasSuffix(strings.TrimSpace(line), "SCAN a") {
					t.Errorf("%s, %s: scans the articles table:\n%s", c.name, kind, plan)
				}
			}
			if kind == "page" && c.ordered && strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
				t.Errorf("%s: sorts every match instead of reading an index in order:\n%s", c.name, plan)
			}
		}
	}
}

func explain(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.read.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString("  " + detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(b.String(), "\n")
}
