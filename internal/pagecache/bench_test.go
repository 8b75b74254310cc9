package pagecache

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// articlePage serves testdata/article.html, a real article page of the
// demo paper (28 KB, the stylesheet inline), with internal/site's headers.
func articlePage(b *testing.B) (http.Handler, []byte) {
	body, err := os.ReadFile("testdata/article.html")
	if err != nil {
		b.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=60")
		h.Set("Last-Modified", "Sun, 22 Mar 2020 00:00:00 GMT")
		_, _ = w.Write(body)
	}), body
}

// nullWriter is a ResponseWriter that keeps nothing: the benchmarks
// measure the cache, not a recorder's buffer.
type nullWriter struct{ h http.Header }

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) WriteHeader(int)             {}
func (w *nullWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkHit is the path of nearly every reader request: a cached page,
// as is, compressed, or a 304.
func BenchmarkHit(b *testing.B) {
	h, _ := articlePage(b)
	c := New(64<<20, time.Hour)
	m := c.Middleware(h)
	warm := httptest.NewRequest("GET", "/2020/03/22/letter", nil)
	m.ServeHTTP(&nullWriter{h: http.Header{}}, warm)
	etag := c.entries["/2020/03/22/letter"].ETag
	for _, tc := range []struct{ name, header, value string }{
		{"identity", "", ""},
		{"br", "Accept-Encoding", "gzip, deflate, br, zstd"},
		{"gzip", "Accept-Encoding", "gzip"},
		{"304", "If-None-Match", etag},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/2020/03/22/letter", nil)
			if tc.header != "" {
				req.Header.Set(tc.header, tc.value)
			}
			b.ReportAllocs()
			for b.Loop() {
				m.ServeHTTP(&nullWriter{h: make(http.Header, 16)}, req)
			}
		})
	}
}

// BenchmarkMiss is a render's cost added by the cache: recording the
// response, hashing it and compressing it twice (the page handler itself
// is a plain write here; internal/site's BenchmarkPages measures renders).
func BenchmarkMiss(b *testing.B) {
	h, body := articlePage(b)
	c := New(64<<20, time.Hour)
	m := c.Middleware(h)
	req := httptest.NewRequest("GET", "/2020/03/22/letter", nil)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		c.Purge()
		m.ServeHTTP(&nullWriter{h: make(http.Header, 16)}, req)
	}
}

// BenchmarkCompress is each encoding alone on the article page.
func BenchmarkCompress(b *testing.B) {
	_, body := articlePage(b)
	for _, tc := range []struct {
		name string
		f    func([]byte) []byte
	}{{"gzip", gzipBytes}, {"brotli", brotliBytes}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(tc.f(body))
			}
			b.ReportMetric(float64(n), "out-bytes")
		})
	}
}
