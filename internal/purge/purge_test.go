package purge

import (
	"slices"
	"testing"
	"time"

	"masthead/internal/news"
)

func TestKeys(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	// 23:30 UTC on 31 March is 1 April in Seoul: the paper's month.
	at := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)
	keys, all := Keys(news.Change{Stories: []int64{1}, Sections: []int64{2}, Authors: []int64{3}, Tags: []int64{4}, Published: []time.Time{at}}, seoul)
	if all {
		t.Fatal("a story change purges everything")
	}
	for _, k := range []string{"article-1", "section-2", "author-3", "tag-4", Front, Feeds, Sitemap, SitemapNews, SitemapPages,
		Corrections, Untagged, "sitemap-2026-04", "archive-2026", "archive-2026-04", "archive-2026-04-01"} {
		if !slices.Contains(keys, k) {
			t.Errorf("keys %v lack %s", keys, k)
		}
	}
	if keys, all := Keys(news.Change{Front: true}, seoul); all || !slices.Equal(keys, []string{Front}) {
		t.Errorf("curation: %v %v", keys, all)
	}
	if _, all := Keys(news.SettingsChanged("paper.name"), seoul); !all {
		t.Error("paper settings do not purge everything")
	}
	if keys, all := Keys(news.Change{Events: []news.Event{{Type: news.EventPhotoCreated}}}, seoul); all || len(keys) != 0 {
		t.Errorf("a new photo purges %v %v", keys, all)
	}
}
