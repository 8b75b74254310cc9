// Package feed serves the paper's stories as RSS 2.0, Atom 1.0 and JSON
// Feed 1.1: for the whole paper and for each section, author and tag.
//
// Every feed holds the latest public stories only (news.ArticleFilter
// PublicAt, checked again with Article.IsPublicAt), in full text or as
// summaries according to Paper.FullTextFeeds. Responses carry a strong ETag
// (a hash of the bytes) and Last-Modified (the newest story's LastModified),
// and conditional requests get 304 Not Modified.
//
// A tag that no public story carries answers 404, like an unknown one: tags
// are made with stories, and the name of one made for an embargoed story
// could give it away. Sections and authors exist on their own and answer
// with an empty feed.
package feed

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"

	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/pagecache"
	"masthead/internal/purge"
)

// Limit is how many stories a feed holds.
const Limit = 30

// Content types of the three formats.
const (
	ContentTypeRSS  = "application/rss+xml; charset=utf-8"
	ContentTypeAtom = "application/atom+xml; charset=utf-8"
	ContentTypeJSON = "application/feed+json; charset=utf-8"
)

// Config is what the feeds need. Clock and Logger may be nil (the system
// clock and slog.Default).
type Config struct {
	Paper  *news.Paper
	Store  news.Store
	Clock  news.Clock
	Logger *slog.Logger
}

// Feeds serves the feeds. It holds no state between requests: every
// response is built from the store, so a story published by another node or
// by the command line is in the next response.
type Feeds struct {
	live  *news.Paper // read through paper()
	store news.Store
	clock news.Clock
	log   *slog.Logger
}

// New returns the feeds of cfg.Paper.
func New(cfg Config) *Feeds {
	f := &Feeds{live: cfg.Paper, store: cfg.Store, clock: cfg.Clock, log: cfg.Logger}
	if f.clock == nil {
		f.clock = news.SystemClock{}
	}
	if f.log == nil {
		f.log = slog.Default()
	}
	return f
}

type format struct {
	file        string
	contentType string
	encode      func(*channel) ([]byte, error)
}

var formats = []format{
	{"feed.xml", ContentTypeRSS, encodeRSS},
	{"atom.xml", ContentTypeAtom, encodeAtom},
	{"feed.json", ContentTypeJSON, encodeJSON},
}

// Register adds the feed routes to mux. All are public and read-only:
//
//	GET /feed.xml                 GET /atom.xml                 GET /feed.json
//	GET /section/{slug}/feed.xml  GET /section/{slug}/atom.xml  GET /section/{slug}/feed.json
//	GET /author/{slug}/feed.xml   GET /author/{slug}/atom.xml   GET /author/{slug}/feed.json
//	GET /tag/{slug}/feed.xml      GET /tag/{slug}/atom.xml      GET /tag/{slug}/feed.json
//
// The patterns have three literal-ended segments, so they sit beside the
// site's /section/{slug} and catch-all / without conflicts.
func (f *Feeds) Register(mux *http.ServeMux) {
	for _, fm := range formats {
		mux.Handle("GET /"+fm.file, f.handler(fm, f.paperScope))
		mux.Handle("GET /section/{slug}/"+fm.file, f.handler(fm, f.sectionScope))
		mux.Handle("GET /author/{slug}/"+fm.file, f.handler(fm, f.authorScope))
		mux.Handle("GET /tag/{slug}/"+fm.file, f.handler(fm, f.tagScope))
	}
}

// scopeFunc resolves the request to a scope and the store filter for it.
type scopeFunc func(ctx context.Context, r *http.Request) (scope, news.ArticleFilter, error)

func (f *Feeds) paperScope(ctx context.Context, r *http.Request) (scope, news.ArticleFilter, error) {
	pagecache.Tag(ctx, purge.Feeds)
	return scope{Path: "/"}, news.ArticleFilter{}, nil
}

func (f *Feeds) sectionScope(ctx context.Context, r *http.Request) (scope, news.ArticleFilter, error) {
	s, err := f.store.FindSectionBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return scope{}, news.ArticleFilter{}, err
	}
	pagecache.Tag(ctx, purge.Section(s.ID))
	return scope{Name: s.Name, Description: s.Description, Path: f.paper().SectionPath(s)}, news.ArticleFilter{SectionID: s.ID}, nil
}

func (f *Feeds) authorScope(ctx context.Context, r *http.Request) (scope, news.ArticleFilter, error) {
	a, err := f.store.FindAuthorBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return scope{}, news.ArticleFilter{}, err
	}
	pagecache.Tag(ctx, purge.Author(a.ID))
	return scope{Name: a.Name, Description: a.Bio, Path: f.paper().AuthorPath(a)}, news.ArticleFilter{AuthorID: a.ID}, nil
}

func (f *Feeds) tagScope(ctx context.Context, r *http.Request) (scope, news.ArticleFilter, error) {
	t, err := f.store.FindTagBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return scope{}, news.ArticleFilter{}, err
	}
	pagecache.Tag(ctx, purge.Tag(t.ID))
	return scope{Name: t.Name, Path: f.paper().TagPath(t)}, news.ArticleFilter{TagID: t.ID}, nil
}

func (f *Feeds) handler(fm format, resolve scopeFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		sc, filter, err := resolve(ctx, r)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		now := f.clock.Now()
		filter.PublicAt = now
		filter.Limit = Limit
		filter.Order = "newest"
		// A feed has no pager: counting the archive on every render cost
		// 17–18 ms at 100,000 stories.
		filter.NoTotal = true
		// Items carry the rendered body, never the Markdown.
		filter.NoMarkdown = true
		arts, _, err := f.store.FindArticles(ctx, filter)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		ch := buildChannel(f.paper(), sc, arts, now)
		if len(ch.Items) == 0 && filter.TagID != 0 {
			// Tags are made with stories; one that no public story carries
			// yet (say, only an embargoed one) must not exist for readers,
			// or its name could give the story away.
			f.fail(w, r, news.ErrNotFound)
			return
		}
		body, err := fm.encode(ch)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		serve(w, r, fm.contentType, ch.Updated, body)
	})
}

// fail answers 404 for unknown slugs and 500 for anything else, logging the
// details rather than showing them.
func (f *Feeds) fail(w http.ResponseWriter, r *http.Request, err error) {
	if news.ErrorCode(err) == news.ENOTFOUND && f.redirect(w, r) {
		return
	}
	httpx.WriteTextError(w, r, f.log, fmt.Errorf("feed: %w", err))
}

// redirect sends the feed of a renamed or merged section or tag on to the
// feed of its new address: the list's page has a redirect (the newsroom
// makes one with every rename and merge), and feed readers follow a 301
// and keep the new address.
func (f *Feeds) redirect(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	list, file := path.Split(r.URL.Path)
	list = strings.TrimSuffix(list, "/")
	if !strings.HasPrefix(list, "/section/") && !strings.HasPrefix(list, "/tag/") {
		return false
	}
	rd, err := f.store.FindRedirect(r.Context(), list)
	if err != nil || !strings.HasPrefix(rd.To, "/") {
		if err != nil && news.ErrorCode(err) != news.ENOTFOUND {
			f.log.WarnContext(r.Context(), "feed: find redirect", "path", list, "err", err)
		}
		return false
	}
	to := (&url.URL{Path: rd.To + "/" + file}).EscapedPath()
	w.Header().Set("Cache-Control", "public, max-age=300")
	http.Redirect(w, r, to, rd.Code)
	return true
}

// paper is the paper's settings as they are now (news.Live).
func (f *Feeds) paper() *news.Paper { return f.live.Current() }
