package keptlist

import (
	"slices"
	"testing"
	"time"

	"masthead/internal/news"
)

func TestOf(t *testing.T) {
	now := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		f    news.ArticleFilter
		kind Kind
		ids  []int64
	}{
		{news.ArticleFilter{PublicAt: now, SectionID: 3}, Section, []int64{3}},
		{news.ArticleFilter{PublicAt: now, SectionIDs: []int64{3, 4}, Order: "oldest"}, Section, []int64{3, 4}},
		{news.ArticleFilter{PublicAt: now, AuthorID: 7}, Author, []int64{7}},
		{news.ArticleFilter{PublicAt: now, TagID: 5, Status: news.StatusPublished}, Tag, []int64{5}},
		// Not a kept list: two lists at once, no public time, a date range,
		// exclusions, another order.
		{news.ArticleFilter{PublicAt: now, SectionID: 3, TagID: 5}, 0, nil},
		{news.ArticleFilter{SectionID: 3}, 0, nil},
		{news.ArticleFilter{PublicAt: now, SectionID: 3, PublishedFrom: now.Add(-time.Hour)}, 0, nil},
		{news.ArticleFilter{PublicAt: now, SectionID: 3, ExcludeIDs: []int64{1}}, 0, nil},
		{news.ArticleFilter{PublicAt: now, SectionID: 3, Order: "updated"}, 0, nil},
		{news.ArticleFilter{PublicAt: now}, 0, nil},
	} {
		kind, ids, ok := Of(c.f)
		if kind != c.kind || !slices.Equal(ids, c.ids) || ok != (c.kind != 0) {
			t.Errorf("Of(%+v) = %d %v %v, want %d %v", c.f, kind, ids, ok, c.kind, c.ids)
		}
	}
}
