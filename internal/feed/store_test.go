package feed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/pagecache"
	"masthead/internal/store/sqlite"
)

// env is a paper on a real SQLite file, with the site's routes and ours on
// one mux, as cmd/masthead wires them.
type env struct {
	store news.Store
	clock *news.FixedClock
	paper *news.Paper
	mux   *http.ServeMux
	ids   map[string]int64
}

func newEnv(t *testing.T, fullText bool) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "masthead.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{store: db, clock: news.NewFixedClock(testNow), paper: testPaper(fullText), ids: map[string]int64{}}
	e.seed(t)
	e.mux = http.NewServeMux()
	// The reader site's patterns (internal/site): ours must coexist.
	site := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("site page")) })
	for _, p := range []string{"GET /{$}", "GET /section/{slug}", "GET /author/{slug}", "GET /tag/{slug}", "GET /search", "GET /robots.txt", "GET /{year}/{month}/{day}/{slug}", "/"} {
		e.mux.Handle(p, site)
	}
	New(Config{Paper: e.paper, Store: db, Clock: e.clock}).Register(e.mux)
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// seed stores two public stories, one old public story, and one story of
// every kind readers must not see. The hidden ones alone carry the tag
// "secret-tag" and the author "ghost-writer".
func (e *env) seed(t *testing.T) {
	ctx := context.Background()
	s := e.store
	nk := &news.Section{Slug: "north-korea", Name: "North Korea", Description: "Inter-Korean affairs"}
	biz := &news.Section{Slug: "경제", Name: "경제", Position: 1}
	must(t, s.CreateSection(ctx, nk))
	must(t, s.CreateSection(ctx, biz))
	kang := &news.Author{Slug: "kang-seung-woo", Name: "Kang Seung-woo", Email: "ksw@example.com", Bio: "Diplomacy reporter"}
	lee := &news.Author{Slug: "이지은", Name: "이지은", Position: 1}
	ghost := &news.Author{Slug: "ghost-writer", Name: "Ghost Writer", Position: 2}
	for _, a := range []*news.Author{kang, lee, ghost} {
		must(t, s.CreateAuthor(ctx, a))
	}
	diplomacy := &news.Tag{Slug: "diplomacy", Name: "Diplomacy"}
	korean := &news.Tag{Slug: "북미관계", Name: "북미관계"}
	secret := &news.Tag{Slug: "secret-tag", Name: "Secret tag"}
	for _, tg := range []*news.Tag{diplomacy, korean, secret} {
		must(t, s.EnsureTag(ctx, tg))
	}
	photo := &news.Photo{Key: "2026/11/kim-trump.jpg", ContentType: "image/jpeg", Width: 4000, Height: 2250,
		Caption: "Kim Jong-un and Donald Trump at Panmunjom", Credit: "Korea Times file", Alt: "Two leaders shake hands",
		Widths: []int{320, 640, 1280, 2048}, CreatedAt: testNow.Add(-48 * time.Hour)}
	must(t, s.CreatePhoto(ctx, photo))

	add := func(name string, a *news.Article) {
		if a.Status == "" {
			a.Status = news.StatusPublished
		}
		if a.Lang == "" {
			a.Lang = "en"
		}
		if a.CreatedAt.IsZero() {
			a.CreatedAt = testNow.Add(-30 * 24 * time.Hour)
		}
		must(t, s.CreateArticle(ctx, a))
		e.ids[name] = a.ID
	}
	add("seed", &news.Article{
		Slug:      "is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo",
		Headline:  "Is Trump's second letter to NK leader for dialogue or status quo?",
		Deck:      "Experts split on whether the letter <signals> talks & a summit",
		BodyHTML:  "<p>U.S. President Donald Trump sent a letter to North Korean leader Kim Jong-un.</p>",
		SectionID: nk.ID, Authors: []*news.Author{kang}, Tags: []*news.Tag{diplomacy, korean}, PhotoID: photo.ID,
		PublishedAt: time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC),
	})
	add("korean", &news.Article{
		Slug: "북한-대화-재개", Headline: "북한, 대화 재개 신호", Lang: "ko",
		BodyHTML:  "<p>북한이 대화 재개 가능성을 시사했다.</p>",
		SectionID: biz.ID, Authors: []*news.Author{lee, kang}, Tags: []*news.Tag{korean},
		PublishedAt: time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC),
	})
	add("old", &news.Article{
		Slug: "spring-talks", Headline: "Spring talks", Deck: "An older story.",
		SectionID: nk.ID, Authors: []*news.Author{kang},
		PublishedAt: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC),
	})
	hidden := func(name string, a *news.Article) {
		a.Slug, a.Headline, a.Deck = "secret-"+name, "Secret "+name, "must not appear"
		a.SectionID, a.Authors, a.Tags = nk.ID, []*news.Author{ghost, kang}, []*news.Tag{secret, diplomacy}
		a.PhotoID = photo.ID
		if a.PublishedAt.IsZero() {
			a.PublishedAt = testNow.Add(-2 * time.Hour)
		}
		add(name, a)
	}
	hidden("draft", &news.Article{Status: news.StatusDraft})
	hidden("review", &news.Article{Status: news.StatusReview})
	hidden("scheduled", &news.Article{Status: news.StatusScheduled, PublishedAt: testNow.Add(time.Hour)})
	hidden("future", &news.Article{PublishedAt: testNow.Add(30 * time.Minute)})
	hidden("unpublished", &news.Article{Status: news.StatusUnpublished})
	hidden("embargoed", &news.Article{EmbargoUntil: testNow.Add(time.Hour)})
}

func (e *env) get(t *testing.T, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	return rec
}

func TestServeAllFeeds(t *testing.T) {
	e := newEnv(t, true)
	scopes := []struct {
		base    string
		want    []string // story slugs (escaped as in URLs) that must be there
		notWant []string
	}{
		{"", []string{"is-trumps", "%EB%B6%81%ED%95%9C-%EB%8C%80%ED%99%94-%EC%9E%AC%EA%B0%9C", "spring-talks"}, nil},
		{"/section/north-korea", []string{"is-trumps", "spring-talks"}, []string{"%EB%B6%81%ED%95%9C"}},
		{"/section/" + url.PathEscape("경제"), []string{"%EB%B6%81%ED%95%9C"}, []string{"is-trumps"}},
		{"/author/kang-seung-woo", []string{"is-trumps", "%EB%B6%81%ED%95%9C", "spring-talks"}, nil},
		{"/author/" + url.PathEscape("이지은"), []string{"%EB%B6%81%ED%95%9C"}, []string{"is-trumps"}},
		{"/tag/diplomacy", []string{"is-trumps"}, []string{"%EB%B6%81%ED%95%9C", "spring-talks"}},
		{"/tag/" + url.PathEscape("북미관계"), []string{"is-trumps", "%EB%B6%81%ED%95%9C"}, []string{"spring-talks"}},
		// A byline with only hidden stories: an empty feed.
		{"/author/ghost-writer", nil, []string{"is-trumps"}},
	}
	types := map[string]string{"feed.xml": ContentTypeRSS, "atom.xml": ContentTypeAtom, "feed.json": ContentTypeJSON}
	for _, sc := range scopes {
		for file, ct := range types {
			path := sc.base + "/" + file
			rec := e.get(t, path)
			if rec.Code != http.StatusOK {
				t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
				continue
			}
			if got := rec.Header().Get("Content-Type"); got != ct {
				t.Errorf("%s: Content-Type %q", path, got)
			}
			if rec.Header().Get("ETag") == "" || rec.Header().Get("ETag") != httpx.ETag(rec.Body.Bytes()) {
				t.Errorf("%s: ETag %q", path, rec.Header().Get("ETag"))
			}
			body := rec.Body.String()
			if len(sc.want) > 0 && rec.Header().Get("Last-Modified") == "" {
				t.Errorf("%s: no Last-Modified", path)
			}
			if strings.Contains(body, "secret-") || strings.Contains(body, "must not appear") {
				t.Errorf("%s: a hidden story leaked:\n%s", path, body)
			}
			for _, w := range sc.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: missing %s", path, w)
				}
			}
			for _, w := range sc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("%s: should not have %s", path, w)
				}
			}
			if strings.Contains(body, "Secret") {
				t.Errorf("%s: hidden headline leaked", path)
			}
			if file != "feed.json" {
				xmllintWellFormed(t, rec.Body.Bytes())
			}
		}
	}

	// Byte formats through the real store: golden files.
	golden(t, "store-paper.rss.xml", e.get(t, "/feed.xml").Body.Bytes())
	golden(t, "store-paper.atom.xml", e.get(t, "/atom.xml").Body.Bytes())
	golden(t, "store-paper.feed.json", e.get(t, "/feed.json").Body.Bytes())
	// And through the real parser.
	pf := feedCheck(t, e.get(t, "/tag/"+url.PathEscape("북미관계")+"/feed.xml").Body.Bytes(), 2)
	if pf.Items[1].Link != koreanURL || pf.Title != "북미관계 | The Masthead Times" {
		t.Errorf("tag feed as parsed: %q %q", pf.Title, pf.Items[1].Link)
	}
	feedCheck(t, e.get(t, "/author/kang-seung-woo/atom.xml").Body.Bytes(), 3)
}

func TestNotFound(t *testing.T) {
	e := newEnv(t, false)
	// A tag that only hidden stories carry does not exist for readers:
	// its name alone could give an embargoed story away.
	for _, p := range []string{"/section/nope/feed.xml", "/author/nope/atom.xml", "/tag/nope/feed.json", "/tag/secret-tag/feed.xml", "/tag/secret-tag/feed.json"} {
		if rec := e.get(t, p); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
	// Not ours: falls through to the site.
	if rec := e.get(t, "/section/north-korea/feed.rss"); rec.Body.String() != "site page" {
		t.Errorf("unexpected handler for a non-feed path: %q", rec.Body)
	}
}

func TestConditionalRequests(t *testing.T) {
	e := newEnv(t, false)
	for _, path := range []string{"/feed.xml", "/atom.xml", "/feed.json", "/section/north-korea/feed.xml"} {
		first := e.get(t, path)
		tag, lm := first.Header().Get("ETag"), first.Header().Get("Last-Modified")
		if tag == "" || lm == "" {
			t.Fatalf("%s: ETag %q Last-Modified %q", path, tag, lm)
		}
		// The newest story's LastModified: the seed story's update.
		if path == "/feed.xml" && lm != "Thu, 26 Nov 2026 01:00:00 GMT" {
			t.Errorf("Last-Modified %q", lm)
		}
		for _, c := range []struct {
			name   string
			header []string
			want   int
		}{
			{"matching ETag", []string{"If-None-Match", tag}, 304},
			{"ETag in a list", []string{"If-None-Match", `"nope", ` + tag}, 304},
			{"star", []string{"If-None-Match", "*"}, 304},
			{"other ETag", []string{"If-None-Match", `"nope"`}, 200},
			{"same date", []string{"If-Modified-Since", lm}, 304},
			{"later date", []string{"If-Modified-Since", "Fri, 27 Nov 2026 00:00:00 GMT"}, 304},
			{"earlier date", []string{"If-Modified-Since", "Wed, 25 Nov 2026 00:00:00 GMT"}, 200},
			// If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
			{"stale ETag, fresh date", []string{"If-None-Match", `"old"`, "If-Modified-Since", lm}, 200},
		} {
			rec := e.get(t, path, c.header...)
			if rec.Code != c.want {
				t.Errorf("%s %s: %d, want %d", path, c.name, rec.Code, c.want)
			}
			if c.want == 304 && rec.Body.Len() != 0 {
				t.Errorf("%s %s: 304 with a body", path, c.name)
			}
		}
	}
}

// Time passing changes the feed: a story whose time comes, and one whose
// embargo lifts, join it, and the validators move so caches notice.
func TestStoriesJoinWhenDue(t *testing.T) {
	e := newEnv(t, false)
	before := e.get(t, "/feed.xml")
	if strings.Contains(before.Body.String(), "secret-future") {
		t.Fatal("future story visible early")
	}
	e.clock.Set(testNow.Add(45 * time.Minute))
	mid := e.get(t, "/feed.xml", "If-None-Match", before.Header().Get("ETag"))
	if mid.Code != 200 || !strings.Contains(mid.Body.String(), "secret-future") || strings.Contains(mid.Body.String(), "secret-embargoed") {
		t.Fatalf("after its time: %d\n%s", mid.Code, mid.Body)
	}
	// The embargoed story was published two hours before now but joins
	// only when the embargo lifts: Last-Modified must move past the last
	// one a reader saw, or If-Modified-Since would hide it.
	e.clock.Set(testNow.Add(61 * time.Minute))
	after := e.get(t, "/feed.xml", "If-Modified-Since", mid.Header().Get("Last-Modified"))
	if after.Code != 200 || !strings.Contains(after.Body.String(), "secret-embargoed") {
		t.Fatalf("after the embargo: %d", after.Code)
	}
	if strings.Contains(after.Body.String(), "secret-scheduled") {
		t.Error("a scheduled story is public only once the scheduler publishes it")
	}
}

func TestLimit(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	for i := range Limit + 5 {
		must(t, e.store.CreateArticle(ctx, &news.Article{
			Slug: "bulk-" + itoa(i), Headline: "Bulk " + itoa(i), Status: news.StatusPublished, Lang: "en",
			PublishedAt: testNow.Add(-time.Duration(i+10) * time.Minute), CreatedAt: testNow.Add(-48 * time.Hour),
		}))
	}
	body := e.get(t, "/feed.xml").Body.String()
	if n := strings.Count(body, "<item>"); n != Limit {
		t.Errorf("%d items, want %d", n, Limit)
	}
	if !strings.Contains(body, "bulk-0<") || strings.Contains(body, "is-trumps") {
		t.Error("not the newest stories")
	}
}

// Every link Alternates hands the site answers with the matching feed.
func TestAlternatesResolve(t *testing.T) {
	e := newEnv(t, false)
	for _, c := range []struct{ path, name string }{
		{"/", ""},
		{e.paper.SectionPath(&news.Section{Slug: "경제"}), "경제"},
		{e.paper.AuthorPath(&news.Author{Slug: "이지은"}), "이지은"},
		{e.paper.TagPath(&news.Tag{Slug: "diplomacy"}), "Diplomacy"},
	} {
		for _, l := range Alternates(e.paper, c.path, c.name) {
			path := strings.TrimPrefix(l.Href, e.paper.BaseURL)
			rec := e.get(t, path)
			if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), l.Type) {
				t.Errorf("%s: %d %q, want %s", l.Href, rec.Code, rec.Header().Get("Content-Type"), l.Type)
			}
		}
	}
}

func TestHead(t *testing.T) {
	e := newEnv(t, false)
	get := e.get(t, "/atom.xml")
	req := httptest.NewRequest("HEAD", "/atom.xml", nil)
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("ETag") != get.Header().Get("ETag") {
		t.Errorf("HEAD: %d, %d bytes, ETag %q", rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
	}
}

// cmd/masthead may put internal/pagecache in front of the feeds: the tags
// must agree whether a response comes from the cache or from here, or
// every revalidation across a cache miss would cost a full download.
func TestBehindPageCache(t *testing.T) {
	e := newEnv(t, false)
	cached := pagecache.New(1<<20, time.Minute).Middleware(e.mux)
	get := func(h http.Handler, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/feed.xml", nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	direct := get(e.mux)
	first, second := get(cached), get(cached) // a miss, then a hit
	for _, r := range []*httptest.ResponseRecorder{first, second} {
		if r.Code != 200 || r.Header().Get("ETag") != direct.Header().Get("ETag") {
			t.Errorf("through the cache: %d ETag %q, direct %q", r.Code, r.Header().Get("ETag"), direct.Header().Get("ETag"))
		}
	}
	if r := get(cached, "If-None-Match", direct.Header().Get("ETag")); r.Code != 304 {
		t.Errorf("cache hit with our ETag: %d", r.Code)
	}
	if r := get(e.mux, "If-None-Match", second.Header().Get("ETag")); r.Code != 304 {
		t.Errorf("direct with the cache's ETag: %d", r.Code)
	}
}
