package site

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"masthead/internal/news"
	"masthead/internal/pagecache"
)

// The news layouts, checked by CSS selector. The fixture's Business desk has
// 25 stories without photos; North Korea has the seed story with one.

func TestSectionNewsLayout(t *testing.T) {
	e := newEnv(t, nil, "")
	doc, _ := e.page("/section/business", 200)
	one(t, doc, `.news-layout[data-layout=news]`)
	lead := one(t, doc, `.news-layout > .lead-story`)
	if h := text(one(t, lead, "h2 a")); h != "Market report number 24" {
		t.Errorf("lead %q, want the newest story", h)
	}
	if n := len(all(doc, `.news-layout > ul.secondary > li.row`)); n != gridSize {
		t.Errorf("%d secondary stories, want %d", n, gridSize)
	}
	rows := all(doc, `.news-layout > ul.rows > li.row`)
	if len(rows) != 20-1-gridSize {
		t.Errorf("%d stories in the dense list, want %d", len(rows), 20-1-gridSize)
	}
	// A row: headline, dek, section and time.
	for _, sel := range []string{"h2 a[href]", "p.dek", "p.when time[datetime]"} {
		one(t, rows[0], sel)
	}
	if w := text(one(t, rows[0], "p.when")); !strings.HasPrefix(w, "Business · ") {
		t.Errorf("row meta %q, want the section and the time", w)
	}
	// The section's own page leaves out the kicker naming itself.
	if n := len(all(lead, ".kicker")); n != 0 {
		t.Error("the lead on a section page repeats the section as a kicker")
	}
	// The right-hand column is the Top 10, not empty.
	if n := len(all(doc, "main aside .rank li")); n == 0 {
		t.Error("no Top 10 beside the section's stories")
	}
	// Later pages are the dense list only.
	doc, _ = e.page("/section/business?page=2", 200)
	if n := len(all(doc, ".lead-story, .secondary")); n != 0 {
		t.Error("page 2 has a lead or a grid")
	}
	if n := len(all(doc, ".news-layout > ul.rows > li.row")); n != 5 {
		t.Errorf("page 2: %d rows, want 5", n)
	}

	// Photos: the lead large and first in line to load, the others small.
	doc, _ = e.page("/section/north-korea", 200)
	for _, img := range some(t, doc, ".lead-story img, .secondary img") {
		if attr(img, "srcset") == "" {
			continue // the photo without renditions: no sizes to pick from
		}
		if attr(img, "fetchpriority") == "high" {
			if attr(img, "sizes") != sizesLead {
				t.Errorf("lead photo sizes %q", attr(img, "sizes"))
			}
		} else if attr(img, "sizes") != sizesGrid || attr(img, "loading") != "lazy" {
			t.Errorf("secondary photo sizes %q loading %q", attr(img, "sizes"), attr(img, "loading"))
		}
	}
}

func TestSectionListLayout(t *testing.T) {
	e := newEnv(t, nil, "")
	e.d.biz.Layout = news.LayoutList
	if err := e.db.UpdateSection(context.Background(), e.d.biz); err != nil {
		t.Fatal(err)
	}
	doc, _ := e.page("/section/business", 200)
	one(t, doc, `.news-layout[data-layout=list]`)
	if n := len(all(doc, ".lead-story, .secondary")); n != 0 {
		t.Error("the list layout has a lead or a grid")
	}
	if n := len(all(doc, ".news-layout > ul.rows > li.row h2 a")); n != 20 {
		t.Errorf("%d rows, want 20", n)
	}
}

func TestTagAndAuthorLayouts(t *testing.T) {
	e := newEnv(t, nil, "")
	for _, path := range []string{e.paper.TagPath(e.d.nkTag), e.paper.AuthorPath(e.d.kang)} {
		doc, _ := e.page(path, 200)
		lead := one(t, doc, ".news-layout[data-layout=news] > .lead-story")
		// Stories from several sections: the kicker says which.
		one(t, lead, ".kicker a[href]")
		one(t, doc, "main aside .rank")
	}
	doc, _ := e.page(e.paper.AuthorPath(e.d.kang), 200)
	if n := len(all(doc, ".news-layout h2 a")); n != 3 {
		t.Errorf("author page: %d stories, want his 3 public ones", n)
	}
}

// addSubsection makes Diplomacy a sub-section of North Korea with one
// story (the newest of the desk).
func addSubsection(t *testing.T, e *env) (*news.Section, *news.Article) {
	t.Helper()
	ctx := context.Background()
	dip := &news.Section{Slug: "diplomacy", Name: "Diplomacy", Position: 4, ParentID: e.d.nk.ID}
	if err := e.db.CreateSection(ctx, dip); err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2020, 3, 25, 9, 0, 0, 0, seoul)
	a := &news.Article{Slug: "envoys-meet", Headline: "Envoys meet at the border", Lang: "en", Status: news.StatusPublished,
		BodyHTML: "<p>Talks.</p>", SectionID: dip.ID, Authors: []*news.Author{e.d.kang},
		CreatedAt: pub.Add(-time.Hour), PublishedAt: pub, UpdatedAt: pub}
	if err := e.db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	return dip, a
}

type ldCrumbs struct {
	Type  string `json:"@type"`
	Items []struct {
		Position int    `json:"position"`
		Name     string `json:"name"`
		Item     string `json:"item"`
	} `json:"itemListElement"`
}

func breadcrumbsLD(t *testing.T, doc *html.Node) ldCrumbs {
	t.Helper()
	for _, s := range all(doc, `script[type="application/ld+json"]`) {
		var c ldCrumbs
		if err := json.Unmarshal([]byte(text(s)), &c); err != nil {
			t.Fatal(err)
		}
		if c.Type == "BreadcrumbList" {
			return c
		}
	}
	t.Fatal("no BreadcrumbList")
	return ldCrumbs{}
}

func TestSubsections(t *testing.T) {
	e := newEnv(t, nil, "")
	dip, story := addSubsection(t, e)
	storyPath := e.paper.ArticlePath(story)

	// The parent's page lists the sub-section's stories and links to it.
	doc, _ := e.page("/section/north-korea", 200)
	one(t, doc, `.news-layout a[href="`+storyPath+`"]`)
	one(t, doc, `.subsections a[href="/section/diplomacy"]`)
	// The bar has the top-level sections; the menu has all, nested.
	if n := len(all(doc, `.nav-scroll a[href="/section/diplomacy"]`)); n != 0 {
		t.Error("a sub-section in the top-level bar")
	}
	one(t, doc, `details.nav-all > ul > li > a[href="/section/north-korea"] + ul a[href="/section/diplomacy"]`)
	one(t, doc, `details.nav-all summary`)

	// The sub-section's page: breadcrumbs visible and in JSON-LD, the
	// parent marked current in the bar.
	doc, _ = e.page("/section/diplomacy", 200)
	var got []string
	for _, li := range all(doc, "nav.crumbs[aria-label] li") {
		got = append(got, text(li))
	}
	if strings.Join(got, " › ") != "Home › North Korea › Diplomacy" {
		t.Errorf("breadcrumbs %q", got)
	}
	one(t, doc, `nav.crumbs li:last-child span[aria-current=page]`)
	one(t, doc, `.nav-scroll a[aria-current=page][href="/section/north-korea"]`)
	bc := breadcrumbsLD(t, doc)
	if len(bc.Items) != 3 || bc.Items[0].Name != e.paper.Name || bc.Items[1].Item != "https://news.example.com/section/north-korea" ||
		bc.Items[2].Name != "Diplomacy" || bc.Items[2].Item != "https://news.example.com/section/diplomacy" {
		t.Errorf("BreadcrumbList %+v", bc)
	}

	// The story: Home › North Korea › Diplomacy, then itself in JSON-LD.
	doc, _ = e.page(storyPath, 200)
	got = got[:0]
	for _, a := range all(doc, "nav.crumbs li a") {
		got = append(got, attr(a, "href"))
	}
	if strings.Join(got, " ") != "/ /section/north-korea /section/diplomacy" {
		t.Errorf("story breadcrumbs %q", got)
	}
	bc = breadcrumbsLD(t, doc)
	if len(bc.Items) != 4 || bc.Items[1].Name != "North Korea" || bc.Items[2].Name != "Diplomacy" || bc.Items[3].Name != story.Headline {
		t.Errorf("story BreadcrumbList %+v", bc)
	}

	// The front page: the story in North Korea's block, no block of its own.
	doc, _ = e.page("/", 200)
	if n := len(all(doc, `.front-blocks .section-title a[href="/section/diplomacy"]`)); n != 0 {
		t.Error("the sub-section has a front page block of its own")
	}

	// A story published in the sub-section purges the parent's page.
	cache := pagecache.New(1<<20, time.Minute)
	if err := cache.SetKeyHeader("Surrogate-Key"); err != nil { // the keys checked below
		t.Fatal(err)
	}
	h := cache.Middleware(e.h)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/section/north-korea", nil))
	if keys := " " + rec.Header().Get("Surrogate-Key") + " "; !strings.Contains(keys, " "+SectionKey(dip.ID)+" ") {
		t.Errorf("the parent's page lacks the sub-section's purge key: %q", keys)
	}
}

// TestKoreanPaperChrome: a paper whose default language is Korean shows
// Korean chrome on every page; an English story in it has English chrome.
func TestKoreanPaperChrome(t *testing.T) {
	e := newEnv(t, nil, "")
	paper := *e.paper
	paper.Language = "ko"
	s := New(Config{Paper: &paper, Store: e.db, Clock: news.NewFixedClock(testNow), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.h = s.Handler()

	doc, _ := e.page("/", 200)
	one(t, doc, "html[lang=ko]")
	for sel, want := range map[string]string{
		"a.skip":           "본문 바로가기",
		"#top-title":       "많이 본 기사 TOP 10",
		".nav-all summary": "전체 섹션",
		"a.to-top":         "↑ 맨 위로",
		"#signup-title":    "뉴스레터",
	} {
		if got := text(one(t, doc, sel)); got != want {
			t.Errorf("front %s = %q, want %q", sel, got, want)
		}
	}
	// Dates in Korean order on Korean pages (the seed story's card is in
	// English, so it keeps its English date and says so with lang=en).
	some(t, doc, `li[lang=en] time`)

	doc, _ = e.page("/section/business", 200)
	if got := text(one(t, doc, "nav.pager > span:not(:empty)")); got != "2쪽 중 1쪽" {
		t.Errorf("pager %q", got)
	}
	if got := text(one(t, doc, `a[rel=next]`)); got != "이전 →" {
		t.Errorf("next link %q", got)
	}
	if got := text(one(t, doc, "nav.crumbs li:first-child")); got != "홈" {
		t.Errorf("first crumb %q", got)
	}

	doc, _ = e.page(e.paper.ArticlePath(e.d.korean), 200)
	meta := text(one(t, doc, ".meta"))
	for _, want := range []string{"김민지 기자", "입력 2020년 3월 23일 09:00 KST", "1분 분량"} {
		if !strings.Contains(meta, want) {
			t.Errorf("Korean story meta %q lacks %q", meta, want)
		}
	}
	if got := text(one(t, doc, `[aria-controls="share-panel"]`)); got != "공유" {
		t.Errorf("share button %q", got)
	}
	// The words site.js writes (embed consent, copy failures) come with
	// the page, in its language.
	one(t, doc, `article[data-t-show="여기에서 보기"][data-t-always="%s 게시물 항상 보기"]`)
	// The English story in the Korean paper: English chrome, lang=en.
	doc, _ = e.page(e.paper.ArticlePath(e.d.seed), 200)
	one(t, doc, "html[lang=en]")
	meta = text(one(t, doc, ".meta"))
	for _, want := range []string{"By Kang Seung-woo", "Published March 22, 2020 09:00 KST", "Updated March 22, 2020 12:00 KST"} {
		if !strings.Contains(meta, want) {
			t.Errorf("English story meta %q lacks %q", meta, want)
		}
	}
	doc, _ = e.page("/no-such-page", 404)
	if got := text(one(t, doc, "h1")); got != "페이지를 찾을 수 없습니다" {
		t.Errorf("404 h1 %q", got)
	}
}

// TestUpdatedAndReadingTime: the "Updated" label shows only for a change
// after publication; reading time follows the story's script.
func TestUpdatedAndReadingTime(t *testing.T) {
	e := newEnv(t, nil, "")
	doc, _ := e.page(e.paper.ArticlePath(e.d.seed), 200)
	if got := text(one(t, doc, ".meta .updated")); got != "Updated March 22, 2020 12:00 KST" {
		t.Errorf("updated label %q", got)
	}
	if got := text(one(t, doc, ".meta .reading-time")); got != "1 min read" {
		t.Errorf("reading time %q", got)
	}
	doc, _ = e.page(e.paper.ArticlePath(e.d.korean), 200)
	if n := len(all(doc, ".meta .updated")); n != 0 {
		t.Error("a story never changed after publication says Updated")
	}
	for _, c := range []struct {
		text string
		want int
	}{
		{"", 1},
		{strings.Repeat("word ", 230), 1},
		{strings.Repeat("word ", 344), 1},
		{strings.Repeat("word ", 346), 2},
		{strings.Repeat("word ", 1000), 4},
		{strings.Repeat("북한이미사일을", 250), 4}, // 1,750 syllables at 500 a minute
	} {
		if got := readingMinutes(c.text); got != c.want {
			t.Errorf("readingMinutes(%d runes) = %d, want %d", len([]rune(c.text)), got, c.want)
		}
	}
}

// TestChromeCatalogComplete: every string the templates and the site's Go
// code print through the catalog has a Korean translation, and the English
// and Korean files hold the same messages.
func TestChromeCatalogComplete(t *testing.T) {
	used := map[string]bool{}
	tmplKey := regexp.MustCompile(`\.T "((?:[^"\\]|\\.)*)"`)
	goKey := regexp.MustCompile(`\bl\.T\("((?:[^"\\]|\\.)*)"`)
	scan := func(pattern string, re *regexp.Regexp) {
		files, err := filepath.Glob(pattern)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", pattern, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		}
	}
	scan("../render/reader/*/*.html", tmplKey)
	scan("*.go", goKey)
	for _, l := range []string{layoutLong, layoutShort, layoutMonth, layoutDay} {
		used[l] = true
	}
	files := map[string]map[string]string{}
	for _, lang := range []string{"en", "ko"} {
		b, err := localeFiles.ReadFile("locales/" + lang + "/messages.gotext.json")
		if err != nil {
			t.Fatal(err)
		}
		var f gotextFile
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		files[lang] = map[string]string{}
		for _, m := range f.Messages {
			files[lang][m.ID] = m.Translation
		}
	}
	ko := localeFor("ko")
	for k := range used {
		if _, ok := files["en"][k]; !ok {
			t.Errorf("%q is not in locales/en", k)
		}
		tr, ok := files["ko"][k]
		if !ok || (tr == "" && k != "byline.before") {
			t.Errorf("%q has no Korean translation", k)
		}
		if tr != "" && !strings.Contains(k, "%") && ko.T(k) != tr {
			t.Errorf("the catalog prints %q for %q, the file says %q", ko.T(k), k, tr)
		}
	}
	for k := range files["ko"] {
		if !used[k] {
			t.Errorf("locales/ko has %q, which nothing prints", k)
		}
		if _, ok := files["en"][k]; !ok {
			t.Errorf("locales/ko has %q, locales/en does not", k)
		}
	}
	if len(used) < 90 {
		t.Errorf("only %d strings found: the scan is broken", len(used))
	}
}

func TestLanguageMatching(t *testing.T) {
	for in, want := range map[string]string{"": "en", "en": "en", "en-GB": "en", "ko": "ko", "ko-KR": "ko", "fr": "en", "zz-invalid-!": "en"} {
		if got := localeFor(in).Code(); got != want {
			t.Errorf("localeFor(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestCommentsWidgetWords: the comments script's words come with the story
// page, in the story's language (the widget was English on Korean pages).
func TestCommentsWidgetWords(t *testing.T) {
	e := newEnv(t, nil, "")
	for a, want := range map[*news.Article]map[string]string{
		e.d.korean: {"postcomment": "댓글 등록", "count": "댓글 (%s)", "signin": "로그인하고 댓글 쓰기"},
		e.d.seed:   {"postcomment": "Post comment", "count": "Comments (%s)", "signin": "Sign in to comment"},
	} {
		doc, _ := e.page(e.articlePath(a), 200)
		box := one(t, doc, "section#comments")
		for k, w := range want {
			if got := attr(box, "data-t-"+k); got != w {
				t.Errorf("%s: data-t-%s = %q, want %q", a.Slug, k, got, w)
			}
		}
	}
}
