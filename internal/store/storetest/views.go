package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
)

func testViews(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("ConcurrentAdds", func(t *testing.T) {
		// Many nodes (goroutines here) flush their counters at once: no
		// increment may be lost, whatever the interleaving.
		f := newFixture(t, open)
		a := f.article(nil)
		b := f.article(nil)
		hour := T0.Add(3 * time.Hour)
		const workers, rounds = 16, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := 0; r < rounds; r++ {
					err := f.s.AddViews(f.ctx, []news.ViewCount{
						{ArticleID: a.ID, Hour: hour.Add(17 * time.Minute), Count: 1}, // not truncated: the store truncates
						{ArticleID: b.ID, Hour: hour, Count: 2},
						{ArticleID: a.ID, Hour: hour.Add(time.Hour), Count: 3},
					})
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("AddViews: %v", err)
		}
		got, err := f.s.ArticleViews(f.ctx, a.ID, T0)
		noErr(t, "ArticleViews", err)
		if len(got) != 2 {
			t.Fatalf("ArticleViews(a) = %+v, want two hours", got)
		}
		n := int64(workers * rounds)
		sameTime(t, "hour 0", got[0].Hour, hour)
		sameTime(t, "hour 1", got[1].Hour, hour.Add(time.Hour))
		if got[0].Count != n || got[1].Count != 3*n || got[0].ArticleID != a.ID {
			t.Errorf("ArticleViews(a) = %+v, want %d and %d", got, n, 3*n)
		}
		got, err = f.s.ArticleViews(f.ctx, a.ID, hour.Add(time.Hour))
		noErr(t, "ArticleViews since", err)
		if len(got) != 1 || got[0].Count != 3*n {
			t.Errorf("ArticleViews(a, since second hour) = %+v", got)
		}
		top, err := f.s.TopArticles(f.ctx, news.TopFilter{Since: T0})
		noErr(t, "TopArticles", err)
		if len(top) != 2 || top[0].Article.ID != a.ID || top[0].Views != 4*n || top[1].Views != 2*n {
			t.Errorf("TopArticles = %v, want a %d, b %d", topString(top), 4*n, 2*n)
		}
	})

	t.Run("Top", func(t *testing.T) {
		f := newFixture(t, open)
		world := f.section("world", "World", 1)
		biz := f.section("business", "Business", 2)
		now := T0.Add(48 * time.Hour)
		mk := func(sec *news.Section, mod func(a *news.Article)) *news.Article {
			return f.article(func(a *news.Article) {
				a.SectionID = sec.ID
				a.PublishedAt = T0
				if mod != nil {
					mod(a)
				}
			})
		}
		w1 := mk(world, nil)
		w2 := mk(world, nil)
		b1 := mk(biz, nil)
		oldHit := mk(world, nil)
		unpub := mk(world, func(a *news.Article) { a.Status = news.StatusUnpublished })
		embargoed := mk(biz, func(a *news.Article) { a.EmbargoUntil = now.Add(time.Hour) })
		views := []news.ViewCount{
			{ArticleID: w1.ID, Hour: now.Add(-2 * time.Hour), Count: 50},
			{ArticleID: w1.ID, Hour: now.Add(-30 * time.Hour), Count: 1000}, // outside a 24h window
			{ArticleID: w2.ID, Hour: now.Add(-1 * time.Hour), Count: 70},
			{ArticleID: b1.ID, Hour: now.Add(-3 * time.Hour), Count: 60},
			{ArticleID: oldHit.ID, Hour: now.Add(-40 * time.Hour), Count: 5000},
			{ArticleID: unpub.ID, Hour: now.Add(-1 * time.Hour), Count: 9000},
			{ArticleID: embargoed.ID, Hour: now.Add(-1 * time.Hour), Count: 9000},
		}
		noErr(t, "AddViews", f.s.AddViews(f.ctx, views))
		// Adding again adds, never overwrites.
		noErr(t, "AddViews", f.s.AddViews(f.ctx, []news.ViewCount{{ArticleID: b1.ID, Hour: now.Add(-3 * time.Hour), Count: 15}}))

		cases := []struct {
			name   string
			filter news.TopFilter
			want   string
		}{
			{"24h public", news.TopFilter{Since: now.Add(-24 * time.Hour), PublicAt: now}, fmt.Sprintf("%d:75 %d:70 %d:50", b1.ID, w2.ID, w1.ID)},
			{"72h public", news.TopFilter{Since: now.Add(-72 * time.Hour), PublicAt: now}, fmt.Sprintf("%d:5000 %d:1050 %d:75 %d:70", oldHit.ID, w1.ID, b1.ID, w2.ID)},
			{"24h world", news.TopFilter{Since: now.Add(-24 * time.Hour), PublicAt: now, SectionID: world.ID}, fmt.Sprintf("%d:70 %d:50", w2.ID, w1.ID)},
			{"limit", news.TopFilter{Since: now.Add(-72 * time.Hour), PublicAt: now, Limit: 2}, fmt.Sprintf("%d:5000 %d:1050", oldHit.ID, w1.ID)},
			{"1h", news.TopFilter{Since: now.Add(-time.Hour), PublicAt: now}, fmt.Sprintf("%d:70", w2.ID)},
			{"nothing yet", news.TopFilter{Since: now, PublicAt: now}, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				top, err := f.s.TopArticles(f.ctx, c.filter)
				noErr(t, "TopArticles", err)
				if got := topString(top); got != c.want {
					t.Errorf("TopArticles = %q, want %q", got, c.want)
				}
				for _, e := range top {
					if e.Article == nil || e.Article.Headline == "" || e.Article.Section == nil {
						t.Errorf("entry %+v: article not loaded with its section", e)
					}
				}
			})
		}
		t.Run("default limit 10", func(t *testing.T) {
			var vc []news.ViewCount
			for i := 0; i < 12; i++ {
				a := mk(biz, nil)
				vc = append(vc, news.ViewCount{ArticleID: a.ID, Hour: now.Add(-time.Hour), Count: int64(100 + i)})
			}
			noErr(t, "AddViews", f.s.AddViews(f.ctx, vc))
			top, err := f.s.TopArticles(f.ctx, news.TopFilter{Since: now.Add(-24 * time.Hour), PublicAt: now})
			noErr(t, "TopArticles", err)
			if len(top) != 10 || top[0].Views != 111 {
				t.Errorf("TopArticles = %s, want 10 entries from 111 down", topString(top))
			}
		})
	})
}

func topString(top []news.TopEntry) string {
	s := ""
	for i, e := range top {
		if i > 0 {
			s += " "
		}
		id := int64(0)
		if e.Article != nil {
			id = e.Article.ID
		}
		s += fmt.Sprintf("%d:%d", id, e.Views)
	}
	return s
}
