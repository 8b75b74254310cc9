package storetest

import (
	"reflect"
	"testing"
	"time"

	"masthead/internal/news"
)

// testFindArticleLists: each list is what FindArticles returns for its
// filter (stories, order, relations), a story in two lists is two values
// that do not share their relations, and an empty list stays empty.
func testFindArticleLists(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	world, biz := f.section("world", "World", 1), f.section("business", "Business", 2)
	kim, lee := f.author("kim", "Kim"), f.author("lee", "Lee")
	trade, rare := f.tag("trade", "Trade"), f.tag("rare", "Rare")
	ph, face := f.photo("Port"), f.photo("Kim's face")
	kim.PhotoID = face.ID
	noErr(t, "UpdateAuthor", f.s.UpdateAuthor(f.ctx, kim))
	var ids []int64
	for i := range 7 {
		a := f.article(func(a *news.Article) {
			a.SectionID = []int64{world.ID, biz.ID}[i%2]
			a.Authors = [][]*news.Author{{kim, lee}, {lee}, nil}[i%3]
			a.Tags = [][]*news.Tag{{trade}, {rare, trade}}[i%2]
			a.PublishedAt = T0.Add(time.Duration(i) * time.Hour)
			if i%3 == 0 {
				a.PhotoID = ph.ID
			}
		})
		ids = append(ids, a.ID)
	}
	c := &news.Correction{ArticleID: ids[4], Kind: news.KindCorrection, Text: "A name was misspelled.", CreatedAt: T0.Add(20 * time.Hour)}
	noErr(t, "AddCorrection", f.s.AddCorrection(f.ctx, c))
	now := T0.Add(24 * time.Hour)
	filters := []news.ArticleFilter{
		{PublicAt: now, Limit: 4},
		{PublicAt: now, SectionIDs: []int64{world.ID}, Limit: 3},
		{PublicAt: now, SectionIDs: []int64{world.ID, biz.ID}, ExcludeIDs: ids[5:], Limit: 2},
		{PublicAt: now, TagID: rare.ID, Order: "oldest", Offset: 1, Limit: 2},
		{PublicAt: now, SectionIDs: []int64{biz.ID}, PublishedTo: T0, Limit: 5}, // empty
		{PublicAt: now, IDs: []int64{ids[4], ids[0]}, Limit: 2},
	}
	lists, err := f.s.FindArticleLists(f.ctx, filters)
	noErr(t, "FindArticleLists", err)
	if len(lists) != len(filters) {
		t.Fatalf("FindArticleLists: %d lists for %d filters", len(lists), len(filters))
	}
	for i, flt := range filters {
		flt.NoTotal = true
		want, _, err := f.s.FindArticles(f.ctx, flt)
		noErr(t, "FindArticles", err)
		if !reflect.DeepEqual(lists[i], want) {
			t.Errorf("list %d (%+v):\n got %+v\nwant %+v", i, flt, dump(lists[i]), dump(want))
		}
	}
	if len(lists[4]) != 0 {
		t.Errorf("list 4: %d stories, want none", len(lists[4]))
	}
	// ids[6] leads the first two lists (the newest, in World): two values.
	a, b := lists[0][0], lists[1][0]
	if a.ID != ids[6] || b.ID != ids[6] || a == b || len(a.Authors) == 0 || a.Authors[0] == b.Authors[0] || a.Tags[0] == b.Tags[0] || a.Photo == b.Photo {
		t.Errorf("the story in two lists shares its values: %p %p", a, b)
	}
	if a.Photo == nil || a.Photo.ID != ph.ID {
		t.Errorf("photo: %+v", a.Photo)
	}
	if got, err := f.s.FindArticleLists(f.ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("FindArticleLists(nil) = %v, %v", got, err)
	}
}

func dump(list []*news.Article) []news.Article {
	out := make([]news.Article, len(list))
	for i, a := range list {
		out[i] = *a
	}
	return out
}

// oneList makes n public stories an hour apart from T0, each in one
// section, by one author, with one tag, and with a body.
func (f *fixture) oneList(n int) (*news.Section, *news.Author, *news.Tag) {
	sec := f.section("world", "World", 1)
	au := f.author("kim", "Kim")
	tg := f.tag("trade", "Trade")
	for i := range n {
		f.article(func(a *news.Article) {
			a.SectionID, a.Authors, a.Tags = sec.ID, []*news.Author{au}, []*news.Tag{tg}
			a.BodyMarkdown, a.BodyHTML = "Body *text*.", "<p>Body <em>text</em>.</p>"
			a.PublishedAt = T0.Add(time.Duration(i) * time.Hour)
		})
	}
	return sec, au, tg
}

// testNoBody: a list read with NoBody is the same stories with the same
// relations, their bodies left empty, on every path a list takes (a page
// of the archive, a section's, an author's and a tag's with their kept
// totals, read from either end, and FindArticleLists).
func testNoBody(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	sec, au, tg := f.oneList(5)
	now := T0.Add(24 * time.Hour)
	for _, flt := range []news.ArticleFilter{
		{PublicAt: now, Limit: 3},
		{PublicAt: now, SectionID: sec.ID, Limit: 2},
		{PublicAt: now, SectionIDs: []int64{sec.ID}, Offset: 3, Limit: 2}, // the second half: read from the other end
		{PublicAt: now, AuthorID: au.ID, Limit: 2},
		{PublicAt: now, TagID: tg.ID, Offset: 4, Limit: 2},
	} {
		want, wantTotal, err := f.s.FindArticles(f.ctx, flt)
		noErr(t, "FindArticles", err)
		for _, a := range want {
			if a.BodyHTML == "" || a.BodyMarkdown == "" {
				t.Fatalf("%+v: story %d read without NoBody has no body", flt, a.ID)
			}
			a.BodyMarkdown, a.BodyHTML = "", ""
		}
		cards := flt
		cards.NoBody = true
		got, total, err := f.s.FindArticles(f.ctx, cards)
		noErr(t, "FindArticles", err)
		if total != wantTotal || len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("NoBody %+v: total %d (want %d)\n got %+v\nwant %+v", flt, total, wantTotal, dump(got), dump(want))
		}
		lists, err := f.s.FindArticleLists(f.ctx, []news.ArticleFilter{cards})
		noErr(t, "FindArticleLists", err)
		if !reflect.DeepEqual(lists[0], want) {
			t.Errorf("FindArticleLists NoBody %+v:\n got %+v\nwant %+v", flt, dump(lists[0]), dump(want))
		}
		// NoMarkdown (feeds): the same less the Markdown body.
		html := flt
		html.NoMarkdown = true
		got, total, err = f.s.FindArticles(f.ctx, html)
		noErr(t, "FindArticles", err)
		if total != wantTotal || len(got) != len(want) {
			t.Fatalf("NoMarkdown %+v: %d stories of %d, want %d of %d", flt, len(got), total, len(want), wantTotal)
		}
		for i, a := range got {
			if a.BodyMarkdown != "" || a.BodyHTML != "<p>Body <em>text</em>.</p>" {
				t.Errorf("NoMarkdown %+v: story %d has Markdown %q, HTML %q", flt, a.ID, a.BodyMarkdown, a.BodyHTML)
			}
			a.BodyHTML = ""
			if !reflect.DeepEqual(a, want[i]) {
				t.Errorf("NoMarkdown %+v: story %d differs beyond its bodies:\n got %+v\nwant %+v", flt, a.ID, dump([]*news.Article{a}), dump(want[i:i+1]))
			}
		}
	}
}

// testKnownTotal: a list page read with its total known
// (ArticleFilter.KnownTotal, internal/nodecache) is the page read without
// it, for every page of a section's, an author's and a tag's list, from
// either end and past the end, and the total is the one known.
func testKnownTotal(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	sec, au, tg := f.oneList(7)
	now := T0.Add(24 * time.Hour)
	for _, list := range []news.ArticleFilter{
		{PublicAt: now, SectionIDs: []int64{sec.ID}},
		{PublicAt: now, AuthorID: au.ID},
		{PublicAt: now, TagID: tg.ID, NoBody: true},
	} {
		for offset := 0; offset <= 9; offset += 2 {
			flt := list
			flt.Offset, flt.Limit = offset, 2
			want, wantTotal, err := f.s.FindArticles(f.ctx, flt)
			noErr(t, "FindArticles", err)
			if wantTotal != 7 {
				t.Fatalf("%+v: total %d, want 7", flt, wantTotal)
			}
			flt.KnownTotal = wantTotal
			got, total, err := f.s.FindArticles(f.ctx, flt)
			noErr(t, "FindArticles", err)
			if total != wantTotal || !reflect.DeepEqual(got, want) {
				t.Errorf("KnownTotal %+v: total %d (want %d)\n got %+v\nwant %+v", flt, total, wantTotal, dump(got), dump(want))
			}
		}
	}
}
