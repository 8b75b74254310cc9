package pagecache_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/pagecache"
)

// A stale page is served while a background render replaces it. That
// render goes through Route, which records the matched pattern in the
// request's state; it must be state of its own, not the reader's, whose
// request may still be running (a data race, and the reader's request
// observed with a route no mux matched for it). The hook: the reader's
// response write waits until the background render is through Route.
func TestRefreshDoesNotShareRequestState(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /a", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=60")
		_, _ = w.Write([]byte("page"))
	})
	routed := httpx.Route(mux)
	var calls atomic.Int32
	refreshed := make(chan struct{})
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		routed.ServeHTTP(w, r)
		if calls.Add(1) == 2 { // the first call fills, the second is the refresh
			close(refreshed)
		}
	})
	var observed []string
	cache := pagecache.New(1<<20, time.Nanosecond) // stale at once
	h := httpx.Wrap(cache.Middleware(next), httpx.Options{Observe: func(r *http.Request, route string, status int, d time.Duration) {
		observed = append(observed, route)
	}})
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil)) // fill
	w := &waitingWriter{ResponseRecorder: httptest.NewRecorder(), wait: refreshed}
	h.ServeHTTP(w, httptest.NewRequest("GET", "/a", nil)) // stale: served, refreshed behind
	if w.Code != 200 || w.Body.String() != "page" {
		t.Fatalf("stale hit: %d %q", w.Code, w.Body.String())
	}
	if len(observed) != 2 || observed[0] != "GET /a" || observed[1] != "" {
		t.Fatalf("observed routes %q, want the fill's and none for the hit: the background render wrote into the reader's request", observed)
	}
}

// waitingWriter holds the response's body until wait is closed.
type waitingWriter struct {
	*httptest.ResponseRecorder
	wait chan struct{}
}

func (w *waitingWriter) Write(b []byte) (int, error) {
	<-w.wait
	return w.ResponseRecorder.Write(b)
}
