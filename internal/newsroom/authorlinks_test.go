package newsroom

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"masthead/internal/news"
)

var ldRe = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

// TestAuthorLinks: a reporter adds profile links to their own profile;
// a link on the wrong site or not a web address is refused and changes
// nothing; the public author page shows the links with rel=me and its
// Person JSON-LD lists them as sameAs; a writer without an account gets
// links too.
func TestAuthorLinks(t *testing.T) {
	h := newHarness(t)
	rep := h.users[news.RoleReporter]
	mine := fmt.Sprintf("/newsroom/authors/%d", rep.AuthorID)
	_, form := h.do(news.RoleReporter, "GET", mine, nil)
	for _, k := range []string{"website", "x", "facebook", "instagram"} {
		if !strings.Contains(form, `name="link_`+k+`"`) {
			t.Errorf("the profile form has no %s link", k)
		}
	}
	base := url.Values{"name": {"Byline reporter"}, "title": {"Staff reporter"}, "email": {"desk@example.com"}, "version": {"1"}}
	for _, bad := range []struct{ kind, url, want string }{
		{"x", "https://evil.example/kim", "is not on x.com or twitter.com"},
		{"instagram", "javascript:alert(1)", "is not a web address"},
		{"facebook", "http://facebook.com/kim", "is not a web address"},
		{"website", "https://user:pw@kim.example/", "is not a web address"},
	} {
		f := url.Values{}
		for k, v := range base {
			f[k] = v
		}
		f.Set("link_"+bad.kind, bad.url)
		res, body := h.do(news.RoleReporter, "POST", mine, f)
		wantStatus(t, "bad link "+bad.url, res, body, 422)
		if !strings.Contains(html.UnescapeString(body), bad.want) {
			t.Errorf("bad link %q: the page does not say %q", bad.url, bad.want)
		}
	}
	if au, _ := h.st.FindAuthorByID(h.ctx, rep.AuthorID); len(au.Links) != 0 {
		t.Fatalf("a refused form stored links: %+v", au.Links)
	}
	f := url.Values{"link_website": {"https://kim.example/"}, "link_x": {"https://x.com/kim"}, "link_instagram": {"https://www.instagram.com/kim/"}}
	for k, v := range base {
		f[k] = v
	}
	res, body := h.do(news.RoleReporter, "POST", mine, f)
	wantStatus(t, "save links", res, body, 303)
	au, _ := h.st.FindAuthorByID(h.ctx, rep.AuthorID)
	if len(au.Links) != 3 || au.Links[0].Kind != "website" || au.Links[2].URL != "https://www.instagram.com/kim/" {
		t.Fatalf("stored links: %+v", au.Links)
	}
	res, page := h.do("", "GET", "/author/"+au.Slug, nil)
	wantStatus(t, "author page", res, page, 200)
	for _, want := range []string{`<a href="https://x.com/kim" rel="me noopener">X</a>`, `<a href="https://kim.example/" rel="me noopener">Website</a>`, `href="mailto:desk@example.com"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the author page lacks %s", want)
		}
	}
	if strings.Contains(page, rep.Email) {
		t.Error("the author page shows the sign-in e-mail")
	}
	var found bool
	for _, m := range ldRe.FindAllStringSubmatch(page, -1) {
		var ld struct {
			Type       string `json:"@type"`
			MainEntity struct {
				Type   string   `json:"@type"`
				Name   string   `json:"name"`
				SameAs []string `json:"sameAs"`
			} `json:"mainEntity"`
		}
		if json.Unmarshal([]byte(m[1]), &ld) == nil && ld.Type == "ProfilePage" {
			found = true
			if ld.MainEntity.Type != "Person" || ld.MainEntity.Name != "Byline reporter" ||
				strings.Join(ld.MainEntity.SameAs, " ") != "https://kim.example/ https://x.com/kim https://www.instagram.com/kim/" {
				t.Errorf("the Person JSON-LD: %+v", ld.MainEntity)
			}
		}
	}
	if !found {
		t.Error("the author page has no ProfilePage JSON-LD")
	}
	// A writer without an account.
	res, body = h.do(news.RoleEditor, "POST", "/newsroom/authors", url.Values{"name": {"Guest Columnist"}, "link_facebook": {"https://facebook.com/guest"}})
	wantStatus(t, "add a writer with a link", res, body, 303)
	g, err := h.st.FindAuthorBySlug(h.ctx, "guest-columnist")
	if err != nil || len(g.Links) != 1 || g.Links[0].Kind != "facebook" {
		t.Errorf("the new writer's links: %+v, %v", g, err)
	}
}
