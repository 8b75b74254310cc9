package pagecache

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type notice struct {
	All  bool     `json:"all"`
	Keys []string `json:"keys"`
}

// receiver records notifications; the first fail requests answer 503.
func receiver(t *testing.T, fail int32) (*httptest.Server, chan notice) {
	t.Helper()
	got := make(chan notice, 16)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s with %q", r.Method, r.Header.Get("Content-Type"))
		}
		if n.Add(1) <= fail {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var m notice
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("body %q: %v", b, err)
		}
		got <- m
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func startHook(t *testing.T, u string) *Webhook {
	t.Helper()
	w, err := NewWebhook(u, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	w.minBackoff, w.maxBackoff = time.Millisecond, 5*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

func wait(t *testing.T, got chan notice) notice {
	t.Helper()
	select {
	case m := <-got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
	}
	return notice{}
}

func TestWebhookKeysAndAll(t *testing.T) {
	srv, got := receiver(t, 0)
	w := startHook(t, srv.URL+"/purge?token=secret")
	w.Purge("section-3", "article-1", "article-1")
	if m := wait(t, got); m.All || !slices.Equal(m.Keys, []string{"article-1", "section-3"}) {
		t.Errorf("keys: got %+v", m)
	}
	w.Purge()
	if m := wait(t, got); !m.All || len(m.Keys) != 0 {
		t.Errorf("all: got %+v", m)
	}
}

func TestWebhookRetries(t *testing.T) {
	srv, got := receiver(t, 3)
	w := startHook(t, srv.URL)
	w.Purge("article-9")
	if m := wait(t, got); !slices.Equal(m.Keys, []string{"article-9"}) {
		t.Errorf("after retries: got %+v", m)
	}
}

// Purge must return at once even when the receiver hangs.
func TestWebhookNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(srv.Close)
	w := startHook(t, srv.URL)
	t.Cleanup(func() { close(release) }) // before the hook stops: its last attempt gets an answer
	for i := range 1000 {
		w.Purge("article-" + strings.Repeat("x", i%7))
	}
	w.Purge()
}

func TestWebhookBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x/y", "/relative", "http://"} {
		if _, err := NewWebhook(u, nil); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	_, err := NewWebhook("gopher://h/p?token=secret", nil)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("error %v must not quote the token", err)
	}
}

// Pages carry the CDN directives, and their purge keys in the one header
// SetKeyHeader names (with the separator that CDN reads), or in none.
func TestTagsAndSharedCacheControl(t *testing.T) {
	tagged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Tag(r.Context(), "article-1", "section-3")
		Tag(r.Context(), "author-2", "article-1")
		newPage().ServeHTTP(w, r)
	})
	keyHeaders := []string{"Surrogate-Key", "Cache-Tag", "Edge-Cache-Tag"}
	for _, hdr := range []string{"", "surrogate-key", "Cache-Tag", "Edge-Cache-Tag"} {
		c := New(1<<20, 0)
		c.SetShared(5*time.Minute, time.Minute, 24*time.Hour)
		if err := c.SetKeyHeader(hdr); err != nil {
			t.Fatal(err)
		}
		sep := " "
		if hdr != "" && hdr != "surrogate-key" {
			sep = ","
		}
		for _, tc := range []struct {
			h    http.Handler
			keys []string
		}{
			{tagged, []string{"article-1", "author-2", "section-3"}},
			{newPage(), []string{UntaggedKey}},
		} {
			m := c.Middleware(tc.h)
			for _, cond := range []string{"", "If-None-Match"} { // the miss, the hit, a 304
				var hs map[string]string
				if cond != "" {
					hs = map[string]string{"If-None-Match": do(t, m, "GET", "/p", nil).Header().Get("Etag")}
				}
				rec := do(t, m, "GET", "/p", hs)
				for _, k := range keyHeaders {
					want := ""
					if strings.EqualFold(k, hdr) {
						want = strings.Join(tc.keys, sep)
					}
					if got := rec.Header().Get(k); got != want {
						t.Errorf("SetKeyHeader(%q) %d: %s %q, want %q", hdr, rec.Code, k, got, want)
					}
				}
				want := "public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"
				if got := rec.Header().Get("Cache-Control"); got != want {
					t.Errorf("Cache-Control %q, want %q", got, want)
				}
			}
			// The cache's own purge by key works whether or not a header
			// carries the keys.
			c.PurgeKeys(tc.keys[len(tc.keys)-1])
			if n := c.Stats().Entries; n != 0 {
				t.Errorf("SetKeyHeader(%q): %d pages left after purging %s", hdr, n, tc.keys[len(tc.keys)-1])
			}
		}
	}
	if err := New(1, 0).SetKeyHeader("X-Keys"); err == nil || !strings.Contains(err.Error(), "Surrogate-Key") {
		t.Errorf("unknown key header: %v", err)
	}
	// Outside a fill Tag does nothing (and does not panic).
	Tag(context.Background(), "x")
}
