package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/news"
)

// The search window ranks the newest matches, but filters apply before it,
// so a filtered search still reaches the whole archive.
func TestSearchWindow(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.searchWindow = 3
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := &news.Section{Slug: "a", Name: "A"}, &news.Section{Slug: "b", Name: "B"}
	for _, s := range []*news.Section{a, b} {
		if err := db.CreateSection(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	for i := 0; i < 6; i++ {
		sec := a
		if i == 0 {
			sec = b // the oldest story is the only one in section B
		}
		st := &news.Article{Slug: fmt.Sprintf("s%d", i), Headline: fmt.Sprintf("Missile story %d", i), Status: news.StatusPublished,
			SectionID: sec.ID, PublishedAt: t0.Add(time.Duration(i) * time.Hour), BodyHTML: "<p>Missile.</p>"}
		if err := db.CreateArticle(ctx, st); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.ID)
	}
	now := t0.Add(24 * time.Hour)
	hits, total, err := db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now, Order: "newest"})
	if err != nil {
		t.Fatal(err)
	}
	// Six match: the newest three are ranked, and the total, one more than
	// the window, says there are more (news.SearchWindow).
	if total != 4 || len(hits) != 3 || hits[0].Article.ID != ids[5] || hits[2].Article.ID != ids[3] {
		t.Errorf("window of 3: total %d, %d hits; want the newest three and total 4 (more than 3)", total, len(hits))
	}
	hits, total, err = db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now, SectionID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(hits) != 1 || hits[0].Article.ID != ids[0] {
		t.Errorf("section filter: total %d, %d hits; want the oldest story, outside the unfiltered window", total, len(hits))
	}
	// Hidden stories do not take places in the window.
	for _, id := range ids[3:] {
		st, err := db.FindArticleByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		st.Status = news.StatusUnpublished
		if err := db.UpdateArticle(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	_, total, err = db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now})
	if err != nil || total != 3 {
		t.Errorf("after unpublishing the newest three: total %d (%v), want the next three", total, err)
	}
}
