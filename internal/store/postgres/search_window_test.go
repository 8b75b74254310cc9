package postgres

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"masthead/internal/news"
)

// The search window ranks the newest matches by published_at, but filters
// apply before it, so a filtered search still reaches the whole archive.
func TestSearchWindow(t *testing.T) {
	ctx := context.Background()
	db := openURL(t, freshSchema(t))
	db.searchWindow = 3
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := &news.Section{Slug: "a", Name: "A"}, &news.Section{Slug: "b", Name: "B"}
	for _, s := range []*news.Section{a, b} {
		if err := db.CreateSection(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// Stories are created out of time order: the window follows
	// published_at, not the order stories were added in.
	hours := []int{0, 5, 1, 4, 2, 3}
	byHour := map[int]int64{}
	for i, h := range hours {
		sec := a
		if h == 0 {
			sec = b // the oldest story is the only one in section B
		}
		headline := fmt.Sprintf("Story %d", h)
		if h == 3 {
			headline = "Missile story" // the only headline match
		}
		st := &news.Article{Slug: fmt.Sprintf("s%d", i), Headline: headline, Status: news.StatusPublished,
			SectionID: sec.ID, PublishedAt: t0.Add(time.Duration(h) * time.Hour), BodyHTML: "<p>Missile.</p>"}
		if err := db.CreateArticle(ctx, st); err != nil {
			t.Fatal(err)
		}
		byHour[h] = st.ID
	}
	// Newer stories without the word: the first cutoff (see
	// searchWindowIDs) falls among them and finds too few matches, so
	// the search must look further back. They have a word of their own,
	// whose newest three are found within the first cutoff.
	var rain []int64
	for i := 0; i < 14; i++ {
		st := &news.Article{Slug: fmt.Sprintf("w%d", i), Headline: "Weather", Status: news.StatusPublished,
			SectionID: a.ID, PublishedAt: t0.Add(time.Duration(10+i) * time.Hour), BodyHTML: "<p>Rain.</p>"}
		if err := db.CreateArticle(ctx, st); err != nil {
			t.Fatal(err)
		}
		rain = append(rain, st.ID)
	}
	now := t0.Add(48 * time.Hour)
	ids := func(hits []news.SearchHit) []int64 {
		var out []int64
		for _, h := range hits {
			out = append(out, h.Article.ID)
		}
		return out
	}

	hits, total, err := db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now, Order: "newest"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(ids(hits)), fmt.Sprint([]int64{byHour[5], byHour[4], byHour[3]}); total != 4 || got != want {
		t.Errorf("window of 3, newest: total %d, hits %v; want 4 (more than 3), %v", total, got, want)
	}
	hits, total, err = db.SearchArticles(ctx, news.SearchQuery{Text: "rain", PublicAt: now, Order: "newest"})
	if got, want := fmt.Sprint(ids(hits)), fmt.Sprint([]int64{rain[13], rain[12], rain[11]}); err != nil || total != 4 || got != want {
		t.Errorf("window of 3, newest rain: total %d, hits %v (%v); want 4 (more than 3), %v", total, got, err, want)
	}
	// Relevance ranks within the window: the headline match first.
	hits, total, err = db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(ids(hits)), fmt.Sprint([]int64{byHour[3], byHour[5], byHour[4]}); total != 4 || got != want {
		t.Errorf("window of 3, relevance: total %d, hits %v; want 4 (more than 3), %v", total, got, want)
	}
	// Page by page, the same order (the first page ranks its tier only).
	for i, want := range []int64{byHour[3], byHour[5], byHour[4]} {
		hits, total, err = db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now, Limit: 1, Offset: i})
		if err != nil || total != 4 || len(hits) != 1 || hits[0].Article.ID != want {
			t.Errorf("relevance page %d: total %d, hits %v (%v); want 4 (more than 3), [%d]", i, total, ids(hits), err, want)
		}
	}
	// Paging past the end reports the window's total: one more than the
	// window, since there are more matches (news.SearchWindow).
	hits, total, err = db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now, Offset: 10})
	if err != nil || len(hits) != 0 || total != 4 {
		t.Errorf("past the end: %d hits, total %d (%v); want none, 4 (more than 3)", len(hits), total, err)
	}
	hits, total, err = db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now, SectionID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(hits) != 1 || hits[0].Article.ID != byHour[0] {
		t.Errorf("section filter: total %d, hits %v; want the oldest story, outside the unfiltered window", total, ids(hits))
	}
	hits, total, err = db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now, To: t0.Add(2 * time.Hour)})
	if err != nil || total != 2 || len(hits) != 2 {
		t.Errorf("date filter: total %d, %d hits (%v); want the two oldest", total, len(hits), err)
	}
	// Hidden stories do not take places in the window.
	for _, h := range []int{5, 4, 3} {
		st, err := db.FindArticleByID(ctx, byHour[h])
		if err != nil {
			t.Fatal(err)
		}
		st.Status = news.StatusUnpublished
		if err := db.UpdateArticle(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	hits, total, err = db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now, Order: "newest"})
	if got, want := fmt.Sprint(ids(hits)), fmt.Sprint([]int64{byHour[2], byHour[1], byHour[0]}); err != nil || total != 3 || got != want {
		t.Errorf("after unpublishing the newest three: total %d, hits %v (%v); want 3, %v", total, got, err, want)
	}
}

// A CJK word of three or more characters is found loosely (its bigrams
// anywhere) and then checked as a phrase: a story with the bigrams apart
// is not a match, and does not take a place in the window.
func TestSearchPhraseChecked(t *testing.T) {
	ctx := context.Background()
	db := openURL(t, freshSchema(t))
	db.searchWindow = 1
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(slug, body string, h int) int64 {
		st := &news.Article{Slug: slug, Headline: "기사", Status: news.StatusPublished,
			PublishedAt: t0.Add(time.Duration(h) * time.Hour), BodyHTML: "<p>" + body + "</p>"}
		if err := db.CreateArticle(ctx, st); err != nil {
			t.Fatal(err)
		}
		return st.ID
	}
	phrase := mk("phrase", "북한이 미사일을 쐈다.", 0)
	mk("apart", "미사를 드렸다. 사일 뒤에.", 1) // 미사 and 사일, newer, not 미사일
	hits, total, err := db.SearchArticles(ctx, news.SearchQuery{Text: "미사일", PublicAt: t0.Add(time.Hour * 24)})
	if err != nil || total != 1 || len(hits) != 1 || hits[0].Article.ID != phrase {
		var got []int64
		for _, h := range hits {
			got = append(got, h.Article.ID)
		}
		t.Errorf("미사일 with a window of 1: total %d, hits %v (%v); want 1, [%d]", total, got, err, phrase)
	}
}

// With statistics, the first cutoff is where the words' share of the
// paper says the window's matches are (cutoffAt). A word common in the
// paper but rare among the newest stories finds too few there: the cutoff
// moves back once, by what was found, and then goes, so the window is
// still the newest matches.
func TestSearchWindowFromStatistics(t *testing.T) {
	ctx := context.Background()
	db := openURL(t, freshSchema(t))
	db.searchWindow = 3
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	byHour := map[int]int64{}
	mk := func(h int, word string) {
		st := &news.Article{Slug: fmt.Sprintf("s%d", h), Headline: "Story", Status: news.StatusPublished,
			PublishedAt: t0.Add(time.Duration(h) * time.Hour), BodyHTML: "<p>The " + word + " report.</p>"}
		if err := db.CreateArticle(ctx, st); err != nil {
			t.Fatal(err)
		}
		byHour[h] = st.ID
	}
	// harbor: in the 40 oldest stories and the 2 newest; weather: the 40
	// between them. Each is in about half of the paper, so the first
	// cutoff is some ten stories back.
	for h := 0; h < 82; h++ {
		word := "weather"
		if h < 40 || h >= 80 {
			word = "harbor"
		}
		mk(h, word)
	}
	if _, err := db.pool.Exec(ctx, "ANALYZE articles"); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(100 * time.Hour)
	for _, c := range []struct {
		word string
		want []int
	}{
		{"harbor", []int{81, 80, 39}}, // two within the cutoff, the third far back
		{"weather", []int{79, 78, 77}},
	} {
		hits, total, err := db.SearchArticles(ctx, news.SearchQuery{Text: c.word, PublicAt: now, Order: "newest"})
		if err != nil {
			t.Fatal(err)
		}
		var got, want []int64
		for _, h := range hits {
			got = append(got, h.Article.ID)
		}
		for _, h := range c.want {
			want = append(want, byHour[h])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || total != 4 {
			t.Errorf("%s: total %d, hits %v; want 4 (more than 3), %v", c.word, total, got, want)
		}
	}
	if st := db.wordStats.cur; !slices.Contains(st.elems, "harbor") || st.rows != 82 {
		t.Errorf("statistics read: %d lexemes, %v stories; want harbor among them, 82 stories", len(st.elems), st.rows)
	}
}
