package site

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"masthead/internal/news"
)

// contactClient posts the contact form as a browser on our site would,
// keeping the form's cookie.
type contactClient struct {
	t      *testing.T
	h      http.Handler
	cookie *http.Cookie
	addr   string // RemoteAddr
	xff    string
}

func (c *contactClient) post(form url.Values) (*httptest.ResponseRecorder, *html.Node) {
	c.t.Helper()
	req := httptest.NewRequest("POST", "/contact-form", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if c.addr != "" {
		req.RemoteAddr = c.addr
	}
	if c.xff != "" {
		req.Header.Set("X-Forwarded-For", c.xff)
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == contactCookie {
			c.cookie = ck
		}
	}
	doc, err := html.Parse(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		c.t.Fatal(err)
	}
	return rec, doc
}

// token fetches a token as site.js does.
func (c *contactClient) token() string {
	c.t.Helper()
	req := httptest.NewRequest("GET", "/contact-form/token", nil)
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "no-store" {
		c.t.Fatalf("token: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == contactCookie {
			c.cookie = ck
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
				c.t.Errorf("cookie %+v", ck)
			}
		}
	}
	var j struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &j); err != nil || j.Token == "" {
		c.t.Fatalf("token body %q", rec.Body.String())
	}
	return j.Token
}

func messages(t *testing.T, e *env) []*news.ReaderMessage {
	t.Helper()
	ms, err := e.db.ListMessages(context.Background(), news.MessageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func goodForm(tok string) url.Values {
	return url.Values{"t": {tok}, "kind": {"error"}, "url": {"/2020/03/22/x"}, "message": {"The second paragraph names the wrong ministry."},
		"name": {"Reader"}, "email": {"reader@example.com"}, honeypotField: {""}}
}

// TestContactPageIsTheSameForEveryone: the cached contact page carries the
// form with no token, identical for every anonymous reader.
func TestContactPageIsTheSameForEveryone(t *testing.T) {
	e, _ := pagesEnv(t)
	a, b := e.get("/contact"), e.get("/contact", "Cookie", contactCookie+"=abc", "User-Agent", "other")
	if a.Code != 200 || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) || a.Header().Get("Set-Cookie") != "" {
		t.Fatalf("the contact page differs between readers or sets a cookie (%d)", a.Code)
	}
	if !strings.Contains(a.Header().Get("Cache-Control"), "public") {
		t.Errorf("Cache-Control %q", a.Header().Get("Cache-Control"))
	}
	doc, _ := e.page("/contact", 200)
	form := one(t, doc, "#contact-form form[data-contact][method=post][action='/contact-form']")
	if attr(one(t, form, "input[name=t]"), "value") != "" {
		t.Error("the cached form carries a token")
	}
	one(t, form, ".hp input[name=website][tabindex='-1']")
	one(t, form, "label[for=contact-message]")
	one(t, form, "textarea#contact-message[required]")
	// The story's "report an error" link fills in the story.
	art, _ := e.page(e.articlePath(e.d.seed), 200)
	link := attr(one(t, art, "p.report-error a"), "href")
	u, _ := url.Parse(link)
	if u.Path != "/contact" || u.Query().Get("story") != e.articlePath(e.d.seed) {
		t.Fatalf("report link %q", link)
	}
	rep, _ := e.page(u.RequestURI(), 200)
	if got := attr(one(t, rep, "#contact-url"), "value"); got != e.articlePath(e.d.seed) {
		t.Errorf("story field %q", got)
	}
	one(t, rep, "#contact-kind option[value=error][selected]")
	// A made-up story parameter is not reflected.
	bad, _ := e.page("/contact?story="+url.QueryEscape(`"><script>x</script>`), 200)
	if attr(one(t, bad, "#contact-url"), "value") != "" {
		t.Error("a bad story parameter was reflected")
	}
}

// TestContactFormNoJS: without JavaScript the first post gets the form back
// with a token and the reader's text; sending it again files the message.
func TestContactFormNoJS(t *testing.T) {
	e, _ := pagesEnv(t)
	clock := e.site.clock.(*news.FixedClock)
	c := &contactClient{t: t, h: e.h}
	form := goodForm("")
	rec, doc := c.post(form)
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "no-store") {
		t.Fatalf("first post: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if !strings.Contains(text(one(t, doc, "#contact-form .notice")), "press Send again") {
		t.Error("no notice to send again")
	}
	if got := text(one(t, doc, "#contact-message")); got != form.Get("message") {
		t.Errorf("message kept as %q", got)
	}
	tok := attr(one(t, doc, "#contact-form input[name=t]"), "value")
	if tok == "" || c.cookie == nil {
		t.Fatal("no token or cookie in the answer")
	}
	if n := len(messages(t, e)); n != 0 {
		t.Fatalf("%d messages stored before the token", n)
	}
	clock.Add(ContactMinFill + time.Second)
	rec, doc = c.post(goodForm(tok))
	if rec.Code != 200 || !strings.Contains(text(one(t, doc, "#contact-form .notice")), "reached the editors") {
		t.Fatalf("second post: %d %s", rec.Code, text(doc))
	}
	ms := messages(t, e)
	if len(ms) != 1 || ms[0].Kind != news.MessageError || ms[0].URL != "/2020/03/22/x" || ms[0].Email != "reader@example.com" || ms[0].ClientKey == "" {
		t.Fatalf("stored %+v", ms)
	}
	if strings.Contains(ms[0].ClientKey, "192.0.2") {
		t.Error("the address is stored in clear")
	}
}

// TestContactFormRefuses: bots and bad input. Each refusal stores nothing
// and says what to fix.
func TestContactFormRefuses(t *testing.T) {
	e, _ := pagesEnv(t)
	clock := e.site.clock.(*news.FixedClock)
	c := &contactClient{t: t, h: e.h}

	// Too quick: a token used the moment it was issued.
	tok := c.token()
	rec, doc := c.post(goodForm(tok))
	if rec.Code != 422 || !strings.Contains(text(one(t, doc, ".form-error")), "quicker") {
		t.Errorf("instant post: %d", rec.Code)
	}
	clock.Add(ContactMinFill + time.Second)
	// A token without its cookie (another browser's), or forged.
	stolen := &contactClient{t: t, h: e.h}
	if rec, _ := stolen.post(goodForm(tok)); rec.Code != 200 || len(messages(t, e)) != 0 {
		t.Errorf("a token without its cookie was taken: %d", rec.Code)
	}
	if rec, _ := c.post(goodForm(tok[:len(tok)-2] + "AA")); rec.Code != 200 || len(messages(t, e)) != 0 {
		t.Errorf("a forged token was taken: %d", rec.Code)
	}
	// From another site.
	req := httptest.NewRequest("POST", "/contact-form", strings.NewReader(goodForm(tok).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(c.cookie)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != 403 {
		t.Errorf("cross-site post: %d", w.Code)
	}
	// The honeypot: thanked, dropped.
	c.token()
	clock.Add(ContactMinFill + time.Second)
	hp := goodForm(c.token())
	clock.Add(ContactMinFill + time.Second)
	hp.Set(honeypotField, "http://spam.example")
	if rec, _ := c.post(hp); rec.Code != 200 || len(messages(t, e)) != 0 {
		t.Errorf("honeypot: %d, %d stored", rec.Code, len(messages(t, e)))
	}
	// Bad input: the field is named, the text kept.
	for name, tc := range map[string]struct {
		mod   func(url.Values)
		field string
		says  string
	}{
		"empty":      {func(v url.Values) { v.Set("message", "  ") }, "contact-message", "Write your message"},
		"e-mail":     {func(v url.Values) { v.Set("email", "not an address") }, "contact-email", "e-mail"},
		"kind":       {func(v url.Values) { v.Set("kind", "other") }, "contact-kind", "about"},
		"story":      {func(v url.Values) { v.Set("url", "javascript:alert(1)") }, "contact-url", "story"},
		"links":      {func(v url.Values) { v.Set("message", "see http://a.example http://b.example www.c.example") }, "contact-message", "links"},
		"too long":   {func(v url.Values) { v.Set("message", strings.Repeat("x", news.MaxMessageText+1)) }, "contact-message", "longer"},
		"NUL":        {func(v url.Values) { v.Set("name", "a\x00b") }, "contact-name", "NUL"},
		"bad UTF-8 ": {func(v url.Values) { v.Set("message", "\xff\xfe") }, "contact-message", "UTF-8"},
	} {
		f := goodForm(c.token())
		clock.Add(ContactMinFill + time.Second)
		tc.mod(f)
		rec, doc := c.post(f)
		if rec.Code != 422 {
			t.Errorf("%s: %d", name, rec.Code)
			continue
		}
		if msg := text(one(t, doc, ".form-error")); !strings.Contains(msg, tc.says) {
			t.Errorf("%s: message %q lacks %q", name, msg, tc.says)
		}
		if attr(one(t, doc, "#"+tc.field), "aria-invalid") != "true" {
			t.Errorf("%s: #%s not marked invalid", name, tc.field)
		}
	}
	if n := len(messages(t, e)); n != 0 {
		t.Errorf("%d messages stored from refused posts", n)
	}
}

// TestContactFormRateLimit: an address gets ContactFree messages, then
// waits; through a trusted proxy the forwarded address counts, and one
// address cannot pass for many by its forwarded header when the proxy is
// not trusted.
func TestContactFormRateLimit(t *testing.T) {
	e, _ := pagesEnv(t)
	clock := news.NewFixedClock(testNow)
	s := New(Config{Paper: e.paper, Store: e.db, Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	h := s.Handler()
	send := func(c *contactClient) int {
		f := goodForm(c.token())
		clock.Add(ContactMinFill + time.Second)
		rec, _ := c.post(f)
		return rec.Code
	}
	// Behind the trusted proxy: readers told apart by X-Forwarded-For.
	a := &contactClient{t: t, h: h, addr: "10.1.1.1:5000", xff: "198.51.100.7"}
	for i := range ContactFree {
		if code := send(a); code != 200 {
			t.Fatalf("message %d: %d", i+1, code)
		}
	}
	if code := send(a); code != 429 {
		t.Errorf("message %d from one address: %d, want 429", ContactFree+1, code)
	}
	b := &contactClient{t: t, h: h, addr: "10.1.1.1:5000", xff: "198.51.100.8"}
	if code := send(b); code != 200 {
		t.Errorf("another reader behind the same proxy: %d", code)
	}
	// IPv6: one /64 is one sender.
	for i := range ContactFree {
		c := &contactClient{t: t, h: h, addr: "[2001:db8:1:2::" + string(rune('a'+i)) + "]:443"}
		if code := send(c); code != 200 {
			t.Fatalf("IPv6 message %d: %d", i+1, code)
		}
	}
	if code := send(&contactClient{t: t, h: h, addr: "[2001:db8:1:2::ff]:443"}); code != 429 {
		t.Errorf("IPv6 /64 past the limit: %d", code)
	}
	// Not through a trusted proxy: the header is ignored.
	for i := range ContactFree {
		c := &contactClient{t: t, h: h, addr: "203.0.113.9:1", xff: "198.51.100." + string(rune('0'+i))}
		if code := send(c); code != 200 {
			t.Fatalf("direct message %d: %d", i+1, code)
		}
	}
	if code := send(&contactClient{t: t, h: h, addr: "203.0.113.9:1", xff: "198.51.100.99"}); code != 429 {
		t.Errorf("a forged X-Forwarded-For escaped the limit: %d", code)
	}
	if got, want := len(messages(t, e)), 3*ContactFree+1; got != want {
		t.Errorf("%d messages stored, want %d", got, want)
	}
}

// TestContactFormInKorean: the form's choices and answers are in the
// page's language, like the rest of the chrome (they were English only).
func TestContactFormInKorean(t *testing.T) {
	f := &ContactForm{Kinds: contactKinds(news.MessageError), Notice: "Thank you. Your message reached the editors."}
	f.localize(localeFor("ko"))
	if f.Kinds[0].Name != "편집자에게 보내는 메시지" || f.Kinds[1].Name != "기사의 오류" || !f.Kinds[1].Selected {
		t.Errorf("kinds %+v", f.Kinds)
	}
	if f.Notice != "감사합니다. 메시지가 편집자에게 전달되었습니다." || f.L.Code() != "ko" {
		t.Errorf("notice %q in %s", f.Notice, f.L.Code())
	}
	// Text that is not one of the fixed lines is left as it is.
	g := &ContactForm{Notice: "100% sure"}
	g.localize(localeFor("ko"))
	if g.Notice != "100% sure" {
		t.Errorf("notice %q", g.Notice)
	}
}
