package sitemap

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// env is a paper on a real SQLite file, with the site's routes and ours on
// one mux, as cmd/masthead wires them.
type env struct {
	store news.Store
	clock *news.FixedClock
	maps  *Sitemaps
	mux   *http.ServeMux
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "masthead.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{store: db, clock: news.NewFixedClock(testNow)}
	seed(t, db)
	e.mux = http.NewServeMux()
	site := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("site page")) })
	for _, p := range []string{"GET /{$}", "GET /section/{slug}", "GET /author/{slug}", "GET /tag/{slug}", "GET /robots.txt", "/"} {
		e.mux.Handle(p, site)
	}
	e.maps = New(Config{Paper: testPaper(), Store: db, Clock: e.clock})
	e.maps.Register(e.mux)
	// Cleanups run last-in first-out: background survey builds finish
	// before the database closes.
	t.Cleanup(e.maps.cache.wg.Wait)
	return e
}

// seed: public stories in November 2026 (two within the news window, one
// three days old), one in March 2025 and one at 23:30 UTC on 31 January
// 2026, which is 1 February in Seoul; plus every kind of hidden story. Only
// hidden stories carry the section "secret-desk", the author "ghost-writer"
// and the tag "secret-tag".
func seed(t *testing.T, s news.Store) {
	ctx := context.Background()
	nk := &news.Section{Slug: "north-korea", Name: "North Korea"}
	biz := &news.Section{Slug: "경제", Name: "경제", Position: 1}
	desk := &news.Section{Slug: "secret-desk", Name: "Secret desk", Position: 2}
	for _, x := range []*news.Section{nk, biz, desk} {
		must(t, s.CreateSection(ctx, x))
	}
	kang := &news.Author{Slug: "kang-seung-woo", Name: "Kang Seung-woo"}
	lee := &news.Author{Slug: "이지은", Name: "이지은", Position: 1}
	ghost := &news.Author{Slug: "ghost-writer", Name: "Ghost Writer", Position: 2}
	for _, a := range []*news.Author{kang, lee, ghost} {
		must(t, s.CreateAuthor(ctx, a))
	}
	diplomacy := &news.Tag{Slug: "diplomacy", Name: "Diplomacy"}
	korean := &news.Tag{Slug: "북미관계", Name: "북미관계"}
	secret := &news.Tag{Slug: "secret-tag", Name: "Secret tag"}
	for _, x := range []*news.Tag{diplomacy, korean, secret} {
		must(t, s.EnsureTag(ctx, x))
	}
	photo := &news.Photo{Key: "2026/11/kim-trump.jpg", ContentType: "image/jpeg", Width: 4000, Height: 2250, Widths: []int{640, 1280, 2048}}
	must(t, s.CreatePhoto(ctx, photo))
	add := func(a *news.Article) {
		if a.Status == "" {
			a.Status = news.StatusPublished
		}
		a.Lang, a.CreatedAt = "en", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		if a.Headline == "" {
			a.Headline = "Headline " + a.Slug
		}
		must(t, s.CreateArticle(ctx, a))
	}
	add(&news.Article{Slug: "is-trumps-second-letter", Headline: "Is Trump's second letter to NK leader for dialogue or status quo?",
		SectionID: nk.ID, Authors: []*news.Author{kang}, Tags: []*news.Tag{diplomacy, korean}, PhotoID: photo.ID,
		PublishedAt: time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)})
	add(&news.Article{Slug: "북한-대화-재개", Headline: "북한, 대화 재개 신호 <&>", SectionID: biz.ID, Authors: []*news.Author{lee},
		Tags: []*news.Tag{korean}, PublishedAt: time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)})
	add(&news.Article{Slug: "three-days-old", SectionID: nk.ID, Authors: []*news.Author{kang},
		PublishedAt: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
	add(&news.Article{Slug: "spring-talks", SectionID: nk.ID, Authors: []*news.Author{kang},
		PublishedAt: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2025, 4, 2, 9, 0, 0, 0, time.UTC)})
	add(&news.Article{Slug: "seoul-february", SectionID: nk.ID,
		PublishedAt: time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC)})
	hidden := func(name string, a *news.Article) {
		a.Slug, a.Headline = "secret-"+name, "Secret "+name
		a.SectionID, a.Authors, a.Tags, a.PhotoID = desk.ID, []*news.Author{ghost}, []*news.Tag{secret}, photo.ID
		if a.PublishedAt.IsZero() {
			a.PublishedAt = testNow.Add(-2 * time.Hour)
		}
		add(a)
	}
	hidden("draft", &news.Article{Status: news.StatusDraft})
	hidden("review", &news.Article{Status: news.StatusReview})
	hidden("scheduled", &news.Article{Status: news.StatusScheduled, PublishedAt: testNow.Add(time.Hour)})
	hidden("future", &news.Article{PublishedAt: testNow.Add(30 * time.Minute)})
	// A story scheduled for next month must not make next month's file.
	hidden("next-month", &news.Article{PublishedAt: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)})
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

const base = "https://news.example.com"

func TestServeSitemaps(t *testing.T) {
	e := newEnv(t)
	idx := e.get(t, IndexPath)
	if idx.Code != 200 {
		t.Fatalf("index: %d %s", idx.Code, idx.Body)
	}
	validate(t, idx.Body.Bytes())
	golden(t, "store-index.xml", idx.Body.Bytes())
	// Every file the index names: served, valid, free of hidden stories.
	var files []string
	for _, part := range strings.Split(idx.Body.String(), "<loc>")[1:] {
		loc, _, _ := strings.Cut(part, "</loc>")
		files = append(files, strings.TrimPrefix(loc, base))
	}
	want := []string{NewsPath, SectionsPath, AuthorsPath, TagsPath,
		"/sitemaps/articles-2026-11.xml", "/sitemaps/articles-2026-02.xml", "/sitemaps/articles-2025-03.xml"}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("index lists %q, want %q", files, want)
	}
	for _, f := range files {
		rec := e.get(t, f)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != ContentType {
			t.Errorf("%s: %d %q", f, rec.Code, rec.Header().Get("Content-Type"))
			continue
		}
		validate(t, rec.Body.Bytes())
		golden(t, "store-"+strings.TrimSuffix(filepath.Base(f), ".xml")+".xml", rec.Body.Bytes())
		body := rec.Body.String()
		for _, leak := range []string{"secret", "Secret", "ghost-writer"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: hidden story, section, author or tag leaked (%q):\n%s", f, leak, body)
			}
		}
	}

	news := e.get(t, NewsPath).Body.String()
	for _, w := range []string{
		"<loc>" + base + "/2026/11/25/%EB%B6%81%ED%95%9C-%EB%8C%80%ED%99%94-%EC%9E%AC%EA%B0%9C</loc>",
		"<news:title>북한, 대화 재개 신호 &lt;&amp;&gt;</news:title>",
		"<news:publication_date>2026-11-25T23:30:00Z</news:publication_date>",
		"<news:name>The Masthead Times &amp; Co</news:name>",
		"<news:language>en</news:language>",
		"<image:loc>" + base + "/media/1/" + photoToken("2026/11/kim-trump.jpg") + "/1280.jpg</image:loc>",
	} {
		if !strings.Contains(news, w) {
			t.Errorf("news sitemap lacks %s", w)
		}
	}
	if strings.Contains(news, "three-days-old") || strings.Contains(news, "spring-talks") {
		t.Error("news sitemap holds stories older than two days")
	}
	feb := e.get(t, "/sitemaps/articles-2026-02.xml").Body.String()
	if !strings.Contains(feb, "/2026/02/01/seoul-february") {
		t.Errorf("months follow the paper's time zone:\n%s", feb)
	}
	tags := e.get(t, TagsPath).Body.String()
	if !strings.Contains(tags, "<loc>"+base+"/tag/%EB%B6%81%EB%AF%B8%EA%B4%80%EA%B3%84</loc>") {
		t.Errorf("Korean tag not percent-encoded:\n%s", tags)
	}
	authors := e.get(t, AuthorsPath).Body.String()
	if !strings.Contains(authors, "<loc>"+base+"/author/%EC%9D%B4%EC%A7%80%EC%9D%80</loc>") {
		t.Errorf("Korean author not percent-encoded:\n%s", authors)
	}
}

func TestArticleFileNotFound(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{
		"/sitemaps/articles-2026-10.xml",   // no stories that month
		"/sitemaps/articles-2026-12.xml",   // only a hidden future story
		"/sitemaps/articles-2026-11-2.xml", // no second part
		"/sitemaps/articles-2026-11-1.xml",
		"/sitemaps/articles-2026-13.xml",
		"/sitemaps/whatever.xml",
	} {
		if rec := e.get(t, p); rec.Code != 404 {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
}

func TestMonthSplit(t *testing.T) {
	e := newEnv(t)
	e.maps.partURLs = 2
	ctx := context.Background()
	for i := range 3 {
		must(t, e.store.CreateArticle(ctx, &news.Article{Slug: "oct-" + strconv.Itoa(i), Headline: "October " + strconv.Itoa(i),
			Status: news.StatusPublished, Lang: "en", PublishedAt: time.Date(2026, 10, 10+i, 0, 0, 0, 0, time.UTC)}))
	}
	idx := e.get(t, IndexPath).Body.String()
	for _, f := range []string{"articles-2026-10.xml", "articles-2026-10-2.xml", "articles-2026-11.xml", "articles-2026-11-2.xml"} {
		if !strings.Contains(idx, "/sitemaps/"+f+"<") {
			t.Errorf("index lacks %s:\n%s", f, idx)
		}
	}
	p1, p2 := e.get(t, "/sitemaps/articles-2026-10.xml").Body.String(), e.get(t, "/sitemaps/articles-2026-10-2.xml").Body.String()
	if strings.Count(p1, "<url>") != 2 || strings.Count(p2, "<url>") != 1 || !strings.Contains(p2, "oct-2") {
		t.Errorf("split:\n%s\n%s", p1, p2)
	}
	if rec := e.get(t, "/sitemaps/articles-2026-10-3.xml"); rec.Code != 404 {
		t.Errorf("part 3: %d", rec.Code)
	}
}

func TestNewsSitemapCap(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range MaxNewsURLs + 3 {
		must(t, e.store.CreateArticle(ctx, &news.Article{Slug: "n-" + strconv.Itoa(i), Headline: "N " + strconv.Itoa(i),
			Status: news.StatusPublished, Lang: "en", PublishedAt: testNow.Add(-time.Duration(i+1) * time.Minute)}))
	}
	rec := e.get(t, NewsPath)
	if n := strings.Count(rec.Body.String(), "<news:news>"); n != MaxNewsURLs {
		t.Errorf("%d news entries, want %d", n, MaxNewsURLs)
	}
	validate(t, rec.Body.Bytes())
}

func TestConditionalRequests(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{IndexPath, NewsPath, TagsPath, "/sitemaps/articles-2025-03.xml"} {
		first := e.get(t, path)
		tag, lm := first.Header().Get("ETag"), first.Header().Get("Last-Modified")
		if tag == "" || lm == "" {
			t.Fatalf("%s: ETag %q Last-Modified %q", path, tag, lm)
		}
		if path == "/sitemaps/articles-2025-03.xml" && lm != "Wed, 02 Apr 2025 09:00:00 GMT" {
			t.Errorf("%s: Last-Modified %q, want the newest story's LastModified", path, lm)
		}
		for _, c := range []struct {
			header []string
			want   int
		}{
			{[]string{"If-None-Match", tag}, 304},
			{[]string{"If-None-Match", `"other"`}, 200},
			{[]string{"If-Modified-Since", lm}, 304},
			{[]string{"If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT"}, 200},
			{[]string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, 200},
		} {
			rec := e.get(t, path, c.header...)
			if rec.Code != c.want || (c.want == 304 && rec.Body.Len() > 0) {
				t.Errorf("%s %q: %d (%d bytes), want %d", path, c.header, rec.Code, rec.Body.Len(), c.want)
			}
		}
	}
}

// The news window moves with the clock: three days later, nothing is news,
// and the index stops naming an (invalid, empty) news sitemap.
func TestNewsWindowMoves(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(testNow.Add(72 * time.Hour))
	idx := e.get(t, IndexPath).Body.String()
	if strings.Contains(idx, NewsPath) {
		t.Errorf("index names an empty news sitemap:\n%s", idx)
	}
	validate(t, []byte(idx))
	if body := e.get(t, NewsPath).Body.String(); strings.Contains(body, "<url>") {
		t.Errorf("stale news:\n%s", body)
	}
	// The embargo has lifted and the future story's time has come.
	nov := e.get(t, "/sitemaps/articles-2026-11.xml").Body.String()
	if !strings.Contains(nov, "secret-embargoed") || !strings.Contains(nov, "secret-future") || strings.Contains(nov, "secret-draft") {
		t.Errorf("November after the embargo:\n%s", nov)
	}
}

// The audit's sitemap-check follows the index to every child over HTTP,
// as a crawler does, and validates each against the XSDs.
func TestAuditSitemapCheck(t *testing.T) {
	home := os.Getenv("MASTHEAD_AUDIT_HOME")
	if home == "" {
		h, _ := os.UserHomeDir()
		home = filepath.Join(h, ".cache", "masthead-audit")
	}
	check := filepath.Join(home, "bin", "sitemap-check")
	node, nodeErr := exec.LookPath("node")
	if _, err := os.Stat(check); err != nil || nodeErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sitemap-check (%s) or node missing; CI=true requires them", check)
		}
		t.Skipf("sitemap-check (%s) or node missing (set MASTHEAD_AUDIT_HOME or run the audit install.sh); skipping", check)
	}
	e := newEnv(t)
	// The index must name URLs on this server: learn its address first.
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	paper := testPaper()
	paper.BaseURL = "http://" + srv.Listener.Addr().String()
	New(Config{Paper: paper, Store: e.store, Clock: e.clock}).Register(mux)
	srv.Start()
	defer srv.Close()
	out, err := exec.Command(node, check, srv.URL+IndexPath, "--recurse").Output()
	var res struct {
		Pass     bool `json:"pass"`
		Children []struct {
			Target string   `json:"target"`
			Pass   bool     `json:"pass"`
			Errors []string `json:"errors"`
		} `json:"children"`
		Errors []string `json:"errors"`
	}
	if jerr := json.Unmarshal(bytes.TrimSpace(out), &res); jerr != nil {
		t.Fatalf("sitemap-check: %v %v: %s", err, jerr, out)
	}
	if !res.Pass || err != nil || len(res.Children) != 7 {
		t.Fatalf("sitemap-check: %v %s", err, out)
	}
}

// The index's months come from the store's aggregates at once; its
// section, author and tag entries from a survey of the archive that is
// rebuilt in the background after a write (at most every
// surveyRefreshMin) or after surveyMaxAge.
func TestSurveyFollowsWrites(t *testing.T) {
	e := newEnv(t)
	must(t, e.maps.Warm(context.Background()))
	if e.maps.cache.sv == nil {
		t.Fatal("Warm built no survey")
	}
	if strings.Contains(e.get(t, IndexPath).Body.String(), "articles-2026-10") {
		t.Fatal("October before any October story")
	}
	must(t, e.store.CreateArticle(context.Background(), &news.Article{Slug: "october", Headline: "October", Status: news.StatusPublished,
		Lang: "en", PublishedAt: time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC)}))
	// The index reads its months from the store's aggregates, which the
	// write kept: October is listed at once.
	if idx := e.get(t, IndexPath).Body.String(); !strings.Contains(idx, "articles-2026-10.xml") {
		t.Errorf("index right after a write:\n%s", idx)
	}
	hasOctober := func() bool {
		e.maps.cache.mu.Lock()
		defer e.maps.cache.mu.Unlock()
		for _, m := range e.maps.cache.sv.months {
			if m.Year == 2026 && m.Month == time.October {
				return true
			}
		}
		return false
	}
	// Within surveyRefreshMin: the old survey, and no rebuild started.
	e.clock.Add(surveyRefreshMin - time.Second)
	e.get(t, IndexPath)
	e.maps.cache.wg.Wait()
	if hasOctober() {
		t.Error("survey rebuilt within surveyRefreshMin")
	}
	// After it: this request starts a rebuild and gets the old survey;
	// the next one, once the rebuild is done, gets the new.
	e.clock.Add(2 * time.Second)
	e.get(t, IndexPath)
	e.maps.cache.wg.Wait()
	if !hasOctober() {
		t.Error("survey not rebuilt after surveyRefreshMin")
	}
	// Without a write, time alone (an embargo ending) shows within
	// surveyMaxAge.
	e.clock.Set(testNow.Add(surveyMaxAge + 2*time.Hour))
	e.get(t, TagsPath)
	e.maps.cache.wg.Wait()
	if tags := e.get(t, TagsPath).Body.String(); !strings.Contains(tags, "secret-tag") {
		t.Errorf("tag of a story whose embargo ended:\n%s", tags)
	}
}

// TestPagesSitemap: the published static pages have their own sitemap,
// listed in the index; drafts are in neither; both files validate.
func TestPagesSitemap(t *testing.T) {
	e := newEnv(t)
	if rec := e.get(t, PagesPath); rec.Code != 404 {
		t.Errorf("no pages: %d", rec.Code)
	}
	if strings.Contains(e.get(t, IndexPath).Body.String(), PagesPath) {
		t.Error("the index lists an empty pages sitemap")
	}
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	for _, p := range []*news.Page{
		{Slug: "about", Title: "About", Status: news.StatusPublished, CreatedAt: at},
		{Slug: "회사-소개", Title: "회사 소개", Status: news.StatusPublished, Position: 1, CreatedAt: at},
		{Slug: "secret-page", Title: "Draft", Status: news.StatusDraft},
	} {
		must(t, e.store.CreatePage(ctx, p))
	}
	idx := e.get(t, IndexPath)
	validate(t, idx.Body.Bytes())
	if !strings.Contains(idx.Body.String(), "<loc>"+base+PagesPath+"</loc>") {
		t.Errorf("index lacks the pages sitemap:\n%s", idx.Body)
	}
	rec := e.get(t, PagesPath)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != ContentType {
		t.Fatalf("pages sitemap: %d", rec.Code)
	}
	validate(t, rec.Body.Bytes())
	body := rec.Body.String()
	for _, w := range []string{"<loc>" + base + "/about</loc>", "<loc>" + base + "/%ED%9A%8C%EC%82%AC-%EC%86%8C%EA%B0%9C</loc>"} {
		if !strings.Contains(body, w) {
			t.Errorf("pages sitemap lacks %s:\n%s", w, body)
		}
	}
	if strings.Contains(body, "secret-page") {
		t.Error("a draft page is in the sitemap")
	}
}

// generations counts the store's generation reads.
type generations struct {
	news.Store
	n int
}

func (g *generations) Generation(ctx context.Context) (int64, error) {
	g.n++
	return g.Store.Generation(ctx)
}

// TestSurveyGenerationPolled: every sitemap render read the store's
// generation, to tell whether the survey was stale (a round trip on
// PostgreSQL); it is read at most once a second, by the sitemaps' clock,
// and a change still starts a rebuild once surveyRefreshMin has passed.
func TestSurveyGenerationPolled(t *testing.T) {
	e := newEnv(t)
	g := &generations{Store: e.store}
	e.maps = New(Config{Paper: testPaper(), Store: g, Clock: e.clock})
	e.mux = http.NewServeMux()
	e.maps.Register(e.mux)
	t.Cleanup(e.maps.cache.wg.Wait)
	for _, p := range []string{IndexPath, TagsPath, SectionsPath, IndexPath} {
		if code := e.get(t, p).Code; code != 200 {
			t.Fatalf("GET %s: %d", p, code)
		}
	}
	if g.n != 1 {
		t.Errorf("four sitemaps in the same second read the generation %d times, want 1", g.n)
	}
	must(t, e.store.CreateArticle(context.Background(), &news.Article{Slug: "october", Headline: "October", Status: news.StatusPublished,
		Lang: "en", PublishedAt: time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC)}))
	e.clock.Add(surveyRefreshMin + time.Second)
	e.get(t, TagsPath)
	e.maps.cache.wg.Wait()
	if g.n != 2 {
		t.Errorf("after the poll period: %d generation reads, want 2", g.n)
	}
	e.maps.cache.mu.Lock()
	months := e.maps.cache.sv.months
	e.maps.cache.mu.Unlock()
	found := false
	for _, m := range months {
		found = found || (m.Year == 2026 && m.Month == time.October)
	}
	if !found {
		t.Error("the change did not start a rebuild of the survey")
	}
}
