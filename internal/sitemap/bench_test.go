package sitemap

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

var (
	benchOnce sync.Once
	benchMux  *http.ServeMux
	benchDB   news.Store
	benchMaps *Sitemaps
	benchErr  error
)

// benchStories is the archive size of the benchmarks:
// MASTHEAD_BENCH_STORIES (default 5,000), spread over ten years, with 20
// sections, 200 authors and 2,000 tags, three tags a story.
func benchStories() int {
	if n, err := strconv.Atoi(os.Getenv("MASTHEAD_BENCH_STORIES")); err == nil && n > 0 {
		return n
	}
	return 5000
}

func benchSetup(b *testing.B) *http.ServeMux {
	benchOnce.Do(func() {
		ctx := context.Background()
		// MASTHEAD_BENCH_DB names a database to keep between runs (seeding
		// 100,000 stories takes minutes); an existing one is used as is.
		path := os.Getenv("MASTHEAD_BENCH_DB")
		if path == "" {
			dir, err := os.MkdirTemp("", "sitemap-bench")
			if err != nil {
				benchErr = err
				return
			}
			defer os.RemoveAll(dir) // the open database keeps working on Linux
			path = filepath.Join(dir, "bench.db")
		}
		_, statErr := os.Stat(path)
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			benchErr = err
			return
		}
		benchDB = db
		benchMux = http.NewServeMux()
		benchMaps = New(Config{Paper: testPaper(), Store: db, Clock: news.NewFixedClock(testNow)})
		benchMaps.Register(benchMux)
		if statErr == nil {
			return
		}
		var secs []*news.Section
		var auths []*news.Author
		var tags []*news.Tag
		for i := range 20 {
			s := &news.Section{Slug: "s" + strconv.Itoa(i), Name: "S" + strconv.Itoa(i), Position: i}
			benchErr = db.CreateSection(ctx, s)
			secs = append(secs, s)
		}
		for i := range 200 {
			a := &news.Author{Slug: "a" + strconv.Itoa(i), Name: "A" + strconv.Itoa(i), Position: i}
			benchErr = db.CreateAuthor(ctx, a)
			auths = append(auths, a)
		}
		for i := range 2000 {
			t := &news.Tag{Slug: "t" + strconv.Itoa(i), Name: "T" + strconv.Itoa(i)}
			benchErr = db.EnsureTag(ctx, t)
			tags = append(tags, t)
		}
		if benchErr != nil {
			return
		}
		n := benchStories()
		span := 10 * 365 * 24 * time.Hour
		start := time.Now()
		for i := range n {
			a := &news.Article{
				Slug: "story-" + strconv.Itoa(i), Headline: "Story " + strconv.Itoa(i), Lang: "en",
				BodyHTML: "<p>Body of a story.</p>", Status: news.StatusPublished,
				SectionID: secs[i%len(secs)].ID, Authors: []*news.Author{auths[i%len(auths)]},
				Tags:        []*news.Tag{tags[i%len(tags)], tags[(i*7+1)%len(tags)], tags[(i*13+2)%len(tags)]},
				PublishedAt: testNow.Add(-span + time.Duration(i)*(span/time.Duration(n))),
			}
			if benchErr = db.CreateArticle(ctx, a); benchErr != nil {
				return
			}
		}
		b.Logf("seeded %d stories in %v", n, time.Since(start))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchMux
}

// BenchmarkSitemaps serves each sitemap; the index and listing files
// reuse the cached survey (the clock stands still), so see
// BenchmarkSurveyBuild for the cost of a rebuild.
func BenchmarkSitemaps(b *testing.B) {
	mux := benchSetup(b)
	for _, path := range []string{IndexPath, NewsPath, SectionsPath, AuthorsPath, TagsPath, "/sitemaps/articles-2022-06.xml"} {
		b.Run(filepath.Base(path), func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
				if rec.Code != 200 {
					b.Fatalf("%s: %d", path, rec.Code)
				}
			}
		})
	}
}

// BenchmarkStorePage is the cost of one page of 1,000 public stories, the
// unit of work of the monthly sitemaps.
func BenchmarkStorePage(b *testing.B) {
	benchSetup(b)
	for b.Loop() {
		arts, _, err := benchDB.FindArticles(context.Background(), news.ArticleFilter{PublicAt: testNow, Order: "oldest", Limit: 1000})
		if err != nil || len(arts) != 1000 {
			b.Fatal(err, len(arts))
		}
	}
}

// BenchmarkSurveyBuild is the cost of reading the whole public archive once,
// what the index and listing sitemaps pay after a write.
func BenchmarkSurveyBuild(b *testing.B) {
	benchSetup(b)
	for b.Loop() {
		sv, err := benchMaps.buildSurvey(context.Background(), testNow)
		if err != nil || len(sv.tag) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreQueries shows where the survey's time goes.
func BenchmarkStoreQueries(b *testing.B) {
	benchSetup(b)
	ctx := context.Background()
	from := time.Date(2022, 6, 1, 0, 0, 0, 0, testPaper().Loc())
	for name, f := range map[string]news.ArticleFilter{
		"all-limit1":      {PublicAt: testNow, Order: "oldest", Limit: 1},
		"all-limit1000":   {PublicAt: testNow, Order: "oldest", Limit: 1000},
		"all-offset50000": {PublicAt: testNow, Order: "oldest", Limit: 1000, Offset: 50000},
		"month-limit1000": {PublicAt: testNow, Order: "oldest", Limit: 1000, PublishedFrom: from, PublishedTo: from.AddDate(0, 1, 0)},
		"month-limit1":    {PublicAt: testNow, Order: "oldest", Limit: 1, PublishedFrom: from, PublishedTo: from.AddDate(0, 1, 0)},
		"month-updated1":  {PublicAt: testNow, Order: "updated", Limit: 1, PublishedFrom: from, PublishedTo: from.AddDate(0, 1, 0)},
		"tag-newest1":     {PublicAt: testNow, Order: "newest", Limit: 1, TagID: 5},
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := benchDB.FindArticles(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
