package views

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/gif"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
)

// T0 is a Tuesday morning in Seoul, 10:30 UTC.
var T0 = time.Date(2026, 3, 10, 10, 30, 0, 0, time.UTC)

const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"

// env is a Counter on a real database file, with a clock the test moves.
type env struct {
	t       testing.TB
	ctx     context.Context
	path    string
	store   news.Store
	clock   *news.FixedClock
	c       *Counter
	mux     *http.ServeMux
	paper   *news.Paper
	section *news.Section
}

func newEnv(t testing.TB, mod func(*Config)) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), path: filepath.Join(t.TempDir(), "masthead.db"), clock: news.NewFixedClock(T0)}
	e.paper = &news.Paper{Name: "The Masthead Times", BaseURL: "https://news.example.com", Location: seoul(t)}
	e.store = openStore(t, e.path)
	e.start(mod)
	e.section = &news.Section{Slug: "world", Name: "World"}
	if err := e.store.CreateSection(e.ctx, e.section); err != nil {
		t.Fatal(err)
	}
	return e
}

// start makes a new Counter on the env's store, as a restarted node would.
func (e *env) start(mod func(*Config)) {
	e.t.Helper()
	cfg := Config{
		Store:          e.store,
		Clock:          e.clock,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Paper:          e.paper,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	c.genPoll = 0 // every ranking re-reads the generation: tests see changes at once
	e.c = c
	e.mux = http.NewServeMux()
	c.Register(e.mux)
}

func seoul(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// story creates a published story (ten days before T0) after mod.
func (e *env) story(slug string, mod func(a *news.Article)) *news.Article {
	e.t.Helper()
	a := &news.Article{
		Slug: slug, Headline: "Headline of " + slug, BodyHTML: "<p>Body.</p>", Lang: "en",
		Status: news.StatusPublished, CreatedAt: T0.Add(-240 * time.Hour),
		PublishedAt: T0.Add(-240 * time.Hour), UpdatedAt: T0.Add(-240 * time.Hour),
	}
	if mod != nil {
		mod(a)
	}
	if err := e.store.CreateArticle(e.ctx, a); err != nil {
		e.t.Fatalf("CreateArticle(%s): %v", slug, err)
	}
	return a
}

// req builds a beacon from a reader at remote with user agent ua.
func beaconReq(id int64, remote, ua string) *http.Request {
	r := httptest.NewRequest("POST", "/api/v1/views", strings.NewReader(fmt.Sprintf(`{"article_id": %d}`, id)))
	r.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	r.Header.Set("User-Agent", ua)
	r.RemoteAddr = remote
	return r
}

func (e *env) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	return w
}

// beacon sends a beacon and expects 204.
func (e *env) beacon(id int64, remote, ua string) {
	e.t.Helper()
	if w := e.serve(beaconReq(id, remote, ua)); w.Code != http.StatusNoContent {
		e.t.Fatalf("beacon: status %d, body %s", w.Code, w.Body)
	}
}

func (e *env) flush() {
	e.t.Helper()
	if err := e.c.Flush(e.ctx); err != nil {
		e.t.Fatalf("Flush: %v", err)
	}
}

// views is the stored total of a story over all time.
func (e *env) views(id int64) int64 {
	e.t.Helper()
	vs, err := e.store.ArticleViews(e.ctx, id, time.Time{})
	if err != nil {
		e.t.Fatalf("ArticleViews: %v", err)
	}
	var n int64
	for _, v := range vs {
		n += v.Count
	}
	return n
}

// reader returns the n-th distinct reader's user agent.
func reader(n int) string { return fmt.Sprintf("%s Reader/%d", firefox, n) }

// readerAt returns the n-th distinct reader's address (one address adds
// only a few views per story, whatever its user agents).
func readerAt(n int) string { return fmt.Sprintf("198.18.%d.%d:1", n/250%250, n%250+1) }

func TestOncePerReaderPerDay(t *testing.T) {
	e := newEnv(t, nil)
	a := e.story("kim-trump-letter", nil)

	e.beacon(a.ID, "203.0.113.7:50000", firefox)
	e.beacon(a.ID, "203.0.113.7:50001", firefox) // same reader, another connection
	e.flush()
	if got := e.views(a.ID); got != 1 {
		t.Fatalf("same reader twice: %d views, want 1", got)
	}
	e.beacon(a.ID, "203.0.113.7:50002", firefox) // and again, after a flush
	e.beacon(a.ID, "203.0.113.7:50003", reader(2))
	e.beacon(a.ID, "203.0.113.8:50003", firefox)
	// The <noscript> image is the same reader as the beacon.
	if w := e.serve(gifReq(a.ID, "203.0.113.8:1", firefox)); w.Code != 200 {
		t.Fatalf("gif: %d", w.Code)
	}
	e.flush()
	if got := e.views(a.ID); got != 3 {
		t.Fatalf("after another agent and another address: %d views, want 3", got)
	}

	salt1, _ := e.store.GetSetting(e.ctx, saltKey)
	e.clock.Add(24 * time.Hour)
	e.beacon(a.ID, "203.0.113.7:50004", firefox)
	e.beacon(a.ID, "203.0.113.7:50005", firefox)
	e.flush()
	if got := e.views(a.ID); got != 4 {
		t.Fatalf("next day: %d views, want 4 (once more)", got)
	}
	salt2, _ := e.store.GetSetting(e.ctx, saltKey)
	if !strings.HasPrefix(salt2, "2026-03-11 ") || salt1 == salt2 || !strings.HasPrefix(salt1, "2026-03-10 ") {
		t.Errorf("salt did not rotate: %q then %q", salt1, salt2)
	}
	if strings.Contains(salt2, "203.0.113") {
		t.Error("an address reached the settings")
	}
}

func gifReq(id int64, remote, ua string) *http.Request {
	r := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/views.gif?article_id=%d", id), nil)
	r.Header.Set("User-Agent", ua)
	r.RemoteAddr = remote
	return r
}

func TestIgnored(t *testing.T) {
	e := newEnv(t, nil)
	a := e.story("public", nil)
	draft := e.story("draft", func(x *news.Article) { x.Status = news.StatusDraft })
	embargoed := e.story("embargoed", func(x *news.Article) { x.EmbargoUntil = T0.Add(time.Hour) })
	scheduled := e.story("scheduled", func(x *news.Article) {
		x.Status = news.StatusScheduled
		x.PublishedAt = T0.Add(time.Hour)
	})

	var reqs []*http.Request
	for name, ua := range botUAs {
		r := beaconReq(a.ID, "203.0.113.7:1", ua)
		r.Header.Set("X-Test", name)
		reqs = append(reqs, r)
	}
	for _, h := range [][2]string{
		{"Sec-Purpose", "prefetch;prerender"}, {"Sec-Purpose", "prefetch"},
		{"Purpose", "prefetch"}, {"X-Moz", "prefetch"}, {"X-Purpose", "preview"},
		{"Sec-Fetch-Site", "cross-site"},
	} {
		r := beaconReq(a.ID, "203.0.113.7:1", firefox)
		r.Header.Set(h[0], h[1])
		reqs = append(reqs, r)
	}
	head := gifReq(a.ID, "203.0.113.7:1", firefox)
	head.Method = http.MethodHead
	reqs = append(reqs, head)
	for i, id := range []int64{draft.ID, embargoed.ID, scheduled.ID, 999999} {
		reqs = append(reqs, beaconReq(id, "203.0.113.9:1", reader(i)))
	}
	for _, r := range reqs {
		w := e.serve(r)
		if w.Code != http.StatusNoContent && w.Code != http.StatusOK {
			t.Errorf("%s %s: status %d, want 204/200 (ignored quietly)", r.Method, r.Header.Get("X-Test"), w.Code)
		}
	}
	e.flush()
	for _, x := range []*news.Article{a, draft, embargoed, scheduled} {
		if got := e.views(x.ID); got != 0 {
			t.Errorf("%s: %d views, want 0", x.Slug, got)
		}
	}
	if got := e.views(999999); got != 0 {
		t.Errorf("nonexistent story: %d views", got)
	}
	// The same story from a reader counts: the ignored requests were not
	// ignored for some other reason.
	e.beacon(a.ID, "203.0.113.7:1", firefox)
	e.beacon(draft.ID, "203.0.113.7:1", firefox) // known not public now: dropped in memory
	e.flush()
	if got := e.views(a.ID); got != 1 {
		t.Errorf("control reader: %d views, want 1", got)
	}
	if got := e.views(draft.ID); got != 0 {
		t.Errorf("draft after flush: %d views", got)
	}
}

func TestTrustedProxy(t *testing.T) {
	e := newEnv(t, nil)
	a := e.story("proxied", nil)
	xff := func(remote, fwd string) {
		r := beaconReq(a.ID, remote, firefox)
		r.Header.Set("X-Forwarded-For", fwd)
		if w := e.serve(r); w.Code != http.StatusNoContent {
			t.Fatalf("status %d", w.Code)
		}
	}
	// Two readers behind our proxy, told apart by X-Forwarded-For.
	xff("10.0.0.2:4000", "198.51.100.1")
	xff("10.0.0.2:4001", "198.51.100.2")
	xff("10.0.0.3:4001", "198.51.100.2") // the second again, through another proxy
	e.flush()
	if got := e.views(a.ID); got != 2 {
		t.Errorf("behind the trusted proxy: %d views, want 2", got)
	}
	// A client on the open internet forging X-Forwarded-For is itself.
	xff("203.0.113.50:1", "198.51.100.3")
	xff("203.0.113.50:2", "198.51.100.4")
	xff("203.0.113.50:3", "198.51.100.5, 10.0.0.9")
	e.flush()
	if got := e.views(a.ID); got != 3 {
		t.Errorf("spoofed X-Forwarded-For: %d views, want 3 (one more reader)", got)
	}
	// Forgery through the proxy: the forged left part is not believed.
	xff("10.0.0.2:4000", "1.1.1.1, 198.51.100.1")
	xff("10.0.0.2:4000", "2.2.2.2, 198.51.100.1")
	e.flush()
	if got := e.views(a.ID); got != 3 {
		t.Errorf("forged hops left of the proxy's: %d views, want 3", got)
	}
}

// TestWindows puts views at the edges of each window and checks what each
// ranking sees at T0 (10:30): a window starts at the hour holding now-window.
func TestWindows(t *testing.T) {
	e := newEnv(t, nil)
	business := &news.Section{Slug: "business", Name: "Business"}
	if err := e.store.CreateSection(e.ctx, business); err != nil {
		t.Fatal(err)
	}
	world := e.section.ID
	type placed struct {
		slug    string
		section int64
		at      time.Time
		views   int
	}
	day := 24 * time.Hour
	cases := []placed{
		{"g-7d-out", business.ID, T0.Add(-7*day - 31*time.Minute), 17}, // 7d ago 09:59
		{"f-7d-in", business.ID, T0.Add(-7*day - 30*time.Minute), 13},  // 7d ago 10:00
		{"e-24h-out", business.ID, T0.Add(-day - 31*time.Minute), 11},  // yesterday 09:59
		{"d-24h-in", business.ID, T0.Add(-day - 30*time.Minute), 7},    // yesterday 10:00
		{"c-1h-out", world, T0.Add(-91 * time.Minute), 5},              // 08:59
		{"b-1h-in", business.ID, T0.Add(-90 * time.Minute), 2},         // 09:00
		{"a-now", world, T0.Add(-20 * time.Minute), 3},                 // 10:10
	}
	ids := map[int64]string{}
	n := 0
	for _, p := range cases {
		a := e.story(p.slug, func(a *news.Article) {
			a.SectionID = p.section
			a.PublishedAt = T0.Add(-9 * day)
		})
		ids[a.ID] = p.slug
		e.clock.Set(p.at)
		for range p.views {
			n++
			e.beacon(a.ID, readerAt(n), reader(n))
		}
	}
	e.clock.Set(T0)
	e.flush()

	top := func(window time.Duration, section int64) string {
		t.Helper()
		entries, err := e.c.TopStories(e.ctx, window, section, 10)
		if err != nil {
			t.Fatalf("TopStories(%s): %v", window, err)
		}
		var parts []string
		for _, x := range entries {
			parts = append(parts, fmt.Sprintf("%s=%d", ids[x.Article.ID], x.Views))
		}
		return strings.Join(parts, " ")
	}
	tests := []struct {
		window  time.Duration
		section int64
		want    string
	}{
		{time.Hour, 0, "a-now=3 b-1h-in=2"},
		{24 * time.Hour, 0, "d-24h-in=7 c-1h-out=5 a-now=3 b-1h-in=2"},
		{7 * day, 0, "f-7d-in=13 e-24h-out=11 d-24h-in=7 c-1h-out=5 a-now=3 b-1h-in=2"},
		{24 * time.Hour, world, "c-1h-out=5 a-now=3"},
		{7 * day, business.ID, "f-7d-in=13 e-24h-out=11 d-24h-in=7 b-1h-in=2"},
	}
	for _, tt := range tests {
		if got := top(tt.window, tt.section); got != tt.want {
			t.Errorf("top %s section %d:\n got %s\nwant %s", tt.window, tt.section, got, tt.want)
		}
	}
	// An hour later the 1h window has moved on: cached rankings follow the clock.
	e.clock.Add(time.Hour)
	if got := top(time.Hour, 0); got != "a-now=3" {
		t.Errorf("top 1h at 11:30 = %q, want a-now=3", got)
	}
	e.clock.Set(T0)

	// The API: absolute canonical URLs, at most ten, JSON.
	w := e.serve(httptest.NewRequest("GET", "/api/v1/top?window=1h", nil))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/top: %d %s", w.Code, w.Body)
	}
	var items []TopItem
	if err := json.Unmarshal(w.Body.Bytes(), &items); err != nil {
		t.Fatal(err)
	}
	// Published 9 days before T0, 19:30 in Seoul on 1 March.
	if len(items) != 2 || items[0].URL != "https://news.example.com/2026/03/01/a-now" ||
		items[0].Headline != "Headline of a-now" || items[0].Views != 3 {
		t.Errorf("GET /api/v1/top?window=1h = %+v", items)
	}
	w = e.serve(httptest.NewRequest("GET", "/api/v1/top?section=world", nil))
	items = nil
	_ = json.Unmarshal(w.Body.Bytes(), &items)
	if w.Code != 200 || len(items) != 2 || items[0].Views != 5 {
		t.Errorf("GET /api/v1/top?section=world (24h default) = %d %s", w.Code, w.Body)
	}
	for _, bad := range []struct {
		q    string
		code int
	}{{"window=2h", 400}, {"window=", 200}, {"window=1d", 400}, {"section=nope", 404}} {
		if w := e.serve(httptest.NewRequest("GET", "/api/v1/top?"+bad.q, nil)); w.Code != bad.code {
			t.Errorf("GET /api/v1/top?%s: %d, want %d (%s)", bad.q, w.Code, bad.code, w.Body)
		}
	}
	if _, err := e.c.TopStories(e.ctx, 0, 0, 10); err == nil {
		t.Error("TopStories with a zero window: no error")
	}
}

// TestTopHidesWithdrawn: a story unpublished or put under embargo leaves the
// cached ranking without waiting for a flush.
func TestTopHidesWithdrawn(t *testing.T) {
	e := newEnv(t, nil)
	a := e.story("withdrawn", nil)
	b := e.story("stays", nil)
	e.beacon(a.ID, "203.0.113.1:1", firefox)
	e.beacon(a.ID, "203.0.113.2:1", firefox)
	e.beacon(b.ID, "203.0.113.1:1", firefox)
	e.flush()
	ids := func() []int64 {
		t.Helper()
		top, err := e.c.TopStories(e.ctx, 24*time.Hour, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, x := range top {
			out = append(out, x.Article.ID)
		}
		return out
	}
	if got := ids(); len(got) != 2 || got[0] != a.ID {
		t.Fatalf("top = %v, want [%d %d]", got, a.ID, b.ID)
	}
	a.Status = news.StatusUnpublished
	if err := e.store.UpdateArticle(e.ctx, a); err != nil {
		t.Fatal(err)
	}
	if got := ids(); len(got) != 1 || got[0] != b.ID {
		t.Errorf("after unpublishing: top = %v, want [%d]", got, b.ID)
	}
	b.EmbargoUntil = T0.Add(time.Hour)
	if err := e.store.UpdateArticle(e.ctx, b); err != nil {
		t.Fatal(err)
	}
	if got := ids(); len(got) != 0 {
		t.Errorf("after an embargo: top = %v, want none", got)
	}
	e.clock.Add(time.Hour)
	if got := ids(); len(got) != 1 || got[0] != b.ID {
		t.Errorf("after the embargo ends: top = %v, want [%d]", got, b.ID)
	}
}

func TestConcurrentBeaconsSumExactly(t *testing.T) {
	// Every beacon is a new reader at its own address, forwarded by the
	// loopback proxy.
	e := newEnv(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	stories := []*news.Article{e.story("one", nil), e.story("two", nil), e.story("three", nil)}
	srv := httptest.NewServer(e.mux)
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64

	const workers, each = 32, 100
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	stop := make(chan struct{})
	// Flushes race the beacons: nothing may fall between two maps.
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				if err := e.c.Flush(e.ctx); err != nil {
					errs <- err
					return
				}
			}
		}
	}()
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				n := g*each + i
				id := stories[n%3].ID
				body := fmt.Sprintf(`{"article_id":%d}`, id)
				req, _ := http.NewRequest("POST", srv.URL+"/api/v1/views", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("User-Agent", reader(n))
				req.Header.Set("X-Forwarded-For", strings.TrimSuffix(readerAt(n), ":1"))
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusNoContent {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	e.flush()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var total int64
	for i, s := range stories {
		got := e.views(s.ID)
		want := int64(workers * each / 3)
		if i < workers*each%3 {
			want++
		}
		if got != want {
			t.Errorf("%s: %d views, want %d", s.Slug, got, want)
		}
		total += got
	}
	if total != workers*each {
		t.Errorf("total %d, want %d", total, workers*each)
	}
}

// TestRestart: counts are on disk, and a restarted node neither loses them
// nor counts today's readers again.
func TestRestart(t *testing.T) {
	e := newEnv(t, nil)
	a := e.story("restart", nil)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.c.Run(ctx) }()
	e.beacon(a.ID, "203.0.113.1:1", firefox)
	e.beacon(a.ID, "203.0.113.2:1", firefox)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}

	e.store = openStore(t, e.path)
	e.start(nil)
	top, err := e.c.TopStories(e.ctx, 24*time.Hour, 0, 10)
	if err != nil || len(top) != 1 || top[0].Views != 2 {
		t.Fatalf("after restart: top = %v, %v; want the story with 2 views", top, err)
	}
	e.beacon(a.ID, "203.0.113.1:1", firefox) // counted before the restart
	e.beacon(a.ID, "203.0.113.3:1", firefox) // new
	e.flush()
	if got := e.views(a.ID); got != 3 {
		t.Errorf("after restart: %d views, want 3", got)
	}
}

// TestRunFlushesOnCancel: a clean shutdown loses nothing even with an
// interval that never ticks.
func TestRunFlushesOnCancel(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.FlushInterval = time.Hour })
	a := e.story("shutdown", nil)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.c.Run(ctx) }()
	for i := range 5 {
		e.beacon(a.ID, readerAt(i), reader(i))
	}
	if got := e.views(a.ID); got != 0 {
		t.Fatalf("written before the interval: %d (one write per view?)", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := e.views(a.ID); got != 5 {
		t.Errorf("after shutdown: %d views, want 5", got)
	}
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t, nil)
	a := e.story("bad", nil)
	tests := []struct {
		name, ctype, body string
		code              int
	}{
		{"malformed", "application/json", `{"article_id":`, 400},
		{"empty", "text/plain", ``, 400},
		{"no id", "application/json", `{"id": 1}`, 400},
		{"zero", "application/json", `{"article_id": 0}`, 400},
		{"negative", "application/json", `{"article_id": -3}`, 400},
		{"string id", "application/json", fmt.Sprintf(`{"article_id": "%d"}`, a.ID), 400},
		{"float id", "application/json", `{"article_id": 1.5}`, 400},
		{"huge id", "application/json", `{"article_id": 99999999999999999999}`, 400},
		{"array", "application/json", fmt.Sprintf(`[%d]`, a.ID), 400},
		{"trailing", "application/json", fmt.Sprintf(`{"article_id": %d} x`, a.ID), 400},
		{"too large", "application/json", fmt.Sprintf(`{"article_id": %d, "pad": "%s"}`, a.ID, strings.Repeat("x", 1100)), 413},
		{"form", "application/x-www-form-urlencoded", fmt.Sprintf("article_id=%d", a.ID), 415},
		{"bad content type", "text/plain; ===", fmt.Sprintf(`{"article_id": %d}`, a.ID), 415},
	}
	for i, tt := range tests {
		r := httptest.NewRequest("POST", "/api/v1/views", strings.NewReader(tt.body))
		r.Header.Set("Content-Type", tt.ctype)
		r.Header.Set("User-Agent", reader(i))
		r.RemoteAddr = "203.0.113.1:1"
		w := e.serve(r)
		var body struct{ Error string }
		if w.Code != tt.code || json.Unmarshal(w.Body.Bytes(), &body) != nil || body.Error == "" {
			t.Errorf("%s: %d %q, want %d and a JSON error", tt.name, w.Code, w.Body, tt.code)
		}
	}
	for _, q := range []string{"", "article_id=", "article_id=x", "article_id=-1"} {
		r := httptest.NewRequest("GET", "/api/v1/views.gif?"+q, nil)
		r.Header.Set("User-Agent", firefox)
		if w := e.serve(r); w.Code != 400 {
			t.Errorf("gif ?%s: %d, want 400", q, w.Code)
		}
	}
	if w := e.serve(httptest.NewRequest("GET", "/api/v1/views", nil)); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /api/v1/views: %d, want 405", w.Code)
	}
	e.flush()
	if got := e.views(a.ID); got != 0 {
		t.Errorf("bad requests counted: %d views", got)
	}
	// Extra fields are allowed (the page may send more one day).
	r := beaconReq(a.ID, "203.0.113.1:1", firefox)
	r.Body = io.NopCloser(strings.NewReader(fmt.Sprintf(`{"article_id": %d, "ref": "x"}`, a.ID)))
	if w := e.serve(r); w.Code != 204 || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("good beacon with an extra field: %d %v", w.Code, w.Header())
	}
}

func TestGIF(t *testing.T) {
	e := newEnv(t, nil)
	a := e.story("noscript", nil)
	w := e.serve(gifReq(a.ID, "203.0.113.1:1", firefox))
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/gif" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("gif: %d %v", w.Code, w.Header())
	}
	img, err := gif.Decode(bytes.NewReader(w.Body.Bytes()))
	if err != nil || img.Bounds().Dx() != 1 || img.Bounds().Dy() != 1 {
		t.Fatalf("not a 1x1 GIF: %v %v", err, img)
	}
	e.flush()
	if got := e.views(a.ID); got != 1 {
		t.Errorf("gif view: %d, want 1", got)
	}
}

func TestArticleHistory(t *testing.T) {
	e := newEnv(t, nil)
	a := e.story("chart", nil)
	e.clock.Set(T0.Add(-47 * time.Hour)) // the oldest hour of the chart
	e.beacon(a.ID, "203.0.113.1:1", firefox)
	e.clock.Set(T0.Add(-48 * time.Hour)) // just before it
	e.beacon(a.ID, "203.0.113.2:1", firefox)
	e.clock.Set(T0)
	e.flush()
	e.beacon(a.ID, "203.0.113.3:1", firefox) // pending, not yet written
	e.beacon(a.ID, "203.0.113.4:1", firefox)
	h, err := e.c.ArticleHistory(e.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 48 {
		t.Fatalf("%d hours, want 48", len(h))
	}
	if !h[0].Hour.Equal(T0.Truncate(time.Hour).Add(-47*time.Hour)) || !h[47].Hour.Equal(T0.Truncate(time.Hour)) {
		t.Errorf("hours %s .. %s", h[0].Hour, h[47].Hour)
	}
	var total int64
	for _, v := range h {
		total += v.Count
	}
	if h[0].Count != 1 || h[47].Count != 2 || total != 3 {
		t.Errorf("history: first %d, last %d, total %d; want 1, 2, 3", h[0].Count, h[47].Count, total)
	}
}

func TestDedupLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.DedupLimit = numShards * 2 })
	a := e.story("flood", nil)
	for i := range 1000 {
		e.beacon(a.ID, readerAt(i), reader(i))
	}
	e.flush()
	if got := e.views(a.ID); got <= 0 || got > numShards*2 {
		t.Errorf("%d views with a limit of %d readers", got, numShards*2)
	}
}

func TestNewNeedsStoreAndPaper(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without a store: no error")
	}
	s := openStore(t, filepath.Join(t.TempDir(), "x.db"))
	if _, err := New(Config{Store: s}); err == nil {
		t.Error("New without a paper: no error")
	}
}

// TestPublishedLater: a story known not to be public starts counting as
// soon as the node sees the generation move, not only after a flush.
func TestPublishedLater(t *testing.T) {
	e := newEnv(t, nil)
	d := e.story("breaking", func(a *news.Article) { a.Status = news.StatusDraft })
	e.beacon(d.ID, "203.0.113.1:1", firefox) // a leak of the draft's id
	e.flush()
	e.beacon(d.ID, "203.0.113.2:1", firefox) // known not public: dropped in memory
	if n := e.pendingSlots(); n != 0 {
		t.Errorf("draft beacon kept in memory: %d slots", n)
	}
	d.Status = news.StatusPublished
	d.PublishedAt = T0.Add(-time.Minute)
	if err := e.store.UpdateArticle(e.ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.TopStories(e.ctx, time.Hour, 0, 10); err != nil { // as the site does on a page render
		t.Fatal(err)
	}
	e.beacon(d.ID, "203.0.113.3:1", firefox)
	e.flush()
	if got := e.views(d.ID); got != 1 {
		t.Errorf("after publication: %d views, want 1", got)
	}
}

// TestUnknownIDsBounded: made-up ids cannot pile up work for the flush.
func TestUnknownIDsBounded(t *testing.T) {
	e := newEnv(t, nil)
	a := e.story("real", nil)
	for i := range maxUnknownSlots + 500 {
		e.beacon(int64(1_000_000+i), readerAt(i), firefox)
	}
	if n := e.pendingSlots(); n > maxUnknownSlots {
		t.Errorf("%d pending slots for made-up ids, bound %d", n, maxUnknownSlots)
	}
	e.flush()
	if n := e.pendingSlots(); n != 0 {
		t.Errorf("%d slots left after flush", n)
	}
	e.beacon(a.ID, "203.0.113.1:1", firefox) // the bound was per interval
	e.flush()
	if got := e.views(a.ID); got != 1 {
		t.Errorf("real story after the flood: %d views, want 1", got)
	}
}

func (e *env) pendingSlots() int {
	n := 0
	for i := range e.c.shards {
		s := &e.c.shards[i]
		s.mu.Lock()
		n += len(s.pending)
		s.mu.Unlock()
	}
	return n
}
