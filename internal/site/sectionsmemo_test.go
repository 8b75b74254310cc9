package site

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
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

// countingLists is the real store, counting its story list reads.
type countingLists struct {
	news.Store
	finds, lists atomic.Int64
}

func (c *countingLists) FindArticles(ctx context.Context, f news.ArticleFilter) ([]*news.Article, int, error) {
	c.finds.Add(1)
	return c.Store.FindArticles(ctx, f)
}

func (c *countingLists) FindArticleLists(ctx context.Context, fs []news.ArticleFilter) ([][]*news.Article, error) {
	c.lists.Add(1)
	return c.Store.FindArticleLists(ctx, fs)
}

// TestArticleListsInOneRead: a story page read its translations and its
// section's related stories as two lists (on PostgreSQL two round trips
// and two reads of their relations); they are one FindArticleLists call,
// and the page shows both.
func TestArticleListsInOneRead(t *testing.T) {
	e := newEnv(t, nil, "")
	st := &countingLists{Store: e.db}
	s := New(Config{Paper: e.paper, Store: st, Clock: news.NewFixedClock(testNow), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", e.articlePath(e.d.seed), nil))
	if rec.Code != 200 {
		t.Fatalf("GET the story: %d", rec.Code)
	}
	if n := st.lists.Load(); n != 1 {
		t.Errorf("%d FindArticleLists calls, want 1", n)
	}
	// What is left is the Top 10's stand-in (no views yet): the latest.
	if n := st.finds.Load(); n != 1 {
		t.Errorf("%d FindArticles calls, want 1 (the latest stories)", n)
	}
	if !strings.Contains(rec.Body.String(), `id="related-title"`) {
		t.Errorf("the page shows no related stories")
	}
}
