package pagecache

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAcceptsEncoding(t *testing.T) {
	for _, c := range []struct {
		header []string
		enc    string
		want   bool
	}{
		{[]string{"gzip, deflate, br, zstd"}, "br", true},
		{[]string{"gzip, deflate, br, zstd"}, "gzip", true},
		{[]string{"gzip", "br"}, "br", true}, // two header lines
		{[]string{"BR"}, "br", true},
		{[]string{"br;q=0"}, "br", false},
		{[]string{"br; q=0.000, gzip"}, "br", false},
		{[]string{"br;Q=0"}, "br", false},
		{[]string{"br;q=0.5"}, "br", true},
		{[]string{"br;q=1"}, "br", true},
		{[]string{"br;level=1;q=0"}, "br", false},
		{[]string{"brotli, xgzip"}, "br", false},
		{[]string{"xgzip"}, "gzip", false},
		{[]string{""}, "gzip", false},
		{nil, "gzip", false},
		{[]string{"identity"}, "br", false},
	} {
		if got := acceptsEncoding(c.header, c.enc); got != c.want {
			t.Errorf("acceptsEncoding(%q, %q) = %v, want %v", c.header, c.enc, got, c.want)
		}
	}
}

// A cache hit is a lookup and a write: the stored brotli and gzip bodies
// are served as they are (never compressed per request), a 304 is
// answered from the stored tag, and none of it allocates.
func TestHitDoesNotAllocate(t *testing.T) {
	p := newPage()
	c := New(1<<20, 0)
	h := c.Middleware(p)
	do(t, h, "GET", "/a", nil) // fill
	e, _ := c.get("/a")
	etag := e.ETag
	w := &countingWriter{h: make(http.Header, 32)}
	for _, tc := range []struct {
		name, header, value string
		status              int
		body                []byte
	}{
		{"identity", "", "", 200, e.Body},
		{"br", "Accept-Encoding", "gzip, deflate, br, zstd", 200, e.Brotli},
		{"gzip", "Accept-Encoding", "gzip, deflate", 200, e.Gzip},
		{"304", "If-None-Match", `"other", ` + etag, 304, nil},
	} {
		req := httptest.NewRequest("GET", "/a", nil)
		if tc.header != "" {
			req.Header.Set(tc.header, tc.value)
		}
		allocs := testing.AllocsPerRun(200, func() {
			clear(w.h)
			w.status, w.n = 0, 0
			h.ServeHTTP(w, req)
		})
		if w.status != tc.status || w.n != len(tc.body) {
			t.Errorf("%s: status %d with %d bytes, want %d with %d", tc.name, w.status, w.n, tc.status, len(tc.body))
		}
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per hit, want 0", tc.name, allocs)
		}
	}
	if p.renders.Load() != 1 {
		t.Errorf("%d renders, want 1", p.renders.Load())
	}
}

type countingWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *countingWriter) Header() http.Header { return w.h }
func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *countingWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	return len(b), nil
}
