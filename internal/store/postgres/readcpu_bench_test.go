package postgres

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/cputime"
	"masthead/internal/news"
	"masthead/internal/testpg"
)

// BenchmarkReadCPU splits the CPU of the store's reads behind the reader
// pages that BenchmarkReaderRequests found dearer than SQLite's (issue
// 17) into the process's (go-cpu-ms/op: pgx, scanning, building the
// statements) and the backends' (pg-cpu-ms/op: parsing, planning,
// executing, sending), on a copied paper (MASTHEAD_BENCH_PG, its
// search_path set):
//
//	MASTHEAD_BENCH_PG='postgres://...&search_path=reader_table_10000' \
//	  go test -run '^$' -bench ReadCPU -benchtime 2000x ./internal/store/postgres/
//
// The backends' CPU comes from /proc in 10 ms ticks: run a few thousand
// reads.
func BenchmarkReadCPU(b *testing.B) {
	u := os.Getenv("MASTHEAD_BENCH_PG")
	if u == "" {
		b.Skip("MASTHEAD_BENCH_PG is not set")
	}
	ctx := context.Background()
	const app = "masthead_bench_readcpu"
	db := openURL(b, withParam(u, "application_name", app))
	admin, err := pgx.Connect(ctx, u)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	serverCPU := func() time.Duration {
		t, err := testpg.BackendsCPU(ctx, admin, app)
		if err != nil {
			b.Fatal(err)
		}
		return t
	}
	now := time.Now()
	list, _, err := db.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 1, Offset: 200, NoTotal: true})
	if err != nil || len(list) != 1 {
		b.Fatalf("a story to read: %v", err)
	}
	mid := list[0]
	sec, err := db.FindSectionBySlug(ctx, "politics")
	if err != nil {
		b.Fatal(err)
	}
	feed := news.ArticleFilter{Limit: 20, Order: "newest", NoTotal: true}
	sectionFeed := feed
	sectionFeed.SectionID = sec.ID
	cases := []struct {
		name string
		read func() error
	}{
		{"story-by-id", func() error { _, err := db.FindArticleByID(ctx, mid.ID); return err }},
		{"story-by-slug", func() error { _, err := db.FindArticleBySlug(ctx, mid.Slug); return err }},
		{"feed", func() error {
			f := feed
			f.PublicAt = time.Now()
			_, _, err := db.FindArticles(ctx, f)
			return err
		}},
		{"section-feed", func() error {
			f := sectionFeed
			f.PublicAt = time.Now()
			_, _, err := db.FindArticles(ctx, f)
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for range 20 { // past the custom plans, as a running node is
				if err := c.read(); err != nil {
					b.Fatal(err)
				}
			}
			g0, s0 := cputime.Process(), serverCPU()
			b.ResetTimer()
			for range b.N {
				if err := c.read(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			g, s := cputime.Process()-g0, serverCPU()-s0
			b.ReportMetric(float64(g.Microseconds())/1000/float64(b.N), "go-cpu-ms/op")
			b.ReportMetric(float64(s.Microseconds())/1000/float64(b.N), "pg-cpu-ms/op")
		})
	}
}
