package nodecache

import (
	"context"
	"time"

	"masthead/internal/news"
)

// Aggregator is what a store answers the sitemaps with beyond news.Store
// (both stores do; see sitemap.AggregateStore, SurveyStore and
// RecentSummarizer).
type Aggregator interface {
	ArchiveMonths(ctx context.Context, t time.Time, loc *time.Location) ([]news.MonthStats, error)
	LastModifiedBySection(ctx context.Context, t time.Time) (map[int64]time.Time, error)
	LastModifiedByAuthorAndTag(ctx context.Context, t time.Time) (authors, tags map[int64]time.Time, err error)
	ArticleStubs(ctx context.Context, f news.ArticleFilter) ([]*news.Article, error)
	RecentSummary(ctx context.Context, f news.ArticleFilter) (n int, lastMod time.Time, err error)
}

// Aggregates is the store the sitemaps read: the node's copies, and the
// wrapped store's aggregates, of which the two the sitemap index reads on
// every render are kept until the next change: the archive's months (on
// PostgreSQL two round trips, one of them planned anew each time) and the
// news window's count and latest change (one). The others build the
// archive survey, which the sitemaps keep themselves, and the monthly
// sitemaps, which the page cache keeps.
//
// Only reads for the present (the clock's time, to within presentSlack)
// are kept: the months now are the months until the next change, as a
// story becomes public at its scheduled time or its embargo's end and the
// change feed announces both; a read for another time is the store's. The
// news window slides by time alone (a story leaves it 48 hours after its
// publication), so its count may still hold a story that left it up to
// TTL ago: the index lists the news sitemap, and its date, that long
// after its last story left it.
type Aggregates struct {
	*Store
	// Aggregator is the wrapped store's: the aggregates not kept here are
	// its own.
	Aggregator
	months kept[[]keptMonths]
	recent kept[keptRecent]
}

type keptMonths struct {
	loc string
	ms  []news.MonthStats
}

// keptRecent is a news window's summary: what IsRecentWindow counts
// depends on the filter's limit and times only.
type keptRecent struct {
	limit   int
	window  time.Duration // PublicAt - PublishedFrom
	n       int
	lastMod time.Time
}

// Aggregates returns the store the sitemaps should read, and false when
// the wrapped store has no aggregates (the sitemaps then read the stories).
func (s *Store) Aggregates() (*Aggregates, bool) {
	agg, ok := s.Store.(Aggregator)
	if !ok {
		return nil, false
	}
	return &Aggregates{Store: s, Aggregator: agg}, true
}

// ForSitemaps is the store to give the sitemaps: Aggregates where the
// wrapped store has them, else s.
func (s *Store) ForSitemaps() news.Store {
	if a, ok := s.Aggregates(); ok {
		return a
	}
	return s
}

// maxKeptZones bounds the zones whose months are kept: a paper has one,
// and two while its zone is being changed.
const maxKeptZones = 2

// presentSlack is how far from the clock a time may be and still be the
// present: a request's time is taken before its reads.
const presentSlack = time.Second

func present(t, now time.Time) bool {
	d := t.Sub(now)
	return d > -presentSlack && d < presentSlack
}

// ArchiveMonths is the wrapped store's, kept by zone for the present until
// the next change. The slice is shared: callers only read it.
func (a *Aggregates) ArchiveMonths(ctx context.Context, t time.Time, loc *time.Location) ([]news.MonthStats, error) {
	g, now := a.gens[a.months.on].Load(), a.clock.Now()
	if !present(t, now) {
		return a.Aggregator.ArchiveMonths(ctx, t, loc)
	}
	zone := loc.String()
	kept, _ := a.months.current(g, now, a.ttl)
	for _, k := range kept {
		if k.loc == zone {
			return k.ms, nil
		}
	}
	// Read for the later of t and the clock: a story that became public
	// between the two (and was announced before g was read) must count.
	if now.After(t) {
		t = now
	}
	ms, err := a.Aggregator.ArchiveMonths(ctx, t, loc)
	if err != nil {
		return nil, err
	}
	next := []keptMonths{{loc: zone, ms: ms}}
	for _, k := range kept {
		if k.loc != zone && len(next) < maxKeptZones {
			next = append(next, k)
		}
	}
	a.months.put(g, now, next)
	return ms, nil
}

// RecentSummary is the wrapped store's, kept for the present until the
// next change, by limit and stretch.
func (a *Aggregates) RecentSummary(ctx context.Context, f news.ArticleFilter) (int, time.Time, error) {
	g, now := a.gens[a.recent.on].Load(), a.clock.Now()
	if !f.IsRecentWindow() || !present(f.PublicAt, now) {
		return a.Aggregator.RecentSummary(ctx, f) // an error for a filter that is no window, in the store's words
	}
	window := f.PublicAt.Sub(f.PublishedFrom)
	if k, ok := a.recent.current(g, now, a.ttl); ok && k.limit == f.Limit && k.window == window {
		return k.n, k.lastMod, nil
	}
	n, lastMod, err := a.Aggregator.RecentSummary(ctx, f)
	if err != nil {
		return 0, time.Time{}, err
	}
	a.recent.put(g, now, keptRecent{limit: f.Limit, window: window, n: n, lastMod: lastMod})
	return n, lastMod, nil
}
