package httpx

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

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
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("X-Request-Id") == "" {
			t.Errorf("%s: missing security headers: %v", tt.path, rec.Header())
		}
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
