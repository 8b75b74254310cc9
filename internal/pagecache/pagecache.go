// Package pagecache keeps rendered pages in memory, compressed once, and
// serves them at about the cost of a static file: a map lookup, a header
// copy and one write. It sits in front of any handler whose anonymous
// responses are identical for every reader (the reader site, feeds,
// sitemaps) and is bounded by bytes, not by the number of stories.
//
// Invalidation is by key: every page names what it shows (Tag), and
// PurgeKeys drops the pages that carry any of a change's keys (masthead
// reads them from the store's change log, for changes made by any process).
// Purge drops everything at once, for paper-wide changes.
// A page past its TTL but not purged is served while one background render
// replaces it.
//
// For a CDN in front: handlers name what a page shows with Tag (sent, once
// SetKeyHeader names the header the CDN reads, as Surrogate-Key, Cache-Tag
// or Edge-Cache-Tag), SetShared adds s-maxage and the stale-* directives,
// and a Webhook tells the CDN which keys to purge. Without a CDN purging by
// key no header carries them: the cache purges its own pages by the keys
// it keeps beside them.
// docs/performance.md has the figures.
package pagecache

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"

	"masthead/internal/httpx"
)

// Entry is one cached response.
type Entry struct {
	Status       int
	Header       http.Header // without Content-Length / Content-Encoding
	Body         []byte
	Gzip         []byte // nil when compression would not help
	Brotli       []byte
	ETag         string // strong, quoted
	LastModified time.Time
	size         int
	key          string
	keys         []string // purge keys, sorted
	expires      time.Time
	elem         *list.Element

	// The header block of each response made once per entry rather than
	// once per response: the server only reads the values, so every
	// response shares them, and serve assigns them into the response's
	// map as they are (already canonical keys, no Set, no allocation).
	// One block per body variant (identity, gzip, brotli: Header plus
	// ETag, Content-Length and Content-Encoding); headers304 leaves out
	// what RFC 9110 (15.4.5) says a 304 should not repeat, the body's
	// own metadata.
	identity, gzipped, brotlied, headers304 []headerField
}

type headerField struct {
	key   string
	value []string
}

// keyHeaderSeps are the purge-key headers CDNs read, each with the
// separator it expects between keys.
var keyHeaderSeps = map[string]string{
	"Surrogate-Key":  " ", // Fastly, Varnish (xkey)
	"Cache-Tag":      ",", // Cloudflare
	"Edge-Cache-Tag": ",", // Akamai
}

// KeyHeaders lists the header names SetKeyHeader accepts.
func KeyHeaders() []string {
	return slices.Sorted(maps.Keys(keyHeaderSeps))
}

// Stats are counters for metrics.
type Stats struct {
	Hits, Misses, Stores, Evictions, Purges int64
	Bytes, Entries                          int64
	// KeyPurges counts PurgeKeys calls, KeyPurged the pages they dropped.
	KeyPurges, KeyPurged int64
}

// Cache is a byte-bounded LRU of rendered pages.
type Cache struct {
	maxBytes int64
	ttl      time.Duration

	mu      sync.Mutex
	entries map[string]*Entry
	lru     *list.List // front: most recently used
	bytes   int64

	epoch atomic.Int64 // bumped by Purge; renders started before it are not stored

	// Key purges, under mu: kseq counts them, recent keeps the last few
	// so that a render started before one is not stored if it carries
	// one of its keys (see PurgeKeys).
	kseq   int64
	recent []keyPurge

	hits, misses, stores, evictions, purges atomic.Int64
	keyPurges, keyPurged                    atomic.Int64

	flight sync.Mutex
	calls  map[string]*call // one render per key at a time

	shared string // appended to a public Cache-Control without s-maxage; see SetShared
	// keyHeader carries stored pages' purge keys, keys joined by keySep;
	// "" for none (see SetKeyHeader).
	keyHeader, keySep string
}

type call struct {
	wg sync.WaitGroup
	e  *Entry
}

// New returns a cache holding at most maxBytes of page bodies (all encodings
// counted). Pages older than ttl are rendered again even without a purge:
// that bounds how stale the parts of a page that change without an edit (the
// most-read box) can get. ttl <= 0 means a minute.
func New(maxBytes int64, ttl time.Duration) *Cache {
	if ttl <= 0 {
		ttl = time.Minute
	}
	return &Cache{maxBytes: maxBytes, ttl: ttl, entries: make(map[string]*Entry), lru: list.New(), calls: make(map[string]*call)}
}

// SetShared sets the directives added for shared caches (a CDN) to every
// stored page whose Cache-Control is public and names no s-maxage: how long
// a CDN may keep it, how long it may serve it stale while it fetches a new
// copy, and how long it may serve it stale while masthead is unreachable.
// Zero leaves a directive out. Call it before serving.
func (c *Cache) SetShared(sMaxAge, staleWhileRevalidate, staleIfError time.Duration) {
	var b strings.Builder
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"s-maxage", sMaxAge}, {"stale-while-revalidate", staleWhileRevalidate}, {"stale-if-error", staleIfError}} {
		if d.v > 0 {
			fmt.Fprintf(&b, ", %s=%d", d.name, int64(d.v/time.Second))
		}
	}
	c.shared = b.String()
}

// SetKeyHeader makes every page stored from now on carry its purge keys
// in the header name, for a CDN that purges by key (one of KeyHeaders,
// any case); "" sends none, the default. Each header field costs every
// response (docs/performance.md), and only a CDN told what to purge reads
// them. Call it before serving.
func (c *Cache) SetKeyHeader(name string) error {
	canon, err := ParseKeyHeader(name)
	if err != nil {
		return err
	}
	c.keyHeader, c.keySep = canon, keyHeaderSeps[canon]
	return nil
}

// ParseKeyHeader returns the canonical form of a purge-key header name
// SetKeyHeader accepts ("" stays ""), or an error naming the known ones.
func ParseKeyHeader(name string) (string, error) {
	if name == "" {
		return "", nil
	}
	canon := http.CanonicalHeaderKey(strings.TrimSpace(name))
	if _, ok := keyHeaderSeps[canon]; !ok {
		return "", fmt.Errorf("purge-key header %q: want one of %s, or empty for none", name, strings.Join(KeyHeaders(), ", "))
	}
	return canon, nil
}

type tagsKey struct{}

// tags collects the purge keys a handler names while its page is rendered.
type tags struct {
	mu       sync.Mutex
	keys     []string
	notFound bool // the handler allows its 404 to be cached (CacheNotFound)
}

// Tag names purge keys of the page being rendered (the story, its section,
// authors and tags...): PurgeKeys drops exactly the pages a change
// touches, and with SetKeyHeader a CDN is told them too. Outside a cache
// fill it does nothing. A cached page that names no key is tagged
// UntaggedKey.
func Tag(ctx context.Context, keys ...string) {
	t, _ := ctx.Value(tagsKey{}).(*tags)
	if t == nil {
		return
	}
	t.mu.Lock()
	t.keys = append(t.keys, keys...)
	t.mu.Unlock()
}

// CacheNotFound lets the page being rendered be cached when it answers
// 404: a page past the end of a list that exists (?page=9999 of a
// section), which crawlers ask for again and again. The handler must Tag
// the page with the keys whose purge could make it exist (the list's), so
// that a publish that lengthens the list drops the 404. Other 404s stay
// uncached: anyone can make up any number of addresses, whereas the pages
// of a list are bounded (pagecache keeps only ?page= of at most 4 digits).
// Outside a cache fill it does nothing.
func CacheNotFound(ctx context.Context) {
	t, _ := ctx.Value(tagsKey{}).(*tags)
	if t == nil {
		return
	}
	t.mu.Lock()
	t.notFound = true
	t.mu.Unlock()
}

// UntaggedKey is the purge key of cached pages whose handler named none
// (feeds, sitemaps, archives): they may list any story, so every story
// change purges this key.
const UntaggedKey = "lists"

// Purge drops every page. Safe to call from any goroutine.
func (c *Cache) Purge() {
	c.epoch.Add(1)
	c.mu.Lock()
	c.entries = make(map[string]*Entry)
	c.lru.Init()
	c.bytes = 0
	c.mu.Unlock()
	c.purges.Add(1)
}

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	b, n := c.bytes, int64(len(c.entries))
	c.mu.Unlock()
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Stores: c.stores.Load(),
		Evictions: c.evictions.Load(), Purges: c.purges.Load(), Bytes: b, Entries: n,
		KeyPurges: c.keyPurges.Load(), KeyPurged: c.keyPurged.Load()}
}

// get returns key's entry and whether it is past its TTL.
func (c *Cache) get(key string) (e *Entry, stale bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e = c.entries[key]
	if e == nil {
		return nil, false
	}
	c.lru.MoveToFront(e.elem)
	return e, time.Now().After(e.expires)
}

// remove drops e if it is still key's entry.
func (c *Cache) remove(key string, e *Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[key] == e {
		c.lru.Remove(e.elem)
		delete(c.entries, key)
		c.bytes -= int64(e.size)
	}
}

func (c *Cache) put(e *Entry, epoch, kstart int64) {
	if int64(e.size) > c.maxBytes/4 {
		return // one page must not evict a quarter of the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch.Load() != epoch {
		return // purged while rendering: this page may be stale
	}
	if c.purgedSince(e, kstart) {
		return // its keys were purged while rendering
	}
	if old := c.entries[e.key]; old != nil {
		c.lru.Remove(old.elem)
		c.bytes -= int64(old.size)
	}
	e.elem = c.lru.PushFront(e)
	c.entries[e.key] = e
	c.bytes += int64(e.size)
	c.stores.Add(1)
	for c.bytes > c.maxBytes {
		last := c.lru.Back()
		victim := last.Value.(*Entry)
		c.lru.Remove(last)
		delete(c.entries, victim.key)
		c.bytes -= int64(victim.size)
		c.evictions.Add(1)
	}
}

// Middleware serves GET and HEAD requests from the cache and fills it from
// next. A response is stored only when it is a 200 without
// Set-Cookie whose Cache-Control says public; everything else passes
// through untouched. Requests carrying a newsroom session cookie are not
// different: pages are identical for everyone by design.
func (c *Cache) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if !cacheableURL(r) {
			next.ServeHTTP(w, r)
			return
		}
		key := r.URL.RequestURI()
		if e, stale := c.get(key); e != nil {
			c.hits.Add(1)
			if stale {
				// Past its TTL but not purged: nothing was published that
				// it shows, only its most-read box may be old. Serve it
				// and render the new one in the background, so no reader
				// waits for a render at a TTL boundary.
				c.refresh(key, e, r, next)
			}
			serve(w, r, e)
			return
		}
		c.misses.Add(1)
		e, passed := c.fill(key, w, r, next)
		if passed {
			return // next already wrote an uncacheable response
		}
		serve(w, r, e)
	})
}

// fill renders key once however many readers ask for it at the same moment.
// When the response is not cacheable it is written straight to w and passed
// is true.
func (c *Cache) fill(key string, w http.ResponseWriter, r *http.Request, next http.Handler) (e *Entry, passed bool) {
	c.flight.Lock()
	if cl, ok := c.calls[key]; ok {
		c.flight.Unlock()
		cl.wg.Wait()
		if cl.e != nil {
			return cl.e, false
		}
		// The leader's response was not cacheable: render our own.
		next.ServeHTTP(w, r)
		return nil, true
	}
	cl := &call{}
	cl.wg.Add(1)
	c.calls[key] = cl
	c.flight.Unlock()
	defer func() {
		c.flight.Lock()
		delete(c.calls, key)
		c.flight.Unlock()
		cl.wg.Done()
	}()

	e, rec := c.render(key, r, next)
	if e == nil {
		copyHeader(w.Header(), rec.header)
		w.WriteHeader(rec.status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(rec.body.Bytes())
		}
		return nil, true
	}
	cl.e = e
	return e, false
}

// refresh renders key again in the background unless a render of it is
// already under way. A page that is no longer cacheable is dropped, so
// the next reader gets whatever the handler now answers.
func (c *Cache) refresh(key string, old *Entry, r *http.Request, next http.Handler) {
	c.flight.Lock()
	if _, ok := c.calls[key]; ok {
		c.flight.Unlock()
		return
	}
	cl := &call{}
	cl.wg.Add(1)
	c.calls[key] = cl
	c.flight.Unlock()
	// The reader's request ends when its response is written; the render
	// must not be cancelled with it, nor share its per-request state.
	rr := r.Clone(httpx.Detach(r.Context()))
	go func() {
		defer func() {
			c.flight.Lock()
			delete(c.calls, key)
			c.flight.Unlock()
			cl.wg.Done()
		}()
		e, _ := c.render(key, rr, next)
		if e == nil {
			c.remove(key, old)
		}
		cl.e = e
	}()
}

// render runs next for key into a recorder and stores the response when it
// is cacheable (e != nil); otherwise rec holds it.
func (c *Cache) render(key string, r *http.Request, next http.Handler) (e *Entry, rec *recorder) {
	epoch, kstart := c.epoch.Load(), c.keySeq()
	rec = &recorder{header: make(http.Header), status: http.StatusOK}
	tg := &tags{}
	rr := r.Clone(context.WithValue(r.Context(), tagsKey{}, tg))
	// The cache answers conditional requests itself, from the full page.
	rr.Header.Del("If-None-Match")
	rr.Header.Del("If-Modified-Since")
	// A HEAD is rendered as a GET: handlers leave the body out of a HEAD
	// response, and an empty body stored under the page's key would then be
	// served to every GET until the next purge.
	if r.Method == http.MethodHead {
		rr.Method = http.MethodGet
	}
	next.ServeHTTP(rec, rr)
	tg.mu.Lock()
	notFound := tg.notFound
	tg.mu.Unlock()
	if !cacheable(rec, notFound) {
		return nil, rec
	}
	e = c.newEntry(key, rec, tg.keys)
	e.expires = time.Now().Add(c.ttl)
	c.put(e, epoch, kstart)
	return e, rec
}

// cacheableURL keeps arbitrary query strings out of the cache: otherwise
// anyone could evict the front page by asking for /?x=1, /?x=2, ... Only a
// bare path or a page number is cached; search pages render from the
// database each time.
func cacheableURL(r *http.Request) bool {
	q := r.URL.RawQuery
	if q == "" {
		return true
	}
	n, ok := strings.CutPrefix(q, "page=")
	if !ok || len(n) == 0 || len(n) > 4 {
		return false
	}
	for _, ch := range n {
		if ch < '0' || ch > '9' {
			return false
		}
	}
	return true
}

// cacheable: only 200s, and 404s the handler vouched for
// (CacheNotFound). Any other 404 is cheap to render and caching it would
// let anyone fill the cache with made-up URLs.
func cacheable(rec *recorder, notFound bool) bool {
	if rec.status != http.StatusOK && (rec.status != http.StatusNotFound || !notFound) {
		return false
	}
	if rec.header.Get("Set-Cookie") != "" || rec.header.Get("Content-Encoding") != "" {
		return false
	}
	cc := rec.header.Get("Cache-Control")
	return strings.Contains(cc, "public") && !strings.Contains(cc, "no-store") && !strings.Contains(cc, "private")
}

func (c *Cache) newEntry(key string, rec *recorder, keys []string) *Entry {
	body := rec.body.Bytes()
	h := rec.header.Clone()
	h.Del("Content-Length")
	if cc := h.Get("Cache-Control"); c.shared != "" && !strings.Contains(cc, "s-maxage") {
		h.Set("Cache-Control", cc+c.shared)
	}
	if len(keys) == 0 {
		keys = []string{UntaggedKey}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if c.keyHeader != "" {
		h.Set(c.keyHeader, strings.Join(keys, c.keySep))
	}
	e := &Entry{Status: rec.status, Header: h, Body: body, key: key, keys: keys}
	e.ETag = httpx.ETag(body)
	if lm, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		e.LastModified = lm
	}
	h.Del("ETag")
	if compressible(h.Get("Content-Type")) && len(body) > 512 {
		e.Gzip = gzipBytes(body)
		e.Brotli = brotliBytes(body)
	}
	h.Set("Vary", "Accept-Encoding")
	// A handler's header keys may not be canonical (h["x-foo"] = ...):
	// serve assigns the keys as they are, so canonicalize them here once.
	etag := headerField{"Etag", []string{e.ETag}}
	e.headers304 = append(e.headers304, etag)
	for k, v := range h {
		k = http.CanonicalHeaderKey(k)
		e.identity = append(e.identity, headerField{k, v})
		if k != "Content-Type" && k != "Last-Modified" && k != "Content-Language" {
			e.headers304 = append(e.headers304, headerField{k, v})
		}
	}
	base := e.identity
	variant := func(length int, enc string) []headerField {
		fs := append(slices.Clip(base), etag, headerField{"Content-Length", []string{strconv.Itoa(length)}})
		if enc != "" {
			fs = append(fs, headerField{"Content-Encoding", []string{enc}})
		}
		return fs
	}
	e.identity = variant(len(body), "")
	if e.Gzip != nil {
		e.gzipped = variant(len(e.Gzip), "gzip")
		e.brotlied = variant(len(e.Brotli), "br")
	}
	e.size = len(body) + len(e.Gzip) + len(e.Brotli) + len(key) + 512
	return e
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "xml") ||
		strings.Contains(ct, "javascript")
}

// gzipPool keeps gzip writers: each holds about 800 KB of state that would
// otherwise be allocated per render.
var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return zw
}}

// gzipBytes compresses at the default level: on a 28 KB article page level
// 9 saves 8 bytes of 9,300 for more time (BenchmarkCompress).
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	zw.Reset(io.Discard)
	gzipPool.Put(zw)
	return buf.Bytes()
}

// brotliBytes compresses at quality 6 with a window just large enough for
// the page. Brotli's default 4 MB window makes quality 9 allocate 34 MB of
// hash tables and spend tens to hundreds of milliseconds on one 28 KB
// page, paid by every page after every purge; quality 6 with a fitted
// window costs 1 MB and a few milliseconds and comes within 0.3% of the
// size (BenchmarkCompress).
func brotliBytes(b []byte) []byte {
	lg := 16 // brotli's smallest useful window, 64 KB
	for lg < 22 && 1<<lg < len(b)+16 {
		lg++
	}
	var buf bytes.Buffer
	bw := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: 6, LGWin: lg})
	_, _ = bw.Write(b)
	_ = bw.Close()
	return buf.Bytes()
}

// serve writes e, answering conditional requests with 304. It is the
// whole of a cache hit: header values shared with every other response
// of e, no allocation here.
func serve(w http.ResponseWriter, r *http.Request, e *Entry) {
	h := w.Header()
	if e.Status == http.StatusOK && notModified(r, e) {
		// The policy headers (Content-Security-Policy and the rest) go
		// with it: a browser updates the stored response's headers from
		// a 304, and a page must keep its own policy.
		for _, f := range e.headers304 {
			h[f.key] = f.value
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, fields := e.Body, e.identity
	if ae := r.Header["Accept-Encoding"]; len(ae) > 0 {
		switch {
		case e.Brotli != nil && acceptsEncoding(ae, "br"):
			body, fields = e.Brotli, e.brotlied
		case e.Gzip != nil && acceptsEncoding(ae, "gzip"):
			body, fields = e.Gzip, e.gzipped
		}
	}
	for _, f := range fields {
		h[f.key] = f.value
	}
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// notModified answers RFC 9110's conditional GET: If-None-Match (weak
// comparison, any tag of a list) when present, else If-Modified-Since.
func notModified(r *http.Request, e *Entry) bool {
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		for _, line := range inm {
			for line != "" {
				var t string
				t, line, _ = strings.Cut(line, ",")
				t = strings.TrimSpace(t)
				if t == "*" || strings.TrimPrefix(t, "W/") == e.ETag {
					return true
				}
			}
		}
		return false
	}
	if ims := r.Header["If-Modified-Since"]; len(ims) > 0 && ims[0] != "" && !e.LastModified.IsZero() {
		if t, err := http.ParseTime(ims[0]); err == nil {
			return !e.LastModified.Truncate(time.Second).After(t)
		}
	}
	return false
}

// acceptsEncoding reports whether the Accept-Encoding header lines allow
// enc (q=0 refuses it).
func acceptsEncoding(lines []string, enc string) bool {
	for _, line := range lines {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ",")
			name, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(name), enc) {
				continue
			}
			return !zeroQ(params)
		}
	}
	return false
}

// zeroQ reports whether the parameters of one Accept-Encoding entry
// (";q=0.000" and the like) give it a weight of zero.
func zeroQ(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		p = strings.TrimSpace(p)
		v, ok := strings.CutPrefix(p, "q=")
		if !ok {
			v, ok = strings.CutPrefix(p, "Q=")
		}
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "0" {
			return true
		}
		frac, ok := strings.CutPrefix(v, "0.")
		return ok && strings.Trim(frac, "0") == ""
	}
	return false
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

// recorder captures a response in memory.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
