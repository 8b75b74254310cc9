package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/api"
	"masthead/internal/feed"
	"masthead/internal/httpx"
	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/site"
	"masthead/internal/sitemap"
	"masthead/internal/store/sqlite"
	"masthead/internal/views"
)

// TestStoreFailureAnswers: when the database fails under them, every
// package answers the same way: a 5xx with the one plain message (HTML for
// pages, JSON for APIs, text for files), nothing internal shown, not
// cacheable, and the error logged in full once, on a line that names the
// request. The database here is real and closed under the handlers.
func TestStoreFailureAnswers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "masthead.db"))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(httpx.NewLogHandler(slog.NewJSONHandler(&logs, nil)))
	paper := &news.Paper{Name: "Test", BaseURL: "http://example.com", Language: "en", Location: time.UTC}
	clock := news.SystemClock{}
	blobs, err := media.NewDirBlobs(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	counter, err := views.New(views.Config{Store: st, Clock: clock, Logger: log, Paper: paper})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	site.New(site.Config{Paper: paper, Store: st, Clock: clock, Top: counter, Logger: log}).Register(mux)
	api.New(api.Config{Paper: paper, Store: st, Clock: clock, Logger: log}).Register(mux)
	feed.New(feed.Config{Paper: paper, Store: st, Clock: clock, Logger: log}).Register(mux)
	sitemap.New(sitemap.Config{Paper: paper, Store: st, Clock: clock, Logger: log}).Register(mux)
	counter.Register(mux)
	media.New(media.Config{Store: st, Blobs: blobs, Paper: paper, Logger: log}).Register(mux)
	h := httpx.Wrap(httpx.Route(mux), httpx.Options{Log: log})
	st.Close() // from here every query fails

	for _, tc := range []struct{ path, ctype string }{
		{"/", "text/html"},
		{"/section/world", "text/html"},
		{"/api/v1/articles/1", "application/json"},
		{"/api/v1/top", "application/json"},
		{"/feed.xml", "text/plain"},
		{"/sitemap.xml", "text/plain"},
		{"/media/1/original", "text/plain"},
	} {
		logs.Reset()
		req := httptest.NewRequest("GET", tc.path, nil)
		req.Header.Set("X-Request-Id", "fail-"+tc.path)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code < 500 || !strings.HasPrefix(rec.Header().Get("Content-Type"), tc.ctype) ||
			rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: %d %q Cache-Control %q", tc.path, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
		}
		if !strings.Contains(body, strings.ReplaceAll(httpx.InternalMessage, "'", "&#39;")) && !strings.Contains(body, httpx.InternalMessage) {
			t.Errorf("GET %s: the body lacks the plain message: %.300q", tc.path, body)
		}
		if strings.Contains(body, "closed") || strings.Contains(body, "sql") {
			t.Errorf("GET %s: the body shows internals: %.300q", tc.path, body)
		}
		errorLines := 0
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var v map[string]any
			if json.Unmarshal([]byte(line), &v) != nil || v["level"] != "ERROR" {
				continue
			}
			errorLines++
			if v["request_id"] != "fail-"+tc.path || !strings.Contains(v["err"].(string), "closed") {
				t.Errorf("GET %s: the error line lacks the request or the error: %s", tc.path, line)
			}
		}
		if errorLines != 1 {
			t.Errorf("GET %s: %d error lines, want 1:\n%s", tc.path, errorLines, logs.String())
		}
	}
}
