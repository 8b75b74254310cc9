package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"masthead/internal/news"
)

// testCatalogTx: merging a section moves its stories (their versions
// grow), the newsletter lists that follow it and nothing else, and deletes
// it, recording one paper-wide change; deleting a section is refused while
// a story (or a trashed one) or a list uses it; tags change name and slug
// and merge inside a caller's transaction, rolled back with it.
// Every store's Tx is a CatalogTx: the compiler checks it.
var _ news.CatalogTx = news.Tx(nil)

func testCatalogTx(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	nk := f.section("nk", "NK", 1)
	north := f.section("north-korea", "North Korea", 2)
	world := f.section("world", "World", 3)
	a := f.article(func(a *news.Article) { a.SectionID = nk.ID })
	b := f.article(func(a *news.Article) { a.SectionID = nk.ID; a.Status = news.StatusDraft })
	c := f.article(func(a *news.Article) { a.SectionID = world.ID })
	ns, ok := f.s.(news.NewsletterStore)
	if !ok {
		t.Fatal("the store is not a news.NewsletterStore")
	}
	list := &news.NewsletterList{Slug: "nk-daily", Name: "NK daily", Kind: news.ListSection, SectionID: nk.ID, CreatedAt: T0}
	noErr(t, "CreateNewsletterList", ns.CreateNewsletterList(f.ctx, list))

	// Deleting a section in use is refused and changes nothing.
	for _, id := range []int64{nk.ID, world.ID} {
		err := f.s.Update(f.ctx, func(tx news.Tx) error { return tx.DeleteSection(f.ctx, id) })
		if news.ErrorCode(err) != news.EINVALID || !strings.Contains(news.ErrorMessage(err), "merge it into another section") {
			t.Errorf("deleting section %d with stories: %v", id, err)
		}
	}
	if _, err := f.s.FindSectionBySlug(f.ctx, "nk"); err != nil {
		t.Fatalf("a refused delete removed the section: %v", err)
	}

	// A merge rolled back with its transaction leaves everything as it was.
	boom := errors.New("boom")
	err := f.s.Update(f.ctx, func(tx news.Tx) error {
		if _, err := tx.MergeSection(f.ctx, nk.ID, north.ID); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("rolled-back merge: %v", err)
	}
	if got := f.find(a.ID); got.SectionID != nk.ID || got.Version != a.Version {
		t.Fatalf("a rolled-back merge moved a story: section %d version %d", got.SectionID, got.Version)
	}

	before := f.lastChange()
	var moved []int64
	noErr(t, "MergeSection", f.s.Update(f.ctx, func(tx news.Tx) error {
		var err error
		moved, err = tx.MergeSection(f.ctx, nk.ID, north.ID)
		return err
	}))
	slices.Sort(moved)
	if fmt.Sprint(moved) != fmt.Sprint([]int64{a.ID, b.ID}) {
		t.Errorf("moved %v, want %v", moved, []int64{a.ID, b.ID})
	}
	for _, s := range []*news.Article{a, b} {
		got := f.find(s.ID)
		if got.SectionID != north.ID || got.Version != s.Version+1 {
			t.Errorf("story %d after the merge: section %d version %d (was %d)", s.ID, got.SectionID, got.Version, s.Version)
		}
	}
	if got := f.find(c.ID); got.SectionID != world.ID || got.Version != c.Version {
		t.Errorf("a story of another section moved: %+v", got)
	}
	if _, err := f.s.FindSectionByID(f.ctx, nk.ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("the merged section is still there: %v", err)
	}
	if l, err := ns.FindNewsletterList(f.ctx, list.ID); err != nil || l.SectionID != north.ID {
		t.Errorf("the section's newsletter list after the merge: %+v, %v", l, err)
	}
	rec := f.lastChange()
	if rec.Seq <= before.Seq || !rec.All || !slices.Contains(rec.Stories, a.ID) || !slices.Contains(rec.Sections, nk.ID) {
		t.Errorf("the merge's change: %+v", rec.Change)
	}
	// A stale save of a moved story is refused: it would write the old
	// section back.
	stale := *a
	stale.Headline = "Stale"
	if err := f.s.UpdateArticle(f.ctx, &stale); !errors.Is(err, news.ErrConflict) {
		t.Errorf("a save against the version before the merge: %v", err)
	}
	if _, err := func() ([]int64, error) {
		var m []int64
		err := f.s.Update(f.ctx, func(tx news.Tx) error {
			var err error
			m, err = tx.MergeSection(f.ctx, north.ID, north.ID)
			return err
		})
		return m, err
	}(); news.ErrorCode(err) != news.EINVALID {
		t.Errorf("merging a section into itself: %v", err)
	}

	// An empty section goes.
	empty := f.section("empty", "Empty", 4)
	noErr(t, "DeleteSection", f.s.Update(f.ctx, func(tx news.Tx) error { return tx.DeleteSection(f.ctx, empty.ID) }))
	if _, err := f.s.FindSectionByID(f.ctx, empty.ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("the deleted section: %v", err)
	}
	if err := f.s.Update(f.ctx, func(tx news.Tx) error { return tx.DeleteSection(f.ctx, empty.ID) }); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("deleting it again: %v", err)
	}

	// Sub-sections: deleting their parent is refused; merging it moves
	// them under the target (top-level), and a target that was one of
	// them becomes top-level.
	parent := f.section("parent", "Parent", 5)
	kid := &news.Section{Slug: "kid", Name: "Kid", Position: 6, ParentID: parent.ID}
	noErr(t, "CreateSection kid", f.s.CreateSection(f.ctx, kid))
	kid2 := &news.Section{Slug: "kid2", Name: "Kid 2", Position: 7, ParentID: parent.ID}
	noErr(t, "CreateSection kid2", f.s.CreateSection(f.ctx, kid2))
	err = f.s.Update(f.ctx, func(tx news.Tx) error { return tx.DeleteSection(f.ctx, parent.ID) })
	if news.ErrorCode(err) != news.EINVALID || !strings.Contains(news.ErrorMessage(err), "2 sub-sections") {
		t.Errorf("deleting a parent: %v", err)
	}
	noErr(t, "merge a parent into its sub-section", f.s.Update(f.ctx, func(tx news.Tx) error {
		_, err := tx.MergeSection(f.ctx, parent.ID, kid.ID)
		return err
	}))
	if got, _ := f.s.FindSectionByID(f.ctx, kid.ID); got.ParentID != 0 || got.Version != kid.Version+1 {
		t.Errorf("the target after merging its parent into it: %+v", got)
	}
	if got, _ := f.s.FindSectionByID(f.ctx, kid2.ID); got.ParentID != kid.ID {
		t.Errorf("the other sub-section after the merge: parent %d, want %d", got.ParentID, kid.ID)
	}

	// Hidden round-trips and is guarded like every section write.
	world.Hidden = true
	noErr(t, "UpdateSection", f.s.UpdateSection(f.ctx, world))
	if got, err := f.s.FindSectionBySlug(f.ctx, "world"); err != nil || !got.Hidden {
		t.Errorf("hidden section: %+v, %v", got, err)
	}

	// Tags: a new name and slug; a clash is a conflict; a merge.
	seoul := f.tag("seoul-city", "Seoul city")
	dprk := f.tag("dprk-2", "DPRK")
	d := f.article(func(a *news.Article) { a.Tags = []*news.Tag{dprk, seoul} })
	noErr(t, "UpdateTag", f.s.Update(f.ctx, func(tx news.Tx) error {
		cat := tx
		tg, err := cat.FindTagByID(f.ctx, seoul.ID)
		if err != nil {
			return err
		}
		tg.Name, tg.Slug = "Seoul", "seoul-2"
		return cat.UpdateTag(f.ctx, tg)
	}))
	if got, err := f.s.FindTagBySlug(f.ctx, "seoul-2"); err != nil || got.Name != "Seoul" || got.ID != seoul.ID {
		t.Errorf("renamed tag: %+v, %v", got, err)
	}
	err = f.s.Update(f.ctx, func(tx news.Tx) error {
		return tx.UpdateTag(f.ctx, &news.Tag{ID: seoul.ID, Slug: "dprk-2", Name: "Seoul"})
	})
	if !errors.Is(err, news.ErrConflict) {
		t.Errorf("a tag given another tag's slug: %v", err)
	}
	noErr(t, "MergeTags", f.s.Update(f.ctx, func(tx news.Tx) error { return tx.MergeTags(f.ctx, dprk.ID, seoul.ID) }))
	if got := f.find(d.ID); len(got.Tags) != 1 || got.Tags[0].ID != seoul.ID {
		t.Errorf("tags after the merge: %+v", got.Tags)
	}
	err = f.s.Update(f.ctx, func(tx news.Tx) error { _, err := tx.FindTagByID(f.ctx, dprk.ID); return err })
	if !errors.Is(err, news.ErrNotFound) {
		t.Errorf("the merged tag: %v", err)
	}
}

// testAuthorLinks: an author's profile links round-trip; bad ones are
// refused by both stores.
func testAuthorLinks(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	a := f.author("kim-links", "Kim")
	a.Links = []news.AuthorLink{{Kind: "website", URL: "https://kim.example/"}, {Kind: "x", URL: "https://x.com/kim"}}
	noErr(t, "UpdateAuthor", f.s.UpdateAuthor(f.ctx, a))
	got, err := f.s.FindAuthorBySlug(f.ctx, "kim-links")
	if err != nil || fmt.Sprint(got.Links) != fmt.Sprint(a.Links) {
		t.Errorf("links: %+v, %v", got, err)
	}
	all, err := f.s.ListAuthors(f.ctx)
	noErr(t, "ListAuthors", err)
	for _, x := range all {
		if x.ID == a.ID && len(x.Links) != 2 {
			t.Errorf("ListAuthors links: %+v", x.Links)
		}
	}
	for _, bad := range [][]news.AuthorLink{
		{{Kind: "x", URL: "https://evil.example/kim"}},
		{{Kind: "x", URL: "javascript:alert(1)"}},
		{{Kind: "website", URL: "https://a.example/"}, {Kind: "website", URL: "https://b.example/"}},
		{{Kind: "myspace", URL: "https://myspace.com/kim"}},
	} {
		b := *got
		b.Links = bad
		if err := f.s.UpdateAuthor(f.ctx, &b); news.ErrorCode(err) != news.EINVALID {
			t.Errorf("links %+v: %v", bad, err)
		}
	}
	if again, _ := f.s.FindAuthorByID(f.ctx, a.ID); len(again.Links) != 2 {
		t.Errorf("a refused update changed the links: %+v", again.Links)
	}
}
