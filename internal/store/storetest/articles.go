package storetest

import (
	"fmt"
	"testing"
	"time"

	"masthead/internal/news"
)

func testArticles(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("CreateAndFind", func(t *testing.T) {
		f := newFixture(t, open)
		sec := f.section("north-korea", "North Korea", 1)
		kang := f.author("kang-seung-woo", "Kang Seung-woo")
		lee := f.author("lee-hyo-jin", "Lee Hyo-jin")
		nk := f.tag("north-korea", "North Korea")
		trump := f.tag("trump", "Trump")
		ph := f.photo("Kim Jong-un and Donald Trump")
		orig := f.article(nil)

		a := &news.Article{
			Slug:           "trumps-second-letter",
			Headline:       "Is Trump's second letter to NK leader for dialogue or status quo?",
			Deck:           "Experts are divided.",
			BodyMarkdown:   "Body *markdown*.",
			BodyHTML:       "<p>Body <em>markdown</em>.</p>",
			Lang:           "en",
			Status:         news.StatusPublished,
			SectionID:      sec.ID,
			Authors:        []*news.Author{lee, kang}, // order matters: the byline
			Tags:           []*news.Tag{trump, nk},
			PhotoID:        ph.ID,
			SEOTitle:       "Trump letter",
			SEODescription: "What the letter means",
			SourceKey:      "seed:000",
			TranslationOf:  orig.ID,
			CreatedAt:      T0.Add(-2 * time.Hour),
			PublishedAt:    T0.Add(9 * time.Hour),
			UpdatedAt:      T0.Add(10 * time.Hour),
			EmbargoUntil:   T0.Add(8 * time.Hour),
		}
		noErr(t, "CreateArticle", f.s.CreateArticle(f.ctx, a))
		if a.ID == 0 {
			t.Fatal("CreateArticle did not set ID")
		}
		c := &news.Correction{ArticleID: a.ID, Kind: news.KindCorrection, Text: "An earlier version misspelled a name.", CreatedAt: T0.Add(11 * time.Hour)}
		noErr(t, "AddCorrection", f.s.AddCorrection(f.ctx, c))
		if c.ID == 0 {
			t.Fatal("AddCorrection did not set ID")
		}
		c2 := &news.Correction{ArticleID: a.ID, Kind: news.KindUpdate, Text: "Updated with reaction.", CreatedAt: T0.Add(12 * time.Hour)}
		noErr(t, "AddCorrection", f.s.AddCorrection(f.ctx, c2))
		// A correction is a change readers see: the story's updated time
		// moves to it (never back), and so does its version.
		a.UpdatedAt = c2.CreatedAt

		byID := f.find(a.ID)
		if byID.Version != 3 {
			t.Errorf("Version after two corrections = %d, want 3", byID.Version)
		}
		bySlug, err := f.s.FindArticleBySlug(f.ctx, "trumps-second-letter")
		noErr(t, "FindArticleBySlug", err)
		byKey, err := f.s.FindArticleBySourceKey(f.ctx, "seed:000")
		noErr(t, "FindArticleBySourceKey", err)

		for name, got := range map[string]*news.Article{"byID": byID, "bySlug": bySlug, "byKey": byKey} {
			t.Run(name, func(t *testing.T) {
				checkArticle(t, got, a)
				if got.Section == nil || got.Section.ID != sec.ID || got.Section.Name != "North Korea" || got.Section.Slug != "north-korea" {
					t.Errorf("Section = %+v, want North Korea", got.Section)
				}
				if s := authorSlugs(got.Authors); s != "lee-hyo-jin,kang-seung-woo" {
					t.Errorf("Authors = %s, want lee-hyo-jin,kang-seung-woo (in the given order)", s)
				}
				if len(got.Authors) == 2 && (got.Authors[1].Name != "Kang Seung-woo" || got.Authors[1].Email != "kang-seung-woo@example.com" || got.Authors[1].ID != kang.ID) {
					t.Errorf("Authors[1] = %+v, want Kang Seung-woo with e-mail", got.Authors[1])
				}
				if s := tagSlugs(got.Tags); s != "north-korea,trump" {
					t.Errorf("Tags = %s, want north-korea,trump", s)
				}
				for _, tg := range got.Tags {
					if tg.ID == 0 || tg.Name == "" {
						t.Errorf("tag %+v lacks ID or Name", tg)
					}
				}
				if got.Photo == nil {
					t.Fatal("Photo not loaded")
				}
				if got.Photo.ID != ph.ID || got.Photo.Caption != ph.Caption || got.Photo.Credit != "Korea Times file" || got.Photo.Alt != ph.Alt || fmt.Sprint(got.Photo.Widths) != "[320 640 1280]" {
					t.Errorf("Photo = %+v, want %+v", got.Photo, ph)
				}
				if len(got.Corrections) != 2 {
					t.Fatalf("Corrections = %+v, want 2", got.Corrections)
				}
				// Corrections read in the order they were made, as printed under a story.
				if got.Corrections[0].ID != c.ID || got.Corrections[0].Text != c.Text || got.Corrections[0].Kind != news.KindCorrection || got.Corrections[1].ID != c2.ID {
					t.Errorf("Corrections = %+v, want [%+v %+v]", got.Corrections, *c, *c2)
				}
				sameTime(t, "Corrections[0].CreatedAt", got.Corrections[0].CreatedAt, c.CreatedAt)
			})
		}
	})

	t.Run("Defaults", func(t *testing.T) {
		f := newFixture(t, open)
		a := &news.Article{Slug: "bare", Headline: "Bare", Status: news.StatusDraft}
		noErr(t, "CreateArticle", f.s.CreateArticle(f.ctx, a))
		if a.CreatedAt.IsZero() {
			t.Error("CreateArticle did not set CreatedAt")
		}
		got := f.find(a.ID)
		if got.Section != nil || got.Photo != nil || len(got.Authors) != 0 || len(got.Tags) != 0 || len(got.Corrections) != 0 {
			t.Errorf("bare story came back with %+v", got)
		}
		sameTime(t, "PublishedAt", got.PublishedAt, time.Time{})
		sameTime(t, "EmbargoUntil", got.EmbargoUntil, time.Time{})
		if got.Status != news.StatusDraft {
			t.Errorf("Status = %q", got.Status)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		f := newFixture(t, open)
		_, err := f.s.FindArticleByID(f.ctx, 424242)
		wantErr(t, "FindArticleByID", err, news.ErrNotFound)
		_, err = f.s.FindArticleBySlug(f.ctx, "nope")
		wantErr(t, "FindArticleBySlug", err, news.ErrNotFound)
		_, err = f.s.FindArticleBySourceKey(f.ctx, "nope")
		wantErr(t, "FindArticleBySourceKey", err, news.ErrNotFound)
		_, err = f.s.FindArticleBySourceKey(f.ctx, "")
		wantErr(t, "FindArticleBySourceKey(\"\")", err, news.ErrNotFound)
		wantErr(t, "UpdateArticle", f.s.UpdateArticle(f.ctx, &news.Article{ID: 424242, Slug: "x", Headline: "x", Status: news.StatusDraft}), news.ErrNotFound)
		wantErr(t, "DeleteArticle", f.s.DeleteArticle(f.ctx, 424242), news.ErrNotFound)
	})

	t.Run("Update", func(t *testing.T) {
		f := newFixture(t, open)
		s1 := f.section("world", "World", 1)
		s2 := f.section("politics", "Politics", 2)
		a1 := f.author("a1", "Author One")
		a2 := f.author("a2", "Author Two")
		a3 := f.author("a3", "Author Three")
		t1, t2, t3 := f.tag("t1", "T1"), f.tag("t2", "T2"), f.tag("t3", "T3")
		ph := f.photo("photo")
		a := f.article(func(a *news.Article) {
			a.SectionID = s1.ID
			a.Authors = []*news.Author{a1, a2}
			a.Tags = []*news.Tag{t1, t2}
			a.PhotoID = ph.ID
		})

		a.Headline = "New headline"
		a.Deck = "New deck"
		a.BodyHTML = "<p>New body.</p>"
		a.SectionID = s2.ID
		a.Authors = []*news.Author{a3, a1}
		a.Tags = []*news.Tag{t3, t2}
		a.PhotoID = 0
		a.UpdatedAt = T0.Add(5 * time.Hour)
		a.EmbargoUntil = T0.Add(time.Hour)
		f.update(a)

		got := f.find(a.ID)
		checkArticle(t, got, a)
		if got.Section == nil || got.Section.ID != s2.ID {
			t.Errorf("Section = %+v, want politics", got.Section)
		}
		if s := authorSlugs(got.Authors); s != "a3,a1" {
			t.Errorf("Authors = %s, want a3,a1", s)
		}
		if s := tagSlugs(got.Tags); s != "t2,t3" {
			t.Errorf("Tags = %s, want t2,t3", s)
		}
		if got.Photo != nil || got.PhotoID != 0 {
			t.Errorf("Photo = %+v, want none", got.Photo)
		}

		// Clearing everything works too.
		a.Authors, a.Tags, a.EmbargoUntil = nil, nil, time.Time{}
		f.update(a)
		got = f.find(a.ID)
		if len(got.Authors) != 0 || len(got.Tags) != 0 {
			t.Errorf("after clearing: authors %v tags %v", got.Authors, got.Tags)
		}
		sameTime(t, "EmbargoUntil", got.EmbargoUntil, time.Time{})
	})

	t.Run("Delete", func(t *testing.T) {
		f := newFixture(t, open)
		tg := f.tag("gone", "Gone")
		au := f.author("writer", "Writer")
		a := f.article(func(a *news.Article) { a.Tags = []*news.Tag{tg}; a.Authors = []*news.Author{au}; a.SourceKey = "src:1" })
		keep := f.article(nil)
		noErr(t, "AddCorrection", f.s.AddCorrection(f.ctx, &news.Correction{ArticleID: a.ID, Kind: news.KindCorrection, Text: "x", CreatedAt: T0}))
		noErr(t, "CreateRevision", f.s.CreateRevision(f.ctx, &news.Revision{ArticleID: a.ID, StoryFields: news.StoryFields{Headline: "h"}, Note: "imported", CreatedAt: T0}))
		noErr(t, "AddViews", f.s.AddViews(f.ctx, []news.ViewCount{{ArticleID: a.ID, Hour: T0, Count: 3}, {ArticleID: keep.ID, Hour: T0, Count: 1}}))
		old := a.Slug
		a = f.find(a.ID) // the correction moved its version
		a.Slug = "renamed"
		f.update(a)

		noErr(t, "DeleteArticle", f.s.DeleteArticle(f.ctx, a.ID))
		_, err := f.s.FindArticleByID(f.ctx, a.ID)
		wantErr(t, "FindArticleByID after delete", err, news.ErrNotFound)
		for _, s := range []string{old, "renamed"} {
			_, err = f.s.FindArticleBySlug(f.ctx, s)
			wantErr(t, "FindArticleBySlug("+s+") after delete", err, news.ErrNotFound)
		}
		_, err = f.s.FindArticleBySourceKey(f.ctx, "src:1")
		wantErr(t, "FindArticleBySourceKey after delete", err, news.ErrNotFound)
		wantErr(t, "DeleteArticle again", f.s.DeleteArticle(f.ctx, a.ID), news.ErrNotFound)
		top, err := f.s.TopArticles(f.ctx, news.TopFilter{Since: T0.Add(-time.Hour)})
		noErr(t, "TopArticles", err)
		if len(top) != 1 || top[0].Article.ID != keep.ID {
			t.Errorf("TopArticles after delete = %v, want only the kept story", top)
		}
		// Its slug, source key and tag are free again.
		f.article(func(b *news.Article) { b.Slug = old; b.SourceKey = "src:1"; b.Tags = []*news.Tag{tg} })
		f.find(keep.ID)
	})

	t.Run("SlugConflict", func(t *testing.T) {
		f := newFixture(t, open)
		a := f.article(func(a *news.Article) { a.Slug = "taken" })
		b := f.article(func(a *news.Article) { a.Slug = "other" })
		dup := &news.Article{Slug: "taken", Headline: "Dup", Status: news.StatusDraft}
		wantErr(t, "CreateArticle with a taken slug", f.s.CreateArticle(f.ctx, dup), news.ErrConflict)
		_, total, err := f.s.FindArticles(f.ctx, news.ArticleFilter{})
		noErr(t, "FindArticles", err)
		if total != 2 {
			t.Errorf("a failed create left %d stories, want 2", total)
		}
		b.Slug = "taken"
		b.Headline = "Changed"
		wantErr(t, "UpdateArticle to a taken slug", f.s.UpdateArticle(f.ctx, b), news.ErrConflict)
		if got := f.find(b.ID); got.Slug != "other" || got.Headline == "Changed" {
			t.Errorf("a failed update changed the story: %+v", got)
		}
		_ = a
	})

	t.Run("SourceKeyConflict", func(t *testing.T) {
		f := newFixture(t, open)
		f.article(func(a *news.Article) { a.SourceKey = "file:a.txt" })
		dup := &news.Article{Slug: "fresh", Headline: "Dup", Status: news.StatusDraft, SourceKey: "file:a.txt"}
		wantErr(t, "CreateArticle with a taken source key", f.s.CreateArticle(f.ctx, dup), news.ErrConflict)
		// Empty source keys never clash.
		f.article(nil)
		f.article(nil)
	})

	t.Run("SlugRename", func(t *testing.T) {
		f := newFixture(t, open)
		a := f.article(func(a *news.Article) { a.Slug = "first" })
		a.Slug = "second"
		f.update(a)
		for _, s := range []string{"first", "second"} {
			got, err := f.s.FindArticleBySlug(f.ctx, s)
			noErr(t, "FindArticleBySlug("+s+")", err)
			if got.ID != a.ID || got.Slug != "second" {
				t.Errorf("FindArticleBySlug(%s) = #%d %q, want #%d with current slug second", s, got.ID, got.Slug, a.ID)
			}
		}
		a.Slug = "third"
		f.update(a)
		got, err := f.s.FindArticleBySlug(f.ctx, "first")
		noErr(t, "FindArticleBySlug(first) after two renames", err)
		if got.ID != a.ID || got.Slug != "third" {
			t.Errorf("got #%d %q, want #%d third", got.ID, got.Slug, a.ID)
		}
		// Back to a former slug of its own: no conflict with itself.
		a.Slug = "first"
		f.update(a)
		got, err = f.s.FindArticleBySlug(f.ctx, "third")
		noErr(t, "FindArticleBySlug(third)", err)
		if got.Slug != "first" {
			t.Errorf("third now resolves to %q, want first", got.Slug)
		}
		// Another story may take a former slug; its current slug wins.
		b := f.article(func(b *news.Article) { b.Slug = "second" })
		got, err = f.s.FindArticleBySlug(f.ctx, "second")
		noErr(t, "FindArticleBySlug(second)", err)
		if got.ID != b.ID {
			t.Errorf("second resolves to #%d, want the story whose current slug it is (#%d)", got.ID, b.ID)
		}
	})

	t.Run("BadInputChangesNothing", func(t *testing.T) {
		f := newFixture(t, open)
		au := f.author("real", "Real")
		a := f.article(func(a *news.Article) { a.Headline = "Original"; a.Authors = []*news.Author{au} })
		g0, err := f.s.Generation(f.ctx)
		noErr(t, "Generation", err)

		wantErr(t, "unknown status", f.s.CreateArticle(f.ctx, &news.Article{Slug: "s1", Headline: "H", Status: "bogus"}), news.ErrInvalid)
		wantErr(t, "empty slug", f.s.CreateArticle(f.ctx, &news.Article{Slug: "", Headline: "H", Status: news.StatusDraft}), news.ErrInvalid)
		// A missing author fails the whole create: no half-made story.
		if err := f.s.CreateArticle(f.ctx, &news.Article{Slug: "s2", Headline: "H", Status: news.StatusDraft,
			Authors: []*news.Author{au, {ID: 999999}}}); err == nil {
			t.Error("CreateArticle with a missing author succeeded")
		}
		_, err = f.s.FindArticleBySlug(f.ctx, "s2")
		wantErr(t, "story of a failed create", err, news.ErrNotFound)

		// A failed update leaves the story as it was, relations included.
		b := *a
		b.Headline = "Changed"
		b.Authors = nil
		b.Tags = []*news.Tag{{ID: 999999, Slug: "ghost"}}
		if err := f.s.UpdateArticle(f.ctx, &b); err == nil {
			t.Error("UpdateArticle with a missing tag succeeded")
		}
		got := f.find(a.ID)
		if got.Headline != "Original" || authorSlugs(got.Authors) != "real" || len(got.Tags) != 0 {
			t.Errorf("a failed update changed the story: %q authors %s tags %d", got.Headline, authorSlugs(got.Authors), len(got.Tags))
		}
		b = *a
		b.Status = "bogus"
		wantErr(t, "update to unknown status", f.s.UpdateArticle(f.ctx, &b), news.ErrInvalid)
		_, total, err := f.s.FindArticles(f.ctx, news.ArticleFilter{})
		noErr(t, "FindArticles", err)
		if total != 1 {
			t.Errorf("%d stories after failed writes, want 1", total)
		}
		if g, _ := f.s.Generation(f.ctx); g < g0 {
			t.Errorf("generation went backwards: %d < %d", g, g0)
		}
		// Search is untouched too.
		hits, _, err := f.s.SearchArticles(f.ctx, news.SearchQuery{Text: "changed"})
		noErr(t, "SearchArticles", err)
		if len(hits) != 0 {
			t.Errorf("a failed update reached the search index: %d hits", len(hits))
		}
	})

	t.Run("Unicode", func(t *testing.T) {
		f := newFixture(t, open)
		sec := f.section("북한", "북한", 1)
		tg := f.tag("미사일", "미사일")
		a := f.article(func(a *news.Article) {
			a.Slug = "북한-동해상으로-탄도미사일-발사"
			a.Headline = "북한, 동해상으로 탄도미사일 발사"
			a.Lang = "ko"
			a.SectionID = sec.ID
			a.Tags = []*news.Tag{tg}
		})
		got, err := f.s.FindArticleBySlug(f.ctx, "북한-동해상으로-탄도미사일-발사")
		noErr(t, "FindArticleBySlug(Korean)", err)
		if got.ID != a.ID || got.Headline != a.Headline || got.Lang != "ko" {
			t.Errorf("got %+v", got)
		}
		st, err := f.s.FindSectionBySlug(f.ctx, "북한")
		noErr(t, "FindSectionBySlug(Korean)", err)
		if st.ID != sec.ID {
			t.Errorf("section %d, want %d", st.ID, sec.ID)
		}
		gt, err := f.s.FindTagBySlug(f.ctx, "미사일")
		noErr(t, "FindTagBySlug(Korean)", err)
		if gt.ID != tg.ID || gt.Name != "미사일" {
			t.Errorf("tag %+v, want %+v", gt, tg)
		}
		ids, _ := f.ids(news.ArticleFilter{TagID: tg.ID})
		eqIDs(t, "by Korean tag", ids, []int64{a.ID})
		// A prefix of a Korean slug is a different slug.
		_, err = f.s.FindArticleBySlug(f.ctx, "북한")
		wantErr(t, "FindArticleBySlug(prefix)", err, news.ErrNotFound)
		wantErr(t, "duplicate Korean slug", f.s.CreateArticle(f.ctx, &news.Article{Slug: a.Slug, Headline: "x", Status: news.StatusDraft}), news.ErrConflict)
	})
}

// checkArticle compares the scalar fields of a stored story.
func checkArticle(t *testing.T, got, want *news.Article) {
	t.Helper()
	if got.ID != want.ID {
		t.Errorf("ID = %d, want %d", got.ID, want.ID)
	}
	str := []struct{ name, got, want string }{
		{"Slug", got.Slug, want.Slug},
		{"Headline", got.Headline, want.Headline},
		{"Deck", got.Deck, want.Deck},
		{"BodyMarkdown", got.BodyMarkdown, want.BodyMarkdown},
		{"BodyHTML", got.BodyHTML, want.BodyHTML},
		{"Lang", got.Lang, want.Lang},
		{"Status", string(got.Status), string(want.Status)},
		{"SEOTitle", got.SEOTitle, want.SEOTitle},
		{"SEODescription", got.SEODescription, want.SEODescription},
		{"SourceKey", got.SourceKey, want.SourceKey},
	}
	for _, s := range str {
		if s.got != s.want {
			t.Errorf("%s = %q, want %q", s.name, s.got, s.want)
		}
	}
	if got.SectionID != want.SectionID || got.PhotoID != want.PhotoID || got.TranslationOf != want.TranslationOf {
		t.Errorf("SectionID/PhotoID/TranslationOf = %d/%d/%d, want %d/%d/%d",
			got.SectionID, got.PhotoID, got.TranslationOf, want.SectionID, want.PhotoID, want.TranslationOf)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(t, "PublishedAt", got.PublishedAt, want.PublishedAt)
	sameTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	sameTime(t, "EmbargoUntil", got.EmbargoUntil, want.EmbargoUntil)
}

func testFindArticles(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("Visibility", func(t *testing.T) {
		f := newFixture(t, open)
		now := T0.Add(24 * time.Hour)
		pub := f.article(func(a *news.Article) { a.PublishedAt = now.Add(-time.Hour) })
		atNow := f.article(func(a *news.Article) { a.PublishedAt = now })
		embargoOver := f.article(func(a *news.Article) { a.PublishedAt = now.Add(-2 * time.Hour); a.EmbargoUntil = now.Add(-time.Minute) })
		hidden := map[string]*news.Article{
			"draft":     f.article(func(a *news.Article) { a.Status = news.StatusDraft; a.PublishedAt = time.Time{} }),
			"review":    f.article(func(a *news.Article) { a.Status = news.StatusReview; a.PublishedAt = time.Time{} }),
			"scheduled": f.article(func(a *news.Article) { a.Status = news.StatusScheduled; a.PublishedAt = now.Add(time.Hour) }),
			"scheduled past": f.article(func(a *news.Article) {
				// A scheduled story whose time has come is still hidden until the job publishes it.
				a.Status = news.StatusScheduled
				a.PublishedAt = now.Add(-time.Hour)
			}),
			"unpublished": f.article(func(a *news.Article) { a.Status = news.StatusUnpublished; a.PublishedAt = now.Add(-5 * time.Hour) }),
			"future":      f.article(func(a *news.Article) { a.PublishedAt = now.Add(time.Second) }),
			"no time":     f.article(func(a *news.Article) { a.PublishedAt = time.Time{} }),
			"embargoed":   f.article(func(a *news.Article) { a.PublishedAt = now.Add(-time.Hour); a.EmbargoUntil = now.Add(time.Hour) }),
		}
		ids, total := f.ids(news.ArticleFilter{PublicAt: now, Order: "oldest"})
		eqIDs(t, "public stories", ids, []int64{embargoOver.ID, pub.ID, atNow.ID})
		if total != 3 {
			t.Errorf("total = %d, want 3", total)
		}
		for name, a := range hidden {
			got := f.find(a.ID)
			if got.IsPublicAt(now) {
				t.Errorf("%s: fixture is public by news.IsPublicAt", name)
			}
			ids, _ := f.ids(news.ArticleFilter{PublicAt: now, IDs: []int64{a.ID}})
			if len(ids) != 0 {
				t.Errorf("%s story is visible to readers", name)
			}
		}
		// Date bounds on either side of "now" never reveal a hidden story.
		ids, _ = f.ids(news.ArticleFilter{PublicAt: now, PublishedTo: now.Add(48 * time.Hour), Order: "oldest"})
		eqIDs(t, "public, bounded after now", ids, []int64{embargoOver.ID, pub.ID, atNow.ID})
		ids, _ = f.ids(news.ArticleFilter{PublicAt: now, PublishedFrom: now.Add(-90 * time.Minute), PublishedTo: now, Order: "oldest"})
		eqIDs(t, "public, bounded before now", ids, []int64{pub.ID})
		// Without PublicAt the newsroom sees everything.
		_, total = f.ids(news.ArticleFilter{})
		if total != 3+len(hidden) {
			t.Errorf("newsroom total = %d, want %d", total, 3+len(hidden))
		}
		ids, _ = f.ids(news.ArticleFilter{Status: news.StatusDraft})
		eqIDs(t, "drafts", ids, []int64{hidden["draft"].ID})
		ids, _ = f.ids(news.ArticleFilter{Status: news.StatusScheduled, Order: "oldest"})
		eqIDs(t, "scheduled", ids, []int64{hidden["scheduled past"].ID, hidden["scheduled"].ID})
		// Time passes: the embargo lifts and the future story goes live.
		later := now.Add(2 * time.Hour)
		ids, _ = f.ids(news.ArticleFilter{PublicAt: later, IDs: []int64{hidden["embargoed"].ID, hidden["future"].ID}, Order: "oldest"})
		eqIDs(t, "public two hours later", ids, []int64{hidden["embargoed"].ID, hidden["future"].ID})
	})

	t.Run("Filters", func(t *testing.T) {
		f := newFixture(t, open)
		world := f.section("world", "World", 1)
		biz := f.section("business", "Business", 2)
		kim := f.author("kim", "Kim")
		park := f.author("park", "Park")
		econ := f.tag("economy", "Economy")
		trade := f.tag("trade", "Trade")
		day := func(d int) time.Time { return T0.Add(time.Duration(d) * 24 * time.Hour) }
		a1 := f.article(func(a *news.Article) {
			a.SectionID, a.PublishedAt, a.UpdatedAt = world.ID, day(1), day(9)
			a.Authors = []*news.Author{kim}
		})
		a2 := f.article(func(a *news.Article) {
			a.SectionID, a.PublishedAt, a.UpdatedAt = biz.ID, day(2), day(2)
			a.Authors, a.Tags = []*news.Author{park, kim}, []*news.Tag{econ, trade}
		})
		a3 := f.article(func(a *news.Article) {
			a.SectionID, a.PublishedAt, a.UpdatedAt = biz.ID, day(3), day(4)
			a.Authors, a.Tags = []*news.Author{park}, []*news.Tag{econ}
		})
		a4 := f.article(func(a *news.Article) { a.SectionID, a.PublishedAt, a.UpdatedAt = world.ID, day(3), day(3) }) // same time as a3: ID breaks ties
		now := day(30)

		cases := []struct {
			name   string
			filter news.ArticleFilter
			want   []int64
			total  int
		}{
			{"newest", news.ArticleFilter{PublicAt: now}, []int64{a4.ID, a3.ID, a2.ID, a1.ID}, 4},
			{"newest explicit", news.ArticleFilter{PublicAt: now, Order: "newest"}, []int64{a4.ID, a3.ID, a2.ID, a1.ID}, 4},
			{"oldest", news.ArticleFilter{PublicAt: now, Order: "oldest"}, []int64{a1.ID, a2.ID, a3.ID, a4.ID}, 4},
			{"updated", news.ArticleFilter{Order: "updated"}, []int64{a1.ID, a3.ID, a4.ID, a2.ID}, 4},
			{"section", news.ArticleFilter{PublicAt: now, SectionID: biz.ID}, []int64{a3.ID, a2.ID}, 2},
			{"author first", news.ArticleFilter{PublicAt: now, AuthorID: kim.ID}, []int64{a2.ID, a1.ID}, 2},
			{"author second", news.ArticleFilter{PublicAt: now, AuthorID: park.ID}, []int64{a3.ID, a2.ID}, 2},
			{"tag", news.ArticleFilter{PublicAt: now, TagID: econ.ID}, []int64{a3.ID, a2.ID}, 2},
			{"tag and author", news.ArticleFilter{TagID: trade.ID, AuthorID: kim.ID}, []int64{a2.ID}, 1},
			{"from inclusive", news.ArticleFilter{PublishedFrom: day(2)}, []int64{a4.ID, a3.ID, a2.ID}, 3},
			{"to exclusive", news.ArticleFilter{PublishedTo: day(3)}, []int64{a2.ID, a1.ID}, 2},
			{"range", news.ArticleFilter{PublishedFrom: day(2), PublishedTo: day(3)}, []int64{a2.ID}, 1},
			{"ids", news.ArticleFilter{IDs: []int64{a1.ID, a3.ID}}, []int64{a3.ID, a1.ID}, 2},
			{"exclude", news.ArticleFilter{ExcludeIDs: []int64{a4.ID, a2.ID}}, []int64{a3.ID, a1.ID}, 2},
			{"limit", news.ArticleFilter{Limit: 2}, []int64{a4.ID, a3.ID}, 4},
			{"offset", news.ArticleFilter{Limit: 2, Offset: 2}, []int64{a2.ID, a1.ID}, 4},
			{"offset past end", news.ArticleFilter{Limit: 2, Offset: 10}, nil, 4},
			{"nothing", news.ArticleFilter{SectionID: 999999}, nil, 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ids, total := f.ids(c.filter)
				eqIDs(t, "ids", ids, c.want)
				if total != c.total {
					t.Errorf("total = %d, want %d", total, c.total)
				}
				// Without a total the same stories come back; the
				// store may still count, but not wrongly.
				nt := c.filter
				nt.NoTotal = true
				ids, total = f.ids(nt)
				eqIDs(t, "ids without total", ids, c.want)
				if total != -1 && total != c.total {
					t.Errorf("NoTotal: total = %d, want -1 or %d", total, c.total)
				}
			})
		}

		t.Run("loaded", func(t *testing.T) {
			as, _, err := f.s.FindArticles(f.ctx, news.ArticleFilter{IDs: []int64{a2.ID}})
			noErr(t, "FindArticles", err)
			if len(as) != 1 {
				t.Fatalf("got %d stories", len(as))
			}
			if as[0].Section == nil || as[0].Section.Slug != "business" || authorSlugs(as[0].Authors) != "park,kim" || tagSlugs(as[0].Tags) != "economy,trade" {
				t.Errorf("FindArticles did not fill section/authors/tags: %+v", as[0])
			}
		})
	})

	t.Run("DefaultLimit", func(t *testing.T) {
		f := newFixture(t, open)
		for i := 0; i < 23; i++ {
			f.article(func(a *news.Article) { a.PublishedAt = T0.Add(time.Duration(i) * time.Minute) })
		}
		ids, total := f.ids(news.ArticleFilter{})
		if len(ids) != 20 || total != 23 {
			t.Errorf("default page: %d stories, total %d; want 20 of 23", len(ids), total)
		}
	})
}

func testWorkflow(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("DueScheduled", func(t *testing.T) {
		f := newFixture(t, open)
		s1 := f.article(func(a *news.Article) { a.Status = news.StatusScheduled; a.PublishedAt = T0.Add(2 * time.Hour) })
		s2 := f.article(func(a *news.Article) { a.Status = news.StatusScheduled; a.PublishedAt = T0.Add(time.Hour) })
		f.article(func(a *news.Article) { a.Status = news.StatusScheduled; a.PublishedAt = T0.Add(3 * time.Hour) })
		f.article(func(a *news.Article) { a.PublishedAt = T0 })                                             // already published
		f.article(func(a *news.Article) { a.Status = news.StatusDraft; a.PublishedAt = T0.Add(time.Hour) }) // a draft is never due
		due, err := f.s.DueScheduled(f.ctx, T0.Add(2*time.Hour))
		noErr(t, "DueScheduled", err)
		var ids []int64
		for _, a := range due {
			ids = append(ids, a.ID)
		}
		eqIDs(t, "due", ids, []int64{s2.ID, s1.ID})
		due, err = f.s.DueScheduled(f.ctx, T0)
		noErr(t, "DueScheduled", err)
		if len(due) != 0 {
			t.Errorf("nothing is due at T0, got %d", len(due))
		}
		// Publishing takes it out of the queue.
		s2.Status = news.StatusPublished
		f.update(s2)
		due, err = f.s.DueScheduled(f.ctx, T0.Add(2*time.Hour))
		noErr(t, "DueScheduled", err)
		if len(due) != 1 || due[0].ID != s1.ID {
			t.Errorf("after publishing: %v", due)
		}
	})

	t.Run("Revisions", func(t *testing.T) {
		f := newFixture(t, open)
		a := f.article(nil)
		other := f.article(nil)
		var revs []*news.Revision
		for i, note := range []string{"imported", "edited", "published"} {
			r := &news.Revision{ArticleID: a.ID, UserID: 0, Version: int64(i + 1), Status: news.StatusDraft, Note: note, CreatedAt: T0.Add(time.Duration(i) * time.Minute),
				StoryFields: news.StoryFields{Headline: fmt.Sprintf("H%d", i), Deck: "D", BodyMarkdown: "md", BodyHTML: "<p>html</p>",
					Slug: "s", Lang: "ko", SectionID: 7, AuthorIDs: []int64{3, 1}, Tags: []string{"북한", "Trump"}, PhotoID: 4,
					SEOTitle: "seo", SEODescription: "desc", EmbargoUntil: T0.Add(time.Duration(i) * time.Hour)}}
			noErr(t, "CreateRevision", f.s.CreateRevision(f.ctx, r))
			if r.ID == 0 {
				t.Fatal("CreateRevision did not set ID")
			}
			revs = append(revs, r)
		}
		noErr(t, "CreateRevision other", f.s.CreateRevision(f.ctx, &news.Revision{ArticleID: other.ID, StoryFields: news.StoryFields{Headline: "x"}, CreatedAt: T0}))
		got, err := f.s.FindRevisions(f.ctx, a.ID)
		noErr(t, "FindRevisions", err)
		if len(got) != 3 {
			t.Fatalf("got %d revisions, want 3", len(got))
		}
		for i, r := range got {
			want := revs[2-i]
			if r.ID != want.ID || r.Note != want.Note || r.ArticleID != a.ID || r.Version != want.Version || r.Status != want.Status {
				t.Errorf("revision %d = %+v, want %+v (newest first)", i, r, want)
			}
			// Every field an editor edits is kept, for a 3-way merge.
			if d := news.DiffFields(r.StoryFields, want.StoryFields); len(d) > 0 || r.BodyHTML != want.BodyHTML {
				t.Errorf("revision %d differs in %v: got %+v, want %+v", i, d, r.StoryFields, want.StoryFields)
			}
			if fmt.Sprint(r.AuthorIDs) != fmt.Sprint(want.AuthorIDs) || fmt.Sprint(r.Tags) != fmt.Sprint(want.Tags) {
				t.Errorf("revision %d: authors %v tags %v, want %v %v (in order)", i, r.AuthorIDs, r.Tags, want.AuthorIDs, want.Tags)
			}
			sameTime(t, "Revision.CreatedAt", r.CreatedAt, want.CreatedAt)
		}
		r, err := f.s.FindRevisionByID(f.ctx, revs[1].ID)
		noErr(t, "FindRevisionByID", err)
		if r.Note != "edited" {
			t.Errorf("FindRevisionByID = %+v", r)
		}
		_, err = f.s.FindRevisionByID(f.ctx, 999999)
		wantErr(t, "FindRevisionByID(missing)", err, news.ErrNotFound)
		// The base of a merge: the latest revision at or before a version.
		for v, want := range map[int64]int{1: 0, 2: 1, 3: 2, 9: 2} {
			r, err := f.s.FindRevisionAt(f.ctx, a.ID, v)
			noErr(t, fmt.Sprintf("FindRevisionAt(%d)", v), err)
			if r.ID != revs[want].ID {
				t.Errorf("FindRevisionAt(%d) = revision %d (version %d), want %d", v, r.ID, r.Version, revs[want].ID)
			}
		}
		_, err = f.s.FindRevisionAt(f.ctx, a.ID, 0)
		wantErr(t, "FindRevisionAt(0)", err, news.ErrNotFound)
		// A revision for a missing story is refused.
		if err := f.s.CreateRevision(f.ctx, &news.Revision{ArticleID: 999999, StoryFields: news.StoryFields{Headline: "x"}, CreatedAt: T0}); err == nil {
			t.Error("CreateRevision for a missing story succeeded")
		}
	})

	t.Run("Corrections", func(t *testing.T) {
		f := newFixture(t, open)
		a := f.article(nil)
		b := f.article(nil)
		var made []int64
		for i, id := range []int64{a.ID, b.ID, a.ID} {
			c := &news.Correction{ArticleID: id, Kind: news.KindClarification, Text: fmt.Sprintf("note %d", i), CreatedAt: T0.Add(time.Duration(i) * time.Hour)}
			noErr(t, "AddCorrection", f.s.AddCorrection(f.ctx, c))
			made = append(made, c.ID)
		}
		list, err := f.s.ListCorrections(f.ctx, 2)
		noErr(t, "ListCorrections", err)
		var got []int64
		for _, c := range list {
			got = append(got, c.ID)
		}
		eqIDs(t, "ListCorrections(2)", got, []int64{made[2], made[1]})
		if len(list) > 0 && (list[0].ArticleID != a.ID || list[0].Text != "note 2" || list[0].Kind != news.KindClarification) {
			t.Errorf("ListCorrections[0] = %+v", list[0])
		}
		if err := f.s.AddCorrection(f.ctx, &news.Correction{ArticleID: 999999, Kind: news.KindCorrection, Text: "x", CreatedAt: T0}); err == nil {
			t.Error("AddCorrection for a missing story succeeded")
		}
	})
}
