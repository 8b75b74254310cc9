package newsroom

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/auth"
	"masthead/internal/news"
)

// TestHostileMarkdownIsRefused: "[a](" × 150,000 (600 KB) ran 195 s on one
// core in a preview. Now the preview and the save answer 400 at once with
// the line at fault, and the save (the editor again, 422) changes nothing.
func TestHostileMarkdownIsRefused(t *testing.T) {
	h := newHarness(t)
	r := news.RoleReporter
	hostile := "Intro.\n\n" + strings.Repeat("[a](", 150_000)
	res, body := h.do(r, "POST", "/newsroom/preview", url.Values{"body": {hostile}})
	wantStatus(t, "preview", res, body, http.StatusBadRequest)
	if !strings.Contains(body, "could not be rendered: line 3") {
		t.Errorf("preview error does not name the line: %.300s", body)
	}
	a := h.story(h.users[r], "Calm", news.StatusDraft)
	res, body = h.do(r, "POST", storyPath(a, ""), url.Values{"headline": {"Calm"}, "body": {hostile}})
	wantStatus(t, "save", res, body, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "could not be rendered: line 3") {
		t.Errorf("the editor does not say why: %.300s", body)
	}
	got, err := h.st.FindArticleByID(h.ctx, a.ID)
	if err != nil || got.BodyMarkdown == hostile {
		t.Fatalf("the refused body was stored (err %v)", err)
	}
}

// TestRenderGate: one render at a time per user, and no more than the
// burst of render time until it is paid back at half a second per second.
func TestRenderGate(t *testing.T) {
	now := time.Unix(1000, 0)
	var mu sync.Mutex
	g := newRenderGate(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	release, ok := g.acquire(1)
	if !ok {
		t.Fatal("first render refused")
	}
	if _, ok := g.acquire(1); ok {
		t.Fatal("a second concurrent render of the same user was let in")
	}
	if rel2, ok := g.acquire(2); !ok {
		t.Fatal("another user's render was refused")
	} else {
		rel2(time.Millisecond)
	}
	release(4 * time.Second) // over the burst
	if _, ok := g.acquire(1); ok {
		t.Fatal("a user over the burst was let in")
	}
	advance(2 * time.Second) // pays back 1 s: 3 s of debt left, still at the burst
	if _, ok := g.acquire(1); ok {
		t.Fatal("let in before the debt fell under the burst")
	}
	advance(time.Second)
	release, ok = g.acquire(1)
	if !ok {
		t.Fatal("refused after paying back")
	}
	release(0)
}

// TestPreviewsOfOneUserDoNotRunTogether: while one preview of a user is
// being made, the next answers 429; another user is not held up.
func TestPreviewsOfOneUserDoNotRunTogether(t *testing.T) {
	h := newHarness(t)
	r := news.RoleReporter
	release, ok := h.nr.renders.acquire(h.users[r].ID) // a preview in flight
	if !ok {
		t.Fatal("acquire")
	}
	res, body := h.do(r, "POST", "/newsroom/preview", url.Values{"body": {"*hi*"}})
	wantStatus(t, "second preview", res, body, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	res, body = h.do(news.RoleEditor, "POST", "/newsroom/preview", url.Values{"body": {"*hi*"}})
	wantStatus(t, "other user's preview", res, body, http.StatusOK)
	release(0)
	res, body = h.do(r, "POST", "/newsroom/preview", url.Values{"body": {"*hi*"}})
	wantStatus(t, "preview after the first ended", res, body, http.StatusOK)
}

// signinWith posts the sign-in form after edit has adjusted the request
// (address, headers, cookies).
func (h *harness) signinWith(email, pw string, edit func(*http.Request)) *http.Response {
	h.t.Helper()
	ck, tok := h.signinForm()
	form := url.Values{"email": {email}, "password": {pw}, "csrf": {tok}}
	r := httptest.NewRequest("POST", "http://news.test/newsroom/signin", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = "192.0.2.50:5555"
	r.AddCookie(ck)
	if edit != nil {
		edit(r)
	}
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	return w.Result()
}

func from(addr string) func(*http.Request) {
	return func(r *http.Request) { r.RemoteAddr = addr + ":5555" }
}

// TestSigninParallelGuessesAreCounted: twelve wrong passwords sent at once
// were all checked against a limit of five. The barrier holds every guess
// that passed the throttle until all twelve have either passed or been
// refused, so before the fix all twelve reached the password check.
func TestSigninParallelGuessesAreCounted(t *testing.T) {
	h := newHarness(t)
	if _, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "kang@example.com", Name: "Kang", Role: news.RoleReporter, Password: "correct horse 42"}); err != nil {
		t.Fatal(err)
	}
	const n = 12
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	arrive := func() {
		mu.Lock()
		defer mu.Unlock()
		if arrived++; arrived == n {
			close(all)
		}
	}
	h.nr.testHookSignin = func() { arrive(); <-all }
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res := h.signinWith("kang@example.com", fmt.Sprintf("wrong %d", i), from(fmt.Sprintf("198.51.100.%d", i+1)))
			if res.StatusCode == http.StatusTooManyRequests {
				arrive() // refused before the hook
			}
			codes <- res.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[http.StatusUnauthorized] != 5 || count[http.StatusTooManyRequests] != 7 {
		t.Fatalf("statuses %v, want 5 × 401 and 7 × 429", count)
	}
}

// TestSigninOwnerNotLockedOut: a stranger's wrong passwords make the
// account back off for browsers it does not know, but its owner signs in
// from a browser that signed in before, even behind the same proxy.
func TestSigninOwnerNotLockedOut(t *testing.T) {
	h := newHarness(t)
	if _, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "kang@example.com", Name: "Kang", Role: news.RoleReporter, Password: "correct horse 42"}); err != nil {
		t.Fatal(err)
	}
	res := h.signinWith("kang@example.com", "correct horse 42", nil)
	var device *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == auth.DeviceCookie {
			device = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || device == nil || !device.HttpOnly || device.Path != "/newsroom/signin" {
		t.Fatalf("first sign-in: %d, device cookie %+v", res.StatusCode, device)
	}
	// The stranger, from the owner's own address, guesses 30 times over
	// an hour: the account backs off, and so does the address.
	for i := range 30 {
		h.signinWith("kang@example.com", fmt.Sprintf("guess %d", i), nil)
		h.clock.Add(2 * time.Minute)
	}
	res = h.signinWith("kang@example.com", "correct horse 42", nil)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), "Try again in") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("unknown browser during the attack: %d", res.StatusCode)
	}
	res = h.signinWith("kang@example.com", "correct horse 42", func(r *http.Request) { r.AddCookie(device) })
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner's browser during the attack: %d, want 303", res.StatusCode)
	}
	// A device cookie is for its account only.
	if _, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "lee@example.com", Name: "Lee", Role: news.RoleReporter, Password: "another horse 42"}); err != nil {
		t.Fatal(err)
	}
	if k := h.nr.devices.Known(withCookie(device), "lee@example.com"); k != "" {
		t.Fatal("Kang's device cookie is accepted for Lee")
	}
	// Guessing with the device cookie backs off that device, not the owner's others.
	for i := range 6 {
		h.signinWith("kang@example.com", fmt.Sprintf("device guess %d", i), func(r *http.Request) { r.AddCookie(device) })
	}
	res = h.signinWith("kang@example.com", "correct horse 42", func(r *http.Request) { r.AddCookie(device) })
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a device that guessed six times: %d, want 429", res.StatusCode)
	}
}

func withCookie(c *http.Cookie) *http.Request {
	r := httptest.NewRequest("GET", "http://news.test/", nil)
	r.AddCookie(c)
	return r
}

// TestSigninThrottlesClientBehindTrustedProxy: behind a proxy in
// --trusted-proxies, one client's failures throttle that client, not every
// client of the proxy.
func TestSigninThrottlesClientBehindTrustedProxy(t *testing.T) {
	h := newHarness(t)
	h.nr.cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	if _, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "lee@example.com", Name: "Lee", Role: news.RoleReporter, Password: "another horse 42"}); err != nil {
		t.Fatal(err)
	}
	via := func(client string) func(*http.Request) {
		return func(r *http.Request) {
			r.RemoteAddr = "10.0.0.1:443"
			r.Header.Set("X-Forwarded-For", client)
		}
	}
	for i := range 20 {
		h.signinWith(fmt.Sprintf("nobody%d@example.com", i), "x", via("203.0.113.9"))
	}
	if res := h.signinWith("lee@example.com", "another horse 42", via("203.0.113.9")); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the guessing client: %d, want 429", res.StatusCode)
	}
	if res := h.signinWith("lee@example.com", "another horse 42", via("203.0.113.10")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("another client of the same proxy: %d, want 303", res.StatusCode)
	}
	// An untrusted peer's X-Forwarded-For is not believed.
	for i := range 20 {
		h.signinWith(fmt.Sprintf("nobody%d@example.com", i), "x", func(r *http.Request) {
			r.RemoteAddr = "192.0.2.99:1"
			r.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", 100+i))
		})
	}
	if res := h.signinWith("lee@example.com", "another horse 42", from("192.0.2.99")); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("forged X-Forwarded-For escaped the throttle: %d", res.StatusCode)
	}
}

// TestSigninAuditIsBounded: 20 failed sign-ins with a 4 MiB e-mail field
// grew the audit table by 21 MB. Now the body is capped at 8 KiB, a long
// e-mail is stored cut with a hash, rows are rate-limited, and a throttled
// address writes one row per five minutes however often it knocks.
func TestSigninAuditIsBounded(t *testing.T) {
	h := newHarness(t)
	auditBytes := func() (rows, bytes int) {
		es, err := h.st.ListAudit(h.ctx, 100000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			rows++
			bytes += len(e.Detail)
		}
		return
	}
	huge := strings.Repeat("a", 4<<20) + "@example.com"
	res := h.signinWith(huge, "x", nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("4 MiB e-mail: %d, want 400", res.StatusCode)
	}
	if rows, _ := auditBytes(); rows != 0 {
		t.Fatalf("a refused oversized form wrote %d audit rows", rows)
	}
	// Within the body limit, the longest e-mail is stored cut.
	long := strings.Repeat("b", 7000) + "@example.com"
	h.signinWith(long, "x", from("198.51.100.1"))
	es, _ := h.st.ListAudit(h.ctx, 10)
	if len(es) != 1 || len(es[0].Detail) > 200 || !strings.Contains(es[0].Detail, "sha256") {
		t.Fatalf("long e-mail stored as %d bytes: %.200q", len(es[0].Detail), es[0].Detail)
	}
	// 90 failures from 90 addresses at once: at most the burst is
	// written, and the next row says how many were not.
	for i := range 90 {
		h.signinWith(fmt.Sprintf("user%d-%s@example.com", i, strings.Repeat("c", 100)), "x", from(fmt.Sprintf("203.0.%d.%d", i/250, i%250+1)))
	}
	rows, size := auditBytes()
	if rows > auditBurst+1 || size > (auditBurst+1)*200 {
		t.Fatalf("%d rows, %d bytes after 90 failures", rows, size)
	}
	h.clock.Add(time.Minute)
	h.signinWith("late@example.com", "x", from("198.51.100.2"))
	es, _ = h.st.ListAudit(h.ctx, 1)
	if !strings.Contains(es[0].Detail, "not recorded") {
		t.Errorf("the row after the gap does not count what was left out: %q", es[0].Detail)
	}
	// A throttled address knocking 300 times writes one row.
	h.clock.Add(time.Hour)
	before, _ := auditBytes()
	for range 320 {
		h.signinWith("kang@example.com", "x", from("198.51.100.3"))
	}
	after, _ := auditBytes()
	if after-before > 21 { // 20 failures, then one throttled row
		t.Fatalf("%d rows for one throttled address", after-before)
	}
}
