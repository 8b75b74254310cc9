package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// env is a site over a real SQLite file seeded through news.Store.
type env struct {
	t     testing.TB
	db    *sqlite.DB
	d     *seeded
	paper *news.Paper
	site  *Site
	h     http.Handler
}

func newEnv(t *testing.T, top TopLister, kakao string) *env { return makeEnv(t, top, kakao) }

func benchEnv(b *testing.B) *env { return makeEnv(b, nil, "") }

func makeEnv(t testing.TB, top TopLister, kakao string) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d, err := seedStore(ctx, db)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	paper := &news.Paper{Name: "The Masthead Times", Tagline: "News from Seoul", BaseURL: "https://news.example.com",
		Language: "en", Location: seoul, KakaoAppKey: kakao}
	s := New(Config{Paper: paper, Store: db, Clock: news.NewFixedClock(testNow), Top: top,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return &env{t: t, db: db, d: d, paper: paper, site: s, h: s.Handler()}
}

// get fetches path (already percent-encoded where needed).
func (e *env) get(path string, hdr ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// page fetches path, wants status, and parses the HTML.
func (e *env) page(path string, status int) (*html.Node, *httptest.ResponseRecorder) {
	e.t.Helper()
	rec := e.get(path)
	if rec.Code != status {
		e.t.Fatalf("GET %s: status %d, want %d\n%s", path, rec.Code, status, trim(rec.Body.String()))
	}
	doc, err := html.Parse(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		e.t.Fatal(err)
	}
	return doc, rec
}

func trim(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

func all(n *html.Node, sel string) []*html.Node {
	return cascadia.QueryAll(n, cascadia.MustCompile(sel))
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// one wants exactly one match of sel and returns it.
func one(t *testing.T, doc *html.Node, sel string) *html.Node {
	t.Helper()
	ns := all(doc, sel)
	if len(ns) != 1 {
		t.Fatalf("%q: %d matches, want 1", sel, len(ns))
	}
	return ns[0]
}

// some wants at least one match of sel.
func some(t *testing.T, doc *html.Node, sel string) []*html.Node {
	t.Helper()
	ns := all(doc, sel)
	if len(ns) == 0 {
		t.Errorf("%q: no match", sel)
	}
	return ns
}

func (e *env) articlePath(a *news.Article) string { return e.paper.ArticlePath(a) }

func TestArticlePage(t *testing.T) {
	e := newEnv(t, nil, "")
	path := e.articlePath(e.d.seed)
	if path != "/2020/03/22/is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo" {
		t.Fatalf("seed path %q", path)
	}
	doc, rec := e.page(path, 200)
	body := rec.Body.String()
	headline := e.d.seed.Headline
	canonical := "https://news.example.com" + path

	// One h1, the headline; also in <title> and Open Graph.
	if h1 := all(doc, "h1"); len(h1) != 1 || text(h1[0]) != headline {
		t.Errorf("h1: %d, %q", len(h1), text(one(t, doc, "h1")))
	}
	if got := text(one(t, doc, "title")); !strings.HasPrefix(got, headline) {
		t.Errorf("title %q", got)
	}
	head := map[string]string{
		`meta[charset="utf-8"]`:                                                                     "",
		`meta[name=viewport]`:                                                                       "",
		`meta[name=description]`:                                                                    "",
		`link[rel=canonical][href="` + canonical + `"]`:                                             "",
		`meta[property="og:title"]`:                                                                 headline,
		`meta[property="og:type"][content=article]`:                                                 "",
		`meta[property="og:url"][content="` + canonical + `"]`:                                      "",
		`meta[property="og:image"][content^="https://news.example.com/media/"]`:                     "",
		`meta[property="article:published_time"][content="2020-03-22T09:00:00+09:00"]`:              "",
		`meta[property="article:author"][content="https://news.example.com/author/kang-seung-woo"]`: "",
		`meta[name="twitter:card"][content=summary_large_image]`:                                    "",
		`link[rel=alternate][type="application/rss+xml"][href="/feed.xml"]`:                         "",
		`link[rel=alternate][type="application/atom+xml"][href="/atom.xml"]`:                        "",
		`link[rel=alternate][type="application/feed+json"][href="/feed.json"]`:                      "",
	}
	for sel, content := range head {
		n := one(t, doc, sel)
		if content != "" && attr(n, "content") != content {
			t.Errorf("%s content %q, want %q", sel, attr(n, "content"), content)
		}
	}

	// Settings: five real buttons -2..+2 in a labelled group, a toggle with
	// aria-expanded, a CLOSE button.
	one(t, doc, `button[data-panel][aria-controls=settings-panel][aria-expanded=false]`)
	sizes := all(doc, `#settings-panel [role=group] button[type=button][data-size-set][aria-pressed]`)
	var got []string
	for _, b := range sizes {
		got = append(got, text(b))
	}
	if strings.Join(got, " ") != "-2 -1 0 +1 +2" {
		t.Errorf("size buttons %q", got)
	}
	one(t, doc, `#settings-panel button[data-close]`)

	// Share bar: plain links, Kakao falls back to copying without an app key.
	esc := url.QueryEscape(canonical)
	one(t, doc, `#share-panel a[href="https://www.facebook.com/sharer/sharer.php?u=`+esc+`"]`)
	one(t, doc, `#share-panel a[href^="https://x.com/intent/tweet?url=`+esc+`"]`)
	one(t, doc, `#share-panel a[href^="mailto:?subject="]`)
	one(t, doc, `#share-panel a[href="`+canonical+`"][data-copy="`+canonical+`"]`)
	if k := one(t, doc, `#share-panel button[data-copy]`); !strings.Contains(text(k), "KakaoTalk") {
		t.Errorf("kakao fallback button %q", text(k))
	}
	if len(all(doc, "[data-kakao-key]")) != 0 || strings.Contains(body, "kakaocdn") {
		t.Error("Kakao SDK referenced without an app key")
	}
	one(t, doc, `#share-panel [data-native-share][hidden]`)
	one(t, doc, `#share-status[role=status][aria-live=polite]`)
	one(t, doc, `#share-panel button[data-close]`)
	one(t, doc, `button[data-panel][aria-controls=share-panel][aria-expanded=false]`)

	// Lead photo.
	img := one(t, doc, `figure.lead-photo img[srcset][sizes][width="1600"][height="1067"][alt]`)
	if !strings.Contains(attr(img, "srcset"), "/media/") || !strings.Contains(attr(img, "srcset"), " 320w") {
		t.Errorf("srcset %q", attr(img, "srcset"))
	}
	cap := text(one(t, doc, "figure.lead-photo figcaption"))
	if !strings.HasPrefix(cap, "North Korean leader Kim Jong-un") || !strings.HasSuffix(cap, "/ Korea Times file") {
		t.Errorf("figcaption %q", cap)
	}
	one(t, doc, "figcaption .credit")

	// Byline, times, section, tags, body, signature, corrections.
	if b := one(t, doc, `.byline a[href="/author/kang-seung-woo"]`); text(b) != "Kang Seung-woo" {
		t.Errorf("byline %q", text(b))
	}
	one(t, doc, `time[datetime="2020-03-22T09:00:00+09:00"]`)
	one(t, doc, `.meta time[datetime="2020-03-22T12:00:00+09:00"]`)
	one(t, doc, `.crumbs a[href="/section/north-korea"]`)
	one(t, doc, `.tags a[href="/tag/donald-trump"]`)
	one(t, doc, `.tags a[href="/tag/%EB%B6%81%ED%95%9C"]`)
	if len(all(doc, ".body p")) < 2 || len(all(doc, ".body blockquote")) != 1 {
		t.Error("body not printed as HTML")
	}
	one(t, doc, `.signature a[href="mailto:ksw@koreatimes.co.kr"]`)
	if c := text(one(t, doc, ".corrections li")); !strings.Contains(c, "misspelled") {
		t.Errorf("correction %q", c)
	}
	if rel := all(doc, `[aria-labelledby=related-title] .card a`); len(rel) == 0 {
		t.Error("no related stories")
	}

	// Top 10 (the latest stories without a most-read list), back to top.
	if h := text(one(t, doc, "#top-title")); h != "Top 10 Stories" {
		t.Errorf("top box title %q", h)
	}
	if n := len(all(doc, ".rank li a")); n != 10 {
		t.Errorf("top box has %d stories", n)
	}
	one(t, doc, `#top`)
	one(t, doc, `a.to-top[href="#top"]`)

	// Landmarks and skip link.
	for _, sel := range []string{"header.site-header", "nav.sections[aria-label]", "nav.crumbs[aria-label]", "main#main", "aside", "footer.site-footer", `a.skip[href="#main"]`} {
		one(t, doc, sel)
	}

	// View beacon: the id in a data attribute, the noscript pixel.
	one(t, doc, `article[data-article-id="`+itoa(e.d.seed.ID)+`"]`)
	if !strings.Contains(body, `<noscript><img src="/api/v1/views.gif?article_id=`+itoa(e.d.seed.ID)+`" alt="" width="1" height="1"></noscript>`) {
		t.Error("no noscript view pixel")
	}

	// JSON-LD parses and has what search engines want.
	var na, bc map[string]any
	for _, s := range all(doc, `script[type="application/ld+json"]`) {
		var v map[string]any
		if err := json.Unmarshal([]byte(text(s)), &v); err != nil {
			t.Fatalf("JSON-LD does not parse: %v", err)
		}
		switch v["@type"] {
		case "NewsArticle":
			na = v
		case "BreadcrumbList":
			bc = v
		}
	}
	if na == nil || bc == nil {
		t.Fatal("missing NewsArticle or BreadcrumbList")
	}
	if na["headline"] != headline || na["datePublished"] != "2020-03-22T09:00:00+09:00" ||
		na["dateModified"] != "2020-03-22T12:00:00+09:00" || na["articleSection"] != "North Korea" || na["inLanguage"] != "en" {
		t.Errorf("NewsArticle fields: %v", na)
	}
	imgs, _ := na["image"].([]any)
	if len(imgs) == 0 || !strings.HasPrefix(imgs[0].(string), "https://news.example.com/media/") {
		t.Errorf("image %v", na["image"])
	}
	authors, _ := na["author"].([]any)
	if len(authors) != 1 || authors[0].(map[string]any)["url"] != "https://news.example.com/author/kang-seung-woo" ||
		authors[0].(map[string]any)["@type"] != "Person" {
		t.Errorf("author %v", na["author"])
	}
	pub, _ := na["publisher"].(map[string]any)
	if logo, _ := pub["logo"].(map[string]any); logo == nil || !strings.HasPrefix(logo["url"].(string), "https://news.example.com/static/logo.") {
		t.Errorf("publisher %v", na["publisher"])
	}

	// Headers: strict CSP whose hash matches the inline head script, cache
	// validators, no cookie.
	csp := rec.Header().Get("Content-Security-Policy")
	inline := all(doc, "head script:not([src]):not([type])")
	if len(inline) != 1 {
		t.Fatalf("%d inline scripts", len(inline))
	}
	sum := sha256.Sum256([]byte(inline[0].FirstChild.Data))
	if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("CSP %q lacks the inline script's hash", csp)
	}
	style := one(t, doc, "head style")
	ssum := sha256.Sum256([]byte(style.FirstChild.Data))
	if !strings.Contains(csp, "style-src 'self' 'sha256-"+base64.StdEncoding.EncodeToString(ssum[:])+"'") {
		t.Errorf("CSP %q lacks the inline style's hash", csp)
	}
	if len(all(doc, "[style]")) != 0 {
		t.Error("style attributes would be blocked by the CSP")
	}
	for _, want := range []string{"default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "img-src 'self' data:"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q", want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "kakao") {
		t.Errorf("CSP %q", csp)
	}
	if rec.Header().Get("Set-Cookie") != "" || !strings.HasPrefix(rec.Header().Get("Cache-Control"), "public, max-age=") ||
		rec.Header().Get("ETag") == "" || rec.Header().Get("Last-Modified") == "" {
		t.Errorf("headers %v", rec.Header())
	}
	// Same bytes for every reader; revalidation answers 304.
	again := e.get(path, "User-Agent", "other", "Accept-Language", "ko", "Cookie", "x=1")
	if !bytes.Equal(again.Body.Bytes(), rec.Body.Bytes()) {
		t.Error("the page differs between readers")
	}
	if r := e.get(path, "If-None-Match", rec.Header().Get("ETag")); r.Code != http.StatusNotModified || r.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d", r.Code)
	}
	if r := e.get(path, "If-Modified-Since", rec.Header().Get("Last-Modified")); r.Code != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", r.Code)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestArticleWithKakaoKey(t *testing.T) {
	e := newEnv(t, nil, "abc123")
	doc, rec := e.page(e.articlePath(e.d.seed), 200)
	b := one(t, doc, `#share-panel button[data-kakao-key="abc123"]`)
	if !strings.Contains(text(b), "KakaoTalk") {
		t.Errorf("kakao button %q", text(b))
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' 'sha256-") || !strings.Contains(csp, kakaoOrigin) {
		t.Errorf("CSP %q", csp)
	}
}

func TestArticlePhotoFallbacks(t *testing.T) {
	e := newEnv(t, nil, "")
	doc, _ := e.page(e.articlePath(e.d.captionOnly), 200)
	// No renditions: the original, still with its size.
	img := one(t, doc, `figure img[width="800"][height="600"]`)
	if attr(img, "src") == "" || attr(img, "srcset") != "" {
		t.Errorf("img %v", img.Attr)
	}
	one(t, doc, "figcaption .credit")
	// A story without a photo has no figure.
	doc, _ = e.page(e.articlePath(e.d.renamed), 200)
	if len(all(doc, "figure")) != 0 {
		t.Error("figure without photo")
	}
}

func TestRedirects(t *testing.T) {
	e := newEnv(t, nil, "")
	canon := e.articlePath(e.d.renamed)
	for _, from := range []string{
		"/2020/03/20/old-slug", // former slug
		"/2019/01/01/new-slug", // wrong date
		"/2020/03/19/old-slug",
	} {
		rec := e.get(from)
		if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != canon {
			t.Errorf("GET %s: %d → %q, want 301 → %q", from, rec.Code, rec.Header().Get("Location"), canon)
		}
	}
	// Korean in NFD (as some systems send it) lands on the NFC URL.
	nfd := "/2020/03/23/" + url.PathEscape(norm.NFD.String("북한-미사일-발사"))
	rec := e.get(nfd)
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != e.articlePath(e.d.korean) {
		t.Errorf("NFD: %d → %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestKoreanURLs(t *testing.T) {
	e := newEnv(t, nil, "")
	path := e.articlePath(e.d.korean)
	if path != "/2020/03/23/"+url.PathEscape("북한-미사일-발사") {
		t.Fatalf("path %q", path)
	}
	doc, _ := e.page(path, 200)
	if h := text(one(t, doc, "h1")); h != "북한, 단거리 미사일 발사" {
		t.Errorf("h1 %q", h)
	}
	// A Korean story in an English paper is a Korean page, chrome
	// included.
	one(t, doc, `html[lang=ko]`)
	if m := text(one(t, doc, ".meta")); !strings.Contains(m, "입력") || !strings.Contains(m, "기자") || strings.Contains(m, "Published") {
		t.Errorf("Korean story's meta line %q, want Korean chrome", m)
	}
	one(t, doc, `.byline a[href="/author/`+url.PathEscape("김민지")+`"]`)

	doc, _ = e.page("/section/"+url.PathEscape("사회"), 200)
	one(t, doc, `a[href="`+path+`"]`)
	one(t, doc, `nav a[aria-current=page][href="/section/`+url.PathEscape("사회")+`"]`)
	doc, _ = e.page("/tag/"+url.PathEscape("북한"), 200)
	if n := len(all(doc, ".news-layout h2 a")); n != 2 {
		t.Errorf("tag 북한: %d stories", n)
	}
	// 김민지 wrote the 25 newer market reports too: page 2.
	doc, _ = e.page("/author/"+url.PathEscape("김민지")+"?page=2", 200)
	one(t, doc, `a[href="`+path+`"]`)
	one(t, doc, `a[href="mailto:minji@example.com"]`)
}

// Hidden stories (draft, scheduled, embargoed, unpublished) appear nowhere.
func TestNonPublicStoriesNowhere(t *testing.T) {
	e := newEnv(t, nil, "")
	for _, a := range []*news.Article{e.d.scheduled, e.d.embargoed, e.d.unpublished} {
		if rec := e.get(e.articlePath(a)); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d", a.Slug, rec.Code)
		}
	}
	if rec := e.get("/2020/03/22/draft-story"); rec.Code != http.StatusNotFound {
		t.Errorf("draft: %d", rec.Code)
	}
	pages := []string{"/", "/section/north-korea", "/author/kang-seung-woo", "/tag/donald-trump",
		"/2020/", "/2020/03/", "/2020/03/22/", "/search?q=secret", "/nowhere", e.articlePath(e.d.seed)}
	for _, p := range pages {
		rec := e.get(p)
		if strings.Contains(rec.Body.String(), "secret") && !strings.HasPrefix(p, "/search") {
			t.Errorf("%s shows a hidden story", p)
		}
		if strings.HasPrefix(p, "/search") && strings.Contains(strings.ToLower(rec.Body.String()), "secret</a>") {
			t.Errorf("search finds a hidden story")
		}
	}
	// A tag only hidden stories carry does not exist yet.
	if rec := e.get("/tag/secret-plan"); rec.Code != http.StatusNotFound {
		t.Errorf("secret tag: %d", rec.Code)
	}
}

func TestTopListerFeedsTheBox(t *testing.T) {
	var e *env
	top := topFunc(func(ctx context.Context, window time.Duration, sectionID int64, limit int) ([]news.TopEntry, error) {
		if window != 24*time.Hour || limit != 10 {
			t.Errorf("TopStories(%v, %d, %d)", window, sectionID, limit)
		}
		k, _ := e.db.FindArticleByID(ctx, e.d.korean.ID)
		hidden, _ := e.db.FindArticleByID(ctx, e.d.embargoed.ID)
		s, _ := e.db.FindArticleByID(ctx, e.d.seed.ID)
		return []news.TopEntry{{Article: k, Views: 9}, {Article: hidden, Views: 8}, {Article: s, Views: 7}}, nil
	})
	e = newEnv(t, top, "")
	doc, _ := e.page(e.articlePath(e.d.renamed), 200)
	links := all(doc, ".rank li a")
	if len(links) != 2 || attr(links[0], "href") != e.articlePath(e.d.korean) || attr(links[1], "href") != e.articlePath(e.d.seed) {
		t.Errorf("top box: %d links", len(links))
	}
	doc, _ = e.page("/", 200)
	if len(all(doc, ".rank li a")) != 2 || len(all(doc, "#latest-title")) != 1 {
		t.Error("front page: most-read box or latest list missing")
	}
}

type topFunc func(ctx context.Context, window time.Duration, sectionID int64, limit int) ([]news.TopEntry, error)

func (f topFunc) TopStories(ctx context.Context, w time.Duration, s int64, l int) ([]news.TopEntry, error) {
	return f(ctx, w, s, l)
}

func TestFrontPage(t *testing.T) {
	e := newEnv(t, nil, "")
	doc, rec := e.page("/", 200)
	if n := len(all(doc, "h1")); n != 1 {
		t.Errorf("%d h1", n)
	}
	// The newest public story leads.
	latest := e.d.filler[len(e.d.filler)-1]
	one(t, doc, `.lead-story h2 a[href="`+e.articlePath(latest)+`"]`)
	some(t, doc, `.front-blocks .rows img[width][height][alt][srcset]`) // the seed story's photo in its block
	for _, sec := range []string{"/section/north-korea", "/section/business", "/section/" + url.PathEscape("사회")} {
		one(t, doc, `.section-title a[href="`+sec+`"]`)
	}
	one(t, doc, "#top-title")
	// Without a most-read list the box shows the latest stories, so the
	// separate Latest list is left out rather than repeated.
	if len(all(doc, "#latest-title")) != 0 {
		t.Error("latest stories listed twice")
	}
	types := map[string]bool{}
	for _, s := range all(doc, `script[type="application/ld+json"]`) {
		var v map[string]any
		if err := json.Unmarshal([]byte(text(s)), &v); err != nil {
			t.Fatal(err)
		}
		types[v["@type"].(string)] = true
	}
	if !types["NewsMediaOrganization"] || !types["WebSite"] {
		t.Errorf("front JSON-LD types %v", types)
	}
	one(t, doc, `meta[property="og:type"][content=website]`)
	one(t, doc, `link[rel=canonical][href="https://news.example.com/"]`)
	if rec.Header().Get("Last-Modified") == "" {
		t.Error("no Last-Modified")
	}
}

func TestListsAndPagination(t *testing.T) {
	e := newEnv(t, nil, "")
	doc, _ := e.page("/section/business", 200)
	if n := len(all(doc, ".news-layout h2 a")); n != 20 {
		t.Errorf("page 1: %d stories", n)
	}
	one(t, doc, "h1")
	one(t, doc, `a[rel=next][href="/section/business?page=2"]`)
	doc, _ = e.page("/section/business?page=2", 200)
	if n := len(all(doc, ".news-layout h2 a")); n != 5 {
		t.Errorf("page 2: %d stories", n)
	}
	one(t, doc, `a[rel=prev][href="/section/business"]`)
	one(t, doc, `link[rel=canonical][href="https://news.example.com/section/business?page=2"]`)
	one(t, doc, `link[rel=alternate][type="application/rss+xml"][href="/section/business/feed.xml"]`)
	one(t, doc, `link[rel=alternate][type="application/rss+xml"][href="/feed.xml"]`)
	for _, bad := range []string{"/section/business?page=3", "/section/business?page=0", "/section/business?page=x", "/section/business?page=02", "/section/nope", "/author/nobody", "/tag/nothing"} {
		if rec := e.get(bad); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d", bad, rec.Code)
		}
	}

	doc, _ = e.page("/author/kang-seung-woo", 200)
	if h := text(one(t, doc, "h1")); h != "Kang Seung-woo" {
		t.Errorf("author h1 %q", h)
	}
	one(t, doc, `a[href="mailto:ksw@koreatimes.co.kr"]`)
	if !strings.Contains(text(doc), "covers North Korea") {
		t.Error("no bio")
	}
	one(t, doc, `a[href="`+e.articlePath(e.d.seed)+`"]`)
}

func TestArchives(t *testing.T) {
	e := newEnv(t, nil, "")
	seedURL := e.articlePath(e.d.seed)
	for _, p := range []string{"/2020/", "/2020/03/", "/2020/03/22/"} {
		doc, _ := e.page(p, 200)
		one(t, doc, `a[href="`+seedURL+`"]`)
		one(t, doc, "h1")
	}
	doc, _ := e.page("/2020/03/23/", 200)
	if len(all(doc, `a[href="`+seedURL+`"]`)) != 0 {
		t.Error("March 23 lists the March 22 story")
	}
	if n := len(all(doc, ".news-layout .row")); n != 1 {
		t.Errorf("March 23: %d stories", n)
	}
	for _, bad := range []string{"/2020/02/30/", "/2020/13/", "/2020/00/", "/20x0/", "/202/", "/2020/3/", "/2020/03/22/x/y", "/2020"} {
		if rec := e.get(bad); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d", bad, rec.Code)
		}
	}
}

func TestSearchPage(t *testing.T) {
	e := newEnv(t, nil, "")
	doc, rec := e.page("/search?q=Pyongyang", 200)
	one(t, doc, `a[href="`+e.articlePath(e.d.seed)+`"]`)
	if m := some(t, doc, ".hit mark"); len(m) > 0 && !strings.EqualFold(text(m[0]), "Pyongyang") {
		t.Errorf("mark %q", text(m[0]))
	}
	one(t, doc, `meta[name=robots][content=noindex]`)
	one(t, doc, `input#q-main[value=Pyongyang]`)
	if strings.Contains(rec.Body.String(), "\ue000") {
		t.Error("raw markers in page")
	}
	// Markup typed by a reader is text.
	rec = e.get("/search?q=" + url.QueryEscape(`<script>alert(1)</script>`))
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "<script>alert") {
		t.Errorf("search escaping: %d", rec.Code)
	}
	doc, _ = e.page("/search", 200)
	one(t, doc, "form[role=search] input#q-main")
	doc, _ = e.page("/search?q="+url.QueryEscape("미사일"), 200)
	one(t, doc, `a[href="`+e.articlePath(e.d.korean)+`"]`)
}

func TestNotFoundPage(t *testing.T) {
	e := newEnv(t, nil, "")
	for _, p := range []string{"/no/such/page", "/2020/03/22/no-such-story", "/section/", "/favicon.png"} {
		doc, rec := e.page(p, 404)
		one(t, doc, "h1")
		one(t, doc, `main form[role=search][action="/search"] input[name=q]`)
		some(t, doc, `.listing a[href="/section/north-korea"]`)
		some(t, doc, ".listing .card a")
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Error("404 without CSP")
		}
	}
	// HEAD answers like GET without the body.
	head := httptest.NewRecorder()
	e.h.ServeHTTP(head, httptest.NewRequest("HEAD", e.articlePath(e.d.seed), nil))
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes", head.Code, head.Body.Len())
	}
	req := httptest.NewRequest("POST", e.articlePath(e.d.seed), strings.NewReader("x"))
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d", rec.Code)
	}
}

func TestHealthzRobotsStatic(t *testing.T) {
	e := newEnv(t, nil, "")
	if rec := e.get("/healthz"); rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Errorf("healthz %d %q", rec.Code, rec.Body.String())
	}
	rec := e.get("/robots.txt")
	for _, want := range []string{"User-agent: *", "Allow: /", "Disallow: /newsroom/", "Disallow: /api/", "Sitemap: https://news.example.com/sitemap.xml"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("robots.txt lacks %q", want)
		}
	}
	rec = e.get(e.site.assets.CSS)
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("static: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	e.db.Close()
	if rec := e.get("/healthz"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("healthz on a closed store: %d", rec.Code)
	}
	// A store failure is a logged 500 page, not half a page.
	rec = e.get("/section/business")
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Something went wrong") ||
		rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("store failure: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
}

// The page cache hook sees every page with its name.
func TestWrapPage(t *testing.T) {
	e := newEnv(t, nil, "")
	var names []string
	s := New(Config{Paper: e.paper, Store: e.db, Clock: news.NewFixedClock(testNow),
		WrapPage: func(name string, f PageFunc) PageFunc {
			return func(ctx context.Context, r *http.Request) ([]byte, time.Time, error) {
				names = append(names, name)
				return f(ctx, r)
			}
		}})
	h := s.Handler()
	for _, p := range []string{"/", e.articlePath(e.d.seed), "/section/business"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		if rec.Code != 200 {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
	if strings.Join(names, ",") != "front,path,section" {
		t.Errorf("wrapped %v", names)
	}
}

// The editors' order (workflow.FrontPage) leads; hidden stories in it are
// skipped and the newest stories fill the top stories.
func TestCuratedFrontPage(t *testing.T) {
	e := newEnv(t, nil, "")
	ids := fmt.Sprintf("[%d,%d,%d]", e.d.korean.ID, e.d.embargoed.ID, e.d.seed.ID)
	if err := e.db.PutSetting(context.Background(), news.FrontPageKey, ids); err != nil {
		t.Fatal(err)
	}
	doc, rec := e.page("/", 200)
	one(t, doc, `.lead-story h2 a[href="`+e.articlePath(e.d.korean)+`"]`)
	picks := all(doc, `[aria-labelledby=picks-title] .row h3 a`)
	if len(picks) != 4 || attr(picks[0], "href") != e.articlePath(e.d.seed) ||
		attr(picks[1], "href") != e.articlePath(e.d.filler[len(e.d.filler)-1]) {
		t.Errorf("picks: %d", len(picks))
	}
	if strings.Contains(rec.Body.String(), "secret") {
		t.Error("an embargoed story on the front page")
	}
	// Nothing placed twice: the seed story is not repeated in its section block.
	if n := len(all(doc, `main a[href="`+e.articlePath(e.d.seed)+`"]`)); n != 1 {
		t.Errorf("seed story linked %d times", n)
	}
	// A broken setting falls back to the automatic page.
	if err := e.db.PutSetting(context.Background(), news.FrontPageKey, "not json"); err != nil {
		t.Fatal(err)
	}
	doc, _ = e.page("/", 200)
	one(t, doc, `.lead-story h2 a[href="`+e.articlePath(e.d.filler[len(e.d.filler)-1])+`"]`)
}
