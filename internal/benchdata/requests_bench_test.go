package benchdata

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/api"
	"masthead/internal/cputime"
	"masthead/internal/feed"
	"masthead/internal/gctune"
	"masthead/internal/news"
	"masthead/internal/nodecache"
	"masthead/internal/site"
	"masthead/internal/sitemap"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
	"masthead/internal/testpg"
	"masthead/internal/views"
)

// BenchmarkReaderRequests serves every kind of reader request on a
// generated paper with no page cache in front, and reports the CPU time
// of the process per request (cpu-ms/op): what an uncached request costs.
// The paper is SQLite (MASTHEAD_BENCH_PAPER, a masthead.db from
// loadbench -generate) or PostgreSQL (MASTHEAD_BENCH_PG, a URL: copy the
// SQLite paper there with masthead copy-db):
//
//	MASTHEAD_BENCH_PAPER=DIR/masthead.db go test ./internal/benchdata -run '^$' -bench ReaderRequests -benchtime 40x
//	MASTHEAD_BENCH_PG=postgres://... go test ./internal/benchdata -run '^$' -bench ReaderRequests -benchtime 40x
//
// The site, API and feeds read through a nodecache.Store, as serve's do
// (the reads every page makes whatever its address, kept until the next
// change); MASTHEAD_BENCH_NODECACHE=off reads the store directly, for a
// before-and-after in one binary.
//
// The collector runs with serve's settings (gctune: GOGC=400 under a soft
// memory limit), as a node's does; GOGC=100 in the environment measures
// Go's default. With the default, the benchmark's small live heap (3 MB on
// PostgreSQL, where the stories are not in the process) was marked every
// eight feed requests, and the collection's workers took a fifth of the
// process's CPU: more than serve spends, and more on PostgreSQL than on
// SQLite, whose heap is larger.
func BenchmarkReaderRequests(b *testing.B) {
	ctx := context.Background()
	gctune.Apply(gctune.ServeCacheBytes)
	var st news.Store
	cpu := cputime.Process
	switch {
	case os.Getenv("MASTHEAD_BENCH_PG") != "":
		// The database server's CPU is part of a request's cost: its
		// backends are found by application_name and their CPU time read
		// from /proc (the server must run on this machine).
		u := os.Getenv("MASTHEAD_BENCH_PG")
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		const app = "masthead_bench_requests"
		db, err := postgres.Open(ctx, u+sep+"application_name="+app)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		st = db
		admin, err := pgx.Connect(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close(ctx)
		cpu = func() time.Duration {
			t, err := testpg.BackendsCPU(ctx, admin, app)
			if err != nil {
				b.Fatal(err)
			}
			return cputime.Process() + t
		}
	case os.Getenv("MASTHEAD_BENCH_PAPER") != "":
		db, err := sqlite.Open(ctx, os.Getenv("MASTHEAD_BENCH_PAPER"))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		st = db
	default:
		b.Skip("set MASTHEAD_BENCH_PAPER (a generated masthead.db) or MASTHEAD_BENCH_PG (a URL)")
	}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	paper := &news.Paper{Name: "Bench", BaseURL: "https://news.example.com", Language: "en", Location: seoul}
	clock := news.SystemClock{}
	log := slog.New(slog.DiscardHandler)
	counter, err := views.New(views.Config{Store: st, Clock: clock, Logger: log, Paper: paper})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	nc := nodecache.New(st, nodecache.Config{Clock: clock})
	var reads news.Store = nc
	if os.Getenv("MASTHEAD_BENCH_NODECACHE") == "off" {
		reads, nc = st, nil
	}
	site.New(site.Config{Paper: paper, Store: reads, Clock: clock, Top: counter, Logger: log}).Register(mux)
	api.New(api.Config{Paper: paper, Store: reads, Clock: clock, Logger: log}).Register(mux)
	feed.New(feed.Config{Paper: paper, Store: reads, Clock: clock, Logger: log}).Register(mux)
	mapStore := reads // the store itself, with the node's copies off
	if nc != nil {
		mapStore = nc.ForSitemaps()
	}
	maps := sitemap.New(sitemap.Config{Paper: paper, Store: mapStore, Clock: clock, Logger: log})
	maps.Register(mux)
	counter.Register(mux)
	c0 := cpu()
	if err := maps.Warm(ctx); err != nil { // as serve does at start
		b.Fatal(err)
	}
	b.Logf("sitemap survey (at start, and again at most every 5 minutes after changes): %.1f ms CPU", float64((cpu()-c0).Microseconds())/1000)

	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Body)
		return rec.Code, string(body)
	}
	_, total, err := st.FindArticles(ctx, news.ArticleFilter{PublicAt: time.Now(), Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	mid, err := st.FindArticleBySlug(ctx, fmt.Sprintf("story-%d", total/2))
	if err != nil {
		b.Fatal(err)
	}
	_, index := get(sitemap.IndexPath)
	months := regexp.MustCompile(`https://news\.example\.com(/sitemaps/articles-[0-9-]+\.xml)`).FindAllStringSubmatch(index, -1)
	if len(months) == 0 {
		b.Fatalf("no monthly sitemap in the index:\n%.500s", index)
	}
	month := months[len(months)/2][1]
	// The month's last file (articles-YYYY-MM-N.xml): the one that skips
	// the most stories.
	lastPart := month
	for _, m := range months {
		if strings.HasPrefix(m[1], strings.TrimSuffix(month, ".xml")+"-") {
			lastPart = m[1]
		}
	}
	sectionStories := total / len(sectionNames)
	count := func(f news.ArticleFilter) int {
		f.PublicAt, f.Limit = time.Now(), 1
		_, n, err := st.FindArticles(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	au, err := st.FindAuthorBySlug(ctx, "reporter-7")
	if err != nil {
		b.Fatal(err)
	}
	tg, err := st.FindTagBySlug(ctx, "topic-5")
	if err != nil {
		b.Fatal(err)
	}
	authorStories, tagStories := count(news.ArticleFilter{AuthorID: au.ID}), count(news.ArticleFilter{TagID: tg.ID})
	b.Logf("author reporter-7: %d stories, tag topic-5: %d", authorStories, tagStories)
	// A change that names the story (its edit, a correction) drops the
	// node's copies, the story's among them: the next render reads it all
	// again.
	storyChanged := func() {
		if nc != nil {
			nc.Changed(news.Change{Stories: []int64{mid.ID}})
		}
	}
	cases := []struct {
		name, path string
		before     func() // before each request
	}{
		{"front", "/", nil},
		{"article", paper.ArticlePath(mid), nil},
		{"article-after-its-change", paper.ArticlePath(mid), storyChanged},
		{"section", "/section/politics", nil},
		{"section-page-2", "/section/politics?page=2", nil},
		{"section-page-mid", fmt.Sprintf("/section/politics?page=%d", max(2, sectionStories/20/2)), nil},
		{"section-page-9999", "/section/politics?page=9999", nil},
		{"author", "/author/reporter-7", nil},
		{"author-page-mid", fmt.Sprintf("/author/reporter-7?page=%d", max(2, authorStories/20/2)), nil},
		{"author-page-9999", "/author/reporter-7?page=9999", nil},
		{"tag", "/tag/topic-5", nil},
		{"tag-page-last", fmt.Sprintf("/tag/topic-5?page=%d", max(1, (tagStories+19)/20)), nil},
		{"tag-page-9999", "/tag/topic-5?page=9999", nil},
		{"search-1-word", "/search?q=" + "korea", nil},
		{"search-2-words", "/search?q=" + "north+korea", nil},
		{"search-the", "/search?q=the", nil},
		{"search-korean", "/search?q=%EB%B6%81%ED%95%9C", nil},
		{"feed", "/feed.xml", nil},
		{"section-feed", "/section/politics/feed.xml", nil},
		{"sitemap-index", sitemap.IndexPath, nil},
		{"sitemap-index-after-a-change", sitemap.IndexPath, storyChanged},
		{"sitemap-month", month, nil},
		{"sitemap-month-last-part", lastPart, nil},
		{"sitemap-news", sitemap.NewsPath, nil},
		{"sitemap-tags", sitemap.TagsPath, nil},
		{"api-top", "/api/v1/top", nil},
		{"api-article", fmt.Sprintf("/api/v1/articles/%d", mid.ID), nil},
		{"api-article-after-its-change", fmt.Sprintf("/api/v1/articles/%d", mid.ID), storyChanged},
	}
	b.Logf("%d public stories", total)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			code, _ := get(c.path) // warm the statement caches
			if code != 200 && !strings.HasSuffix(c.name, "9999") {
				b.Fatalf("GET %s: %d", c.path, code)
			}
			start, own := cpu(), cputime.Process()
			for b.Loop() {
				if c.before != nil {
					c.before()
				}
				get(c.path)
			}
			b.ReportMetric(float64((cpu()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			// The process's own share (on SQLite, all of it): the rest is
			// the database server's.
			b.ReportMetric(float64((cputime.Process()-own).Microseconds())/1000/float64(b.N), "go-cpu-ms/op")
		})
	}
}
