package sqlite_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// BenchmarkPaperLists times the store calls of uncached reader pages on a
// generated paper, with and without the pager's total:
//
//	go run ./cmd/loadbench -generate 100000 -data /tmp/big
//	MASTHEAD_BENCH_PAPER=/tmp/big/masthead.db go test ./internal/store/sqlite -run '^$' -bench PaperLists -benchmem
//
// cpu-ns/op is the calling thread's CPU time (the driver runs on the
// calling goroutine), steadier than wall time on a shared machine.
func BenchmarkPaperLists(b *testing.B) {
	path := os.Getenv("MASTHEAD_BENCH_PAPER")
	if path == "" {
		b.Skip("set MASTHEAD_BENCH_PAPER to a generated paper's masthead.db (go run ./cmd/loadbench -generate 100000 -data DIR)")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	latest, _, err := db.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 1, NoTotal: true})
	if err != nil || len(latest) == 0 {
		b.Fatalf("no public story in %s: %v", path, err)
	}
	a, err := db.FindArticleByID(ctx, latest[0].ID/2)
	if err != nil {
		b.Fatal(err)
	}
	tags, err := db.ListTags(ctx)
	if err != nil || len(tags) == 0 {
		b.Fatalf("tags: %v", err)
	}
	authors, err := db.ListAuthors(ctx)
	if err != nil || len(authors) == 0 {
		b.Fatalf("authors: %v", err)
	}
	secs, err := db.ListSections(ctx)
	if err != nil || len(secs) < 2 {
		b.Fatalf("sections: %d, %v", len(secs), err)
	}
	// A section page with a sub-section lists both (site: SectionIDs).
	set := []int64{secs[0].ID, secs[1].ID}
	page := func(f news.ArticleFilter) func() error {
		return func() error { _, _, err := db.FindArticles(ctx, f); return err }
	}
	for _, c := range []struct {
		name string
		f    func() error
	}{
		{"FindArticleBySlug", func() error { _, err := db.FindArticleBySlug(ctx, a.Slug); return err }},
		{"related-4", page(news.ArticleFilter{PublicAt: now, SectionID: a.SectionID, ExcludeIDs: []int64{a.ID}, Limit: 4, NoTotal: true})},
		{"latest-10", page(news.ArticleFilter{PublicAt: now, Limit: 10, NoTotal: true})},
		{"latest-10-with-total", page(news.ArticleFilter{PublicAt: now, Limit: 10})},
		{"front-latest-20", page(news.ArticleFilter{PublicAt: now, Limit: 20, NoTotal: true})},
		{"section-page-20", page(news.ArticleFilter{PublicAt: now, SectionID: a.SectionID, Limit: 20})},
		{"section-and-sub-page-20", page(news.ArticleFilter{PublicAt: now, SectionIDs: set, Limit: 20})},
		{"section-and-sub-middle-page", page(news.ArticleFilter{PublicAt: now, SectionIDs: set, Limit: 20, Offset: 12000})},
		{"tag-page-20", page(news.ArticleFilter{PublicAt: now, TagID: tags[len(tags)/2].ID, Limit: 20})},
		{"author-page-20", page(news.ArticleFilter{PublicAt: now, AuthorID: authors[len(authors)/2].ID, Limit: 20})},
		{"top-24h", func() error {
			_, err := db.TopArticles(ctx, news.TopFilter{Since: now.Add(-24 * time.Hour), PublicAt: now, Limit: 10})
			return err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			// Warm up the statement cache, which prepares in the background.
			for range 3 {
				if err := c.f(); err != nil {
					b.Fatal(err)
				}
				time.Sleep(10 * time.Millisecond)
			}
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			c0, ok := threadCPU()
			for b.Loop() {
				if err := c.f(); err != nil {
					b.Fatal(err)
				}
			}
			if c1, ok1 := threadCPU(); ok && ok1 {
				b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
