package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"masthead/internal/httpx"
	"masthead/internal/pagecache"
)

func TestRouteLabelsAndCache(t *testing.T) {
	m := New()
	cache := pagecache.New(1<<20, 0)
	m.WatchCache(cache)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /section/{slug}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public")
		io.WriteString(w, "section")
	})
	// As in serve: metrics outside, the cache between them and the mux.
	h := httpx.Wrap(cache.Middleware(httpx.Route(mux)), httpx.Options{Observe: m.Observe})
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/section/world", nil))
	}
	// Any token is a method to net/http; the label stays bounded.
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/section/world", nil))
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	out := rec.Body.String()
	for _, want := range []string{
		`masthead_http_request_duration_seconds_count{code="200",method="GET",route="GET /section/{slug}"} 1`,
		`masthead_http_request_duration_seconds_count{code="200",method="GET",route="cache"} 2`,
		`masthead_pagecache_hits_total 2`,
		`masthead_pagecache_misses_total 1`,
		`go_goroutines`,
		`method="other"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(out, `method="BREW"`) {
		t.Error("a made-up method became a label value")
	}
	if strings.Contains(out, `route="/section/world"`) {
		t.Error("raw paths must never be labels")
	}
}
