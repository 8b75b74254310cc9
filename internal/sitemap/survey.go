package sitemap

import (
	"context"
	"sync"
	"time"

	"masthead/internal/news"
)

// survey is what the index and the listing sitemaps need to know about the
// whole archive: which months, sections, authors and tags have public
// stories, and when each last changed.
//
// news.Store has no aggregate query for this. One LIMIT 1 query per section,
// author and tag does not scale (measured with the SQLite store and 100,000
// stories: 196 ms per tag query, so minutes for 2,000 tags), so the survey
// reads the public stories once, month by month, 1,000 at a time. That is
// about 0.5 s for 5,000 stories but about 20 s for 100,000 on this 2-core
// machine (loading each story's relations dominates), so it is built in the
// background and reused (see surveyCache); only the first request after
// start waits for it, unless Warm ran. A store aggregate (one GROUP BY per
// kind) would make it milliseconds.
type survey struct {
	built   time.Time      // clock time of the build
	gen     int64          // store generation when the build started
	loc     *time.Location // the paper's zone its months are cut in
	months  []month        // oldest first, only months with public stories
	section map[int64]time.Time
	author  map[int64]time.Time
	tag     map[int64]time.Time
}

// When a survey is rebuilt. Any visible change bumps the store's
// generation; a rebuild follows it, but not more often than
// surveyRefreshMin, so a busy newsroom cannot keep a big archive rescanned.
// surveyMaxAge bounds what time alone changes without any write (an embargo
// ending). Fresh stories are never late in the news sitemap, which is read
// live.
const (
	surveyRefreshMin = 5 * time.Minute
	surveyMaxAge     = 30 * time.Minute
	surveyTimeout    = 5 * time.Minute
)

// surveyCache holds the latest survey and serves it while a newer one is
// being built (stale-while-revalidate).
type surveyCache struct {
	mu         sync.Mutex
	sv         *survey
	refreshing bool
	build      sync.Mutex     // one build at a time
	wg         sync.WaitGroup // background builds, for tests
}

// genPoll is how long the store's generation read for the survey is
// used: a survey is rebuilt at most every surveyRefreshMin after a change,
// so a second's delay in seeing one changes nothing, and a sitemap no
// longer reads it on every render (on PostgreSQL a round trip of each
// sitemap's two to five).
const genPoll = time.Second

func (s *Sitemaps) survey(ctx context.Context, now time.Time) (*survey, error) {
	gen, err := s.gen.Get(ctx, now, genPoll, s.store.Generation)
	if err != nil {
		return nil, err
	}
	c := &s.cache
	c.mu.Lock()
	sv := c.sv
	if sv != nil && sv.loc.String() != s.paper().Loc().String() {
		// The paper's time zone was changed in its settings: months are
		// cut elsewhere now, so the old survey is no answer at all.
		c.sv, sv = nil, nil
	}
	if sv != nil {
		age := now.Sub(sv.built)
		stale := age < 0 || age >= surveyMaxAge || (sv.gen != gen && age >= surveyRefreshMin)
		if stale && !c.refreshing {
			c.refreshing = true
			c.wg.Add(1)
			go s.refresh(now, gen)
		}
		c.mu.Unlock()
		return sv, nil
	}
	c.mu.Unlock()

	// No survey yet: build one and make the request wait. Concurrent first
	// requests share the build.
	c.build.Lock()
	defer c.build.Unlock()
	c.mu.Lock()
	sv = c.sv
	c.mu.Unlock()
	if sv != nil && sv.loc.String() == s.paper().Loc().String() {
		return sv, nil
	}
	sv, err = s.buildSurvey(ctx, now)
	if err != nil {
		return nil, err
	}
	sv.gen = gen
	c.mu.Lock()
	c.sv = sv
	c.mu.Unlock()
	return sv, nil
}

// Warm builds the archive survey behind the index and listing sitemaps, so
// that the first crawler after start does not wait for it. cmd/masthead may
// run it in a goroutine at start; it is optional.
func (s *Sitemaps) Warm(ctx context.Context) error {
	_, err := s.survey(ctx, s.clock.Now())
	return err
}

// refresh rebuilds the survey in the background, detached from the request
// that noticed it was stale.
func (s *Sitemaps) refresh(now time.Time, gen int64) {
	c := &s.cache
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), surveyTimeout)
	defer cancel()
	c.build.Lock()
	sv, err := s.buildSurvey(ctx, now)
	c.build.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	if err != nil {
		// Keep serving the old survey; the next request tries again.
		s.log.Error("sitemap survey", "err", err)
		return
	}
	sv.gen = gen
	c.sv = sv
}

func (s *Sitemaps) buildSurvey(ctx context.Context, now time.Time) (*survey, error) {
	loc := s.paper().Loc()
	sv := &survey{built: now, loc: loc, section: map[int64]time.Time{}, author: map[int64]time.Time{}, tag: map[int64]time.Time{}}
	oldest, _, err := s.store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Order: "oldest", Limit: 1})
	if err != nil || len(oldest) == 0 {
		return sv, err
	}
	bump := func(m map[int64]time.Time, id int64, t time.Time) {
		if t.After(m[id]) {
			m[id] = t
		}
	}
	first, last := oldest[0].PublishedAt.In(loc), now.In(loc)
	// A store that keeps per-month aggregates (both stores do) answers
	// the months in a sum per month and the sections, authors and tags in
	// three GROUP BYs.
	if as, ok := s.store.(AggregateStore); ok {
		if ss, ok := s.store.(SurveyStore); ok {
			var err error
			if sv.months, err = s.months(ctx, as, now); err != nil {
				return nil, err
			}
			if sv.section, err = as.LastModifiedBySection(ctx, now); err != nil {
				return nil, err
			}
			if sv.author, sv.tag, err = ss.LastModifiedByAuthorAndTag(ctx, now); err != nil {
				return nil, err
			}
			return sv, nil
		}
	}
	// A store that can answer in aggregates does: months from narrow rows,
	// authors and tags from two GROUP BYs, instead of every story with its
	// bylines and tags (3.3 s of CPU at 100,000 stories).
	ss, fast := s.store.(SurveyStore)
	if fast {
		var err error
		if sv.author, sv.tag, err = ss.LastModifiedByAuthorAndTag(ctx, now); err != nil {
			return nil, err
		}
	}
	// Month windows keep every query's count and offset small, whatever
	// the size of the archive.
	for m := (month{Year: first.Year(), Month: first.Month()}); m.Year < last.Year() || (m.Year == last.Year() && m.Month <= last.Month()); m = m.next() {
		from, to := m.bounds(loc)
		for off := 0; ; off += storePage {
			f := news.ArticleFilter{
				PublicAt: now, PublishedFrom: from, PublishedTo: to, Order: "oldest", Offset: off, Limit: storePage, NoTotal: true,
			}
			var arts []*news.Article
			var err error
			if fast {
				arts, err = ss.ArticleStubs(ctx, f)
			} else {
				arts, _, err = s.store.FindArticles(ctx, f)
			}
			if err != nil {
				return nil, err
			}
			for _, a := range public(arts, now) {
				m.Total++
				if c := changedAt(a); c.After(m.LastMod) {
					m.LastMod = c
				}
				lm := a.LastModified()
				if a.SectionID != 0 {
					bump(sv.section, a.SectionID, lm)
				}
				if fast {
					continue // authors and tags came from the aggregates
				}
				for _, au := range a.Authors {
					bump(sv.author, au.ID, lm)
				}
				for _, t := range a.Tags {
					bump(sv.tag, t.ID, lm)
				}
			}
			if len(arts) < storePage {
				break
			}
		}
		if m.Total > 0 {
			sv.months = append(sv.months, m)
		}
	}
	return sv, nil
}

// months reads the months with public stories from the store's
// aggregates.
func (s *Sitemaps) months(ctx context.Context, as AggregateStore, now time.Time) ([]month, error) {
	ms, err := as.ArchiveMonths(ctx, now, s.paper().Loc())
	if err != nil {
		return nil, err
	}
	out := make([]month, 0, len(ms))
	for _, m := range ms {
		out = append(out, month{Year: m.Year, Month: m.Month, Total: m.Total, LastMod: m.LastMod})
	}
	return out, nil
}

func (m month) next() month {
	if m.Month == time.December {
		return month{Year: m.Year + 1, Month: time.January}
	}
	return month{Year: m.Year, Month: m.Month + 1}
}
