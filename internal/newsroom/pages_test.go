package newsroom

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

func (h *harness) page(slug string, st news.Status) *news.Page {
	h.t.Helper()
	p := &news.Page{Slug: slug, Title: "Page " + slug, Body: "<p>Text of " + slug + ".</p>", Status: st, InFooter: true}
	if err := h.st.CreatePage(h.ctx, p); err != nil {
		h.t.Fatal(err)
	}
	return p
}

func (h *harness) findPage(id int64) *news.Page {
	h.t.Helper()
	p, err := h.st.FindPageByID(h.ctx, id)
	if err != nil {
		return nil
	}
	return p
}

func pageValues(p *news.Page, title string) url.Values {
	return url.Values{"title": {title}, "slug": {p.Slug}, "body_html": {p.Body}, "version": {fmt.Sprint(p.Version)}, "in_footer": {"1"}}
}

// Static pages are the editors' and admins': the role matrix holds every
// other role to a 403 that changes nothing.
func init() {
	n := 0
	slug := func() string { n++; return fmt.Sprintf("matrix-page-%d", n) }
	matrix = append(matrix,
		matrixCase{"create a page", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
			s := slug()
			res, body := h.do(r, "POST", "/newsroom/pages", url.Values{"title": {"About " + s}, "slug": {s}, "body_html": {"<p>x</p>"}})
			_, err := h.st.FindPageBySlug(h.ctx, s)
			return res, body, err == nil
		}},
		matrixCase{"edit a page", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
			p := h.page(slug(), news.StatusDraft)
			res, body := h.do(r, "POST", fmt.Sprintf("/newsroom/pages/%d", p.ID), pageValues(p, "Edited"))
			return res, body, h.findPage(p.ID).Title == "Edited"
		}},
		matrixCase{"publish a page", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
			p := h.page(slug(), news.StatusDraft)
			res, body := h.do(r, "POST", fmt.Sprintf("/newsroom/pages/%d/publish", p.ID), url.Values{"version": {"1"}})
			return res, body, h.findPage(p.ID).Status == news.StatusPublished
		}},
		matrixCase{"delete a page", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
			p := h.page(slug(), news.StatusPublished)
			res, body := h.do(r, "POST", fmt.Sprintf("/newsroom/pages/%d/delete", p.ID), url.Values{"version": {"1"}})
			return res, body, h.findPage(p.ID) == nil
		}},
		matrixCase{"handle a reader's message", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
			m := &news.ReaderMessage{Kind: news.MessageContact, Text: "Hello"}
			if err := h.st.AddMessage(h.ctx, m); err != nil {
				h.t.Fatal(err)
			}
			res, body := h.do(r, "POST", fmt.Sprintf("/newsroom/inbox/%d/done", m.ID), nil)
			ms, _ := h.st.ListMessages(h.ctx, news.MessageFilter{Open: true, Limit: 1000})
			for _, x := range ms {
				if x.ID == m.ID {
					return res, body, false
				}
			}
			return res, body, true
		}},
	)
}

// TestPageLifecycle: an editor writes a page in the newsroom, publishes it,
// and readers see it at its address and in the footer; a stale save is a
// 409 that keeps the editor's text; bad input changes nothing; unpublishing
// takes it off the site.
func TestPageLifecycle(t *testing.T) {
	h := newHarness(t)
	ed := news.RoleEditor
	res, body := h.do(ed, "GET", "/newsroom/pages/new", nil)
	wantStatus(t, "new page form", res, body, 200)
	for _, sel := range []string{`data-rich-editor`, `data-field="body_html"`, `name="csrf"`, `id="body_html"`} {
		if !strings.Contains(body, sel) {
			t.Errorf("the page editor lacks %s (the stories' rich editor)", sel)
		}
	}
	// The body goes through the stories' sanitizer.
	res, body = h.do(ed, "POST", "/newsroom/pages", url.Values{"title": {"About us"}, "body_html": {`<p>We are <b>independent</b>.</p><script>alert(1)</script><p onclick="x()">Hi</p>`},
		"description": {"Who we are."}, "in_footer": {"1"}, "position": {"1"}})
	wantStatus(t, "create", res, body, 303)
	p, err := h.st.FindPageBySlug(h.ctx, "about-us")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.Body, "script") || strings.Contains(p.Body, "onclick") || !strings.Contains(p.Body, "<strong>independent</strong>") || p.Status != news.StatusDraft {
		t.Errorf("stored page %+v", p)
	}
	if res := h.reader("/about-us"); res.Code != 404 {
		t.Errorf("a draft on the site: %d", res.Code)
	}
	// Publish from the editor.
	f := pageValues(p, "About us")
	f.Set("op", "publish")
	res, body = h.do(ed, "POST", fmt.Sprintf("/newsroom/pages/%d", p.ID), f)
	wantStatus(t, "publish", res, body, 303)
	if rr := h.reader("/about-us"); rr.Code != 200 || !strings.Contains(rr.Body.String(), "<strong>independent</strong>") {
		t.Fatalf("published page: %d", rr.Code)
	}
	if rr := h.reader("/"); !strings.Contains(rr.Body.String(), `href="/about-us"`) {
		t.Error("the footer does not link the published page")
	}
	// A stale save: 409, the editor's text back, nothing changed.
	stale := pageValues(p, "Stale title")
	stale.Set("body_html", "<p>My unsaved words.</p>")
	res, body = h.do(ed, "POST", fmt.Sprintf("/newsroom/pages/%d", p.ID), stale)
	wantStatus(t, "stale save", res, body, http.StatusConflict)
	if !strings.Contains(body, "changed by someone else") || !strings.Contains(body, "My unsaved words.") {
		t.Errorf("stale save page lacks the message or the text:\n%s", body)
	}
	if got := h.findPage(p.ID); got.Title != "About us" || got.Version != 2 {
		t.Errorf("after a stale save: %q v%d", got.Title, got.Version)
	}
	// Bad input: a reserved address, an empty title.
	for name, mod := range map[string]func(url.Values){
		"reserved": func(v url.Values) { v.Set("slug", "search") },
		"no title": func(v url.Values) { v.Set("title", " ") },
		"position": func(v url.Values) { v.Set("position", "many") },
	} {
		v := pageValues(h.findPage(p.ID), "About us")
		mod(v)
		res, body = h.do(ed, "POST", fmt.Sprintf("/newsroom/pages/%d", p.ID), v)
		wantStatus(t, name, res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `role="alert"`) {
			t.Errorf("%s: no error shown", name)
		}
		if got := h.findPage(p.ID); got.Version != 2 || got.Slug != "about-us" {
			t.Errorf("%s changed the page: %+v", name, got)
		}
	}
	// Another page may not take the address.
	other := h.page("ethics", news.StatusDraft)
	v := pageValues(other, "Ethics")
	v.Set("slug", "about-us")
	res, body = h.do(ed, "POST", fmt.Sprintf("/newsroom/pages/%d", other.ID), v)
	wantStatus(t, "slug clash", res, body, http.StatusConflict)
	// The list; unpublish from it.
	res, body = h.do(ed, "GET", "/newsroom/pages", nil)
	wantStatus(t, "list", res, body, 200)
	if !strings.Contains(body, "About us") || !strings.Contains(body, "Page ethics") {
		t.Error("the list lacks a page")
	}
	res, body = h.do(ed, "POST", fmt.Sprintf("/newsroom/pages/%d/unpublish", p.ID), url.Values{"version": {"1"}})
	wantStatus(t, "stale unpublish", res, body, http.StatusConflict)
	res, body = h.do(ed, "POST", fmt.Sprintf("/newsroom/pages/%d/unpublish", p.ID), url.Values{"version": {"2"}})
	wantStatus(t, "unpublish", res, body, 303)
	if rr := h.reader("/about-us"); rr.Code != 404 {
		t.Errorf("an unpublished page on the site: %d", rr.Code)
	}
	// Audited under the editor.
	audit, _ := h.st.ListAudit(h.ctx, 20)
	var actions []string
	for _, a := range audit {
		if strings.HasPrefix(a.Action, "page.") && a.UserID == h.users[ed].ID {
			actions = append(actions, a.Action)
		}
	}
	if strings.Join(actions, " ") != "page.unpublish page.save page.create" {
		t.Errorf("audit %v", actions)
	}
}

func (h *harness) reader(path string) *httptest.ResponseRecorder {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.mux.ServeHTTP(rec, httptest.NewRequest("GET", "http://news.test"+path, nil))
	return rec
}

// TestReaderMessageReachesTheNewsroom: a reader's message sent through the
// contact form on the site shows on the editors' dashboard and inbox.
func TestReaderMessageReachesTheNewsroom(t *testing.T) {
	h := newHarness(t)
	h.page("contact", news.StatusPublished)
	// The no-JS path: the first post answers with a token and a cookie.
	form := url.Values{"kind": {"error"}, "url": {"/2026/03/22/x"}, "message": {"The minister's name is misspelt."}, "email": {"reader@example.com"}}
	post := func(cookie *http.Cookie) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "http://news.test/contact-form", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "http://news.test")
		if cookie != nil {
			r.AddCookie(cookie)
		}
		w := httptest.NewRecorder()
		h.mux.ServeHTTP(w, r)
		return w
	}
	first := post(nil)
	var cookie *http.Cookie
	for _, c := range first.Result().Cookies() {
		cookie = c
	}
	_, tokPart, _ := strings.Cut(first.Body.String(), `name="t" value="`)
	tok, _, _ := strings.Cut(tokPart, `"`)
	if cookie == nil || tok == "" {
		t.Fatalf("no token in the first answer (%d)", first.Code)
	}
	h.clock.Add(5 * time.Second)
	form.Set("t", tok)
	if w := post(cookie); w.Code != 200 || !strings.Contains(w.Body.String(), "reached the editors") {
		t.Fatalf("second post: %d", w.Code)
	}
	res, body := h.do(news.RoleEditor, "GET", "/newsroom/", nil)
	wantStatus(t, "dashboard", res, body, 200)
	if !strings.Contains(body, "1 open") || !strings.Contains(body, "misspelt") {
		t.Errorf("the dashboard does not show the message")
	}
	res, body = h.do(news.RoleReporter, "GET", "/newsroom/", nil)
	if strings.Contains(body, "misspelt") {
		t.Error("a reporter's dashboard shows readers' messages")
	}
	res, body = h.do(news.RoleEditor, "GET", "/newsroom/inbox", nil)
	wantStatus(t, "inbox", res, body, 200)
	if !strings.Contains(body, "Error report") || !strings.Contains(body, "mailto:reader@example.com") || !strings.Contains(body, "/2026/03/22/x") {
		t.Errorf("inbox:\n%s", body)
	}
	res, _ = h.do(news.RoleReporter, "GET", "/newsroom/inbox", nil)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a reporter opens the inbox: %d", res.StatusCode)
	}
}

// TestShareImageSetting: the admin picks the default share image from the
// media library; a number that is no photo is refused and nothing changes.
func TestShareImageSetting(t *testing.T) {
	h := newHarness(t)
	ph := &news.Photo{Key: "share.jpg", ContentType: "image/jpeg", Width: 1200, Height: 630}
	if err := h.st.CreatePhoto(h.ctx, ph); err != nil {
		t.Fatal(err)
	}
	form := func(share string) url.Values {
		return url.Values{"name": {"The Test Times"}, "time_zone": {"Asia/Seoul"}, "languages": {"en"}, "feeds": {"summary"}, "share_image": {share}}
	}
	res, body := h.do(news.RoleAdmin, "POST", "/newsroom/settings", form("99999"))
	wantStatus(t, "no such photo", res, body, http.StatusUnprocessableEntity)
	if _, err := h.st.GetSetting(h.ctx, news.PaperSettingsKey); err == nil {
		t.Error("a refused form stored settings")
	}
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/settings", form(fmt.Sprint(ph.ID)))
	wantStatus(t, "share image", res, body, 303)
	v, _ := h.st.GetSetting(h.ctx, news.PaperSettingsKey)
	ps, err := news.ParsePaperSettings(v)
	if err != nil || ps.ShareImagePhotoID != ph.ID {
		t.Errorf("stored %+v (%v)", ps, err)
	}
	res, body = h.do(news.RoleAdmin, "GET", "/newsroom/settings", nil)
	if !strings.Contains(body, fmt.Sprintf(`name="share_image" inputmode="numeric" pattern="[0-9]*" value="%d"`, ph.ID)) {
		t.Error("the form does not show the share image")
	}
	res, _ = h.do(news.RoleEditor, "POST", "/newsroom/settings", form(fmt.Sprint(ph.ID)))
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("an editor changed the settings: %d", res.StatusCode)
	}
}
