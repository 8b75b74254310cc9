package site

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/pagecache"
	"masthead/internal/purge"
)

// findCounter is the real store, counting the story lists it is asked for.
type findCounter struct {
	news.Store
	finds atomic.Int64
}

func (c *findCounter) FindArticles(ctx context.Context, f news.ArticleFilter) ([]*news.Article, int, error) {
	c.finds.Add(1)
	return c.Store.FindArticles(ctx, f)
}

// A page past the end of a section, author or tag list is a 404 that the
// page cache keeps (the second request does not reach the store), under
// the list's purge key: the publish that makes the page exist purges it.
func TestPagesPastTheEndAreCached(t *testing.T) {
	e := makeEnv(t, nil, "")
	st := &findCounter{Store: e.db}
	s := New(Config{Paper: e.paper, Store: st, Clock: news.NewFixedClock(testNow), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	cache := pagecache.New(1<<20, time.Hour)
	if err := cache.SetKeyHeader("Surrogate-Key"); err != nil { // the keys checked below
		t.Fatal(err)
	}
	h := cache.Middleware(s.Handler())
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	d := e.d
	for _, c := range []struct {
		path, key string
	}{
		{e.paper.SectionPath(d.nk) + "?page=9999", SectionKey(d.nk.ID)},
		{e.paper.AuthorPath(d.kang) + "?page=9999", AuthorKey(d.kang.ID)},
		{e.paper.TagPath(d.trump) + "?page=9999", TagKey(d.trump.ID)},
	} {
		first := get(c.path)
		if first.Code != 404 {
			t.Fatalf("GET %s: %d, want 404", c.path, first.Code)
		}
		if keys := " " + first.Header().Get("Surrogate-Key") + " "; !strings.Contains(keys, " "+c.key+" ") {
			t.Errorf("GET %s: Surrogate-Key %q lacks %q", c.path, keys, c.key)
		}
		n := st.finds.Load()
		again := get(c.path)
		if again.Code != 404 || again.Body.String() != first.Body.String() {
			t.Errorf("GET %s again: %d, or another body", c.path, again.Code)
		}
		if got := st.finds.Load() - n; got != 0 {
			t.Errorf("GET %s again: %d store lists, want 0 (the cached 404)", c.path, got)
		}
	}
	// A made-up address stays uncached: anyone could fill the cache.
	get("/no-such-page")
	n := st.finds.Load()
	get("/no-such-page")
	if st.finds.Load() == n {
		t.Error("a 404 that is not a list's page was cached")
	}

	// Page 2 of the section does not exist yet; enough stories to fill
	// page 1 make it, and the change's keys purge the cached 404.
	ctx := context.Background()
	page2 := e.paper.SectionPath(d.nk) + "?page=2"
	if rec := get(page2); rec.Code != 404 {
		t.Fatalf("GET %s: %d, want 404 before the stories", page2, rec.Code)
	}
	before, err := e.db.LastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range perPage {
		if err := e.db.CreateArticle(ctx, &news.Article{Slug: fmt.Sprintf("filler-%d", i), Headline: "Filler", Lang: "en",
			Status: news.StatusPublished, SectionID: d.nk.ID, PublishedAt: testNow.Add(-time.Duration(i+1) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if rec := get(page2); rec.Code != 404 {
		t.Fatalf("GET %s before the purge: %d, want the cached 404", page2, rec.Code)
	}
	recs, err := e.db.Changes(ctx, before, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		keys, all := purge.Keys(r.Change, e.paper.Loc())
		if all {
			cache.Purge()
		}
		cache.PurgeKeys(keys...)
	}
	if rec := get(page2); rec.Code != 200 {
		t.Errorf("GET %s after the publishes were purged: %d, want 200", page2, rec.Code)
	}
}
