package site

import (
	"html"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// TestEveryPageTitle renders every kind of reader page through the real
// handlers and checks that its <title> names the page and the paper. The
// layout prints Base.Title; a page struct with a field of the same name
// shadows it (an author page once printed the author's job title there, or
// nothing), and this is where that shows.
//
// Every page also carries the referrer policy in <meta name="referrer">,
// ahead of anything it loads or links: the Referrer-Policy header that used
// to say the same on every response is no longer sent (docs/performance.md).
func TestEveryPageTitle(t *testing.T) {
	e := newEnv(t, nil, "")
	paper := e.paper.Name
	cases := []struct {
		kind, method, path string
		status             int
		name               string // what the <title> must hold besides the paper's name
	}{
		{"front", "GET", "/", 200, paper},
		{"article", "GET", e.articlePath(e.d.seed), 200, e.d.seed.Headline},
		{"article in Korean", "GET", e.articlePath(e.d.korean), 200, e.d.korean.Headline},
		{"section", "GET", "/section/business", 200, "Business"},
		{"section page 2", "GET", "/section/business?page=2", 200, "Business (page 2)"},
		{"tag", "GET", "/tag/donald-trump", 200, "Donald Trump"},
		// The author has a job title ("Staff reporter"): it belongs in the
		// profile, not in <title>.
		{"author", "GET", "/author/kang-seung-woo", 200, "Kang Seung-woo"},
		{"archive", "GET", "/2020/03/", 200, "2020"},
		{"search", "GET", "/search", 200, "Search"},
		{"search results", "GET", "/search?q=Pyongyang", 200, "Pyongyang"},
		{"corrections", "GET", "/corrections", 200, "Corrections"},
		{"not found", "GET", "/no/such/page", 404, "Page not found"},
		{"error", "POST", e.articlePath(e.d.seed), 405, "Method Not Allowed"},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, c.path, nil)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != c.status {
			t.Errorf("%s: %s %s: status %d, want %d", c.kind, c.method, c.path, rec.Code, c.status)
			continue
		}
		body := rec.Body.String()
		title := titleOf(body)
		if !strings.Contains(title, paper) || !strings.Contains(title, c.name) {
			t.Errorf("%s (%s): <title> %q, want it to hold %q and %q", c.kind, c.path, title, c.name, paper)
		}
		meta := strings.Index(body, referrerMeta)
		if meta < 0 {
			t.Errorf("%s (%s): no %s", c.kind, c.path, referrerMeta)
		}
		for _, later := range []string{"<link", "<script src", "<img", "<a "} {
			if i := strings.Index(body, later); i >= 0 && i < meta {
				t.Errorf("%s (%s): %s comes before the referrer policy", c.kind, c.path, later)
			}
		}
		if c.kind == "author" && strings.Contains(title, "Staff reporter") {
			t.Errorf("author page <title> %q shows the job title", title)
		}
		if c.kind == "author" && !strings.Contains(body, "<p>Staff reporter</p>") {
			t.Error("author page does not show the author's job title in the profile")
		}
	}
}

// TestNoPageFieldShadowsBase checks every page struct: a field declared
// beside the embedded Base with the name of one of Base's fields hides it
// from the layout, which then prints the wrong value without any error.
func TestNoPageFieldShadowsBase(t *testing.T) {
	base := reflect.TypeFor[Base]()
	for _, p := range []any{ArticlePage{}, FrontPage{}, ListPage{}, AuthorPage{}, SearchPage{}, CorrectionsPage{}, NotFoundPage{}, ErrorPage{}} {
		typ := reflect.TypeOf(p)
		embed, ok := typ.FieldByName("Base")
		if !ok || !embed.Anonymous {
			t.Errorf("%s does not embed Base", typ.Name())
			continue
		}
		for i := range base.NumField() {
			name := base.Field(i).Name
			f, _ := typ.FieldByName(name)
			if len(f.Index) != 2 || f.Index[0] != embed.Index[0] {
				t.Errorf("%s.%s shadows Base.%s: the layout would print the page's field", typ.Name(), name, name)
			}
		}
	}
}

// referrerMeta is the policy the Referrer-Policy header used to carry.
const referrerMeta = `<meta name="referrer" content="strict-origin-when-cross-origin">`

func titleOf(doc string) string {
	_, rest, ok := strings.Cut(doc, "<title>")
	if !ok {
		return ""
	}
	title, _, _ := strings.Cut(rest, "</title>")
	return html.UnescapeString(title)
}
