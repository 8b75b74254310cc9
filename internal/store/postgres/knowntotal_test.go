package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// TestKnownTotalRoundTrips: a list page whose total the caller knows
// (ArticleFilter.KnownTotal, from the node's copies) sends no total
// statement, whose plan was half the page's server time; a page past the
// end then asks the server nothing.
func TestKnownTotalRoundTrips(t *testing.T) {
	tc := &tripCounter{}
	db := openTraced(t, tc)
	ctx := context.Background()
	sec := &news.Section{Slug: "world", Name: "World"}
	if err := db.CreateSection(ctx, sec); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		a := &news.Article{Slug: "s" + string(rune('a'+i)), Headline: "H", Status: news.StatusPublished, SectionID: sec.ID,
			PublishedAt: time.Date(2026, 3, 1, i, 0, 0, 0, time.UTC)}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	tc.take()
	for _, offset := range []int{0, 2} {
		page, total, err := db.FindArticles(ctx, news.ArticleFilter{PublicAt: now, SectionIDs: []int64{sec.ID}, Limit: 2, Offset: offset, KnownTotal: 3})
		if err != nil || total != 3 || len(page) != min(2, 3-offset) {
			t.Fatalf("offset %d: %d stories of %d, %v", offset, len(page), total, err)
		}
		for _, trip := range tc.take() {
			for _, q := range trip {
				if strings.Contains(q, "story_counts") {
					t.Errorf("offset %d: the total was read though it was known:\n%s", offset, q)
				}
			}
		}
	}
	page, total, err := db.FindArticles(ctx, news.ArticleFilter{PublicAt: now, SectionIDs: []int64{sec.ID}, Limit: 2, Offset: 9998, KnownTotal: 3})
	if err != nil || total != 3 || len(page) != 0 {
		t.Fatalf("past the end: %d stories of %d, %v", len(page), total, err)
	}
	if trips := tc.take(); len(trips) != 0 {
		t.Errorf("past the end with the total known: %d round trips, want 0:\n%s", len(trips), tripList(trips))
	}
}
