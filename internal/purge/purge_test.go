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

// A publish purges the monthly sitemap that lists the story and no other
// month's; moving a story's publication time purges the months it left
// and joined. (Each file of a month, articles-2026-04-2.xml..., carries
// the month's key.)
func TestKeysPurgeOnlyTheStorysMonths(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	april := &news.Article{ID: 1, Status: news.StatusPublished, PublishedAt: time.Date(2026, 4, 10, 3, 0, 0, 0, time.UTC)}
	draft := &news.Article{ID: 1, Status: news.StatusDraft}
	months := func(c news.Change) []string {
		keys, all := Keys(c, seoul)
		if all {
			t.Fatal("a story change purges everything")
		}
		var out []string
		for _, k := range keys {
			if len(k) == len("sitemap-2026-04") && k[:8] == "sitemap-" && k[8] >= '0' && k[8] <= '9' {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	if got := months(news.StoryChange(draft, april)); !slices.Equal(got, []string{"sitemap-2026-04"}) {
		t.Errorf("publish purges months %v, want only April", got)
	}
	moved := *april
	moved.PublishedAt = time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)
	if got := months(news.StoryChange(april, &moved)); !slices.Equal(got, []string{"sitemap-2026-02", "sitemap-2026-04"}) {
		t.Errorf("a new publication time purges months %v, want February and April", got)
	}
	if got := months(news.StoryChange(april, nil)); !slices.Equal(got, []string{"sitemap-2026-04"}) {
		t.Errorf("delete purges months %v, want only April", got)
	}
}

// TestPageKeys: a static page's change purges its page, the sitemap index
// and the pages sitemap; a footer change purges the footer's key, which
// every page with the footer carries, and not the whole site.
func TestPageKeys(t *testing.T) {
	keys, all := Keys(news.Change{Pages: []int64{7}}, time.UTC)
	if all || !slices.Equal(keys, []string{"page-7", Sitemap, SitemapStatic}) {
		t.Errorf("page body change: %v %v", keys, all)
	}
	keys, all = Keys(news.Change{Pages: []int64{7}, Footer: true}, time.UTC)
	if all || !slices.Contains(keys, Footer) || slices.Contains(keys, Front) {
		t.Errorf("footer change: %v %v", keys, all)
	}
}
