// Package ghostapi is a Ghost-compatible Content API: posts, pages,
// authors, tags and settings under /ghost/api/content/ (and the v3 and v4
// prefixes older clients use), in Ghost 5's JSON shapes, so front ends and
// static-site builders written for Ghost run against masthead unchanged.
// It shows only what readers may see, to a content key of an integration
// with the content:read scope.
//
// How masthead maps onto Ghost: a story is a post; its section is its
// primary tag (the first of its tags, as a Ghost import's primary tag
// becomes the section), followed by its tags; "featured" is being on the
// curated front page. Pages are the paper's published static pages.
package ghostapi

import (
	"context"
	"crypto/sha1"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"masthead/internal/httpx"
	"masthead/internal/integrations"
	"masthead/internal/news"
)

// Prefixes are where Ghost's clients look: v5 and later have no version in
// the path; clients configured for v3 or v4 put it there.
var Prefixes = []string{"/ghost/api/content/", "/ghost/api/v3/content/", "/ghost/api/v4/content/"}

// Paging: Ghost's default page is 15; "limit=all" is served up to MaxLimit
// a page (the pagination meta then says there is more).
const (
	DefaultLimit = 15
	MaxLimit     = 1000
)

// Config is what the API needs.
type Config struct {
	Paper  *news.Paper
	Store  news.Store
	Clock  news.Clock
	Gate   *integrations.Gate
	Logger *slog.Logger
	// FrontPage returns the curated front page's story IDs (featured
	// posts); nil: nothing is featured.
	FrontPage func(ctx context.Context) ([]int64, error)
}

// API serves the Content API.
type API struct {
	cfg   Config
	live  *news.Paper // read through paper()
	store news.Store
	clock news.Clock
	log   *slog.Logger
}

// New builds the API.
func New(cfg Config) *API {
	if cfg.Clock == nil {
		cfg.Clock = news.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &API{cfg: cfg, live: cfg.Paper, store: cfg.Store, clock: cfg.Clock, log: cfg.Logger}
}

// Register adds the routes under every prefix.
func (a *API) Register(mux *http.ServeMux) {
	for _, p := range Prefixes {
		mux.Handle("GET "+p+"posts/{$}", a.handle(func(w http.ResponseWriter, r *http.Request, q *query) error { return a.browsePosts(w, r, q) }))
		mux.Handle("GET "+p+"posts/{id}/{$}", a.handle(func(w http.ResponseWriter, r *http.Request, q *query) error {
			return a.readPost(w, r, q, r.PathValue("id"), "")
		}))
		mux.Handle("GET "+p+"posts/slug/{slug}/{$}", a.handle(func(w http.ResponseWriter, r *http.Request, q *query) error {
			return a.readPost(w, r, q, "", r.PathValue("slug"))
		}))
		mux.Handle("GET "+p+"pages/{$}", a.handle(a.browsePages))
		mux.Handle("GET "+p+"pages/{id}/{$}", a.handle(func(w http.ResponseWriter, r *http.Request, q *query) error {
			return a.readPage(w, r, q, r.PathValue("id"), "")
		}))
		mux.Handle("GET "+p+"pages/slug/{slug}/{$}", a.handle(func(w http.ResponseWriter, r *http.Request, q *query) error {
			return a.readPage(w, r, q, "", r.PathValue("slug"))
		}))
		mux.Handle("GET "+p+"tags/{$}", a.handle(a.browseTags))
		mux.Handle("GET "+p+"tags/{id}/{$}", a.handle(func(w http.ResponseWriter, r *http.Request, q *query) error {
			return a.readTag(w, r, q, r.PathValue("id"), "")
		}))
		mux.Handle("GET "+p+"tags/slug/{slug}/{$}", a.handle(func(w http.ResponseWriter, r *http.Request, q *query) error {
			return a.readTag(w, r, q, "", r.PathValue("slug"))
		}))
		mux.Handle("GET "+p+"authors/{$}", a.handle(a.browseAuthors))
		mux.Handle("GET "+p+"authors/{id}/{$}", a.handle(func(w http.ResponseWriter, r *http.Request, q *query) error {
			return a.readAuthor(w, r, q, r.PathValue("id"), "")
		}))
		mux.Handle("GET "+p+"authors/slug/{slug}/{$}", a.handle(func(w http.ResponseWriter, r *http.Request, q *query) error {
			return a.readAuthor(w, r, q, "", r.PathValue("slug"))
		}))
		mux.Handle("GET "+p+"settings/{$}", a.handle(a.settings))
		// Browsers ask before sending Accept-Version from another origin.
		mux.HandleFunc("OPTIONS "+p, preflight)
		mux.Handle(p, a.handle(func(http.ResponseWriter, *http.Request, *query) error {
			return news.Errorf(news.ENOTFOUND, "Resource not found")
		}))
	}
}

func cors(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", "Accept-Version, Content-Type")
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	h.Set("Access-Control-Max-Age", "86400")
}

func preflight(w http.ResponseWriter, r *http.Request) {
	cors(w.Header())
	w.WriteHeader(http.StatusNoContent)
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, q *query) error

// handle checks the key (and its rate), reads the common parameters and
// answers errors in Ghost's shape.
func (a *API) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cors(w.Header())
		// Ghost versions its answers by this header; masthead gives v5
		// shapes to every version, which v3 and v4 clients read too.
		w.Header().Set("Content-Version", "v5.0")
		w.Header().Set("Vary", "Accept-Version")
		err := a.authorize(r)
		var q *query
		if err == nil {
			q, err = parseQuery(r)
		}
		if err == nil {
			err = h(w, r, q)
		}
		if err != nil {
			integrations.SetRetryAfter(w, err)
			writeError(w, r, a.log, err)
		}
	})
}

func (a *API) authorize(r *http.Request) error {
	key := r.URL.Query().Get("key")
	if key == "" {
		return news.Errorf(news.EUNAUTHORIZED, "Authorization failed: a Content API key is required (?key=...).")
	}
	if a.cfg.Gate == nil {
		return integrations.ErrUnknownKey
	}
	_, err := a.cfg.Gate.Check(r.Context(), key, news.KeyContent, news.ScopeContentRead)
	if news.ErrorCode(err) == news.EUNAUTHORIZED {
		// Ghost's words: what its clients and their users search for.
		return news.Errorf(news.EUNAUTHORIZED, "Unknown Content API Key")
	}
	return err
}

// ghostError is one entry of Ghost's {"errors": [...]}.
type ghostError struct {
	Message        string  `json:"message"`
	Context        *string `json:"context"`
	Type           string  `json:"type"`
	Details        any     `json:"details"`
	Property       *string `json:"property"`
	Help           *string `json:"help"`
	Code           *string `json:"code"`
	ID             string  `json:"id"`
	GhostErrorCode *string `json:"ghostErrorCode"`
}

var errorTypes = map[int]string{
	http.StatusBadRequest:            "BadRequestError",
	http.StatusUnauthorized:          "UnauthorizedError",
	http.StatusForbidden:             "NoPermissionError",
	http.StatusNotFound:              "NotFoundError",
	http.StatusRequestEntityTooLarge: "RequestEntityTooLargeError",
	http.StatusTooManyRequests:       "TooManyRequestsError",
	http.StatusServiceUnavailable:    "ServiceUnavailableError",
}

// writeError answers err as Ghost does: the status and message are
// httpx's (which logs what is ours), the envelope Ghost's, so its clients
// throw an Error with the message and type.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := httpx.Fail(log, r, err)
	typ := errorTypes[p.Status]
	if typ == "" {
		typ = "InternalServerError"
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, p.Status, map[string]any{"errors": []ghostError{{Message: p.Message, Type: typ, ID: httpx.RequestID(r.Context())}}})
}

// writeOK answers a successful read; the answer may be cached a minute.
func writeOK(w http.ResponseWriter, v any) {
	w.Header().Set("Cache-Control", "public, max-age=60")
	httpx.WriteJSON(w, http.StatusOK, v)
}

// query is the common parameters of every Content API endpoint.
type query struct {
	filter  string
	include map[string]bool
	fields  []string // nil: all
	formats map[string]bool
	limit   int // 0: "all" up to MaxLimit
	page    int
	order   string
}

func badRequest(format string, args ...any) error {
	return news.Errorf(news.EINVALID, format, args...)
}

func parseQuery(r *http.Request) (*query, error) {
	v := r.URL.Query()
	q := &query{include: set(v.Get("include")), formats: set(v.Get("formats")), filter: v.Get("filter"), order: v.Get("order"),
		limit: DefaultLimit, page: 1}
	if len(q.formats) == 0 {
		q.formats = map[string]bool{"html": true}
	}
	for f := range q.formats {
		switch f {
		case "html", "plaintext", "mobiledoc", "lexical":
		default:
			return nil, badRequest("Validation error, cannot list posts. Unknown format %q (use html, plaintext).", f)
		}
	}
	if s := v.Get("fields"); s != "" {
		for _, f := range strings.Split(s, ",") {
			if f = strings.TrimSpace(f); f != "" {
				q.fields = append(q.fields, f)
			}
		}
	}
	switch s := v.Get("limit"); s {
	case "":
	case "all":
		q.limit = 0
	default:
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, badRequest("Validation error: limit must be a positive number or \"all\".")
		}
		q.limit = min(n, MaxLimit)
	}
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			return nil, badRequest("Validation error: page must be a positive number.")
		}
		q.page = n
	}
	return q, nil
}

func set(s string) map[string]bool {
	out := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out[p] = true
		}
	}
	return out
}

// pageSize is the rows a page holds (limit=all: MaxLimit).
func (q *query) pageSize() int {
	if q.limit == 0 {
		return MaxLimit
	}
	return q.limit
}

// pagination is Ghost's meta.pagination.
type pagination struct {
	Page  int  `json:"page"`
	Limit any  `json:"limit"` // a number, or "all"
	Pages int  `json:"pages"`
	Total int  `json:"total"`
	Next  *int `json:"next"`
	Prev  *int `json:"prev"`
}

func (q *query) meta(total int) map[string]any {
	size := q.pageSize()
	pages := max(1, (total+size-1)/size)
	p := pagination{Page: q.page, Limit: q.limit, Pages: pages, Total: total}
	if q.limit == 0 {
		p.Limit = "all"
		if total > size {
			p.Limit = size
		}
	}
	if q.page < pages {
		n := q.page + 1
		p.Next = &n
	}
	if q.page > 1 {
		n := q.page - 1
		p.Prev = &n
	}
	return map[string]any{"pagination": p}
}

// pick keeps only the fields asked for (all when none were).
func pick(obj map[string]any, fields []string) map[string]any {
	if fields == nil {
		return obj
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		if v, ok := obj[f]; ok {
			out[f] = v
		}
	}
	return out
}

// uuid is a stable UUID for a story (Ghost posts have one; comment systems
// and some themes key on it): name-based on the paper and the story.
func (a *API) uuid(kind string, id int64) string {
	h := sha1.Sum([]byte(a.paper().BaseURL + "\x00" + kind + "\x00" + strconv.FormatInt(id, 10)))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// paper is the paper's settings as they are now (news.Live).
func (a *API) paper() *news.Paper { return a.live.Current() }
