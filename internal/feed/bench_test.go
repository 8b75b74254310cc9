package feed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// BenchmarkFeeds serves the paper, section and tag feeds. With
// MASTHEAD_BENCH_DB it uses that database as is (the sitemap benchmarks
// seed one: sections s0.., tags t0..); otherwise it seeds 2,000 stories.
func BenchmarkFeeds(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("MASTHEAD_BENCH_DB")
	seed := path == ""
	if seed {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if seed {
		sec := &news.Section{Slug: "s0", Name: "S0"}
		tag := &news.Tag{Slug: "t5", Name: "T5"}
		if err := db.CreateSection(ctx, sec); err != nil {
			b.Fatal(err)
		}
		if err := db.EnsureTag(ctx, tag); err != nil {
			b.Fatal(err)
		}
		for i := range 2000 {
			if err := db.CreateArticle(ctx, &news.Article{Slug: "s-" + strconv.Itoa(i), Headline: "Story", Lang: "en",
				BodyHTML: "<p>Body.</p>", Status: news.StatusPublished, SectionID: sec.ID, Tags: []*news.Tag{tag},
				PublishedAt: testNow.Add(-time.Duration(i) * time.Hour)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	mux := http.NewServeMux()
	New(Config{Paper: testPaper(true), Store: db, Clock: news.NewFixedClock(testNow)}).Register(mux)
	for _, p := range []string{"/feed.xml", "/atom.xml", "/feed.json", "/section/s0/feed.xml", "/tag/t5/feed.xml"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
				if rec.Code != 200 {
					b.Fatalf("%s: %d", p, rec.Code)
				}
			}
		})
	}
}
