package pagecache_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/metrics"
	"masthead/internal/pagecache"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the handlers, not a recorder's buffer.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// articleHandler answers like internal/site: a 30 KB page with its headers.
func articleHandler() http.Handler {
	body := strings.Repeat("<p>North Korea sent a second letter to the leader.</p>\n", 550)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", httpx.DefaultCSP)
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=60")
		h.Set("Last-Modified", time.Date(2020, 3, 22, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat))
		io.WriteString(w, body)
	})
}

// BenchmarkStack is a cache hit through the middleware chain masthead
// serve wraps every reader page in (access log, metrics, cache), with the
// access log written to /dev/null through a real file, as to a journal.
func BenchmarkStack(b *testing.B) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	for _, c := range []struct {
		name   string
		wrap   bool
		access *httpx.AccessLog
	}{
		{"cache-only", false, nil},
		{"with-access-log", true, httpx.NewAccessLog(devnull, "text")},
		{"without-access-log", true, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			cache := pagecache.New(64<<20, time.Hour)
			var h http.Handler = cache.Middleware(articleHandler())
			if c.wrap {
				h = httpx.Wrap(h, httpx.Options{Log: slog.New(slog.DiscardHandler), Access: c.access, Observe: metrics.New().Observe})
			}
			req := httptest.NewRequest("GET", "/2020/03/22/letter", nil)
			req.Header.Set("Accept-Encoding", "gzip, deflate, br")
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(&discardWriter{h: make(http.Header, 16)}, req)
			}
		})
	}
}
