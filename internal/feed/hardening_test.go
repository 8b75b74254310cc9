package feed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// TestFeedBodiesLoadNoExternalImages: an image on another site in a body
// went out in the feeds as a tracking pixel. Now it is a link (loading
// nothing), while the paper's own images get absolute URLs.
func TestFeedBodiesLoadNoExternalImages(t *testing.T) {
	p := &news.Paper{BaseURL: "https://news.example.com"}
	body := `<p>a</p><img src="https://tracker.example.net/p.gif?u=1&amp;v=2" alt="pixel"/>` +
		`<img src="/media/1/abc/640.jpg" alt="ours" width="640" height="360"/>` +
		`<img src="https://news.example.com/media/2/def/320.jpg" alt=""/>` +
		`<img src="//cdn.example.org/x.png"/><img src="javascript:alert(1)"/><p>b</p>`
	got := feedBody(p, body)
	for _, want := range []string{
		`<a href="https://tracker.example.net/p.gif?u=1&amp;v=2">pixel</a>`,
		`<img src="https://news.example.com/media/1/abc/640.jpg" alt="ours" width="640" height="360"/>`,
		`<img src="https://news.example.com/media/2/def/320.jpg" alt=""/>`,
		`<a href="https://cdn.example.org/x.png">Image</a>`,
		`<p>a</p>`, `<p>b</p>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("feed body lacks %s:\n%s", want, got)
		}
	}
	if strings.Count(got, "<img") != 2 || strings.Contains(got, "javascript") {
		t.Errorf("feed body keeps a foreign or hostile image:\n%s", got)
	}
	if b := "<p>no images</p>"; feedBody(p, b) != b {
		t.Error("a body without images changed")
	}
}

// countingStore records the filters feeds ask the store for.
type countingStore struct {
	news.Store
	mu      sync.Mutex
	filters []news.ArticleFilter
}

func (s *countingStore) FindArticles(ctx context.Context, f news.ArticleFilter) ([]*news.Article, int, error) {
	s.mu.Lock()
	s.filters = append(s.filters, f)
	s.mu.Unlock()
	return s.Store.FindArticles(ctx, f)
}

// TestFeedsDoNotCountTheArchive: feeds counted every public story on each
// render (17–18 ms at 100k). They show 30 and need no total.
func TestFeedsDoNotCountTheArchive(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := &env{store: db, clock: news.NewFixedClock(testNow), paper: testPaper(true), ids: map[string]int64{}}
	e.seed(t)
	cs := &countingStore{Store: db}
	mux := http.NewServeMux()
	New(Config{Paper: e.paper, Store: cs, Clock: e.clock}).Register(mux)
	for _, path := range []string{"/feed.xml", "/atom.xml", "/feed.json", "/section/north-korea/feed.xml", "/author/kang-seung-woo/atom.xml", "/tag/diplomacy/feed.json"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
	}
	if len(cs.filters) != 6 {
		t.Fatalf("%d FindArticles calls, want 6", len(cs.filters))
	}
	for _, f := range cs.filters {
		if !f.NoTotal {
			t.Errorf("a feed asked for a total: %+v", f)
		}
	}
}
