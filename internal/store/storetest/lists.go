package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"masthead/internal/news"
)

// ArchiveMonther is what both stores offer the sitemaps: per-month totals
// and latest changes from aggregates the writes keep.
type ArchiveMonther interface {
	ArchiveMonths(ctx context.Context, t time.Time, loc *time.Location) ([]news.MonthStats, error)
}

// testListCounts holds the stores' kept counts (a list page's total, a
// month's total and latest change) to a recount of the stories after every
// kind of write that moves them: publish, unpublish, a new publication
// time, a section, byline or tag change, a slug change, a correction, an
// embargo, the
// scheduler's publish, trash and restore, a tag merge, a delete.
//
// The recount is FindArticles with a date bound the list pages never set,
// which the stores answer by reading the stories; every page of every list
// is compared, in both orders, past the end included, so the paths a store
// takes for deep pages (read from the other end, read the list and sort
// it) are held to the same answer.
func testListCounts(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	am, ok := f.s.(ArchiveMonther)
	if !ok {
		t.Fatalf("%T keeps no per-month aggregates (ArchiveMonths)", f.s)
	}
	secs := []*news.Section{f.section("world", "World", 1), f.section("business", "Business", 2)}
	auths := []*news.Author{f.author("kim", "Kim"), f.author("park", "Park"), f.author("lee", "Lee")}
	tags := []*news.Tag{f.tag("economy", "Economy"), f.tag("trade", "Trade"), f.tag("rare", "Rare")}
	// Stories around month edges in UTC, Seoul (+9) and Kolkata (+5:30),
	// an hour apart or so, most with bylines and tags.
	base := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	var arts []*news.Article
	for i := range 36 {
		a := f.article(func(a *news.Article) {
			a.PublishedAt = base.Add(time.Duration(i)*97*time.Minute + time.Duration(i%3)*24*time.Hour*14)
			a.UpdatedAt = a.PublishedAt.Add(time.Duration(i%4) * time.Hour)
			a.SectionID = secs[i%2].ID
			a.Authors = []*news.Author{auths[i%3]}
			if i%4 == 0 {
				a.Authors = append(a.Authors, auths[(i+1)%3])
			}
			a.Tags = []*news.Tag{tags[i%2]}
			if i%9 == 0 {
				a.Tags = append(a.Tags, tags[2])
			}
			switch i % 12 {
			case 5:
				a.Status, a.PublishedAt = news.StatusDraft, time.Time{}
			case 7:
				a.EmbargoUntil = a.PublishedAt.Add(6 * time.Hour)
			}
		})
		arts = append(arts, a)
	}
	// Stretches the kept counts cannot answer, read from the stories: a
	// story in the half hour that opens a Kolkata month, and one in the
	// hour of a story under a long embargo (arts continue after these).
	emb := time.Date(2026, 2, 10, 12, 5, 0, 0, time.UTC)
	for i, at := range []time.Time{time.Date(2026, 1, 31, 18, 40, 0, 0, time.UTC), emb, emb.Add(time.Minute)} {
		arts = append(arts, f.article(func(a *news.Article) {
			a.PublishedAt, a.UpdatedAt, a.SectionID = at, at, secs[0].ID
			if i == 1 {
				a.EmbargoUntil = base.AddDate(2, 0, 0)
			}
		}))
	}
	nows := []time.Time{base.Add(20 * time.Hour), base.Add(60 * 24 * time.Hour), base.Add(400 * 24 * time.Hour)}
	zones := []*time.Location{time.UTC, mustZone(t, "Asia/Seoul"), mustZone(t, "Asia/Kolkata")}
	check := func(step string) {
		t.Helper()
		for _, now := range nows {
			for _, l := range []struct {
				name string
				f    news.ArticleFilter
			}{
				{"section world", news.ArticleFilter{SectionID: secs[0].ID}},
				{"section business", news.ArticleFilter{SectionID: secs[1].ID}},
				// A section page passes its sections as a set: of one
				// (Simplified), and with a sub-section.
				{"sections {world}", news.ArticleFilter{SectionIDs: []int64{secs[0].ID}}},
				{"sections {world, business}", news.ArticleFilter{SectionIDs: []int64{secs[0].ID, secs[1].ID}}},
				{"author kim", news.ArticleFilter{AuthorID: auths[0].ID}},
				{"author park", news.ArticleFilter{AuthorID: auths[1].ID}},
				{"author lee", news.ArticleFilter{AuthorID: auths[2].ID}},
				{"tag economy", news.ArticleFilter{TagID: tags[0].ID}},
				{"tag trade", news.ArticleFilter{TagID: tags[1].ID}},
				{"tag rare", news.ArticleFilter{TagID: tags[2].ID}},
			} {
				for _, order := range []string{"", "oldest"} {
					lf := l.f
					lf.PublicAt, lf.Order = now, order
					all := lf
					all.Limit, all.NoTotal = 1000, true
					all.PublishedTo = now.AddDate(10, 0, 0) // not a list page: read and counted
					want, _ := f.ids(all)
					for off := 0; off <= len(want)+3; off += 3 {
						pf := lf
						pf.Offset, pf.Limit = off, 3
						got, total := f.ids(pf)
						what := fmt.Sprintf("%s: %s %q at %s, offset %d", step, l.name, order, now.Format(time.DateTime), off)
						if total != len(want) {
							t.Errorf("%s: total %d, recount %d", what, total, len(want))
						}
						eqIDs(t, what, got, want[min(off, len(want)):min(off+3, len(want))])
					}
				}
			}
			for _, loc := range zones {
				got, err := am.ArchiveMonths(f.ctx, now, loc)
				if err != nil {
					t.Fatalf("%s: ArchiveMonths: %v", step, err)
				}
				want := recountMonths(f, now, loc)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: months at %s in %s:\n got %v\nwant %v", step, now.Format(time.DateTime), loc, got, want)
				}
			}
		}
	}
	check("created")

	a := f.find(arts[5].ID) // a draft: publish it
	a.Status, a.PublishedAt = news.StatusPublished, base.Add(3*time.Hour)
	f.update(a)
	check("publish")
	a = f.find(arts[1].ID)
	a.Status = news.StatusUnpublished
	f.update(a)
	check("unpublish")
	a = f.find(arts[2].ID)
	a.PublishedAt = a.PublishedAt.AddDate(0, 1, 0)
	f.update(a)
	check("new publication time")
	a = f.find(arts[3].ID)
	a.SectionID = secs[0].ID
	a.Authors = []*news.Author{auths[2], auths[0]}
	a.Tags = []*news.Tag{tags[2]}
	f.update(a)
	check("section, bylines and tags")
	a = f.find(arts[4].ID)
	a.Slug = "renamed-story"
	a.UpdatedAt = a.UpdatedAt.Add(90 * 24 * time.Hour)
	f.update(a)
	check("slug change and update")
	// A correction moves only the story's update time.
	noErr(t, "AddCorrection", f.s.AddCorrection(f.ctx, &news.Correction{ArticleID: arts[11].ID, Kind: news.KindCorrection,
		Text: "An earlier version misspelled a name.", CreatedAt: base.AddDate(0, 3, 0)}))
	check("correction")
	a = f.find(arts[6].ID)
	a.EmbargoUntil = nows[1].Add(time.Hour)
	f.update(a)
	check("embargo")
	a = f.find(arts[8].ID)
	a.Status = news.StatusScheduled
	f.update(a)
	check("rescheduled")
	a = f.find(arts[8].ID)
	ok, err := f.s.PublishScheduled(f.ctx, a.ID, a.Version, a.PublishedAt)
	if err != nil || !ok {
		t.Fatalf("PublishScheduled: %v %v", ok, err)
	}
	check("scheduler's publish")
	if tr, ok := f.s.(news.Trash); ok {
		noErr(t, "TrashArticle", tr.TrashArticle(f.ctx, news.TrashEntry{ArticleID: arts[9].ID, DeletedAt: T0, Status: news.StatusPublished}))
		check("trash")
		_, err := tr.RestoreArticle(f.ctx, arts[9].ID)
		noErr(t, "RestoreArticle", err)
		check("restore")
	}
	if te, ok := f.s.(news.TagEditor); ok {
		noErr(t, "MergeTags", te.MergeTags(f.ctx, tags[2].ID, tags[0].ID))
		check("tag merge")
	}
	noErr(t, "DeleteArticle", f.s.DeleteArticle(f.ctx, arts[10].ID))
	noErr(t, "DeleteArticle", f.s.DeleteArticle(f.ctx, arts[0].ID))
	check("delete")
}

// recountMonths is ArchiveMonths from the stories themselves.
func recountMonths(f *fixture, now time.Time, loc *time.Location) []news.MonthStats {
	as, _, err := f.s.FindArticles(f.ctx, news.ArticleFilter{PublicAt: now, Order: "oldest", Limit: 1000, NoTotal: true})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []news.MonthStats
	for _, a := range as {
		p := a.PublishedAt.In(loc)
		if len(out) == 0 || out[len(out)-1].Year != p.Year() || out[len(out)-1].Month != p.Month() {
			out = append(out, news.MonthStats{Year: p.Year(), Month: p.Month()})
		}
		m := &out[len(out)-1]
		m.Total++
		for _, c := range []time.Time{a.PublishedAt, a.UpdatedAt, a.EmbargoUntil} {
			if c.After(m.LastMod) {
				m.LastMod = c.UTC()
			}
		}
	}
	return out
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// testListCountsConcurrent starts writers of one hour, section, author and
// tag at once (a barrier), so the stores' triggers run side by side: the
// kept counts must still equal a recount (PostgreSQL's hour recount locks
// the hour's row so that it counts what the others committed).
func testListCountsConcurrent(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	am, ok := f.s.(ArchiveMonther)
	if !ok {
		t.Fatalf("%T keeps no per-month aggregates (ArchiveMonths)", f.s)
	}
	sec, au, tg := f.section("world", "World", 1), f.author("kim", "Kim"), f.tag("economy", "Economy")
	hour := time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
	// The hour, its day and the counters exist before the race: the
	// writers then meet on existing rows, not on their first insert.
	f.article(func(a *news.Article) {
		a.SectionID, a.Authors, a.Tags, a.PublishedAt = sec.ID, []*news.Author{au}, []*news.Tag{tg}, hour.Add(59*time.Minute)
	})
	const writers = 8
	start := make(chan struct{})
	errs := make(chan error, writers)
	for i := range writers {
		go func() {
			<-start
			errs <- f.s.CreateArticle(f.ctx, &news.Article{Slug: fmt.Sprintf("same-hour-%d", i), Headline: "Same hour", Lang: "en",
				Status: news.StatusPublished, SectionID: sec.ID, Authors: []*news.Author{au}, Tags: []*news.Tag{tg},
				PublishedAt: hour.Add(time.Duration(i) * time.Minute), UpdatedAt: hour.Add(time.Duration(i) * time.Minute)})
		}()
	}
	close(start)
	for range writers {
		noErr(t, "CreateArticle", <-errs)
	}
	now := hour.Add(24 * time.Hour)
	for _, lf := range []news.ArticleFilter{{SectionID: sec.ID}, {AuthorID: au.ID}, {TagID: tg.ID}} {
		lf.PublicAt = now
		if _, total := f.ids(lf); total != writers+1 {
			t.Errorf("%+v: total %d, want %d", lf, total, writers+1)
		}
	}
	got, err := am.ArchiveMonths(f.ctx, now, time.UTC)
	noErr(t, "ArchiveMonths", err)
	if want := recountMonths(f, now, time.UTC); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("months after concurrent writers:\n got %v\nwant %v", got, want)
	}
}
