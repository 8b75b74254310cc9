package main

import (
	"strings"
	"testing"
)

// TestDemoPaperPages: the demo paper, served by the real binary, has its
// six static pages at their addresses, linked from the footer, with the
// demo's share image as og:image; story pages link "report an error"; the
// pages sitemap lists them and the index names it.
func TestDemoPaperPages(t *testing.T) {
	s := demoServer(t)
	slugs := []string{"about", "contact", "corrections-policy", "ethics", "privacy", "terms"}
	_, front := get(t, s.URL+"/")
	for _, slug := range slugs {
		code, page := get(t, s.URL+"/"+slug)
		if code != 200 {
			t.Errorf("GET /%s: %d", slug, code)
			continue
		}
		if !strings.Contains(page, `<link rel="canonical" href="`+s.URL+"/"+slug+`">`) || !strings.Contains(page, `"@type":"`) {
			t.Errorf("/%s lacks its canonical link or JSON-LD", slug)
		}
		if !strings.Contains(page, `property="og:image" content="`+s.URL+"/media/") {
			t.Errorf("/%s: og:image is not the demo's share image", slug)
		}
		if !strings.Contains(front, `href="/`+slug+`"`) {
			t.Errorf("the front page's footer does not link /%s", slug)
		}
	}
	_, contact := get(t, s.URL+"/contact")
	if !strings.Contains(contact, `action="/contact-form"`) || !strings.Contains(contact, `name="website"`) {
		t.Error("the contact page has no form")
	}
	_, story := get(t, s.URL+seedPath)
	if !strings.Contains(story, `class="report-error"`) {
		t.Error("the seed story has no report-an-error link")
	}
	code, sm := get(t, s.URL+"/sitemaps/pages.xml")
	if code != 200 || strings.Count(sm, "<url>") != len(slugs) {
		t.Errorf("pages sitemap: %d, %d urls", code, strings.Count(sm, "<url>"))
	}
	if _, idx := get(t, s.URL+"/sitemap.xml"); !strings.Contains(idx, "/sitemaps/pages.xml") {
		t.Error("the sitemap index does not list the pages sitemap")
	}
	if code, _ := get(t, s.URL+"/contact-form/token"); code != 200 {
		t.Errorf("GET /contact-form/token: %d", code)
	}
}
