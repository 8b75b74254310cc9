package postgres

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
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
		rows, err := admin.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
		if err != nil {
			b.Fatal(err)
		}
		pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			b.Fatal(err)
		}
		var t time.Duration
		for _, pid := range pids {
			t += backendCPU(int(pid))
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
			g0, s0 := ownCPU(), serverCPU()
			b.ResetTimer()
			for range b.N {
				if err := c.read(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			g, s := ownCPU()-g0, serverCPU()-s0
			b.ReportMetric(float64(g.Microseconds())/1000/float64(b.N), "go-cpu-ms/op")
			b.ReportMetric(float64(s.Microseconds())/1000/float64(b.N), "pg-cpu-ms/op")
		})
	}
}

func ownCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU is a backend's CPU time, from /proc/PID/stat (utime and
// stime, in clock ticks of 10 ms).
func backendCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}
