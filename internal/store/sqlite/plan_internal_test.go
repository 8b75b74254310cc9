package sqlite

import (
	"context"
	"fmt"
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
	countArgs := map[string][]any{}
	for _, c := range cases {
		where, args := articleWhere(c.f)
		queries := map[string]string{"page": pageSQL(articleSelect, where, c.f.Order)}
		if c.count {
			// A list page's total: the kept count, less the stories not
			// public yet (listCount).
			kind, id, cond, ok := listShape(c.f)
			if !ok {
				t.Fatalf("%s: not a list page", c.name)
			}
			queries["count"] = listCountQuery(cond, id)
			countArgs[c.name] = []any{kind, id, now.UnixMicro(), id, now.UnixMicro(), now.UnixMicro(), id}
		}
		for kind, q := range queries {
			qargs := args
			if kind == "page" {
				qargs = append(append([]any(nil), args...), 20, 0)
			} else {
				qargs = countArgs[c.name]
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

// TestDeepPagePlans checks the plans of a deep list page (listPage): the
// ids of a section's page come from its listing index alone, in order,
// stepping over the offset without reading a story; an author's or tag's
// page is a range of its bylines' or tags' index in date order (no sort,
// no story read), less the embargoed stories; and
// the kept total reads one row of story_counts and two short index ranges
// (stories not public yet), never the list.
func TestDeepPagePlans(t *testing.T) {
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
	check := func(name, q string, args []any, want []string) {
		t.Helper()
		plan := explain(t, db, q, args...)
		t.Logf("%s:\n%s", name, plan)
		for _, line := range strings.Split(plan, "\n") {
			if l := strings.TrimSpace(line); strings.HasPrefix(l, "SCAN") && !strings.Contains(l, "COVERING INDEX") && l != "SCAN CONSTANT ROW" &&
				!strings.HasPrefix(l, "SCAN json_each") && // the ids of a set, not a table
				!strings.HasPrefix(l, "SCAN (subquery") { // a merge's output, not a table
				t.Errorf("%s: scans a table:\n%s", name, plan)
			}
		}
		if strings.Contains(plan, "TEMP B-TREE") && !strings.Contains(name, "sorted") {
			t.Errorf("%s: sorts:\n%s", name, plan)
		}
		for _, w := range want {
			if !strings.Contains(plan, w) {
				t.Errorf("%s: plan lacks %q:\n%s", name, w, plan)
			}
		}
	}
	for _, order := range []string{"", "oldest"} {
		f := news.ArticleFilter{PublicAt: now, SectionID: 3, Order: order}
		q, args := listIDsSQL(f, order, false)
		check("section page ids "+order, q, append(args, 20, 5000), []string{"COVERING INDEX articles_section_public"})
	}
	// A section with its sub-sections: each section's range of the
	// listing index, merged, no sort of the set.
	for _, order := range []string{"", "oldest"} {
		q, args := sectionSetIDsSQL(news.ArticleFilter{PublicAt: now, SectionIDs: []int64{3, 4, 5}}, order)
		check("section set page ids "+order, q, append(args, 20, 5000), []string{"MERGE (UNION ALL)", "COVERING INDEX articles_section_public"})
	}
	for _, f := range []news.ArticleFilter{{PublicAt: now, AuthorID: 7}, {PublicAt: now, TagID: 5}} {
		q, args := listIDsSQL(f, "", true)
		check(fmt.Sprintf("byline or tag index, author %d tag %d", f.AuthorID, f.TagID), q, append(args, 20, 1000),
			[]string{"SEARCH l USING COVERING INDEX article_", "_listing", "INDEX articles_embargoed"})
	}
	// A section with its sub-sections sums their kept counts.
	for _, f := range []news.ArticleFilter{{PublicAt: now, SectionID: 3}, {PublicAt: now, SectionIDs: []int64{3, 4}}, {PublicAt: now, AuthorID: 7}, {PublicAt: now, TagID: 5}} {
		kind, id, cond, _ := listShape(f)
		tm := now.UnixMicro()
		check(fmt.Sprintf("list total, section %d %v author %d tag %d", f.SectionID, f.SectionIDs, f.AuthorID, f.TagID), listCountQuery(cond, id), []any{kind, id, tm, id, tm, tm, id},
			[]string{"story_counts USING PRIMARY KEY", "SEARCH a USING COVERING INDEX articles_", "INDEX articles_embargoed"})
	}
}
