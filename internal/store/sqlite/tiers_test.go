package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// TestSearchWithinATier: relevance no longer comes from bm25 (whose idf
// walks every story that has a word, the whole archive for a common one).
// Within a tier, more of the words in the headline come first, then the
// newest: a count of the words in the body does not lift an older story.
// Before the change bm25 put "often" (the word five times, in a short
// body) above "once".
func TestSearchWithinATier(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := map[int64]string{}
	for i, c := range []struct{ key, headline, body string }{
		{"often", "Ferries lose riders", "<p>Tunnel, tunnel, tunnel, tunnel, tunnel.</p>"},
		{"headline", "Tunnel crews go home", "<p>The harbor crossing is done.</p>"},
		{"once", "City budget passes", "<p>The council also spoke about the harbor tunnel and many other things at length.</p>"},
	} {
		a := &news.Article{Slug: c.key, Headline: c.headline, BodyHTML: c.body, Status: news.StatusPublished,
			PublishedAt: t0.Add(time.Duration(i) * time.Hour)}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids[a.ID] = c.key
	}
	order := func(text string) string {
		hits, _, err := db.SearchArticles(ctx, news.SearchQuery{Text: text, PublicAt: t0.Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, h := range hits {
			keys = append(keys, ids[h.Article.ID])
		}
		return strings.Join(keys, ",")
	}
	// One word: "headline" is the top tier; the two body matches go
	// newest first.
	if got := order("tunnel"); got != "headline,once,often" {
		t.Errorf("tunnel: %s, want headline,once,often", got)
	}
	// Two words, neither story with both in its headline: the one with
	// one of them there comes first ("often" lacks harbor).
	if got := order("harbor tunnel"); got != "headline,once" {
		t.Errorf("harbor tunnel: %s, want headline,once", got)
	}
}
