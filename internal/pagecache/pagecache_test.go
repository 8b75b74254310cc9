package pagecache

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// page is a handler that counts its renders and answers with a long
// cacheable page (long enough to be compressed).
type page struct {
	renders atomic.Int64
	body    string
	header  map[string]string
	status  int
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.renders.Add(1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Last-Modified", "Sun, 22 Mar 2020 00:00:00 GMT")
	for k, v := range p.header {
		w.Header().Set(k, v)
	}
	if p.status != 0 {
		w.WriteHeader(p.status)
	}
	io.WriteString(w, p.body)
}

func newPage() *page { return &page{body: strings.Repeat("<p>North Korea letter</p>\n", 100)} }

func do(t *testing.T, h http.Handler, method, url string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHitsAndEncodings(t *testing.T) {
	p := newPage()
	h := New(1<<20, 0).Middleware(p)

	plain := do(t, h, "GET", "/a", nil)
	if plain.Code != 200 || plain.Body.String() != p.body {
		t.Fatalf("first: %d %q", plain.Code, plain.Body.String()[:20])
	}
	gz := do(t, h, "GET", "/a", map[string]string{"Accept-Encoding": "gzip"})
	if gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip not served: %v", gz.Header())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); string(b) != p.body {
		t.Fatal("gzip body differs")
	}
	br := do(t, h, "GET", "/a", map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if br.Header().Get("Content-Encoding") != "br" {
		t.Fatalf("brotli not preferred: %v", br.Header())
	}
	if b, _ := io.ReadAll(brotli.NewReader(br.Body)); string(b) != p.body {
		t.Fatal("brotli body differs")
	}
	noBr := do(t, h, "GET", "/a", map[string]string{"Accept-Encoding": "br;q=0, gzip"})
	if noBr.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("br;q=0 must refuse brotli: %v", noBr.Header())
	}
	if n := p.renders.Load(); n != 1 {
		t.Fatalf("rendered %d times, want 1", n)
	}
	if plain.Header().Get("Vary") != "Accept-Encoding" || plain.Header().Get("Etag") == "" {
		t.Fatalf("missing Vary/ETag: %v", plain.Header())
	}
}

func TestConditional(t *testing.T) {
	c := New(1<<20, 0)
	if err := c.SetKeyHeader("Surrogate-Key"); err != nil {
		t.Fatal(err)
	}
	h := c.Middleware(newPage())
	first := do(t, h, "GET", "/a", nil)
	etag := first.Header().Get("Etag")
	if r := do(t, h, "GET", "/a", map[string]string{"If-None-Match": etag}); r.Code != 304 || r.Body.Len() != 0 ||
		r.Header().Get("Etag") != etag || r.Header().Get("Cache-Control") == "" || r.Header().Get("Vary") != "Accept-Encoding" ||
		r.Header().Get("Surrogate-Key") == "" || r.Header().Get("Content-Type") != "" || r.Header().Get("Last-Modified") != "" {
		t.Fatalf("If-None-Match: %d %v", r.Code, r.Header())
	}
	if r := do(t, h, "GET", "/a", map[string]string{"If-None-Match": `"other"`}); r.Code != 200 {
		t.Fatalf("wrong ETag: %d", r.Code)
	}
	if r := do(t, h, "GET", "/a", map[string]string{"If-Modified-Since": "Mon, 23 Mar 2020 00:00:00 GMT"}); r.Code != 304 {
		t.Fatalf("If-Modified-Since later: %d", r.Code)
	}
	if r := do(t, h, "GET", "/a", map[string]string{"If-Modified-Since": "Sat, 21 Mar 2020 00:00:00 GMT"}); r.Code != 200 {
		t.Fatalf("If-Modified-Since earlier: %d", r.Code)
	}
	if r := do(t, h, "HEAD", "/a", nil); r.Code != 200 || r.Body.Len() != 0 || r.Header().Get("Content-Length") == "" {
		t.Fatalf("HEAD: %d len %d", r.Code, r.Body.Len())
	}
}

func TestNotCached(t *testing.T) {
	tests := []struct {
		name string
		p    *page
		url  string
	}{
		{"set-cookie", &page{body: "x", header: map[string]string{"Set-Cookie": "a=b"}}, "/a"},
		{"private", &page{body: "x", header: map[string]string{"Cache-Control": "private"}}, "/a"},
		{"no-store", &page{body: "x", header: map[string]string{"Cache-Control": "no-store"}}, "/a"},
		{"404", &page{body: "x", status: 404}, "/a"},
		{"500", &page{body: "x", status: 500}, "/a"},
		{"search query", newPage(), "/search?q=north"},
		{"junk query", newPage(), "/?utm=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(1<<20, 0).Middleware(tt.p)
			for range 2 {
				r := do(t, h, "GET", tt.url, nil)
				if r.Body.String() != tt.p.body {
					t.Fatalf("body %q", r.Body.String())
				}
			}
			if n := tt.p.renders.Load(); n != 2 {
				t.Fatalf("rendered %d times, want 2 (not cached)", n)
			}
		})
	}
	p := newPage()
	h := New(1<<20, 0).Middleware(p)
	do(t, h, "GET", "/?page=2", nil)
	do(t, h, "GET", "/?page=2", nil)
	if p.renders.Load() != 1 {
		t.Fatal("?page=N should be cached")
	}
}

func TestPurge(t *testing.T) {
	c := New(1<<20, 0)
	p := newPage()
	h := c.Middleware(p)
	do(t, h, "GET", "/a", nil)
	p.body = "new version " + p.body
	c.Purge()
	if r := do(t, h, "GET", "/a", nil); !strings.HasPrefix(r.Body.String(), "new version") {
		t.Fatal("purge did not drop the old page")
	}
}

// A purge that happens while a page renders must not let that (possibly
// stale) render into the cache.
func TestPurgeDuringRender(t *testing.T) {
	c := New(1<<20, 0)
	var n atomic.Int64
	h := c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public")
		if n.Add(1) == 1 {
			c.Purge() // an editor publishes mid-render
		}
		io.WriteString(w, "v"+string(rune('0'+n.Load())))
	}))
	do(t, h, "GET", "/a", nil)
	if r := do(t, h, "GET", "/a", nil); r.Body.String() != "v2" {
		t.Fatalf("stale render was cached: %q", r.Body.String())
	}
}

func TestBoundedByBytes(t *testing.T) {
	c := New(64<<10, 0)
	h := c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public")
		w.Header().Set("Content-Type", "application/octet-stream") // not compressed
		w.Write(bytes.Repeat([]byte{'x'}, 4000))
	}))
	for i := range 200 {
		do(t, h, "GET", "/p"+string(rune('a'+i%26))+string(rune('a'+i/26)), nil)
	}
	st := c.Stats()
	if st.Bytes > 64<<10 || st.Evictions == 0 {
		t.Fatalf("cache not bounded: %+v", st)
	}
}

func TestOneRenderForConcurrentMisses(t *testing.T) {
	release := make(chan struct{})
	var renders atomic.Int64
	c := New(1<<20, 0)
	h := c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		<-release
		w.Header().Set("Cache-Control", "public")
		io.WriteString(w, "page")
	}))
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := do(t, h, "GET", "/hot", nil); r.Body.String() != "page" {
				t.Errorf("body %q", r.Body.String())
			}
		}()
	}
	for { // wait until the leader is rendering
		c.flight.Lock()
		ok := c.calls["/hot"] != nil
		c.flight.Unlock()
		if ok {
			break
		}
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if n := renders.Load(); n > 2 {
		t.Fatalf("%d renders for one page", n)
	}
}

func TestTTL(t *testing.T) {
	c := New(1<<20, 30*time.Millisecond)
	p := newPage()
	h := c.Middleware(p)
	do(t, h, "GET", "/a", nil)
	do(t, h, "GET", "/a", nil)
	if p.renders.Load() != 1 {
		t.Fatal("second request should hit")
	}
	time.Sleep(40 * time.Millisecond)
	p.body = strings.Repeat("<p>Most read changed</p>\n", 100)
	// The expired page is served at once and rendered again behind it.
	if got := do(t, h, "GET", "/a", nil); !strings.Contains(got.Body.String(), "North Korea") {
		t.Fatal("an expired page is served while it renders again")
	}
	for i := 0; p.renders.Load() != 2; i++ {
		if i > 500 {
			t.Fatal("an expired page must render again")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := 0; !strings.Contains(do(t, h, "GET", "/a", nil).Body.String(), "Most read"); i++ {
		if i > 500 {
			t.Fatal("the new page was not stored")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// headless answers HEAD without a body, as net/http handlers should.
type headless struct{ page }

func (p *headless) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Header().Set("Content-Length", strconv.Itoa(len(p.body)))
		return
	}
	p.page.ServeHTTP(w, r)
}

// A HEAD that fills the cache must not store an empty page for the GETs
// that follow.
func TestHeadFirst(t *testing.T) {
	p := &headless{page: *newPage()}
	h := New(1<<20, 0).Middleware(p)
	head := do(t, h, "HEAD", "/a", nil)
	if head.Code != 200 || head.Body.Len() != 0 {
		t.Fatalf("HEAD: %d, %d bytes", head.Code, head.Body.Len())
	}
	if got := head.Header().Get("Content-Length"); got != strconv.Itoa(len(p.body)) {
		t.Errorf("HEAD Content-Length %q, want %d", got, len(p.body))
	}
	get := do(t, h, "GET", "/a", nil)
	if get.Body.String() != p.body {
		t.Fatalf("GET after HEAD: %d bytes, want %d", get.Body.Len(), len(p.body))
	}
}
