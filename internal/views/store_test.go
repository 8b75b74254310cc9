package views

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
	"masthead/internal/testpg"
)

// openStore opens (creating or reopening) the SQLite database file at path.
func openStore(t testing.TB, path string) news.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("sqlite.Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestTwoNodesPostgres: two nodes on one PostgreSQL database count into the
// same rows; the ranking is their sum, and they share the daily salt.
func TestTwoNodesPostgres(t *testing.T) {
	ctx := context.Background()
	pgURL := testpg.URL(t, "masthead_views_test")

	clock := news.NewFixedClock(T0)
	paper := &news.Paper{BaseURL: "https://news.example.com"}
	var nodes []*Counter
	var muxes []*http.ServeMux
	var store news.Store
	for range 2 {
		s, err := postgres.Open(ctx, pgURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		store = s
		c, err := New(Config{Store: s, Clock: clock, Paper: paper, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		c.Register(mux)
		nodes = append(nodes, c)
		muxes = append(muxes, mux)
	}
	a := &news.Article{Slug: "shared", Headline: "Shared", BodyHTML: "<p>x</p>", Status: news.StatusPublished,
		PublishedAt: T0.Add(-time.Hour), CreatedAt: T0.Add(-time.Hour), UpdatedAt: T0.Add(-time.Hour)}
	if err := store.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if nodes[0].day.Load().salt != nodes[1].day.Load().salt {
		t.Error("the nodes hash readers with different salts")
	}
	for i := range 10 {
		r := beaconReq(a.ID, fmt.Sprintf("203.0.113.%d:1", i), firefox)
		muxes[i%2].ServeHTTP(httptest.NewRecorder(), r)
	}
	for _, c := range nodes {
		if err := c.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range nodes {
		top, err := c.TopStories(ctx, time.Hour, 0, 10)
		if err != nil || len(top) != 1 || top[0].Views != 10 {
			t.Errorf("node %d: top = %v, %v; want the story with 10 views (5 per node)", i, top, err)
		}
	}
}
