package postgres

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// tripCounter records the round trips of a pool: a statement on its own
// or a pipelined batch, each with the statements it ran.
type tripCounter struct {
	mu    sync.Mutex
	trips [][]string
}

func (c *tripCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.trips = append(c.trips, []string{d.SQL})
	return ctx
}

func (c *tripCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *tripCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	var stmts []string
	for _, q := range d.Batch.QueuedQueries {
		stmts = append(stmts, q.SQL)
	}
	c.trips = append(c.trips, stmts)
	return ctx
}

func (c *tripCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *tripCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// openTraced opens a fresh schema whose pool's statements tr sees.
func openTraced(t *testing.T, tr pgx.QueryTracer) *DB {
	t.Helper()
	db, err := Open(context.Background(), freshSchema(t), func(db *DB) { db.tracer = tr })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// take returns the trips since the last call.
func (c *tripCounter) take() [][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.trips
	c.trips = nil
	return t
}

// TestRoundTrips holds reader reads to their round trips on PostgreSQL,
// where each costs the server and the process more than the few rows of a
// page: the front page's section boxes are one batch for all their lists
// and one for all their relations (they were three statements a box); a
// page's sections, bylines, tags, corrections and photos come in one; a
// section page of one section (as the site asks for it, a set of one)
// takes its kept total, not a count over the section, and reads it with
// its first page in one batch; a single story read is one round trip.
func TestRoundTrips(t *testing.T) {
	tc := &tripCounter{}
	db := openTraced(t, tc)
	ctx := context.Background()
	ph := &news.Photo{Key: "p.jpg", ContentType: "image/jpeg", Width: 10, Height: 10}
	if err := db.CreatePhoto(ctx, ph); err != nil {
		t.Fatal(err)
	}
	au := &news.Author{Slug: "kim", Name: "Kim"}
	if err := db.CreateAuthor(ctx, au); err != nil {
		t.Fatal(err)
	}
	tg := &news.Tag{Slug: "trade", Name: "Trade"}
	if err := db.EnsureTag(ctx, tg); err != nil {
		t.Fatal(err)
	}
	var secs []int64
	for i, slug := range []string{"world", "business", "sports"} {
		s := &news.Section{Slug: slug, Name: slug, Position: i}
		if err := db.CreateSection(ctx, s); err != nil {
			t.Fatal(err)
		}
		secs = append(secs, s.ID)
		for j := range 3 {
			a := &news.Article{Slug: slug + string(rune('a'+j)), Headline: "H", Status: news.StatusPublished, SectionID: s.ID,
				PhotoID: ph.ID, Authors: []*news.Author{au}, Tags: []*news.Tag{tg},
				PublishedAt: time.Date(2026, 3, 1, i, j, 0, 0, time.UTC)}
			if err := db.CreateArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	tc.take()

	var fs []news.ArticleFilter
	for _, id := range secs {
		fs = append(fs, news.ArticleFilter{PublicAt: now, SectionIDs: []int64{id}, Limit: 4, NoTotal: true, NoBody: true})
	}
	lists, err := db.FindArticleLists(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 3 || len(lists[2]) != 3 || lists[2][0].Photo == nil || len(lists[2][0].Authors) != 1 || lists[2][0].Section == nil {
		t.Fatalf("lists: %v", lists)
	}
	trips := tc.take()
	if len(trips) != 2 || len(trips[0]) != 3 {
		t.Errorf("three lists: %d round trips (%v), want 2: the lists, then their relations", len(trips), trips)
	}
	if len(trips) == 2 && len(trips[1]) != 3 {
		t.Errorf("the relations of three lists: %d statements (%v), want sections, bylines/tags/corrections, photos", len(trips[1]), trips[1])
	}

	page, total, err := db.FindArticles(ctx, news.ArticleFilter{PublicAt: now, SectionIDs: []int64{secs[0]}, Limit: 2})
	if err != nil || len(page) != 2 || total != 3 {
		t.Fatalf("a section page: %d stories of %d, %v", len(page), total, err)
	}
	trips = tc.take()
	if len(trips) != 2 || len(trips[0]) != 2 {
		t.Errorf("a section's first page: %d round trips (%v), want 2: its total and page in one, then its relations", len(trips), trips)
	}
	for _, trip := range trips {
		for _, q := range trip {
			if strings.Contains(q, "count(*) OVER ()") {
				t.Errorf("a section page counts its section:\n%s", q)
			}
		}
	}
	if len(trips) > 0 && !strings.Contains(trips[0][0], "story_counts") {
		t.Errorf("a section page's total is not the kept count:\n%s", trips[0][0])
	}

	// A later page is read knowing the total (from which end, how many):
	// the total first, then the page, then its relations.
	page, total, err = db.FindArticles(ctx, news.ArticleFilter{PublicAt: now, SectionIDs: []int64{secs[0]}, Limit: 2, Offset: 2})
	if err != nil || len(page) != 1 || total != 3 {
		t.Fatalf("a section's second page: %d stories of %d, %v", len(page), total, err)
	}
	if trips = tc.take(); len(trips) != 3 {
		t.Errorf("a section's second page: %d round trips (%v), want 3: its total, its page, its relations", len(trips), trips)
	}

	// A single story (an article page, the API's article) is one round
	// trip: its key is known up front, so the story and its section,
	// bylines, tags, corrections and photos (the lead photo and a
	// byline's portrait it does not share) come in one batch; so does a
	// former slug's story, and a miss.
	portrait := &news.Photo{Key: "kim.jpg", ContentType: "image/jpeg", Width: 5, Height: 5}
	if err := db.CreatePhoto(ctx, portrait); err != nil {
		t.Fatal(err)
	}
	lee := &news.Author{Slug: "lee", Name: "Lee", PhotoID: portrait.ID}
	if err := db.CreateAuthor(ctx, lee); err != nil {
		t.Fatal(err)
	}
	one := &news.Article{Slug: "one", Headline: "One", Status: news.StatusPublished, SectionID: secs[1], PhotoID: ph.ID,
		Authors: []*news.Author{lee, au}, Tags: []*news.Tag{tg}, PublishedAt: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}
	if err := db.CreateArticle(ctx, one); err != nil {
		t.Fatal(err)
	}
	one.Slug = "one-renamed"
	if err := db.UpdateArticle(ctx, one); err != nil {
		t.Fatal(err)
	}
	tc.take()
	for _, read := range []struct {
		name string
		find func() (*news.Article, error)
	}{
		{"by id", func() (*news.Article, error) { return db.FindArticleByID(ctx, one.ID) }},
		{"by slug", func() (*news.Article, error) { return db.FindArticleBySlug(ctx, "one-renamed") }},
		{"by a former slug", func() (*news.Article, error) { return db.FindArticleBySlug(ctx, "one") }},
	} {
		a, err := read.find()
		if err != nil {
			t.Fatalf("%s: %v", read.name, err)
		}
		if a.ID != one.ID || a.Section == nil || a.Section.ID != secs[1] || a.Photo == nil || a.Photo.ID != ph.ID ||
			len(a.Authors) != 2 || a.Authors[0].Slug != "lee" || a.Authors[0].Photo == nil || a.Authors[0].Photo.ID != portrait.ID ||
			a.Authors[1].Photo != nil || len(a.Tags) != 1 {
			t.Errorf("%s: %+v", read.name, a)
		}
		if trips := tc.take(); len(trips) != 1 {
			t.Errorf("a story %s: %d round trips (%v), want 1", read.name, len(trips), trips)
		}
	}
	if _, err := db.FindArticleByID(ctx, one.ID+1000); news.ErrorCode(err) != news.ENOTFOUND {
		t.Errorf("a missing id: %v, want not found", err)
	}
	if _, err := db.FindArticleBySlug(ctx, "nowhere"); news.ErrorCode(err) != news.ENOTFOUND {
		t.Errorf("a missing slug: %v, want not found", err)
	}
	if trips := tc.take(); len(trips) != 2 {
		t.Errorf("two misses: %d round trips (%v), want 2", len(trips), trips)
	}
}

// TestRelationsPlanCached: the relations of a page (relationsSQL), run on
// every render with a different set of ids, are planned once per
// connection, not for every execution: after PostgreSQL's five custom
// plans its generic plan is kept, whatever the number of ids. With the ids
// bound as = ANY($1), a short list's custom plan looked cheaper than the
// generic one on a real paper and every execution was planned anew (a
// fresh schema's few rows cost too little for it to show):
// MASTHEAD_BENCH_PG (a copied paper) checks it there.
func TestRelationsPlanCached(t *testing.T) {
	ctx := context.Background()
	var db *DB
	if u := os.Getenv("MASTHEAD_BENCH_PG"); u != "" {
		db = openURL(t, u)
	} else {
		db = openURL(t, freshSchema(t))
		au := &news.Author{Slug: "kim", Name: "Kim"}
		if err := db.CreateAuthor(ctx, au); err != nil {
			t.Fatal(err)
		}
		tg := &news.Tag{Slug: "trade", Name: "Trade"}
		if err := db.EnsureTag(ctx, tg); err != nil {
			t.Fatal(err)
		}
		for i := range 15 {
			a := &news.Article{Slug: fmt.Sprintf("s%d", i), Headline: "H", Status: news.StatusDraft, Authors: []*news.Author{au}, Tags: []*news.Tag{tg}}
			if err := db.CreateArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	rows, _ := db.pool.Query(ctx, "SELECT id FROM articles ORDER BY id LIMIT 15")
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) < 15 {
		t.Fatalf("%d stories (%v), want 15", len(ids), err)
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for i := range 12 {
		// Pages of 1 to 3 stories, as an article's or a 404's are.
		rows, err := conn.Query(ctx, relationsSQL, ids[i:i+1+i%3])
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	var generic, custom int64
	if err := conn.QueryRow(ctx, "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1", relationsSQL).Scan(&generic, &custom); err != nil {
		t.Fatal(err)
	}
	if generic < 12-5 {
		t.Errorf("relations of 12 short pages: %d generic plans and %d custom, want the generic plan after the fifth", generic, custom)
	}
}

// TestArchiveMonthsRoundTrips: the sitemap index's months are two round
// trips: the hours to plan by (the first and last with stories, and those
// of stories not public yet) in one, the months' sums in the other. The
// hours were two statements on their own.
func TestArchiveMonthsRoundTrips(t *testing.T) {
	tc := &tripCounter{}
	db := openTraced(t, tc)
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{now.AddDate(0, -2, 0), now.AddDate(0, -1, 3), now.Add(time.Hour)} {
		a := &news.Article{Slug: fmt.Sprintf("s%d", i), Headline: "H", Status: news.StatusPublished, PublishedAt: at}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	tc.take()
	months, err := db.ArchiveMonths(ctx, now, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(months) != 2 || months[0].Total != 1 || months[1].Total != 1 {
		t.Errorf("months: %+v, want February and March with a story each (April's is not public yet)", months)
	}
	if trips := tc.take(); len(trips) != 2 || len(trips[0]) != 2 {
		t.Errorf("archive months: %d round trips (%v), want 2, the first with both reads of hours", len(trips), trips)
	}
}
