package newsroom

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/internal/auth"
	"masthead/internal/news"
)

// TestCSRF: a state-changing request without the session's token, with a
// wrong one, with another session's, or from another site is refused and
// changes nothing.
func TestCSRF(t *testing.T) {
	h := newHarness(t)
	a := h.story(h.other, "Awaiting publication", news.StatusReview)
	ed := news.RoleEditor
	cases := []struct {
		name string
		opts []reqOpt
		form url.Values
	}{
		{"missing", []reqOpt{noCSRF}, nil},
		{"wrong", nil, url.Values{"csrf": {"not-the-token"}}},
		{"another session's", nil, url.Values{"csrf": {h.csrf[news.RoleAdmin]}}},
		{"cross-site", []reqOpt{header("Sec-Fetch-Site", "cross-site")}, nil},
		{"foreign origin", []reqOpt{header("Origin", "http://evil.test")}, nil},
	}
	for _, c := range cases {
		res, body := h.do(ed, "POST", storyPath(a, "/publish"), c.form, c.opts...)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s token: status %d, want 403", c.name, res.StatusCode)
		}
		if !strings.Contains(body, "refused") && !strings.Contains(body, "expired") {
			t.Errorf("%s token: no clear message:\n%s", c.name, body)
		}
		if h.statusOf(a) != news.StatusReview {
			t.Fatalf("%s token: the story was published", c.name)
		}
	}
	// The header works as well as the field (the preview script uses it),
	// and a same-origin browser request passes.
	res, _ := h.do(ed, "POST", storyPath(a, "/publish"), nil, noCSRF, header(auth.CSRFHeader, h.csrf[ed]),
		header("Sec-Fetch-Site", "same-origin"), header("Origin", "http://news.test"))
	if res.StatusCode != http.StatusSeeOther || h.statusOf(a) != news.StatusPublished {
		t.Fatalf("token in header: status %d, story %s", res.StatusCode, h.statusOf(a))
	}
	// Without a session a POST is refused too.
	b := h.story(h.other, "Another", news.StatusReview)
	res, _ = h.do("", "POST", storyPath(b, "/publish"), url.Values{"csrf": {h.csrf[ed]}})
	if res.StatusCode != http.StatusUnauthorized || h.statusOf(b) != news.StatusReview {
		t.Fatalf("no session: status %d", res.StatusCode)
	}
	// And a GET without a session is sent to sign in.
	res, _ = h.do("", "GET", "/newsroom/stories", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/newsroom/signin?next=") {
		t.Fatalf("GET without a session: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

// signinForm fetches the sign-in page and returns its cookie and token.
func (h *harness) signinForm() (*http.Cookie, string) {
	h.t.Helper()
	res, body := h.do("", "GET", "/newsroom/signin", nil)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		h.t.Fatal("no token on the sign-in page")
	}
	for _, c := range res.Cookies() {
		if c.Name == preCookie {
			return c, m[1]
		}
	}
	h.t.Fatal("no sign-in cookie")
	return nil, ""
}

func (h *harness) signin(addr, email, pw string, tls bool) *http.Response {
	h.t.Helper()
	ck, tok := h.signinForm()
	form := url.Values{"email": {email}, "password": {pw}, "csrf": {tok}, "next": {"/newsroom/stories"}}
	r := httptest.NewRequest("POST", "http://news.test/newsroom/signin", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = addr + ":5555"
	r.AddCookie(ck)
	if !tls {
		r.TLS = nil
	}
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	return w.Result()
}

func sessionCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == auth.CookieName && c.Value != "" {
			return c
		}
	}
	return nil
}

func TestSignInAndThrottle(t *testing.T) {
	h := newHarness(t)
	u, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "kang@example.com", Name: "Kang", Role: news.RoleReporter, Password: "correct horse 42"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "lee@example.com", Name: "Lee", Role: news.RoleReporter, Password: "another horse 42"}); err != nil {
		t.Fatal(err)
	}

	res := h.signin("192.0.2.1", "kang@example.com", "correct horse 42", false)
	c := sessionCookie(res)
	if res.StatusCode != http.StatusSeeOther || c == nil || res.Header.Get("Location") != "/newsroom/stories" {
		t.Fatalf("sign-in: %d %v", res.StatusCode, res.Header)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/newsroom" || c.Secure {
		t.Errorf("cookie flags: %+v", c)
	}
	// Over TLS the cookie is Secure.
	ck, tok := h.signinForm()
	form := url.Values{"email": {"kang@example.com"}, "password": {"correct horse 42"}, "csrf": {tok}}
	r := httptest.NewRequest("POST", "https://news.test/newsroom/signin", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(ck)
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	if c := sessionCookie(w.Result()); c == nil || !c.Secure {
		t.Errorf("TLS sign-in cookie not Secure: %+v", c)
	}

	// A sign-in without the form's cookie is refused.
	form = url.Values{"email": {"kang@example.com"}, "password": {"correct horse 42"}, "csrf": {"forged"}}
	res2, _ := h.do("", "POST", "/newsroom/signin", form)
	if res2.StatusCode != http.StatusForbidden || sessionCookie(res2) != nil {
		t.Fatalf("sign-in without the form cookie: %d", res2.StatusCode)
	}

	sessions := func() int {
		ss, _ := h.st.ListSessions(h.ctx, u.ID)
		return len(ss)
	}
	before := sessions()
	for i := range 5 {
		if res := h.signin("192.0.2.7", "kang@example.com", fmt.Sprintf("wrong %d", i), false); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d", i, res.StatusCode)
		}
	}
	res = h.signin("192.0.2.8", "kang@example.com", "correct horse 42", false)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusTooManyRequests || sessionCookie(res) != nil || !strings.Contains(string(body), "Too many failed sign-ins") {
		t.Fatalf("sixth attempt with the right password: %d\n%s", res.StatusCode, body)
	}
	if sessions() != before {
		t.Fatal("a throttled sign-in made a session")
	}
	// Another account from the first address is not locked out by Kang's.
	if res := h.signin("192.0.2.7", "lee@example.com", "another horse 42", false); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("other account: %d", res.StatusCode)
	}
	// Per address: 20 failures from one address lock it for every account.
	for i := range 20 {
		h.signin("198.51.100.9", fmt.Sprintf("nobody%d@example.com", i), "x", false)
	}
	if res := h.signin("198.51.100.9", "lee@example.com", "another horse 42", false); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("address throttle: %d", res.StatusCode)
	}
	// Fifteen minutes later Kang may try again.
	h.clock.Add(15*time.Minute + time.Second)
	if res := h.signin("192.0.2.8", "kang@example.com", "correct horse 42", false); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the window: %d", res.StatusCode)
	}
	audit, _ := h.st.ListAudit(h.ctx, 200)
	failed := 0
	for _, e := range audit {
		if e.Action == "signin_failed" {
			failed++
			if strings.Contains(e.Detail, "wrong") {
				t.Errorf("a password reached the audit log: %q", e.Detail)
			}
		}
	}
	if failed != 25 {
		t.Errorf("%d signin_failed entries, want 25", failed)
	}
}

func TestSignOutAndRevoke(t *testing.T) {
	h := newHarness(t)
	r := news.RoleReporter
	res, body := h.do(r, "GET", "/newsroom/account", nil)
	wantStatus(t, "account", res, body, 200)
	if !strings.Contains(body, "(this browser)") {
		t.Fatal("the current session is not marked")
	}
	res, _ = h.do(r, "POST", "/newsroom/signout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	if res, _ = h.do(r, "GET", "/newsroom/", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("dashboard after sign-out: %d", res.StatusCode)
	}
}

// TestSecurityHeaders: every newsroom response, page or error, carries the
// strict headers.
func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	a := h.story(h.users[news.RoleReporter], "Header check", news.StatusDraft)
	reqs := []struct {
		role   news.Role
		method string
		path   string
	}{
		{"", "GET", "/newsroom/signin"},
		{"", "GET", "/newsroom/stories"},
		{news.RoleReporter, "GET", "/newsroom/"},
		{news.RoleReporter, "GET", storyPath(a, "")},
		{news.RoleReporter, "GET", "/newsroom/stories/99999"},
		{news.RoleReporter, "GET", "/newsroom/users"},
		{news.RoleReporter, "POST", "/newsroom/preview"},
		{news.RoleReporter, "GET", "/newsroom/static/newsroom.js"},
		{"", "GET", "/newsroom/no/such/page"},
		{"", "DELETE", "/newsroom/stories"},
	}
	for _, q := range reqs {
		res, _ := h.do(q.role, q.method, q.path, nil)
		hd := res.Header
		csp := hd.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "object-src") && !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s %s: CSP %q", q.method, q.path, csp)
		}
		// Pages are never stored; the static assets revalidate (their
		// ?v=HASH addresses are kept for a year).
		cache := "no-store"
		if strings.HasPrefix(q.path, "/newsroom/static/") {
			cache = "no-cache"
		}
		if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") != "same-origin" || hd.Get("Cache-Control") != cache {
			t.Errorf("%s %s: headers %v", q.method, q.path, hd)
		}
	}
}

// TestHostileStoryRendersInert: a contributor's script, handlers,
// javascript: links, frames and objects do not survive into the preview,
// the editor page or the stored HTML.
func TestHostileStoryRendersInert(t *testing.T) {
	h := newHarness(t)
	r := news.RoleContributor
	hostile := strings.Join([]string{
		"<script>alert(1)</script>", `<img src=x onerror="alert(2)">`, "[x](javascript:alert(3))",
		`<iframe src="https://evil.test/"></iframe>`, `<object data="x.swf"></object>`,
		`<a href="javascript:alert(4)" onclick="alert(5)">y</a>`, "Fine **text**.",
	}, "\n\n")
	bad := []string{"<script", "onerror", "onclick", "javascript:", "<iframe", "<object"}
	check := func(what, html string) {
		t.Helper()
		low := strings.ToLower(html)
		for _, b := range bad {
			if strings.Contains(low, b) {
				t.Errorf("%s contains %q:\n%s", what, b, html)
			}
		}
	}

	res, body := h.do(r, "POST", "/newsroom/preview", url.Values{"body": {hostile}})
	wantStatus(t, "preview", res, body, 200)
	check("live preview", body)
	if !strings.Contains(body, "<strong>text</strong>") {
		t.Errorf("preview lost Markdown: %s", body)
	}

	res, body = h.do(r, "POST", "/newsroom/stories", url.Values{"headline": {"Hostile"}, "body": {hostile}})
	wantStatus(t, "create", res, body, 303)
	as, _, _ := h.st.FindArticles(h.ctx, news.ArticleFilter{AuthorID: h.users[r].AuthorID})
	if len(as) != 1 {
		t.Fatalf("%d stories", len(as))
	}
	check("stored body", as[0].BodyHTML)
	_, page := h.do(r, "GET", storyPath(as[0], ""), nil)
	start := strings.Index(page, `id="body_html"`)
	end := strings.Index(page[start:], "</textarea>")
	check("editor's body field", html.UnescapeString(page[start:start+end]))
	// The only scripts on the page are ours: the newsroom's and the editor.
	if strings.Count(page, "<script") != 2 || !strings.Contains(page, `<script src="/newsroom/static/newsroom.js?v=`) || !strings.Contains(page, `<script src="/newsroom/static/editor.js?v=`) {
		t.Error("the editor page has a script besides the newsroom's")
	}
}

// TestFormErrorsChangeNothing: bad input re-renders the form with a clear
// error and the user's text, and leaves the story alone.
func TestFormErrorsChangeNothing(t *testing.T) {
	h := newHarness(t)
	r := news.RoleEditor
	a := h.story(h.users[r], "Original headline", news.StatusReview)
	before := h.find(a.ID)
	cases := []struct {
		path string
		form url.Values
		msg  string
	}{
		{storyPath(a, ""), url.Values{"headline": {""}, "body": {"my unsaved text"}}, "A headline is required."},
		{storyPath(a, ""), url.Values{"headline": {"x"}, "body": {"my unsaved text"}, "section": {"abc"}}, "Pick a section"},
		{storyPath(a, ""), url.Values{"headline": {"x"}, "body": {"my unsaved text"}, "embargo": {"tomorrow"}}, "is not a date and time"},
		{storyPath(a, "/schedule"), url.Values{"at": {"2026-03-22T08:00"}}, "has passed"},
		{storyPath(a, "/schedule"), url.Values{"at": {"soon"}}, "is not a date and time"},
		{storyPath(a, "/unpublish"), nil, "cannot be unpublished"},
		{storyPath(a, "/corrections"), url.Values{"kind": {"correction"}, "text": {"x"}}, "cannot be corrected"},
	}
	for _, c := range cases {
		res, body := h.do(r, "POST", c.path, c.form)
		if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s %v: status %d", c.path, c.form, res.StatusCode)
		}
		if !strings.Contains(body, c.msg) {
			t.Errorf("%s %v: no %q in the page", c.path, c.form, c.msg)
		}
		if c.form.Get("body") != "" && !strings.Contains(body, c.form.Get("body")) {
			t.Errorf("%s: the user's text was lost", c.path)
		}
	}
	after := h.find(a.ID)
	if after.Headline != before.Headline || after.Status != before.Status || !after.UpdatedAt.Equal(before.UpdatedAt) || len(after.Corrections) != 0 {
		t.Errorf("bad input changed the story: %+v", after)
	}
}

// TestScheduleInPaperZone: the datetime-local field is the paper's time.
func TestScheduleInPaperZone(t *testing.T) {
	h := newHarness(t)
	a := h.story(h.other, "Morning edition", news.StatusReview)
	// 10:30 in Seoul is 01:30 UTC.
	res, body := h.do(news.RoleEditor, "POST", storyPath(a, "/schedule"), url.Values{"at": {"2026-03-22T10:30"}})
	wantStatus(t, "schedule", res, body, 303)
	got := h.find(a.ID)
	if want := time.Date(2026, 3, 22, 1, 30, 0, 0, time.UTC); got.Status != news.StatusScheduled || !got.PublishedAt.Equal(want) {
		t.Fatalf("scheduled %s at %v, want %v", got.Status, got.PublishedAt, want)
	}
	_, page := h.do(news.RoleEditor, "GET", storyPath(a, ""), nil)
	if !strings.Contains(page, `value="2026-03-22T10:30"`) || !strings.Contains(page, "2026-03-22 10:30 KST") {
		t.Error("the editor does not show the scheduled time in the paper's zone")
	}
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts the photo form as role with a file (nil: none).
func (h *harness) upload(role news.Role, a *news.Article, fields map[string]string, name, ctype string, data []byte) (*http.Response, string) {
	h.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("csrf", h.csrf[role])
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if data != nil {
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
		hdr.Set("Content-Type", ctype)
		p, _ := mw.CreatePart(hdr)
		_, _ = p.Write(data)
	}
	mw.Close()
	r := httptest.NewRequest("POST", "http://news.test"+storyPath(a, "/photo"), &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: h.token[role]})
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestPhotoDesk(t *testing.T) {
	h := newHarness(t)
	rep := news.RoleReporter
	a := h.story(h.users[rep], "With a photo", news.StatusDraft)

	// Hostile and bad uploads: refused with a message, nothing attached.
	for _, c := range []struct {
		name, ctype string
		data        []byte
		msg         string
	}{
		{"lies.jpg", "image/jpeg", []byte("<html><script>alert(1)</script></html>"), ""},
		{"big.png", "image/png", bytes.Repeat([]byte{0}, 3<<20), "larger than"},
	} {
		res, body := h.upload(rep, a, map[string]string{"caption": "c"}, c.name, c.ctype, c.data)
		if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d", c.name, res.StatusCode)
		}
		if !strings.Contains(body, `class="error"`) || (c.msg != "" && !strings.Contains(body, c.msg)) {
			t.Errorf("%s: no clear error in the page", c.name)
		}
		if h.find(a.ID).PhotoID != 0 {
			t.Fatalf("%s: a refused file was attached", c.name)
		}
	}
	// Another reporter cannot attach a photo to this story.
	if res, _ := h.upload(news.RoleContributor, a, nil, "p.png", "image/png", pngBytes(t, 40, 30)); res.StatusCode != http.StatusForbidden {
		t.Fatalf("contributor uploads to another's story: %d", res.StatusCode)
	}

	res, body := h.upload(rep, a, map[string]string{"caption": "Kim and Trump meet", "focal_x": "0.3", "focal_y": "0.6"}, "p.png", "image/png", pngBytes(t, 800, 600))
	wantStatus(t, "upload", res, body, 303)
	got := h.find(a.ID)
	if got.PhotoID == 0 || got.Photo == nil || len(got.Photo.Widths) == 0 || got.Photo.Caption != "Kim and Trump meet" || got.Photo.FocalX != 0.3 {
		t.Fatalf("photo after upload: %+v", got.Photo)
	}
	// Saving the story form keeps the photo.
	res, body = h.do(rep, "POST", storyPath(a, ""), saveForm(got, "With a photo, edited"))
	wantStatus(t, "save with photo", res, body, 303)
	if h.find(a.ID).PhotoID != got.PhotoID {
		t.Fatal("saving the story form dropped the photo")
	}
	// Publishing needs credit and alt text.
	if err := h.flow.Submit(h.ctx, h.users[rep], a.ID); err != nil {
		t.Fatal(err)
	}
	res, body = h.do(news.RoleEditor, "POST", storyPath(a, "/publish"), nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "needs a credit, alt text") {
		t.Fatalf("publish without credit/alt: %d", res.StatusCode)
	}
	if h.statusOf(a) != news.StatusReview {
		t.Fatal("refused publish changed the status")
	}
	res, body = h.upload(news.RoleEditor, a, map[string]string{"caption": "Kim and Trump meet", "credit": "Korea Times file", "alt": "Two men shake hands"}, "", "", nil)
	wantStatus(t, "photo details", res, body, 303)
	res, body = h.do(news.RoleEditor, "POST", storyPath(a, "/publish"), nil)
	wantStatus(t, "publish with details", res, body, 303)
	// Once live, the photo's details cannot be emptied.
	res, _ = h.upload(news.RoleEditor, a, map[string]string{"caption": "Kim and Trump meet", "credit": "", "alt": "Two men shake hands"}, "", "", nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("emptying the credit of a live story's photo: %d", res.StatusCode)
	}
	if ph, _ := h.st.FindPhotoByID(h.ctx, got.PhotoID); ph.Credit != "Korea Times file" {
		t.Fatal("the credit was emptied")
	}
}

func TestRevisionsDiffPage(t *testing.T) {
	h := newHarness(t)
	r := news.RoleReporter
	a := h.story(h.users[r], "Diff me", news.StatusDraft)
	form := saveForm(a, "Diff me")
	form.Set("body", "Body of Diff me\n\nA 5 < 6 line")
	res, body := h.do(r, "POST", storyPath(a, ""), form)
	wantStatus(t, "save", res, body, 303)
	revs, _ := h.st.FindRevisions(h.ctx, a.ID)
	if len(revs) != 2 {
		t.Fatalf("%d revisions", len(revs))
	}
	res, body = h.do(r, "GET", storyPath(a, "/revisions"), nil)
	wantStatus(t, "revisions", res, body, 200)
	res, body = h.do(r, "GET", storyPath(a, fmt.Sprintf("/diff?a=%d&b=%d", revs[1].ID, revs[0].ID)), nil)
	wantStatus(t, "diff", res, body, 200)
	if !strings.Contains(body, "<ins>A 5 &lt; 6 line</ins>") {
		t.Errorf("diff page does not show the escaped inserted line:\n%s", body)
	}
	// Another story's revision cannot be shown through this one.
	b := h.story(h.other, "Not mine", news.StatusDraft)
	brevs, _ := h.st.FindRevisions(h.ctx, b.ID)
	if res, _ := h.do(r, "GET", storyPath(a, fmt.Sprintf("/diff?a=%d&b=%d", brevs[0].ID, revs[0].ID)), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("foreign revision: %d", res.StatusCode)
	}
}

func TestPagesRender(t *testing.T) {
	h := newHarness(t)
	a := h.story(h.other, "Listed", news.StatusPublished)
	_ = h.story(h.other, "In review", news.StatusReview)
	for _, p := range []string{"/newsroom/", "/newsroom/stories", "/newsroom/stories?status=review&page=1", "/newsroom/stories/new",
		storyPath(a, ""), storyPath(a, "/revisions"), "/newsroom/frontpage", "/newsroom/audit", "/newsroom/users",
		"/newsroom/sections", "/newsroom/account"} {
		res, body := h.do(news.RoleAdmin, "GET", p, nil)
		wantStatus(t, p, res, body, 200)
	}
	_, body := h.do(news.RoleEditor, "GET", "/newsroom/", nil)
	if !strings.Contains(body, "In review") {
		t.Error("dashboard does not list the story in review")
	}
	// Writers only ever list their own stories, whatever the query says.
	_, body = h.do(news.RoleReporter, "GET", fmt.Sprintf("/newsroom/stories?author=%d", h.other.AuthorID), nil)
	if strings.Contains(body, "Listed") {
		t.Error("a reporter's story list shows another's story")
	}
}

func TestChangePassword(t *testing.T) {
	h := newHarness(t)
	u, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "pw@example.com", Name: "Pw", Role: news.RoleContributor, Password: "old password 1"})
	if err != nil {
		t.Fatal(err)
	}
	m := auth.NewSessions(h.st, h.clock)
	tok, s, _ := m.Create(h.ctx, u.ID, "this")
	other, _, _ := m.Create(h.ctx, u.ID, "that")
	const role news.Role = "pw"
	h.token[role], h.csrf[role] = tok, s.CSRFToken
	for _, c := range []struct{ cur, pw, confirm, msg string }{
		{"wrong", "new password 22", "new password 22", "current password is wrong"},
		{"old password 1", "new password 22", "new password 23", "differ"},
		{"old password 1", "short", "short", "at least 10"},
	} {
		res, body := h.do(role, "POST", "/newsroom/account/password", url.Values{"current": {c.cur}, "new": {c.pw}, "confirm": {c.confirm}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.msg) {
			t.Errorf("%+v: status %d, message missing", c, res.StatusCode)
		}
	}
	if got, _ := h.st.FindUserByID(h.ctx, u.ID); got.PasswordHash != u.PasswordHash {
		t.Fatal("a refused change changed the password")
	}
	res, body := h.do(role, "POST", "/newsroom/account/password", url.Values{"current": {"old password 1"}, "new": {"new password 22"}, "confirm": {"new password 22"}})
	wantStatus(t, "change", res, body, 303)
	if _, err := auth.Authenticate(h.ctx, h.st, "pw@example.com", "new password 22"); err != nil {
		t.Fatal("the new password does not work")
	}
	if _, _, err := m.Lookup(h.ctx, other); err == nil {
		t.Error("the other session survived the password change")
	}
	if _, _, err := m.Lookup(h.ctx, tok); err != nil {
		t.Error("the session that changed the password was signed out")
	}
}

// TestEditConflict: two writers save the same story within the same
// second from the same version. The second save is refused where both
// changed the same field, with the writer's text kept and both versions
// shown side by side; changes to fields only one side touched are merged;
// "overwrite" keeps the other writer's changes to the fields this one did
// not touch.
func TestEditConflict(t *testing.T) {
	h := newHarness(t)
	a := h.story(h.users[news.RoleReporter], "Shared draft", news.StatusDraft)
	_, page := h.do(news.RoleReporter, "GET", storyPath(a, ""), nil)
	version := fmt.Sprint(a.Version)
	if !strings.Contains(page, `name="version" value="`+version+`"`) {
		t.Fatal("the editor does not carry the story's version")
	}
	// Both forms were opened at the same version; the clock does not move
	// (the old check compared times to the second and let this through).
	ef := saveForm(a, "Editor version")
	ef.Set("version", version)
	ef.Set("deck", "The editor's deck")
	res, body := h.do(news.RoleEditor, "POST", storyPath(a, ""), ef)
	wantStatus(t, "editor saves", res, body, 303)
	form := saveForm(a, "Reporter version")
	form.Set("version", version)
	form.Set("body", "my careful rewrite")
	res, body = h.do(news.RoleReporter, "POST", storyPath(a, ""), form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "my careful rewrite") || !strings.Contains(body, "Merge your changes") {
		t.Fatalf("stale save: status %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{"Editor version", "Reporter version", `name="choose_headline"`, `name="choose_deck"`, "changed by both"} {
		if !strings.Contains(body, want) {
			t.Errorf("the merge screen lacks %q", want)
		}
	}
	if got := h.find(a.ID); got.Headline != "Editor version" || got.BodyMarkdown == "my careful rewrite" {
		t.Fatal("the stale save overwrote the editor's version")
	}
	// Overwrite: my headline and body, the editor's deck (I left it alone).
	form.Set("op", "overwrite")
	res, body = h.do(news.RoleReporter, "POST", storyPath(a, ""), form)
	wantStatus(t, "overwrite", res, body, 303)
	got := h.find(a.ID)
	if got.Headline != "Reporter version" || got.BodyMarkdown != "my careful rewrite" || got.Deck != "The editor's deck" {
		t.Fatalf("after overwrite: %q / %q / %q", got.Headline, got.Deck, got.BodyMarkdown)
	}

	// Choosing per field: keep the editor's headline, my body.
	base := fmt.Sprint(got.Version)
	ef = saveForm(got, "Editor again")
	ef.Set("version", base)
	ef.Set("deck", got.Deck)
	ef.Set("body", got.BodyMarkdown)
	res, body = h.do(news.RoleEditor, "POST", storyPath(a, ""), ef)
	wantStatus(t, "editor saves again", res, body, 303)
	form = saveForm(got, "Reporter again")
	form.Set("version", base)
	form.Set("deck", got.Deck)
	form.Set("body", "second rewrite")
	form.Set("op", "merge")
	form.Set("choose_headline", "theirs")
	res, body = h.do(news.RoleReporter, "POST", storyPath(a, ""), form)
	wantStatus(t, "merge", res, body, 303)
	if got := h.find(a.ID); got.Headline != "Editor again" || got.BodyMarkdown != "second rewrite" {
		t.Fatalf("after the merge: %q / %q", got.Headline, got.BodyMarkdown)
	}

	// Different fields on each side merge by themselves.
	cur := h.find(a.ID)
	base = fmt.Sprint(cur.Version)
	ef = saveForm(cur, cur.Headline)
	ef.Set("version", base)
	ef.Set("deck", "deck by the editor")
	ef.Set("body", cur.BodyMarkdown)
	res, body = h.do(news.RoleEditor, "POST", storyPath(a, ""), ef)
	wantStatus(t, "editor's deck", res, body, 303)
	form = saveForm(cur, cur.Headline)
	form.Set("version", base)
	form.Set("deck", cur.Deck)
	form.Set("body", "third rewrite")
	res, body = h.do(news.RoleReporter, "POST", storyPath(a, ""), form)
	wantStatus(t, "reporter's body", res, body, 303)
	if got := h.find(a.ID); got.Deck != "deck by the editor" || got.BodyMarkdown != "third rewrite" {
		t.Fatalf("disjoint edits: %q / %q, want both kept", got.Deck, got.BodyMarkdown)
	}
}
