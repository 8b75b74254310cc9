package site

import (
	"context"
	"net/http/httptest"
	"testing"

	"masthead/internal/news"
)

// BenchmarkPages measures a full uncached render (store queries included)
// on the seeded SQLite database.
func BenchmarkPages(b *testing.B) {
	for _, p := range []struct{ name, path string }{
		{"article", "/2020/03/22/is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo"},
		{"front", "/"},
		{"section", "/section/business"},
		{"search", "/search?q=Pyongyang"},
	} {
		b.Run(p.name, func(b *testing.B) {
			e := benchEnv(b)
			b.ReportAllocs()
			cpu0, ok := processCPU()
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.h.ServeHTTP(rec, httptest.NewRequest("GET", p.path, nil))
				if rec.Code != 200 {
					b.Fatalf("%s: %d", p.path, rec.Code)
				}
			}
			// CPU time per render (all threads), steadier than wall
			// time when other work shares the cores.
			if cpu1, ok1 := processCPU(); ok && ok1 {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// BenchmarkArticleStoreCalls makes the store calls of one uncached render
// of the seed story (BenchmarkPages/article) without the page around them,
// to show the store's share of the render's CPU.
func BenchmarkArticleStoreCalls(b *testing.B) {
	e := benchEnv(b)
	ctx := context.Background()
	a := e.d.seed
	for _, c := range []struct {
		name string
		f    func() error
	}{
		{"sections", func() error { _, err := e.db.ListSections(ctx); return err }},
		{"by-slug", func() error { _, err := e.db.FindArticleBySlug(ctx, a.Slug); return err }},
		{"translations", func() error {
			_, _, err := e.db.FindArticles(ctx, news.ArticleFilter{PublicAt: testNow, TranslationOf: a.ID, Order: "oldest", Limit: maxTranslations, NoTotal: true})
			return err
		}},
		{"related", func() error {
			_, _, err := e.db.FindArticles(ctx, news.ArticleFilter{PublicAt: testNow, SectionID: a.SectionID, ExcludeIDs: []int64{a.ID}, Limit: 4, NoTotal: true})
			return err
		}},
		{"latest-10", func() error {
			_, _, err := e.db.FindArticles(ctx, news.ArticleFilter{PublicAt: testNow, Limit: 10, NoTotal: true})
			return err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0, ok := processCPU()
			for b.Loop() {
				if err := c.f(); err != nil {
					b.Fatal(err)
				}
			}
			if cpu1, ok1 := processCPU(); ok && ok1 {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
