package views

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/testpg"
)

// twoNodes is two Counters on one database, as two serve processes behind
// a load balancer, sharing a clock.
type twoNodes struct {
	ctx   context.Context
	clock *news.FixedClock
	store news.Store
	c     [2]*Counter
	mux   [2]*http.ServeMux
	story *news.Article
}

func newTwoNodes(t *testing.T, open func(t *testing.T) news.Store) *twoNodes {
	n := &twoNodes{ctx: context.Background(), clock: news.NewFixedClock(T0)}
	paper := &news.Paper{BaseURL: "https://news.example.com"}
	for i := range 2 {
		s := open(t)
		n.store = s
		c, err := New(Config{Store: s, Clock: n.clock, Paper: paper, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		c.genPoll = 0
		n.c[i], n.mux[i] = c, http.NewServeMux()
		c.Register(n.mux[i])
	}
	n.story = &news.Article{Slug: "shared", Headline: "Shared", BodyHTML: "<p>x</p>", Status: news.StatusPublished,
		PublishedAt: T0.Add(-time.Hour), CreatedAt: T0.Add(-time.Hour), UpdatedAt: T0.Add(-time.Hour)}
	if err := n.store.CreateArticle(n.ctx, n.story); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *twoNodes) beacon(node, reader int) {
	n.mux[node].ServeHTTP(httptest.NewRecorder(), beaconReq(n.story.ID, readerAt(reader), firefox))
}

func (n *twoNodes) flush(t *testing.T, node int) {
	t.Helper()
	if err := n.c[node].Flush(n.ctx); err != nil {
		t.Fatal(err)
	}
}

func (n *twoNodes) top(t *testing.T, node int) int64 {
	t.Helper()
	top, err := n.c[node].TopStories(n.ctx, time.Hour, 0, 10)
	if err != nil || len(top) != 1 {
		t.Fatalf("node %d: top %v, %v", node, top, err)
	}
	return top[0].Views
}

// nodeStores make, for one test, a database and an opener of connections
// to it: each node opens its own, as separate processes would.
var nodeStores = map[string]func(t *testing.T) func(t *testing.T) news.Store{
	"sqlite": func(t *testing.T) func(t *testing.T) news.Store {
		path := filepath.Join(t.TempDir(), "masthead.db")
		return func(t *testing.T) news.Store { return openStore(t, path) }
	},
	"postgres": func(t *testing.T) func(t *testing.T) news.Store {
		u := testpg.URL(t, "masthead_views_nodes")
		return func(t *testing.T) news.Store {
			s, err := postgres.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	},
}

// TestQuietNodeRefreshesTop10: node A served its ranking, node B then
// flushed views of its own; A, with nothing to flush, reported 3 when the
// database held 7 for as long as it stayed quiet. Now it reads the ranking
// again after TopMaxAge.
func TestQuietNodeRefreshesTop10(t *testing.T) {
	for name, db := range nodeStores {
		t.Run(name, func(t *testing.T) {
			n := newTwoNodes(t, db(t))
			for i := range 3 {
				n.beacon(0, i)
			}
			n.flush(t, 0)
			if got := n.top(t, 0); got != 3 {
				t.Fatalf("node A: %d views, want 3", got)
			}
			for i := range 4 {
				n.beacon(1, 100+i)
			}
			n.flush(t, 1)
			if got := n.top(t, 1); got != 7 {
				t.Fatalf("node B: %d views, want 7", got)
			}
			n.clock.Add(defaultTopMaxAge)
			if got := n.top(t, 0); got != 7 {
				t.Fatalf("quiet node A after %v: %d views, want 7", defaultTopMaxAge, got)
			}
		})
	}
}

// TestReaderOnTwoNodesCountsOnce: dedup was per node, so a reader whose
// requests a load balancer sent to two nodes counted twice. The nodes hash
// a reader the same way (the daily salt is shared) and the database keeps
// the hashes of the day, so the second node's write adds nothing.
func TestReaderOnTwoNodesCountsOnce(t *testing.T) {
	for name, db := range nodeStores {
		t.Run(name, func(t *testing.T) {
			n := newTwoNodes(t, db(t))
			for i := range 5 {
				n.beacon(0, i) // readers 0-4 on A
				n.beacon(1, i) // the same readers on B
			}
			n.beacon(1, 99) // and one only B saw
			n.flush(t, 0)
			n.flush(t, 1)
			// Again after the flushes: still the same readers.
			n.beacon(0, 99)
			n.flush(t, 0)
			vs, err := n.store.ArticleViews(n.ctx, n.story.ID, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			for _, v := range vs {
				total += v.Count
			}
			if total != 6 {
				t.Fatalf("%d views stored, want 6 (six readers, each on both nodes)", total)
			}
			// The next day, the same readers count again.
			n.clock.Add(24 * time.Hour)
			n.beacon(1, 0)
			n.flush(t, 1)
			vs, _ = n.store.ArticleViews(n.ctx, n.story.ID, time.Time{})
			total = 0
			for _, v := range vs {
				total += v.Count
			}
			if total != 7 {
				t.Fatalf("next day: %d views, want 7", total)
			}
		})
	}
}
