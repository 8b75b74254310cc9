// Package site is the reader site: server-rendered pages that work without
// JavaScript and are identical for every anonymous reader, so any cache may
// keep them. It reads through news.Store and never imports a store package.
package site

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"masthead/internal/auth"
	"masthead/internal/content"
	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/render"
	"masthead/internal/web"
)

// Config is what the site needs. Top may be nil: the Top 10 box then lists
// the latest stories.
type Config struct {
	Paper  *news.Paper
	Store  news.Store
	Clock  news.Clock
	Top    TopLister
	Logger *slog.Logger
	// Trash, when set, tells deleted stories (410 Gone) from missing ones;
	// nil falls back to Store when it keeps a trash itself.
	Trash news.Trash
	// WrapPage, when set, wraps every page renderer; this is where a page
	// cache sits. name is the page kind ("front", "article", ...).
	WrapPage func(name string, f PageFunc) PageFunc
	// TrustedProxies are the proxies whose forwarded headers name the
	// client (the contact form's per-address limit).
	TrustedProxies []netip.Prefix
}

// TopLister is the most-read list (implemented by internal/views).
type TopLister interface {
	TopStories(ctx context.Context, window time.Duration, sectionID int64, limit int) ([]news.TopEntry, error)
}

// PageFunc renders one page: the complete HTML document and the time its
// content last changed (zero when unknown). Errors are domain errors
// (news.ENOTFOUND → the 404 page), a *Redirect, or anything else (→ 500).
// The result is the same for every reader of the same URL, so a cache may
// keep it keyed by the request's path and query.
type PageFunc func(ctx context.Context, r *http.Request) (page []byte, lastModified time.Time, err error)

// Redirect is returned by a PageFunc to send the reader elsewhere (a former
// slug, a wrong date in an article URL).
type Redirect struct {
	URL  string
	Code int // 301 or 302
}

func (r *Redirect) Error() string { return fmt.Sprintf("redirect %d to %s", r.Code, r.URL) }

// Site serves the reader pages.
type Site struct {
	live  *news.Paper // read through paper()
	store news.Store
	clock news.Clock
	top   TopLister
	log   *slog.Logger
	wrap  func(string, PageFunc) PageFunc
	r     *render.Renderer

	csp    [2]string // without and with the Kakao SDK
	assets Assets
	trash  news.Trash // nil: no trash to ask

	proxies []netip.Prefix
	contact contactState
}

// headScript applies the reader's text size (and marks that JavaScript
// runs) before the first paint, so nothing jumps. It is inline so no request
// blocks rendering, and allowed by its hash in the CSP, never by
// 'unsafe-inline'. Keep it tiny and keep site.js's storage key in step.
const headScript = `(function(d){d.className="js";try{var s=localStorage.getItem("masthead-text-size");if(/^(-2|-1|0|1|2)$/.test(s))d.setAttribute("data-size",s)}catch(e){}})(document.documentElement)`

// kakaoOrigin serves Kakao's JavaScript SDK; allowed only when the paper has
// a Kakao app key.
const kakaoOrigin = "https://t1.kakaocdn.net"

// New builds the site. It panics if the embedded templates do not parse:
// that is a build defect, caught by the package's tests.
func New(cfg Config) *Site {
	if cfg.Paper == nil || cfg.Store == nil {
		panic("site: Config.Paper and Config.Store are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = news.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r, err := render.New(render.ReaderFS(), nil)
	if err != nil {
		panic(err)
	}
	s := &Site{
		live: cfg.Paper, store: cfg.Store, clock: cfg.Clock, top: cfg.Top,
		log: cfg.Logger, wrap: cfg.WrapPage, r: r,
		assets: Assets{
			CSS:  web.Path("site.css"),
			JS:   web.Path("site.js"),
			Icon: web.Path("icon.svg"),
			Logo: web.Path("logo.png"),
		},
	}
	s.csp = [2]string{buildCSP(false), buildCSP(true)}
	s.trash = cfg.Trash
	s.proxies = cfg.TrustedProxies
	s.contact.throttle = auth.NewThrottle(cfg.Clock, ContactFree, 10*time.Minute, time.Hour, time.Hour)
	if s.trash == nil {
		s.trash, _ = cfg.Store.(news.Trash)
	}
	return s
}

// ScriptHash is the CSP source for the inline head script.
func ScriptHash() string { return cspHash(headScript) }

// StyleHash is the CSP source for the inline stylesheet.
func StyleHash() string { return cspHash(inlineCSS) }

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// inlineCSS is the whole stylesheet (under 10 KB, about 3 KB compressed),
// put in every page's <head>: no render-blocking request before the first
// paint on a phone's first visit, which is most visits from links. The page
// cache compresses it with the page.
var inlineCSS = string(web.Bytes("site.css"))

func buildCSP(kakao bool) string {
	script := "'self' " + ScriptHash()
	connect := "'self'"
	img := "'self' data:"
	if kakao {
		script += " " + kakaoOrigin
		connect += " https://*.kakao.com"
		img += " https://*.kakaocdn.net"
	}
	return "default-src 'self'; script-src " + script + "; style-src 'self' " + StyleHash() + "; img-src " + img +
		"; connect-src " + connect + "; frame-src " + strings.Join(content.FrameOrigins, " ") +
		"; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
}

// Register adds the reader routes to mux. Article URLs
// (/{year}/{month}/{day}/{slug}) and the date archives are dispatched from
// the catch-all "/" rather than registered as wildcard patterns: a pattern
// like /{year}/{month}/{day}/{slug} would conflict (and make ServeMux panic)
// with any other package's subtree such as "GET /media/" or "/newsroom/".
// Everything no other route claims gets the helpful 404 page.
func (s *Site) Register(mux *http.ServeMux) {
	mux.Handle("GET /{$}", s.page("front", s.front))
	mux.Handle("GET /section/{slug}", s.page("section", s.section))
	mux.Handle("GET /author/{slug}", s.page("author", s.author))
	mux.Handle("GET /tag/{slug}", s.page("tag", s.tag))
	mux.Handle("GET /search", s.page("search", s.search))
	mux.Handle("GET /corrections", s.page("corrections", s.corrections))
	mux.HandleFunc("POST /contact-form", s.contactPost)
	mux.HandleFunc("GET /contact-form/token", s.contactToken)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /robots.txt", s.robots)
	mux.HandleFunc("GET /favicon.ico", s.favicon)
	mux.Handle("GET /static/{name}", web.Handler())
	mux.Handle("/", s.page("path", s.dispatch))
}

// Handler returns a mux with only the site's routes (for tests and for
// running the site alone).
func (s *Site) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// page turns a PageFunc into a handler: render fully, then answer with
// validators and cache headers, or turn the error into a page.
func (s *Site) page(name string, f PageFunc) http.Handler {
	if s.wrap != nil {
		f = s.wrap(name, f)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One read of the sections per render, the error page's included.
		r = r.WithContext(withSectionsMemo(r.Context()))
		body, lm, err := f(r.Context(), r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeHTML(w, r, http.StatusOK, body, lm, "public, max-age=60")
	})
}

// writeHTML sends a rendered page uncompressed: compression belongs to the
// page cache (internal/pagecache) in front, which compresses each page once
// and will not store a response that is already encoded.
func (s *Site) writeHTML(w http.ResponseWriter, r *http.Request, status int, body []byte, lm time.Time, cache string) {
	h := w.Header()
	h.Set("Content-Security-Policy", s.policy())
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cache)
	if status == http.StatusOK {
		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:16]) + `"`
		h.Set("ETag", etag)
		if !lm.IsZero() {
			h.Set("Last-Modified", lm.UTC().Format(http.TimeFormat))
		}
		if notModified(r, etag, lm) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// notModified applies RFC 9110's rule: If-None-Match wins when present;
// If-Modified-Since counts only without it.
func notModified(r *http.Request, etag string, lm time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == etag || t == "W/"+etag || t == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !lm.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !lm.Truncate(time.Second).After(t)
	}
	return false
}

// fail turns an error into a response: redirects, the 404 page, or the
// error page with the status and message httpx.Fail chose (which logs what
// is our fault, in full).
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	var rd *Redirect
	if errors.As(err, &rd) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		http.Redirect(w, r, rd.URL, rd.Code)
		return
	}
	p := httpx.Fail(s.log, r, err)
	switch p.Status {
	case http.StatusNotFound:
		var pastEnd pastEndError
		if !errors.As(err, &pastEnd) && s.redirect(w, r) {
			return
		}
		s.notFound(w, r)
		return
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", "GET, HEAD")
	}
	s.errorPage(w, r, p.Status, p.Message)
}

// redirect answers a path that has no page with its stored redirect (a
// renamed or merged section, an imported site's old permalink), if there
// is one: first the path as asked, then without or with its trailing
// slash.
func (s *Site) redirect(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	alt := p + "/"
	if strings.HasSuffix(p, "/") && len(p) > 1 {
		alt = strings.TrimSuffix(p, "/")
	}
	for _, from := range []string{p, alt} {
		rd, err := s.store.FindRedirect(r.Context(), from)
		if err != nil {
			if news.ErrorCode(err) != news.ENOTFOUND {
				s.log.WarnContext(r.Context(), "find redirect", "path", from, "err", err)
			}
			continue
		}
		to := rd.To
		if strings.HasPrefix(to, "/") {
			to = (&url.URL{Path: to}).EscapedPath()
			if q := r.URL.RawQuery; q != "" {
				to += "?" + q
			}
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		http.Redirect(w, r, to, rd.Code)
		return true
	}
	return false
}

func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// The canonical link names the address asked for: a 404 must not
	// claim to be the front page.
	l := localeFor(s.paper().Language)
	p := &NotFoundPage{Base: s.base(ctx, l.T("Page not found"), l.T("No page at this address in %s.", s.paper().Name), r.URL.EscapedPath())}
	p.Robots = "noindex"
	p.Sections = p.Nav
	// The helper lists are a courtesy: if the store fails, the 404 page
	// still goes out without them.
	if arts, _, err := s.store.FindArticles(ctx, news.ArticleFilter{PublicAt: s.now(), Limit: 5, NoTotal: true, NoBody: true}); err == nil {
		p.Latest = s.cards(arts)
	}
	body, err := s.r.Render("notfound", p)
	if err != nil {
		s.log.ErrorContext(ctx, "render 404", "err", err)
		http.Error(w, "Not found.", http.StatusNotFound)
		return
	}
	s.writeHTML(w, r, http.StatusNotFound, body, time.Time{}, "public, max-age=60")
}

func (s *Site) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p := &ErrorPage{Base: s.base(r.Context(), http.StatusText(status), msg, r.URL.EscapedPath()), Message: msg}
	p.Robots = "noindex"
	body, err := s.r.Render("error", p)
	if err != nil {
		http.Error(w, msg, status)
		return
	}
	s.writeHTML(w, r, status, body, time.Time{}, "no-store")
}

func (s *Site) now() time.Time { return s.clock.Now() }

// healthz answers 200 when the database does, within two seconds.
func (s *Site) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "healthz: store ping failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Site) robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	fmt.Fprintf(w, "User-agent: *\nAllow: /\nDisallow: /newsroom/\nDisallow: /api/\n\nSitemap: %s\n",
		s.paper().AbsURL("/sitemap.xml"))
}

// favicon answers the browsers that ask for /favicon.ico despite the
// <link rel=icon>, so they get an icon instead of a 404 page.
func (s *Site) favicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(web.Bytes("logo.png"))
}

// paper is the paper's settings as they are now (news.Live): read it once
// per page where a page uses several settings together.
func (s *Site) paper() *news.Paper { return s.live.Current() }

// policy is the Content-Security-Policy for the paper's settings now: the
// Kakao SDK's origins only while the paper has a Kakao app key.
func (s *Site) policy() string {
	if s.paper().KakaoAppKey != "" {
		return s.csp[1]
	}
	return s.csp[0]
}

// sectionsMemo is a render's one read of the sections: the navigation, a
// section page's sub-sections, the front page's boxes and the search
// form each need them, and on PostgreSQL each read is a round trip.
type sectionsMemo struct {
	once sync.Once
	secs []*news.Section
	err  error
}

type sectionsMemoKey struct{}

func withSectionsMemo(ctx context.Context) context.Context {
	if _, ok := ctx.Value(sectionsMemoKey{}).(*sectionsMemo); ok {
		return ctx
	}
	return context.WithValue(ctx, sectionsMemoKey{}, &sectionsMemo{})
}

// sections lists the paper's sections, once per render (the slice is
// shared: callers only read it).
func (s *Site) sections(ctx context.Context) ([]*news.Section, error) {
	m, ok := ctx.Value(sectionsMemoKey{}).(*sectionsMemo)
	if !ok {
		return s.store.ListSections(ctx)
	}
	m.once.Do(func() { m.secs, m.err = s.store.ListSections(ctx) })
	return m.secs, m.err
}
