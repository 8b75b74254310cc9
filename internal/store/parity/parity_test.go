// Package parity holds tests that run the same paper on both stores and
// compare what readers would be told.
package parity

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
	"masthead/internal/testpg"
)

// TestSearchAnswersAgree: for "the", SQLite said "1000 stories found" and
// PostgreSQL 0. Both stores now give the same ids and the same total for
// the same query: stop words alone find nothing (PostgreSQL's index has
// none), stop words beside other words are ignored, CJK and Latin words
// match alike.
func TestSearchAnswersAgree(t *testing.T) {
	ctx := context.Background()
	sq, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	pg, err := postgres.Open(ctx, testpg.URL(t, "parity"))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	heads := []string{
		"The letter to the North", "Kim answers the letter", "The summit in the spring",
		"북한은 일요일 성명을 냈다", "Markets fall on the news", "The Who play Seoul",
	}
	for _, st := range []news.Store{sq, pg} {
		for i, h := range heads {
			a := &news.Article{Slug: fmt.Sprintf("s%d", i), Headline: h, BodyHTML: "<p>" + h + " and the rest.</p>", Lang: "en",
				Status: news.StatusPublished, CreatedAt: t0, PublishedAt: t0.Add(time.Duration(i) * time.Hour), UpdatedAt: t0}
			if err := st.CreateArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := t0.Add(48 * time.Hour)
	answer := func(st news.Store, text string) string {
		hits, total, err := st.SearchArticles(ctx, news.SearchQuery{Text: text, PublicAt: now, Order: "newest"})
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, h := range hits {
			slugs = append(slugs, h.Article.Slug)
		}
		return fmt.Sprintf("%d %v", total, slugs)
	}
	for _, q := range []string{"the", "The Who", "the letter", "letter", "북한", "성명", "kim", "summit spring", "nothing here"} {
		a, b := answer(sq, q), answer(pg, q)
		if a != b {
			t.Errorf("%q: SQLite %s, PostgreSQL %s", q, a, b)
		}
	}
	if got := answer(sq, "the"); got != "0 []" {
		t.Errorf(`"the" on SQLite: %s, want nothing (stop words alone)`, got)
	}
}
