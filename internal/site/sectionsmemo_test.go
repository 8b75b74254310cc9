package site

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"masthead/internal/news"
)

// countingSections is the real store, counting its section reads.
type countingSections struct {
	news.Store
	n         atomic.Int64
	redirects atomic.Int64
}

func (c *countingSections) FindRedirect(ctx context.Context, from string) (*news.Redirect, error) {
	c.redirects.Add(1)
	return c.Store.FindRedirect(ctx, from)
}

func (c *countingSections) ListSections(ctx context.Context) ([]*news.Section, error) {
	c.n.Add(1)
	return c.Store.ListSections(ctx)
}

// TestOneSectionsReadPerRender: the navigation, a section page's
// sub-sections, the front page's boxes, the search form and an error
// page share one read of the sections per render (each was its own
// statement, a round trip on PostgreSQL: most pages read them twice);
// and a page past the end of a list looks up no redirect.
func TestOneSectionsReadPerRender(t *testing.T) {
	e := newEnv(t, nil, "")
	st := &countingSections{Store: e.db}
	s := New(Config{Paper: e.paper, Store: st, Clock: news.NewFixedClock(testNow), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := s.Handler()
	for _, c := range []struct {
		path      string
		status    int
		redirects int64 // stored redirects looked up
	}{
		{"/", 200, 0},
		{"/section/north-korea", 200, 0},
		// A page past the end of a list: its path is the list's own, so
		// no redirect is looked for (there were two lookups).
		{"/section/north-korea?page=9999", 404, 0},
		{"/search?q=trump", 200, 0},
		{e.articlePath(e.d.seed), 200, 0},
		{"/no-such-page", 404, 2},
	} {
		st.n.Store(0)
		st.redirects.Store(0)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if rec.Code != c.status {
			t.Fatalf("GET %s: %d, want %d", c.path, rec.Code, c.status)
		}
		if n := st.n.Load(); n != 1 {
			t.Errorf("GET %s read the sections %d times, want once", c.path, n)
		}
		if n := st.redirects.Load(); n != c.redirects {
			t.Errorf("GET %s looked up %d redirects, want %d", c.path, n, c.redirects)
		}
	}
}
