package views

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
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
	base := os.Getenv("MASTHEAD_TEST_POSTGRES")
	if base == "" {
		t.Skip("PostgreSQL test skipped: set MASTHEAD_TEST_POSTGRES (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "masthead_views_test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		conn.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()

	clock := news.NewFixedClock(T0)
	paper := &news.Paper{BaseURL: "https://news.example.com"}
	var nodes []*Counter
	var muxes []*http.ServeMux
	var store news.Store
	for range 2 {
		s, err := postgres.Open(ctx, u.String())
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
