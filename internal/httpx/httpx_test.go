package httpx

import (
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

func TestMiddlewareHeadersAndRecovery(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("GET /own-csp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		io.WriteString(w, "x")
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	h := Middleware(mux, log)

	tests := []struct {
		path   string
		status int
		csp    string
	}{
		{"/ok", 200, DefaultCSP},
		{"/own-csp", 200, "default-src 'none'"},
		{"/panic", 500, DefaultCSP},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.path, rec.Code, tt.status)
		}
		if got := rec.Header().Get("Content-Security-Policy"); got != tt.csp {
			t.Errorf("%s: CSP %q, want %q", tt.path, got, tt.csp)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("X-Request-Id") == "" ||
			rec.Header().Get("Permissions-Policy") == "" {
			t.Errorf("%s: missing security headers: %v", tt.path, rec.Header())
		}
		// Plain HTTP: HSTS is sent only over TLS.
		if v := rec.Header().Get("Strict-Transport-Security"); v != "" {
			t.Errorf("%s: HSTS %q over plain HTTP", tt.path, v)
		}
		// frame-ancestors covers framing; the fields it replaces are
		// not sent (each costs every response; docs/performance.md).
		for _, k := range []string{"X-Frame-Options", "Referrer-Policy"} {
			if v := rec.Header().Get(k); v != "" {
				t.Errorf("%s: %s %q sent", tt.path, k, v)
			}
		}
	}
	if !strings.Contains(DefaultCSP, "frame-ancestors 'none'") {
		t.Errorf("DefaultCSP lacks frame-ancestors 'none': %s", DefaultCSP)
	}
	// Over TLS the same response carries HSTS.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/ok", nil)
	req.TLS = &tls.ConnectionState{}
	h.ServeHTTP(rec, req)
	if v := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(v, "max-age=") {
		t.Errorf("over TLS: HSTS %q", v)
	}
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{news.ErrNotFound, 404},
		{news.Errorf(news.EINVALID, "bad"), 400},
		{news.ErrConflict, 409},
		{news.ErrForbidden, 403},
		{news.ErrUnauthorized, 401},
		{errors.New("disk on fire"), 500},
	}
	for _, tt := range tests {
		if got := StatusOf(tt.err); got != tt.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// The observer hears the pattern Route saw and the status, even when a
// handler between Wrap and the mux hands the mux a copy of the request.
func TestObserveRoute(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /section/{slug}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	copying := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Route(mux).ServeHTTP(w, r.Clone(r.Context()))
	})
	var route string
	var status int
	h := Wrap(copying, Options{Observe: func(r *http.Request, rt string, st int, d time.Duration) { route, status = rt, st }})
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/section/world", nil))
	if route != "GET /section/{slug}" || status != http.StatusTeapot {
		t.Fatalf("observed route %q status %d", route, status)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/nowhere", nil))
	if route != "" || status != http.StatusNotFound {
		t.Fatalf("unmatched path: route %q status %d", route, status)
	}
}
