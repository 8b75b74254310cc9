package nodecache

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/sitemap"
	"masthead/internal/store/sqlite"
)

// The sitemaps find what they look for in Aggregates.
var _ interface {
	sitemap.AggregateStore
	sitemap.SurveyStore
	sitemap.RecentSummarizer
} = (*Aggregates)(nil)

// aggCounting is counting with the SQLite store's aggregates, counted;
// duringMonths runs inside ArchiveMonths, after the read.
type aggCounting struct {
	*counting
	db             *sqlite.DB
	months, recent atomic.Int32
	duringMonths   func()
}

func (c *aggCounting) ArchiveMonths(ctx context.Context, t time.Time, loc *time.Location) ([]news.MonthStats, error) {
	c.months.Add(1)
	ms, err := c.db.ArchiveMonths(ctx, t, loc)
	if c.duringMonths != nil {
		c.duringMonths()
	}
	return ms, err
}

func (c *aggCounting) RecentSummary(ctx context.Context, f news.ArticleFilter) (int, time.Time, error) {
	c.recent.Add(1)
	return c.db.RecentSummary(ctx, f)
}

func (c *aggCounting) LastModifiedBySection(ctx context.Context, t time.Time) (map[int64]time.Time, error) {
	return c.db.LastModifiedBySection(ctx, t)
}

func (c *aggCounting) LastModifiedByAuthorAndTag(ctx context.Context, t time.Time) (map[int64]time.Time, map[int64]time.Time, error) {
	return c.db.LastModifiedByAuthorAndTag(ctx, t)
}

func (c *aggCounting) ArticleStubs(ctx context.Context, f news.ArticleFilter) ([]*news.Article, error) {
	return c.db.ArticleStubs(ctx, f)
}

// TestKeptSitemapAggregates: the sitemap index read the archive's months
// (on PostgreSQL two round trips, one planned anew each time), the news
// window's summary and the published pages from the store on every
// render. The node keeps them until a change, and what it answers is
// what the store answers at the time asked.
func TestKeptSitemapAggregates(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	st := &aggCounting{counting: f.st, db: f.db}
	c := New(st, Config{Clock: f.clock})
	if _, ok := New(f.st, Config{}).Aggregates(); ok {
		t.Fatal("a store without aggregates was given Aggregates")
	}
	a, ok := c.Aggregates()
	if !ok {
		t.Fatal("the SQLite store has aggregates, Aggregates says it has none")
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	now := f.now
	months := func(at time.Time, loc *time.Location) ([]news.MonthStats, int32) {
		t.Helper()
		before := st.months.Load()
		got, err := a.ArchiveMonths(ctx, at, loc)
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.db.ArchiveMonths(ctx, at, loc)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("months at %v in %v: kept %+v, the store says %+v", at, loc, got, want)
		}
		return got, st.months.Load() - before
	}
	total := func(ms []news.MonthStats) (n int) {
		for _, m := range ms {
			n += m.Total
		}
		return n
	}
	if ms, reads := months(now, time.UTC); reads != 1 || total(ms) != 3 {
		t.Fatalf("first read: %d reads, %d stories; want 1 read, 3", reads, total(ms))
	}
	for _, step := range []struct {
		name  string
		at    time.Time
		loc   *time.Location
		reads int32
	}{
		{"again", now, time.UTC, 0},
		{"half a second later", now.Add(time.Second / 2), time.UTC, 0},
		{"an hour before", now.Add(-time.Hour), time.UTC, 1},
		{"an hour before again (not the present: not kept)", now.Add(-time.Hour), time.UTC, 1},
		{"the present again", now, time.UTC, 0},
		{"another zone", now, seoul, 1},
		{"the first zone again", now, time.UTC, 0},
		{"the other zone again", now, seoul, 0},
	} {
		if _, reads := months(step.at, step.loc); reads != step.reads {
			t.Errorf("%s: %d reads of the store, want %d", step.name, reads, step.reads)
		}
	}

	// A publish drops them: the next read counts it.
	f.publish(t, "story-new", now.Add(-time.Second))
	if f.changed(t, c) == 0 {
		t.Fatal("the publish recorded no change")
	}
	if ms, reads := months(now, time.UTC); reads != 1 || total(ms) != 4 {
		t.Errorf("after a publish: %d reads, %d stories; want 1 read, 4", reads, total(ms))
	}

	// A change committed while the months were read: what was read may
	// predate it, so the next render reads again.
	st.duringMonths = func() {
		st.duringMonths = nil
		f.publish(t, "story-during", now.Add(-time.Second))
		f.changed(t, c)
	}
	c.Changed(news.Change{Stories: []int64{1}})
	before := st.months.Load()
	if _, err := a.ArchiveMonths(ctx, now, time.UTC); err != nil || st.months.Load()-before != 1 {
		t.Fatalf("read with a change during it: %d reads, %v", st.months.Load()-before, err)
	}
	if ms, reads := months(now, time.UTC); reads != 1 || total(ms) != 5 {
		t.Errorf("after a change during the read: %d reads, %d stories; want 1 read, 5", reads, total(ms))
	}

	// TTL bounds their age.
	f.clock.add(11 * time.Second)
	now = f.clock.Now()
	if _, reads := months(now, time.UTC); reads != 1 {
		t.Errorf("past the TTL: %d reads, want 1", reads)
	}

	// The news window: kept for the same limit and stretch, slid on.
	window := func(at time.Time, limit int) (int, int32) {
		t.Helper()
		before := st.recent.Load()
		flt := news.ArticleFilter{PublicAt: at, PublishedFrom: at.Add(-48 * time.Hour), Limit: limit}
		n, mod, err := a.RecentSummary(ctx, flt)
		if err != nil {
			t.Fatal(err)
		}
		if wn, wmod, err := f.db.RecentSummary(ctx, flt); err != nil || wn != n || !wmod.Equal(mod) {
			t.Errorf("window at %v, limit %d: kept %d %v, the store says %d %v (%v)", at, limit, n, mod, wn, wmod, err)
		}
		return n, st.recent.Load() - before
	}
	at := f.clock.Now()
	if n, reads := window(at, 1000); n != 5 || reads != 1 {
		t.Fatalf("first window: %d stories, %d reads; want 5, 1", n, reads)
	}
	if _, reads := window(at.Add(time.Second/2), 1000); reads != 0 {
		t.Errorf("window half a second later: %d reads, want 0", reads)
	}
	if _, reads := window(at.Add(-time.Hour), 1000); reads != 1 {
		t.Errorf("window an hour before: %d reads, want 1", reads)
	}
	if _, reads := window(at, 1000); reads != 0 {
		t.Errorf("window at present after one an hour before: %d reads, want 0", reads)
	}
	if n, reads := window(at, 2); n != 2 || reads != 1 {
		t.Errorf("another limit: %d stories, %d reads; want 2, 1", n, reads)
	}
	if _, _, err := a.RecentSummary(ctx, news.ArticleFilter{PublicAt: at, Limit: 10}); news.ErrorCode(err) != news.EINVALID {
		t.Errorf("a filter that is no window: %v, want the store's EINVALID", err)
	}
	f.publish(t, "story-last", at.Add(-time.Second))
	f.changed(t, c)
	if n, reads := window(at, 1000); n != 6 || reads != 1 {
		t.Errorf("window after a publish: %d stories, %d reads; want 6, 1", n, reads)
	}

	// The published pages (the pages sitemap's list) until a page's change.
	pages := func() int32 {
		t.Helper()
		before := st.pages.Load()
		ps, err := a.ListPages(ctx, news.PageFilter{Published: true})
		if err != nil || len(ps) != 1 {
			t.Fatalf("published pages: %d, %v", len(ps), err)
		}
		return st.pages.Load() - before
	}
	if pages() != 1 || pages() != 0 {
		t.Error("the published pages were not kept")
	}
	p, err := f.db.FindPageBySlug(ctx, "about")
	if err != nil {
		t.Fatal(err)
	}
	p.Title = "About the paper"
	if err := f.db.UpdatePage(ctx, p); err != nil {
		t.Fatal(err)
	}
	if f.changed(t, c) == 0 {
		t.Fatal("the page's edit recorded no change")
	}
	if pages() != 1 {
		t.Error("a page's change left the published pages kept")
	}
}
