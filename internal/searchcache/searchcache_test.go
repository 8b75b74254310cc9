package searchcache

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// counting counts the searches that reach the database.
type counting struct {
	news.Store
	n atomic.Int32
}

func (c *counting) SearchArticles(ctx context.Context, q news.SearchQuery) ([]news.SearchHit, int, error) {
	c.n.Add(1)
	return c.Store.SearchArticles(ctx, q)
}

// TestSearchIsCached: search was never cached (11–18 ms CPU a query at
// 100k). The same query is answered once until a change anywhere bumps the
// generation or the answer is a minute old; the answers are the store's.
func TestSearchIsCached(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC().Add(-time.Hour)
	for _, slug := range []string{"kim-letter", "kim-summit"} {
		a := &news.Article{Slug: slug, Headline: "Kim sends a letter " + slug, BodyHTML: "<p>Kim wrote to Trump.</p>", Lang: "en",
			Status: news.StatusPublished, CreatedAt: now, PublishedAt: now, UpdatedAt: now}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	c := &counting{Store: db}
	s := New(c, Config{GenPoll: -1})
	q := news.SearchQuery{Text: "kim", PublicAt: time.Now(), Limit: 10}
	first, total, err := s.SearchArticles(ctx, q)
	if err != nil || total != 2 || len(first) != 2 {
		t.Fatalf("first search: %d hits, total %d, %v", len(first), total, err)
	}
	for range 5 {
		q.PublicAt = time.Now()
		hits, total2, err := s.SearchArticles(ctx, q)
		if err != nil || total2 != total || len(hits) != len(first) || hits[0].Article.ID != first[0].Article.ID {
			t.Fatalf("cached answer differs: %v %d %v", hits, total2, err)
		}
	}
	if n := c.n.Load(); n != 1 {
		t.Fatalf("%d searches reached the store, want 1", n)
	}
	if first[0].Article.BodyHTML != "" {
		t.Error("a cached story keeps its body")
	}
	// Another query, or the same on another page, is its own answer.
	s.SearchArticles(ctx, news.SearchQuery{Text: "trump", PublicAt: time.Now(), Limit: 10})
	s.SearchArticles(ctx, news.SearchQuery{Text: "kim", PublicAt: time.Now(), Limit: 10, Offset: 10})
	if n := c.n.Load(); n != 3 {
		t.Fatalf("%d searches reached the store, want 3", n)
	}
	// A change anywhere (a publish, on this node or another, moves the
	// store's generation) is seen by the next search.
	a := &news.Article{Slug: "kim-third", Headline: "Kim writes again", BodyHTML: "<p>Kim.</p>", Lang: "en",
		Status: news.StatusPublished, CreatedAt: now, PublishedAt: now, UpdatedAt: now}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	q.PublicAt = time.Now()
	hits, total, err := s.SearchArticles(ctx, q)
	if err != nil || total != 3 || len(hits) != 3 {
		t.Fatalf("after a publish: %d hits, total %d, %v; want the new story too", len(hits), total, err)
	}
	if n := c.n.Load(); n != 4 {
		t.Fatalf("after a change: %d searches reached the store, want 4", n)
	}
	// The newsroom's searches (no PublicAt) are never cached.
	s.SearchArticles(ctx, news.SearchQuery{Text: "kim", Limit: 10})
	s.SearchArticles(ctx, news.SearchQuery{Text: "kim", Limit: 10})
	if n := c.n.Load(); n != 6 {
		t.Fatalf("newsroom searches: %d reached the store, want 6", n)
	}
}

// TestSearchCacheIsBounded: past Entries, the least recently used answer
// goes.
func TestSearchCacheIsBounded(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := New(db, Config{Entries: 3, GenPoll: -1})
	for _, w := range []string{"a", "b", "c", "d", "e"} {
		if _, _, err := s.SearchArticles(ctx, news.SearchQuery{Text: w, PublicAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if s.lru.Len() != 3 || len(s.m) != 3 {
		t.Fatalf("%d entries (%d in the map), want 3", s.lru.Len(), len(s.m))
	}
}
