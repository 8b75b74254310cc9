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

// Pages carry their purge keys and the CDN directives.
func TestTagsAndSharedCacheControl(t *testing.T) {
	tagged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Tag(r.Context(), "article-1", "section-3")
		Tag(r.Context(), "author-2", "article-1")
		newPage().ServeHTTP(w, r)
	})
	c := New(1<<20, 0)
	c.SetShared(5*time.Minute, time.Minute, 24*time.Hour)
	for _, tc := range []struct {
		h       http.Handler
		sk, tag string
	}{
		{tagged, "article-1 author-2 section-3", "article-1,author-2,section-3"},
		{newPage(), UntaggedKey, UntaggedKey},
	} {
		m := c.Middleware(tc.h)
		for range 2 { // the miss and the hit
			rec := do(t, m, "GET", "/p", nil)
			if got := rec.Header().Get("Surrogate-Key"); got != tc.sk {
				t.Errorf("Surrogate-Key %q, want %q", got, tc.sk)
			}
			if got := rec.Header().Get("Cache-Tag"); got != tc.tag {
				t.Errorf("Cache-Tag %q, want %q", got, tc.tag)
			}
			want := "public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"
			if got := rec.Header().Get("Cache-Control"); got != want {
				t.Errorf("Cache-Control %q, want %q", got, want)
			}
		}
		c.Purge()
	}
	// Outside a fill Tag does nothing (and does not panic).
	Tag(context.Background(), "x")
}
