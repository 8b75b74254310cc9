package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"masthead/internal/news"
	"masthead/internal/pagecache"
	"masthead/internal/site"
)

// cdnPurger tells a CDN, through the purge webhook, which pages a change
// touched: a story's keys (its own, its section's, authors' and tags',
// before and after the write, so a story moved out of a section leaves
// that section's pages too), the front page and the untagged lists (feeds,
// sitemaps, archives). A change it cannot name purges everything. A nil
// *cdnPurger does nothing.
type cdnPurger struct {
	st   news.Store
	hook *pagecache.Webhook
	log  *slog.Logger
	// localGen is the store generation after this node's last newsroom
	// write: the generation watcher then sees our own change, already
	// announced by keys, and must not announce it again as "everything".
	localGen atomic.Int64
}

// storyID is the story a newsroom write names (/newsroom/stories/{id}/...).
func storyID(path string) (int64, bool) {
	rest, ok := strings.CutPrefix(path, "/newsroom/stories/")
	if !ok {
		return 0, false
	}
	seg, _, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(seg, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// before reads the keys of the story a write is about to change, when
// readers can see it (nil otherwise: a draft's pages are nowhere).
func (p *cdnPurger) before(r *http.Request) []string {
	if p == nil {
		return nil
	}
	if id, ok := storyID(r.URL.Path); ok {
		if a, err := p.st.FindArticleByID(r.Context(), id); err == nil && a.IsPublicAt(time.Now()) {
			return site.ArticleKeys(a)
		}
	}
	return nil
}

// after announces a newsroom write. The story is read again off the
// request path; the webhook sends from its own goroutine.
func (p *cdnPurger) after(r *http.Request, before []string) {
	if p == nil {
		return
	}
	ctx := context.WithoutCancel(r.Context())
	if g, err := p.st.Generation(ctx); err == nil {
		p.localGen.Store(g)
	}
	path := r.URL.Path
	switch {
	case path == "/newsroom/preview", path == "/newsroom/signin", path == "/newsroom/signout",
		path == "/newsroom/stories", // a new story is a draft
		strings.HasPrefix(path, "/newsroom/account/"), strings.HasPrefix(path, "/newsroom/users"):
		return // nothing readers see
	case path == "/newsroom/frontpage":
		p.hook.Purge(site.FrontKey)
		return
	}
	id, ok := storyID(path)
	if !ok {
		p.hook.Purge()
		return
	}
	go func() {
		keys := before
		a, err := p.st.FindArticleByID(ctx, id)
		switch {
		case err == nil && a.IsPublicAt(time.Now()):
			keys = append(keys, site.ArticleKeys(a)...)
		case err != nil && !errors.Is(err, news.ErrNotFound):
			p.log.Warn("purge keys: read story", "id", id, "err", err)
			p.hook.Purge()
			return
		}
		if len(keys) == 0 {
			return // a draft before and after: no reader saw it
		}
		p.hook.Purge(append(keys, site.FrontKey, pagecache.UntaggedKey)...)
	}()
}

// remote announces a change the generation watcher saw: from another
// process or node, or the scheduler. Unless it is our own last write, it
// names nothing precise, so everything goes.
func (p *cdnPurger) remote(ctx context.Context) {
	if p == nil {
		return
	}
	if g, err := p.st.Generation(ctx); err == nil && g == p.localGen.Load() {
		return
	}
	p.hook.Purge()
}
