package storetest

import (
	"slices"
	"testing"
	"time"

	"masthead/internal/news"
)

// testNames: the search of section, author and tag names (issue 15). All
// words must match; Korean anywhere in the name, with or without a
// trailing particle; other words at a word's start, plurals as singulars;
// names known only from hidden stories never show.
func testNames(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	nkSec := f.section("north-korea", "North Korea", 1)
	koSec := f.section("북한-뉴스", "북한 뉴스", 2)
	f.section("world", "World", 3)
	kim := f.author("kim-jong-un-watcher", "Kim Watcher")
	ekim := f.author("ekim", "Ekim Demir")
	bukAuthor := f.author("북한-전문기자", "북한전문기자 이영희")
	hiddenAu := f.author("hidden-kim", "Kim Hidden")
	bukTag := f.tag("북한", "북한")
	bukBiz := f.tag("북한경제", "북한경제")
	missile := f.tag("missile-tests", "Missile tests")
	secret := f.tag("secret-kim", "Kim Secret")
	f.article(func(a *news.Article) {
		a.SectionID = nkSec.ID
		a.Authors = []*news.Author{kim, ekim, bukAuthor}
		a.Tags = []*news.Tag{bukTag, bukBiz, missile}
	})
	f.article(func(a *news.Article) {
		a.Status = news.StatusDraft
		a.Authors = []*news.Author{hiddenAu}
		a.Tags = []*news.Tag{secret}
	})
	f.article(func(a *news.Article) {
		a.EmbargoUntil = T0.Add(48 * time.Hour)
		a.Authors = []*news.Author{hiddenAu}
		a.Tags = []*news.Tag{secret}
	})
	now := T0.Add(time.Hour)
	search := func(q string) news.NameHits {
		t.Helper()
		h, err := f.s.SearchNames(f.ctx, news.NameQuery{Text: q, PublicAt: now})
		noErr(t, "SearchNames("+q+")", err)
		return h
	}
	ids := func(h news.NameHits) (secs, aus, tags []int64) {
		for _, s := range h.Sections {
			secs = append(secs, s.ID)
		}
		for _, a := range h.Authors {
			aus = append(aus, a.ID)
		}
		for _, x := range h.Tags {
			tags = append(tags, x.ID)
		}
		return
	}
	for _, c := range []struct {
		q               string
		secs, aus, tags []int64
	}{
		// 북한 is in the tag 북한, the tag 북한경제, the section 북한 뉴스
		// and the author's name 북한전문기자.
		{"북한", []int64{koSec.ID}, []int64{bukAuthor.ID}, []int64{bukTag.ID, bukBiz.ID}},
		// With a particle: 북한은 also finds what 북한 finds.
		{"북한은", []int64{koSec.ID}, []int64{bukAuthor.ID}, []int64{bukTag.ID, bukBiz.ID}},
		{"북한경제", nil, nil, []int64{bukBiz.ID}},
		// A word's start: kim finds Kim Watcher, not Ekim Demir, and not
		// the hidden Kim (drafts and embargoes only).
		{"kim", nil, []int64{kim.ID}, nil},
		{"KIM watcher", nil, []int64{kim.ID}, nil},
		{"kim nobody", nil, nil, nil},
		{"missiles", nil, nil, []int64{missile.ID}},
		{"korea", []int64{nkSec.ID}, nil, nil},
		{"north korea", []int64{nkSec.ID}, nil, nil},
		// Query syntax is text.
		{`%`, nil, nil, nil},
		{`"kim"*`, nil, []int64{kim.ID}, nil},
		{"", nil, nil, nil},
	} {
		secs, aus, tags := ids(search(c.q))
		if !slices.Equal(secs, c.secs) || !slices.Equal(aus, c.aus) || !slices.Equal(tags, c.tags) {
			t.Errorf("SearchNames(%q) = sections %v, authors %v, tags %v; want %v, %v, %v", c.q, secs, aus, tags, c.secs, c.aus, c.tags)
		}
	}
	// Without PublicAt (the newsroom) the hidden names count.
	h, err := f.s.SearchNames(f.ctx, news.NameQuery{Text: "kim"})
	noErr(t, "SearchNames(all)", err)
	if _, aus, tags := ids(h); len(aus) != 2 || len(tags) != 1 {
		t.Errorf("SearchNames(kim) without PublicAt = authors %v, tags %v", aus, tags)
	}
	if h, _ := f.s.SearchNames(f.ctx, news.NameQuery{Text: "북한", Limit: 1, PublicAt: now}); len(h.Tags) != 1 {
		t.Errorf("Limit 1: %d tags", len(h.Tags))
	}
}
