package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"masthead/internal/pagecache"
)

// Pages name their purge keys in a header only when a CDN is told what to
// purge (--purge-webhook), in the header --cdn-key-header names; a name no
// CDN reads is refused before serve starts.
func TestCDNKeyHeaderFlag(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pagecache.Tag(r.Context(), "article-1", "front")
		w.Header().Set("Cache-Control", "public, max-age=60")
		io.WriteString(w, "page")
	})
	for _, tc := range []struct {
		args       []string
		header     string // "" for none
		value      string
		sMaxAge300 bool
	}{
		{nil, "", "", false},
		{[]string{"--cdn-key-header", "Cache-Tag"}, "", "", false}, // no webhook: still none
		{[]string{"--purge-webhook", "http://127.0.0.1:9/purge"}, "Surrogate-Key", "article-1 front", true},
		{[]string{"--purge-webhook", "http://127.0.0.1:9/purge", "--cdn-key-header", "cache-tag"}, "Cache-Tag", "article-1,front", true},
		{[]string{"--purge-webhook", "http://127.0.0.1:9/purge", "--cdn-key-header", ""}, "", "", true},
	} {
		f, err := parseServeFlags(tc.args, io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if _, err := pagecache.ParseKeyHeader(f.CDNKeyHeader); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		cache, err := newPageCache(f)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		h := cache.Middleware(page)
		for range 2 { // the miss, then the hit
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			for _, k := range pagecache.KeyHeaders() {
				want := ""
				if k == tc.header {
					want = tc.value
				}
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%v: %s %q, want %q", tc.args, k, got, want)
				}
			}
			if got := strings.Contains(rec.Header().Get("Cache-Control"), "s-maxage=300"); got != tc.sMaxAge300 {
				t.Errorf("%v: Cache-Control %q", tc.args, rec.Header().Get("Cache-Control"))
			}
		}
		if n := cache.PurgeKeys("front"); n != 1 {
			t.Errorf("%v: PurgeKeys dropped %d pages, want 1", tc.args, n)
		}
	}

	f, err := parseServeFlags([]string{"--purge-webhook", "http://127.0.0.1:9/purge", "--cdn-key-header", "X-Keys"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	n := &serveNode{}
	n.f = f
	if err := n.configure(t.Context()); err == nil || !strings.Contains(err.Error(), "--cdn-key-header") || !strings.Contains(err.Error(), "Surrogate-Key") {
		t.Errorf("--cdn-key-header X-Keys: %v", err)
	}
	if _, err := newPageCache(f); err == nil {
		t.Error("newPageCache accepted X-Keys")
	}
}
