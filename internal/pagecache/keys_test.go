package pagecache

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// tagged serves a cacheable page tagged with the keys in its path
// (/k/a,b) and counts renders per path.
type tagged struct {
	mu      sync.Mutex
	renders map[string]int
	// hold, when set, blocks the render of that path until released.
	hold    string
	started chan struct{}
	release chan struct{}
}

func (h *tagged) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.renders[r.URL.Path]++
	hold := h.hold == r.URL.Path
	if hold {
		h.hold = "" // once
	}
	h.mu.Unlock()
	if keys := strings.TrimPrefix(r.URL.Path, "/k/"); keys != "" && keys != r.URL.Path {
		Tag(r.Context(), strings.Split(keys, ",")...)
	}
	if hold {
		close(h.started)
		<-h.release
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Write([]byte("page " + r.URL.Path))
}

func (h *tagged) count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.renders[path]
}

func TestPurgeKeys(t *testing.T) {
	h := &tagged{renders: map[string]int{}}
	c := New(1<<20, time.Hour)
	mw := c.Middleware(h)
	paths := []string{"/k/article-1,section-2", "/k/article-3,section-2", "/k/article-4", "/k/front", "/untagged"}
	for _, p := range paths {
		do(t, mw, "GET", p, nil)
		do(t, mw, "GET", p, nil)
	}
	if n := c.Stats().Entries; n != 5 {
		t.Fatalf("%d entries, want 5", n)
	}
	if n := c.PurgeKeys("section-2", "nothing-has-this"); n != 2 {
		t.Errorf("PurgeKeys(section-2) dropped %d pages, want 2", n)
	}
	for _, p := range paths {
		do(t, mw, "GET", p, nil)
	}
	for p, want := range map[string]int{"/k/article-1,section-2": 2, "/k/article-3,section-2": 2, "/k/article-4": 1, "/k/front": 1, "/untagged": 1} {
		if got := h.count(p); got != want {
			t.Errorf("%s rendered %d times, want %d", p, got, want)
		}
	}
	if n := c.PurgeKeys(UntaggedKey); n != 1 {
		t.Errorf("PurgeKeys(%s) dropped %d, want the untagged page", UntaggedKey, n)
	}
	if s := c.Stats(); s.KeyPurges != 2 || s.KeyPurged != 3 || s.Purges != 0 {
		t.Errorf("stats %+v", s)
	}
}

// A page whose render began before a purge of its keys is not stored: it
// may show what the change replaced. Other pages rendered meanwhile are.
func TestPurgeKeysDuringRender(t *testing.T) {
	h := &tagged{renders: map[string]int{}, hold: "/k/article-1", started: make(chan struct{}), release: make(chan struct{})}
	c := New(1<<20, time.Hour)
	mw := c.Middleware(h)
	done := make(chan struct{})
	go func() { do(t, mw, "GET", "/k/article-1", nil); close(done) }()
	<-h.started
	c.PurgeKeys("article-1")
	close(h.release)
	<-done
	do(t, mw, "GET", "/k/article-1", nil)
	if got := h.count("/k/article-1"); got != 2 {
		t.Errorf("the page rendered before the purge was served from the cache (%d renders, want 2)", got)
	}

	h2 := &tagged{renders: map[string]int{}, hold: "/k/article-2", started: make(chan struct{}), release: make(chan struct{})}
	mw = c.Middleware(h2)
	done = make(chan struct{})
	go func() { do(t, mw, "GET", "/k/article-2", nil); close(done) }()
	<-h2.started
	c.PurgeKeys("article-9")
	close(h2.release)
	<-done
	do(t, mw, "GET", "/k/article-2", nil)
	if got := h2.count("/k/article-2"); got != 1 {
		t.Errorf("an unrelated purge kept a page out of the cache (%d renders, want 1)", got)
	}
}
