package views

import (
	"context"
	"sync"
	"time"

	"masthead/internal/news"
)

// maxTop bounds a ranking's length.
const maxTop = 100

type rankKey struct {
	window  time.Duration
	section int64
}

// rankEntry is one cached ranking. It is good until the next flush, the next
// change of Store.Generation, the next hour (which moves the window) or
// rankMaxAge after it was read: other nodes' flushes change the counts
// without telling this one, and a quiet node behind a load balancer would
// otherwise show its last ranking until it flushed views of its own.
type rankEntry struct {
	loaded     bool
	refreshing bool
	entries    []news.TopEntry
	limit      int
	seq        uint64
	gen        int64
	since      time.Time
	read       time.Time // clock time of the read
}

type rankCache struct {
	mu sync.Mutex
	m  map[rankKey]*rankEntry
}

// windowStart is where a window's count begins: the start of the hour that
// holds now-window. Counts are hourly, so a window covers between window and
// window+1h; a "last hour" that dropped to zero at every o'clock would be
// noise, not news.
func windowStart(now time.Time, window time.Duration) time.Time {
	return now.Add(-window).UTC().Truncate(time.Hour)
}

// TopStories returns the most-read public stories of the last window, for
// the whole paper (sectionID 0) or one section, most views first. It is
// served from a ranking cached between flushes, so the site can call it on
// every page; stories that are not public now never appear.
func (c *Counter) TopStories(ctx context.Context, window time.Duration, sectionID int64, limit int) ([]news.TopEntry, error) {
	if window <= 0 || window > 31*24*time.Hour {
		return nil, news.Errorf(news.EINVALID, "window must be between 1h and 31 days")
	}
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, maxTop)
	now := c.clock.Now()
	since := windowStart(now, window)
	gen, err := c.generation(ctx)
	if err != nil {
		return nil, err
	}
	seq := c.flushSeq.Load()
	k := rankKey{window, sectionID}

	c.ranks.mu.Lock()
	e := c.ranks.m[k]
	if e == nil {
		e = &rankEntry{}
		c.ranks.m[k] = e
	}
	fresh := e.loaded && e.seq == seq && e.gen == gen && e.since.Equal(since) && e.limit >= limit &&
		now.Sub(e.read) < c.rankMaxAge
	// While one caller refreshes, the others keep serving the previous
	// ranking instead of piling onto the database — unless the generation
	// moved, since then a cached story may have been withdrawn.
	if fresh || (e.loaded && e.refreshing && e.gen == gen) {
		out := publicTop(e.entries, now, limit)
		c.ranks.mu.Unlock()
		return out, nil
	}
	e.refreshing = true
	want := max(limit, 10)
	c.ranks.mu.Unlock()

	top, err := c.store.TopArticles(ctx, news.TopFilter{Since: since, PublicAt: now, SectionID: sectionID, Limit: want})

	c.ranks.mu.Lock()
	defer c.ranks.mu.Unlock()
	e.refreshing = false
	if err != nil {
		return nil, err
	}
	*e = rankEntry{loaded: true, entries: top, limit: want, seq: seq, gen: gen, since: since, read: now}
	return publicTop(top, now, limit), nil
}

// publicTop copies at most limit entries whose story is public at now: a
// cached ranking must not show a story whose embargo was set after it was
// cached, nor one whose publication time has not come.
func publicTop(entries []news.TopEntry, now time.Time, limit int) []news.TopEntry {
	out := make([]news.TopEntry, 0, min(limit, len(entries)))
	for _, e := range entries {
		if len(out) == limit {
			break
		}
		if e.Article != nil && e.Article.IsPublicAt(now) {
			out = append(out, e)
		}
	}
	return out
}

// generation returns Store.Generation, read at most once per genPoll, so a
// ranking asked for on every page costs no query most of the time yet drops
// an unpublished story within a second.
func (c *Counter) generation(ctx context.Context) (int64, error) {
	return c.gens.Get(ctx, time.Now(), c.genPoll, func(ctx context.Context) (int64, error) {
		g, err := c.store.Generation(ctx)
		if err == nil {
			c.lastGen.Store(g)
		}
		return g, err
	})
}

// historyHours is the span of ArticleHistory.
const historyHours = 48

// ArticleHistory returns a story's views per hour over the last 48 hours,
// oldest first, one entry per hour (zeros included), for the newsroom's
// chart. It includes this node's counts not yet written.
func (c *Counter) ArticleHistory(ctx context.Context, articleID int64) ([]news.ViewCount, error) {
	now := c.clock.Now().UTC()
	first := now.Truncate(time.Hour).Add(-(historyHours - 1) * time.Hour)
	// Holding flushMu keeps a flush from moving counts between the store
	// read and the pending read: none is missed or added twice.
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	stored, err := c.store.ArticleViews(ctx, articleID, first)
	if err != nil {
		return nil, err
	}
	out := make([]news.ViewCount, historyHours)
	for i := range out {
		out[i] = news.ViewCount{ArticleID: articleID, Hour: first.Add(time.Duration(i) * time.Hour)}
	}
	add := func(hour time.Time, n int64) {
		i := int(hour.Sub(first) / time.Hour)
		if i >= 0 && i < historyHours {
			out[i].Count += n
		}
	}
	for _, v := range stored {
		add(v.Hour.UTC().Truncate(time.Hour), v.Count)
	}
	c.pendingFor(articleID, add)
	return out, nil
}

// pendingFor calls fn for each hour of articleID's unwritten counts. The
// caller holds flushMu.
func (c *Counter) pendingFor(articleID int64, fn func(hour time.Time, n int64)) {
	for k, v := range c.retry {
		if k.id == articleID {
			fn(time.Unix(k.hour*3600, 0).UTC(), v)
		}
	}
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for k, v := range s.pending {
			if k.id == articleID {
				fn(time.Unix(k.hour*3600, 0).UTC(), v)
			}
		}
		s.mu.Unlock()
	}
}
