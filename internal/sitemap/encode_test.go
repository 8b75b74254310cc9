package sitemap

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func testPaper() *news.Paper {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return &news.Paper{Name: "The Masthead Times & Co", BaseURL: "https://news.example.com", Language: "en", Location: seoul}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s", name, got)
	}
}

// validate checks body against the official sitemap schemas with libxml2:
// siteindex.xsd for an index, the sitemap + news + image wrapper for a
// urlset (testdata/xsd/SOURCES.md says where the files come from).
func validate(t *testing.T, body []byte) {
	t.Helper()
	xl, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint not found; CI=true requires it (apt-get install libxml2-utils)")
		}
		t.Skip("xmllint not found (apt-get install libxml2-utils); skipping XSD validation")
	}
	xsd := "urlset-with-extensions.xsd"
	if bytes.Contains(body, []byte("<sitemapindex")) {
		xsd = "siteindex.xsd"
	}
	f := filepath.Join(t.TempDir(), "sitemap.xml")
	if err := os.WriteFile(f, body, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xl, "--noout", "--nonet", "--schema", filepath.Join("testdata", "xsd", xsd), f).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint --schema %s: %v\n%s\n--- document\n%s", xsd, err, out, body)
	}
}

func handArticles() []*news.Article {
	return []*news.Article{
		{
			ID: 1, Slug: "is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo", Lang: "en",
			Headline: "Is Trump's second letter to NK leader for dialogue or status quo? <&>", Status: news.StatusPublished,
			PublishedAt: time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC),
			Photo: &news.Photo{ID: 7, Key: "k.jpg", Widths: []int{640, 1280, 2048}},
		},
		{
			ID: 2, Slug: "북한-대화-재개", Lang: "ko", Headline: "북한, 대화 재개 신호", Status: news.StatusPublished,
			PublishedAt: time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC),
			Photo:       &news.Photo{ID: 8, Key: "k.png"},
		},
		{
			ID: 3, Slug: "zh-story", Lang: "zh-Hant", Headline: "台灣", Status: news.StatusPublished,
			PublishedAt: time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC),
		},
	}
}

func TestEncodersXSDAndGolden(t *testing.T) {
	s := New(Config{Paper: testPaper()})
	arts := handArticles()

	news := newURLSet(true)
	plain := newURLSet(false)
	for _, a := range arts {
		u := s.articleURL(a)
		plain.URLs = append(plain.URLs, u)
		u.News = &newsEntry{
			Publication:     newsPublication{Name: s.paper().Name, Language: newsLanguage(a.Lang, s.paper().Language)},
			PublicationDate: w3c(a.PublishedAt), Title: a.Headline,
		}
		news.URLs = append(news.URLs, u)
	}
	nb, err := encodeURLSet(news)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := encodeURLSet(plain)
	if err != nil {
		t.Fatal(err)
	}
	ib, err := encodeIndex([]indexEntry{
		{Loc: s.paper().AbsURL(NewsPath), LastMod: w3c(testNow)},
		{Loc: s.paper().AbsURL(partPath(2026, time.November, 1)), LastMod: w3c(testNow)},
		{Loc: s.paper().AbsURL(partPath(2026, time.November, 2))},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "hand-news.xml", nb)
	golden(t, "hand-articles.xml", pb)
	golden(t, "hand-index.xml", ib)
	for _, b := range [][]byte{nb, pb, ib} {
		validate(t, b)
	}

	for _, want := range []string{
		"<loc>https://news.example.com/2026/11/24/%EB%B6%81%ED%95%9C-%EB%8C%80%ED%99%94-%EC%9E%AC%EA%B0%9C</loc>",
		"<news:name>The Masthead Times &amp; Co</news:name>",
		"<news:language>ko</news:language>",
		"<news:language>zh-tw</news:language>",
		"<news:publication_date>2026-11-25T23:30:00Z</news:publication_date>",
		"<news:title>Is Trump&#39;s second letter to NK leader for dialogue or status quo? &lt;&amp;&gt;</news:title>",
		"<image:loc>https://news.example.com/media/7/" + photoToken("k.jpg") + "/1280.jpg</image:loc>",
		"<image:loc>https://news.example.com/media/8/" + photoToken("k.png") + "/original</image:loc>",
		"<loc>https://news.example.com/sitemaps/articles-2026-11-2.xml</loc>",
	} {
		if !bytes.Contains(nb, []byte(want)) && !bytes.Contains(ib, []byte(want)) {
			t.Errorf("missing %s", want)
		}
	}
}

// The schema test must be able to fail: a broken document is rejected.
func TestXSDRejectsBadDocument(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not found")
	}
	bad := newURLSet(true)
	bad.URLs = []urlEntry{{Loc: "https://news.example.com/x", LastMod: "yesterday",
		News: &newsEntry{Publication: newsPublication{Name: "x", Language: "English"}, PublicationDate: "2026-11-26", Title: "t"}}}
	b, _ := encodeURLSet(bad)
	f := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(f, b, 0o644)
	out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", "testdata/xsd/urlset-with-extensions.xsd", f).CombinedOutput()
	if err == nil {
		t.Fatalf("xmllint accepted an invalid sitemap:\n%s", b)
	}
	if !strings.Contains(string(out), "lastmod") {
		t.Errorf("unexpected xmllint complaint: %s", out)
	}
}

func TestNewsLanguage(t *testing.T) {
	for _, c := range []struct{ in, paper, want string }{
		{"en", "ko", "en"}, {"en-US", "", "en"}, {"ko-KR", "", "ko"}, {"KO", "", "ko"},
		{"zh-Hans", "", "zh-cn"}, {"zh_CN", "", "zh-cn"}, {"zh", "", "zh-cn"}, {"zh-Hant-TW", "", "zh-tw"}, {"zh-HK", "", "zh-tw"},
		{"", "ko", "ko"}, {"", "", "und"}, {"english", "", "und"}, {"", "fil", "fil"}, {"x1", "en", "en"},
	} {
		if got := newsLanguage(c.in, c.paper); got != c.want {
			t.Errorf("newsLanguage(%q, %q) = %q, want %q", c.in, c.paper, got, c.want)
		}
	}
}

func TestParseArticlesFile(t *testing.T) {
	for _, c := range []struct {
		in   string
		y    int
		m    time.Month
		part int
		ok   bool
	}{
		{"articles-2026-11.xml", 2026, 11, 1, true},
		{"articles-2026-01-2.xml", 2026, 1, 2, true},
		{"articles-2026-11-1.xml", 0, 0, 0, false},
		{"articles-2026-11-02.xml", 0, 0, 0, false},
		{"articles-2026-13.xml", 0, 0, 0, false},
		{"articles-2026-1.xml", 0, 0, 0, false},
		{"articles-1969-12.xml", 0, 0, 0, false},
		{"articles-2026-11.xml.gz", 0, 0, 0, false},
		{"articles-2026-11-x.xml", 0, 0, 0, false},
		{"other.xml", 0, 0, 0, false},
		{"articles-+026-11.xml", 0, 0, 0, false},
		{"articles-2026-+1.xml", 0, 0, 0, false},
		{"articles-2026-11-+2.xml", 0, 0, 0, false},
	} {
		y, m, p, ok := parseArticlesFile(c.in)
		if ok != c.ok || (ok && (y != c.y || m != c.m || p != c.part)) {
			t.Errorf("parseArticlesFile(%q) = %d %d %d %v", c.in, y, m, p, ok)
		}
	}
}

// The site registers these patterns; ours must sit beside them without a
// conflict panic, and win for the sitemap paths.
func TestRoutesBesideSite(t *testing.T) {
	mux := http.NewServeMux()
	site := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("site")) })
	for _, p := range []string{"GET /{$}", "/", "GET /section/{slug}", "GET /author/{slug}", "GET /tag/{slug}", "GET /{year}/{month}/{day}/{slug}", "GET /robots.txt"} {
		mux.Handle(p, site)
	}
	New(Config{Paper: testPaper()}).Register(mux)
	for _, path := range []string{IndexPath, NewsPath, SectionsPath, AuthorsPath, TagsPath, "/sitemaps/articles-2026-11.xml"} {
		req := httptest.NewRequest("GET", path, nil)
		if _, pattern := mux.Handler(req); !strings.Contains(pattern, "sitemap") {
			t.Errorf("%s routed to %q", path, pattern)
		}
	}
}

// photoToken is the URL token of a photo stored under key.
func photoToken(key string) string { return (&news.Photo{Key: key}).URLToken() }
