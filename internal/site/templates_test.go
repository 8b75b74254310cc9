package site

import (
	"html/template"
	"reflect"
	"strings"
	"testing"

	"masthead/internal/news"
	"masthead/internal/render"
)

// fullBase is a Base with every field set, so templates meet real values.
func fullBase() Base {
	return Base{
		SiteName: "The Test Times", Tagline: "News", Lang: "en", Title: "T", Description: "D",
		Canonical: "https://example.com/", Robots: "noindex",
		Meta:       []Meta{{Property: "og:title", Content: "T"}, {Name: "twitter:card", Content: "summary_large_image"}},
		JSONLD:     []template.JS{`{"@type":"Thing"}`},
		Feeds:      []Feed{{Type: "application/rss+xml", Title: "RSS", URL: "/feed.xml"}},
		Nav:        []Link{{Name: "World", URL: "/section/world"}},
		Menu:       []MenuItem{{Link: Link{Name: "World", URL: "/section/world"}, Sub: []Link{{Name: "Asia", URL: "/section/asia"}}}},
		L:          localeFor("ko"),
		Current:    "/section/world",
		Assets:     Assets{CSS: "/static/a.css", JS: "/static/a.js", Icon: "/static/i.svg", Logo: "/static/l.png"},
		HeadScript: headScript, Style: "body{color:red}", Year: 2026, SearchQuery: "q",
	}
}

func fullCard() Card {
	return Card{ID: 1, URL: "/2020/03/22/a", Headline: "H", Deck: "D", Lang: "ko",
		Section: &Link{Name: "S", URL: "/section/s"}, Published: Time{ISO: "2020-03-22T09:00:00+09:00", Text: "Mar 22, 2020"},
		Image:   &Image{Src: "/media/1/640.jpg", Srcset: "/media/1/640.jpg 640w", Sizes: "100vw", Width: 640, Height: 427, Alt: "A"},
		Snippet: "<mark>x</mark>", Views: 3}
}

// TestEveryTemplateExecutes runs each page template with its page struct,
// fully populated and empty, so a field renamed in Go or mistyped in a
// template fails here rather than on a reader's screen.
func TestEveryTemplateExecutes(t *testing.T) {
	r, err := render.New(render.ReaderFS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cards := []Card{fullCard(), {URL: "/x", Headline: "no image"}}
	pg := Pager{Page: 2, Pages: 3, Prev: "/x", Next: "/x?page=3"}
	upd := Time{ISO: "2020-03-23T09:00:00+09:00", Text: "later"}
	layout := StoryLayout{Kind: "news", Lead: &cards[0], Grid: cards, Rest: cards}
	pages := map[string][]any{
		"article": {
			&ArticlePage{Base: fullBase(), ID: 7, Headline: "H", Deck: "D", ArticleLang: "ko",
				Section:   &Link{Name: "S", URL: "/section/s"},
				Authors:   []Byline{{Name: "A", URL: "/author/a", Email: "a@example.com"}, {Name: "B", URL: "/author/b"}},
				Published: upd, Updated: &upd,
				Photo: &Photo{Image: fullCard().Image, Caption: "C", Credit: "Cr"},
				Body:  "<p>x</p>", Tags: []Link{{Name: "t", URL: "/tag/t"}},
				Corrections: []Correction{{Kind: "Correction", Text: "fixed", When: upd}},
				Crumbs:      []Link{{Name: "Home", URL: "/"}, {Name: "S", URL: "/section/s"}}, ReadingMinutes: 3,
				Related: cards, Top: cards, TopIsLatest: true,
				Share: Share{URL: "https://e/x", Title: "H", Facebook: "https://f", X: "https://x", Mail: "mailto:?subject=a", KakaoKey: "k"}, ReportURL: "/contact?story=%2Fx#contact-form"},
			&ArticlePage{Photo: &Photo{Caption: "caption only"}},
			&ArticlePage{},
		},
		"front": {&FrontPage{Base: fullBase(), Lead: &cards[0], Picks: cards, Top: cards, Blocks: []SectionBlock{{Section: Link{Name: "S", URL: "/s"}, Stories: cards}}, Latest: cards}, &FrontPage{}},
		"list": {&ListPage{Base: fullBase(), Kind: "section", Heading: "H", Intro: "I", Stories: cards, Pager: pg, Layout: layout,
			Crumbs: []Link{{Name: "Home", URL: "/"}, {Name: "H"}}, Subsections: []Link{{Name: "S", URL: "/s"}}, Top: cards},
			&ListPage{Base: fullBase(), Layout: StoryLayout{Kind: "list", Rest: cards}}, &ListPage{}},
		"author": {&AuthorPage{Base: fullBase(), Name: "A", JobTitle: "T", Bio: "B", Email: "a@e", Photo: fullCard().Image, Stories: cards, Pager: pg, Layout: layout, Top: cards}, &AuthorPage{}},
		"search": {&SearchPage{Base: fullBase(), Query: "q", From: "2020-01-02", To: "2020-02-03", Searched: true, Total: 2, Results: cards, Pager: pg,
			Sections: []Option{{Value: "", Name: "All"}, {Value: "s", Name: "S", Selected: true}}, Authors: []Option{{Value: "a", Name: "A"}},
			Orders: []Option{{Value: "newest", Name: "Newest", Selected: true}}, Error: "bad", ErrorParam: "from", Names: []NameHit{{Kind: "Tag", Link: Link{Name: "북한", URL: "/tag/x"}}}},
			&SearchPage{Query: "q", Searched: true}, &SearchPage{}},
		"corrections": {&CorrectionsPage{Base: fullBase(), Items: []CorrectionItem{{Kind: "Correction", Text: "t", When: upd, Story: Link{Name: "H", URL: "/x#correction-1"}}}, Pager: pg},
			&CorrectionsPage{}},
		"notfound": {&NotFoundPage{Base: fullBase(), Sections: []Link{{Name: "S", URL: "/s"}}, Latest: cards}, &NotFoundPage{}},
		"error":    {&ErrorPage{Base: fullBase(), Message: "m"}, &ErrorPage{}},
		"shell":    {&ShellPage{Base: fullBase(), Body: "<p>b</p>"}, &ShellPage{}},
		"static": {&StaticPage{Base: fullBase(), PageTitle: "About", PageLang: "ko", Body: "<p>b</p>", Updated: upd,
			Contact: &ContactForm{Action: "/contact-form", Kinds: contactKinds(news.MessageError), Name: "n", Email: "e@x", URL: "/x", Text: "t",
				Token: "tok", Error: "bad", Field: "email", Notice: "check"}},
			&StaticPage{Contact: &ContactForm{Sent: true, Notice: "thanks"}}, &StaticPage{}},
	}
	for _, name := range r.Pages() {
		datas, ok := pages[name]
		if !ok {
			t.Errorf("template %q has no page struct in this test", name)
			continue
		}
		for _, d := range datas {
			out, err := r.Render(name, d)
			if err != nil {
				t.Errorf("%s with %s: %v", name, reflect.TypeOf(d), err)
				continue
			}
			if !strings.HasSuffix(strings.TrimSpace(string(out)), "</html>") {
				t.Errorf("%s: document not complete", name)
			}
			if strings.Contains(string(out), "<no value>") {
				t.Errorf("%s: prints <no value>", name)
			}
		}
		delete(pages, name)
	}
	for name := range pages {
		t.Errorf("page struct for %q but no template", name)
	}
}

func TestRenderErrorWritesNothing(t *testing.T) {
	r, err := render.New(render.ReaderFS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A value of the wrong type makes the template fail half-way.
	out, err := r.Render("article", struct{ Title int }{})
	if err == nil || out != nil {
		t.Fatalf("want an error and no output, got %q, %v", out, err)
	}
}

func TestHighlight(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a \ue000b\ue001 c", "a <mark>b</mark> c"},
		{"<script>\ue000x\ue001", "&lt;script&gt;<mark>x</mark>"},
		{"\ue001stray \ue000open", "stray <mark>open</mark>"},
		{"\ue000a\ue000b\ue001", "<mark>ab</mark>"},
		{"plain & simple", "plain &amp; simple"},
	} {
		if got := string(highlight(c.in)); got != c.want {
			t.Errorf("highlight(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPager(t *testing.T) {
	p, err := pager("/section/a", 2, 45)
	if err != nil || p.Pages != 3 || p.Prev != "/section/a" || p.Next != "/section/a?page=3" {
		t.Fatalf("got %+v, %v", p, err)
	}
	if _, err := pager("/x", 4, 45); err == nil {
		t.Fatal("page past the end should be not found")
	}
	if p, _ := pager("/search?q=a", 1, 30); p.Next != "/search?q=a&page=2" {
		t.Fatalf("next = %q", p.Next)
	}
}

func TestCSPHasScriptHashAndNoUnsafeInline(t *testing.T) {
	for _, kakao := range []bool{false, true} {
		csp := buildCSP(kakao)
		if !strings.Contains(csp, ScriptHash()) || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("csp %q", csp)
		}
		if strings.Contains(csp, "kakao") != kakao {
			t.Errorf("kakao=%v but csp %q", kakao, csp)
		}
	}
}
