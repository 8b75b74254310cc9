package benchdata

import (
	"context"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// generated writes a small paper of 40 stories into a new SQLite file.
func generated(t *testing.T, views int64) (*sqlite.DB, time.Time, Stats) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gen.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s, err := Generate(context.Background(), st, Config{Stories: 40, Views: views, Now: now, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return st, now, s
}

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	st, now, s := generated(t, 5000)
	if s.Stories != 40 || s.Views != 5000 {
		t.Fatalf("stats %+v", s)
	}
	_, total, err := st.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 1})
	if err != nil || total != 40 {
		t.Fatalf("public stories: %d, %v", total, err)
	}
	ko, _, err := st.SearchArticles(ctx, news.SearchQuery{Text: "북한", PublicAt: now, Limit: 5})
	if err != nil || len(ko) == 0 {
		t.Errorf("Korean search: %d hits, %v", len(ko), err)
	}
	top, err := st.TopArticles(ctx, news.TopFilter{Since: now.Add(-8 * 24 * time.Hour), PublicAt: now, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, e := range top {
		sum += e.Views
	}
	if sum != 5000 {
		t.Errorf("views counted %d, want 5000", sum)
	}
}

// TestGenerateWritesValidUTF8: the generator upper-cased the first byte of
// each sentence, splitting a Hangul syllable when a Korean story began with
// one; every fourth story is Korean.
func TestGenerateWritesValidUTF8(t *testing.T) {
	st, _, _ := generated(t, 0)
	as, _, err := st.FindArticles(context.Background(), news.ArticleFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ko := 0
	for _, a := range as {
		for _, s := range []string{a.Headline, a.Deck, a.BodyHTML} {
			if !utf8.ValidString(s) {
				t.Fatalf("story %d (%s) holds invalid UTF-8: %.40q", a.ID, a.Lang, s)
			}
		}
		if a.Lang == "ko" {
			ko++
		}
	}
	if ko == 0 {
		t.Fatal("no Korean story to check")
	}
	if got := capitalize("북한은"); got != "북한은" {
		t.Errorf("capitalize(북한은) = %q", got)
	}
	if got := capitalize("north"); got != "North" {
		t.Errorf("capitalize(north) = %q", got)
	}
}
