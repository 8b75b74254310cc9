package storetest

import (
	"testing"
	"time"

	"masthead/internal/news"
)

// testTranslations: ArticleFilter.TranslationOf finds the translations of
// a story (for hreflang), with the reader filter applied like any other.
func testTranslations(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	orig := f.article(nil)
	other := f.article(nil)
	ko := f.article(func(a *news.Article) { a.Lang = "ko"; a.TranslationOf = orig.ID })
	ja := f.article(func(a *news.Article) { a.Lang = "ja"; a.TranslationOf = orig.ID; a.PublishedAt = T0.Add(time.Hour) })
	draft := f.article(func(a *news.Article) { a.Lang = "zh"; a.TranslationOf = orig.ID; a.Status = news.StatusDraft })
	f.article(func(a *news.Article) { a.Lang = "ko"; a.TranslationOf = other.ID })

	got, total := f.ids(news.ArticleFilter{TranslationOf: orig.ID, Order: "oldest"})
	eqIDs(t, "translations of orig", got, []int64{ko.ID, draft.ID, ja.ID})
	if total != 3 {
		t.Errorf("total %d, want 3", total)
	}
	got, _ = f.ids(news.ArticleFilter{TranslationOf: orig.ID, PublicAt: T0.Add(30 * time.Minute)})
	eqIDs(t, "public translations of orig", got, []int64{ko.ID})
	got, _ = f.ids(news.ArticleFilter{TranslationOf: ko.ID})
	eqIDs(t, "translations of a translation", got, nil)
	if a := f.find(ko.ID); a.TranslationOf != orig.ID {
		t.Errorf("TranslationOf %d, want %d", a.TranslationOf, orig.ID)
	}
}
