package site

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"masthead/internal/news"
)

// windowFull answers searches as a store whose window overflowed: more
// matches than news.SearchWindow (the stores then say SearchWindow+1).
type windowFull struct{ news.Store }

func (w windowFull) SearchArticles(ctx context.Context, q news.SearchQuery) ([]news.SearchHit, int, error) {
	hits, _, err := w.Store.SearchArticles(ctx, q)
	return hits, news.SearchWindow + 1, err
}

// TestSearchTotalsAreHonest: SQLite said "1000 stories found" (its window)
// and PostgreSQL 0 for "the". Past the window the page says "more than
// 1,000"; stop words alone find nothing on either store, and the page says
// why.
func TestSearchTotalsAreHonest(t *testing.T) {
	e := newEnv(t, nil, "")
	s := New(Config{Paper: e.paper, Store: windowFull{e.db}, Clock: e.site.clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/search?q=Pyongyang", nil))
	if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, "More than 1,000 stories found") {
		t.Errorf("overflowing window: %d\n%s", rec.Code, trim(body))
	}
	doc, rec := e.page("/search?q=the", 200)
	if body := rec.Body.String(); !strings.Contains(body, "0 stories found") || !strings.Contains(body, "too common to search for") {
		t.Errorf(`"the": %s`, trim(body))
	}
	_ = doc
	if _, rec := e.page("/search?q=Pyongyang", 200); strings.Contains(rec.Body.String(), "More than") || strings.Contains(rec.Body.String(), "too common") {
		t.Error("an ordinary search is marked")
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q", n, got)
		}
	}
}
