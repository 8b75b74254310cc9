package pagecache_test

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/metrics"
	"masthead/internal/pagecache"
)

// BenchmarkServer runs net/http's own server over an in-memory connection
// carrying b.N pipelined requests for the demo's article page, so an
// operation is one whole request as a client's keep-alive connection
// makes it: parsing, handler, headers, body — everything but the kernel.
// go-memory is cmd/loadbench's baseline (the bytes from memory, two
// headers); go+headers is the same with the headers masthead sends; the
// stack is masthead's handler chain on a page-cache hit, every default
// on: request id, security headers, metrics, access log (into a buffer).
func BenchmarkServer(b *testing.B) {
	body, err := os.ReadFile("testdata/article.html")
	if err != nil {
		b.Fatal(err)
	}
	mastheadHeaders := func() http.Header {
		// What a cache hit on the article sends with the default flags
		// (curl -D - of the demo): no purge keys without --purge-webhook.
		return http.Header{
			"Cache-Control":           {"public, max-age=60, s-maxage=60, stale-while-revalidate=60, stale-if-error=86400"},
			"Content-Security-Policy": {siteCSP},
			"Etag":                    {`"2cjSehZrWZ1Rkt6iNqUe2g"`},
			"Last-Modified":           {"Thu, 03 Dec 2026 07:50:00 GMT"},
			"Permissions-Policy":      {"interest-cohort=(), camera=(), microphone=(), geolocation=()"},
			"Vary":                    {"Accept-Encoding"},
			"X-Content-Type-Options":  {"nosniff"},
			"X-Request-Id":            {"eb981ca51611971d"},
		}
	}
	plain := func(extra http.Header) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for k, v := range extra {
				h[k] = v
			}
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = w.Write(body)
		})
	}
	stack := func() http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /2020/03/22/{slug}", func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", siteCSP)
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "public, max-age=60")
			h.Set("Last-Modified", "Thu, 03 Dec 2026 07:50:00 GMT")
			pagecache.Tag(r.Context(), "article-1", "author-1", "section-1", "tag-1", "tag-2", "tag-3", "tag-4", "tag-5")
			_, _ = w.Write(body)
		})
		cache := pagecache.New(64<<20, time.Hour)
		cache.SetShared(time.Minute, time.Minute, 24*time.Hour)
		return httpx.Wrap(cache.Middleware(httpx.Route(mux)), httpx.Options{Log: slog.New(slog.DiscardHandler),
			Access: httpx.NewAccessLog(&discardLines{}, "text"), Observe: metrics.New().Observe})
	}
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"go-memory", plain(nil)},
		{"go+headers", plain(mastheadHeaders())},
		{"masthead-stack", stack()},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := []byte("GET /2020/03/22/is-trumps-second-letter HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\n\r\n")
			serveConn(b, c.h, req)
		})
	}
}

// siteCSP is the length and shape of internal/site's policy.
const siteCSP = "default-src 'self'; script-src 'self' 'sha256-zfAFAlmmfnL4UcsLgBBa5aKpBp+3DG86SUA85Iq4hcY='; " +
	"style-src 'self' 'sha256-8eeMTTL7va6dieak793Tc2mfZ01qmqtHc9Ry4ZuBY8A='; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// discardLines is an io.Writer safe for concurrent use that keeps nothing,
// as the line buffer of masthead serve does between flushes.
type discardLines struct {
	mu sync.Mutex
	n  int
}

func (d *discardLines) Write(p []byte) (int, error) {
	d.mu.Lock()
	d.n += len(p)
	d.mu.Unlock()
	return len(p), nil
}

// serveConn serves b.N copies of req, pipelined on one connection, with
// an http.Server configured as masthead's.
func serveConn(b *testing.B, h http.Handler, req []byte) {
	b.Helper()
	conn := &pipeConn{req: req, closed: make(chan struct{})}
	ln := &oneConnListener{conn: conn, done: make(chan struct{})}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	// One request outside the timing: the page cache filled, pools warm.
	conn.left = 1
	go func() { _ = srv.Serve(ln) }()
	<-conn.closed
	conn.reset(b.N)
	ln.again()
	b.ReportAllocs()
	b.ResetTimer()
	<-conn.closed
	b.StopTimer()
	if conn.responses() != b.N+1 {
		b.Fatalf("%d responses to %d requests", conn.responses(), b.N+1)
	}
	close(ln.done)
	_ = srv.Close()
}

// pipeConn hands out left copies of req, then EOF, and counts the
// responses written back (by their status lines).
type pipeConn struct {
	mu       sync.Mutex
	req      []byte
	left     int
	off      int
	statuses int
	closed   chan struct{}
}

func (c *pipeConn) reset(n int) {
	c.mu.Lock()
	c.left, c.off = n, 0
	c.closed = make(chan struct{})
	c.mu.Unlock()
}

func (c *pipeConn) responses() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.statuses
}

func (c *pipeConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for n < len(p) && c.left > 0 {
		k := copy(p[n:], c.req[c.off:])
		n += k
		c.off += k
		if c.off == len(c.req) {
			c.off = 0
			c.left--
		}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

var statusLine = []byte("HTTP/1.1 200 OK\r\n")

func (c *pipeConn) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, statusLine) {
		c.mu.Lock()
		c.statuses++
		c.mu.Unlock()
	}
	return len(p), nil
}

func (c *pipeConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.closed:
	default:
		close(c.closed)
	}
	return nil
}

func (c *pipeConn) LocalAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }
func (c *pipeConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *pipeConn) SetDeadline(t time.Time) error      { return nil }
func (c *pipeConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *pipeConn) SetWriteDeadline(t time.Time) error { return nil }

// oneConnListener accepts its connection once per again().
type oneConnListener struct {
	conn  net.Conn
	ready chan struct{}
	once  sync.Once
	done  chan struct{}
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	l.once.Do(func() { l.ready = make(chan struct{}, 1); l.ready <- struct{}{} })
	select {
	case <-l.ready:
		return l.conn, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *oneConnListener) again()         { l.ready <- struct{}{} }
func (l *oneConnListener) Close() error   { return nil }
func (l *oneConnListener) Addr() net.Addr { return l.conn.LocalAddr() }
