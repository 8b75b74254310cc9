package site

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/pagecache"
	"masthead/internal/purge"
)

// pagesEnv is the test site with the static pages a paper would have: About
// and Contact published in the footer, Ethics a draft, a Korean page out of
// the footer.
func pagesEnv(t *testing.T) (*env, map[string]*news.Page) {
	t.Helper()
	e := newEnv(t, nil, "")
	ctx := context.Background()
	pages := map[string]*news.Page{}
	for _, p := range []*news.Page{
		{Slug: "about", Title: "About us", Description: "Who we are.", Body: "<p>An <strong>independent</strong> daily.</p>", Status: news.StatusPublished, Position: 1, InFooter: true},
		{Slug: "contact", Title: "Contact the newsroom", Body: "<p>Write to us.</p>", Status: news.StatusPublished, Position: 2, InFooter: true},
		{Slug: "ethics", Title: "Ethics", Body: "<p>Draft rules.</p>", Status: news.StatusDraft, Position: 3, InFooter: true},
		{Slug: "회사-소개", Title: "회사 소개", Body: "<p>소개합니다.</p>", Lang: "ko", Status: news.StatusPublished, Position: 4},
	} {
		if err := e.db.CreatePage(ctx, p); err != nil {
			t.Fatal(err)
		}
		pages[p.Slug] = p
	}
	return e, pages
}

func TestStaticPage(t *testing.T) {
	e, pages := pagesEnv(t)
	doc, rec := e.page("/about", 200)
	if got := text(one(t, doc, "main article.static-page h1")); got != "About us" {
		t.Errorf("h1 %q", got)
	}
	if got := text(one(t, doc, "article.static-page .body strong")); got != "independent" {
		t.Errorf("body %q", got)
	}
	if got := attr(one(t, doc, `link[rel=canonical]`), "href"); got != "https://news.example.com/about" {
		t.Errorf("canonical %q", got)
	}
	if got := attr(one(t, doc, `meta[name=description]`), "content"); got != "Who we are." {
		t.Errorf("description %q", got)
	}
	if got := text(one(t, doc, "title")); got != "About us - The Masthead Times" {
		t.Errorf("title %q", got)
	}
	if rec.Header().Get("Last-Modified") == "" {
		t.Error("no Last-Modified")
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(text(one(t, doc, `script[type="application/ld+json"]`))), &ld); err != nil {
		t.Fatal(err)
	}
	if ld["@type"] != "AboutPage" || ld["url"] != "https://news.example.com/about" || ld["name"] != "About us" || ld["dateModified"] == "" {
		t.Errorf("JSON-LD %v", ld)
	}
	// The footer links the published footer pages, in order, and marks
	// the one being read; the draft is not there.
	links := all(doc, "footer.site-footer .footer-pages a")
	if len(links) != 2 || attr(links[0], "href") != "/about" || attr(links[1], "href") != "/contact" {
		t.Fatalf("footer pages %d", len(links))
	}
	if attr(links[0], "aria-current") != "page" || attr(links[1], "aria-current") != "" {
		t.Error("aria-current on the footer links")
	}
	// Every page carries the footer, so the front page too.
	front, _ := e.page("/", 200)
	if n := len(all(front, "footer .footer-pages a[href='/contact']")); n != 1 {
		t.Errorf("front page footer: %d contact links", n)
	}

	// A draft is a 404, like a page that never was.
	e.page("/ethics", 404)
	e.page("/no-such-page", 404)
	// A Korean slug, in its own language.
	kdoc, _ := e.page("/"+url.PathEscape("회사-소개"), 200)
	if got := attr(one(t, kdoc, "html"), "lang"); got != "ko" {
		t.Errorf("Korean page lang %q", got)
	}
	if len(all(kdoc, "footer .footer-pages a[href^='/%ED']")) != 0 {
		t.Error("a page out of the footer is in it")
	}
	_ = pages
}

// TestStaticPagesDoNotShadowRoutes: the reader site's own routes answer as
// before, and a page cannot take their names.
func TestStaticPagesDoNotShadowRoutes(t *testing.T) {
	e, _ := pagesEnv(t)
	for _, p := range []string{"/search?q=x", "/corrections", e.paper.SectionPath(e.d.nk), "/healthz", "/robots.txt", e.articlePath(e.d.seed)} {
		if rec := e.get(p); rec.Code != 200 {
			t.Errorf("GET %s: %d", p, rec.Code)
		}
	}
	for _, slug := range []string{"search", "section", "newsroom", "api", "sitemap.xml", "feed.xml", "account", "ghost", "2026"} {
		err := e.db.CreatePage(context.Background(), &news.Page{Slug: slug, Title: "x", Status: news.StatusPublished})
		if news.ErrorCode(err) != news.EINVALID {
			t.Errorf("a page at /%s: %v", slug, err)
		}
	}
}

// TestStaticPagePurgeKeys: a page carries its own key and the footer's;
// every other page carries the footer's key, and a footer change purges
// it without purging everything.
func TestStaticPagePurgeKeys(t *testing.T) {
	e, pages := pagesEnv(t)
	cache := pagecache.New(1<<20, time.Minute)
	if err := cache.SetKeyHeader("Surrogate-Key"); err != nil { // the keys checked below
		t.Fatal(err)
	}
	h := cache.Middleware(e.h)
	for path, want := range map[string][]string{
		"/about":                      {purge.Page(pages["about"].ID), purge.Footer},
		"/":                           {purge.Footer},
		e.paper.SectionPath(e.d.nk):   {purge.Footer},
		e.paper.ArticlePath(e.d.seed): {purge.Footer},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		got := " " + rec.Header().Get("Surrogate-Key") + " "
		for _, k := range want {
			if !strings.Contains(got, " "+k+" ") {
				t.Errorf("GET %s: Surrogate-Key %q lacks %q", path, got, k)
			}
		}
	}
	// Renaming a footer page: the change purges the footer.
	p := pages["about"]
	p.Title = "About the paper"
	last, _ := e.db.LastChange(context.Background())
	if err := e.db.UpdatePage(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	recs, _ := e.db.Changes(context.Background(), last, 10)
	keys, all := purge.Keys(recs[0].Change, e.paper.Loc())
	if all || !strings.Contains(" "+strings.Join(keys, " ")+" ", " "+purge.Footer+" ") {
		t.Errorf("renaming a footer page purges %v (all %v)", keys, all)
	}
}

// TestStoryWithoutPhotoHasImage: a story with no photo still has an image
// in its NewsArticle and og:image: the paper's share image when one is
// set, else the site's logo.
func TestStoryWithoutPhotoHasImage(t *testing.T) {
	e := newEnv(t, nil, "")
	ldImage := func(path string) ([]any, string) {
		doc, _ := e.page(path, 200)
		var img []any
		for _, n := range all(doc, `script[type="application/ld+json"]`) {
			var ld map[string]any
			if json.Unmarshal([]byte(text(n)), &ld) == nil && ld["@type"] == "NewsArticle" {
				img, _ = ld["image"].([]any)
			}
		}
		return img, attr(one(t, doc, `meta[property="og:image"]`), "content")
	}
	path := e.articlePath(e.d.renamed)
	if e.d.renamed.PhotoID != 0 {
		t.Fatal("the fixture story has a photo")
	}
	img, og := ldImage(path)
	if len(img) != 1 || !strings.HasSuffix(img[0].(string), e.site.assets.Logo) || og != img[0] {
		t.Errorf("without a share image: JSON-LD image %v, og:image %q; want the logo", img, og)
	}
	// The paper's share image.
	ph := &news.Photo{Key: "share/1.jpg", ContentType: "image/jpeg", Width: 1200, Height: 630, Widths: []int{640, 1200}, Alt: "The paper"}
	if err := e.db.CreatePhoto(context.Background(), ph); err != nil {
		t.Fatal(err)
	}
	e.paper.ShareImagePhotoID = ph.ID
	img, og = ldImage(path)
	if len(img) != len(news.Crops) || !strings.Contains(img[0].(string), "/media/"+itoa(ph.ID)+"/") {
		t.Errorf("JSON-LD image %v, want the share image's crops", img)
	}
	if !strings.Contains(og, "/media/"+itoa(ph.ID)+"/") || !strings.HasSuffix(og, "/1200.jpg") {
		t.Errorf("og:image %q, want the share image at 1200", og)
	}
	// A story with its own photo keeps it.
	img, _ = ldImage(e.articlePath(e.d.seed))
	if len(img) == 0 || strings.Contains(img[0].(string), "/media/"+itoa(ph.ID)+"/") {
		t.Errorf("a story with a photo: %v", img)
	}
}

// TestSearchShowsNames: /search?q=북한 lists the tag 북한 above the
// stories (the issue: 북한 found 1 story while its tag page had more);
// with a particle too; an author by name; a section by name; names known
// only from hidden stories never.
func TestSearchShowsNames(t *testing.T) {
	e := newEnv(t, nil, "")
	for _, c := range []struct {
		q    string
		want []string // hrefs of the name hits, in order
	}{
		{"북한", []string{e.paper.TagPath(e.d.nkTag)}},
		{"북한은", []string{e.paper.TagPath(e.d.nkTag)}},
		{"kang", []string{e.paper.AuthorPath(e.d.kang)}},
		{"김민지", []string{e.paper.AuthorPath(e.d.kim)}},
		{"north korea", []string{e.paper.SectionPath(e.d.nk)}},
		{"사회", []string{e.paper.SectionPath(e.d.society)}},
		{"secret plan", nil},
	} {
		doc, _ := e.page("/search?q="+url.QueryEscape(c.q), 200)
		var got []string
		for _, a := range all(doc, "main .name-hits li a") {
			got = append(got, attr(a, "href"))
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("/search?q=%s: names %v, want %v", c.q, got, c.want)
		}
		if len(c.want) > 0 {
			// Above the story results.
			body := e.get("/search?q=" + url.QueryEscape(c.q)).Body.String()
			if i, j := strings.Index(body, `class="name-hits"`), strings.Index(body, `role="status"`); i < 0 || j < 0 || i > j {
				t.Errorf("/search?q=%s: the names are not above the results", c.q)
			}
		}
	}
}
