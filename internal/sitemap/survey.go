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
// news.Store has no aggregate query for this, and one LIMIT 1 query per
// month, section, author and tag costs a few thousand queries for a big
// archive (measured: 2.6 s for 2,000 tags over 5,000 stories). Reading the
// public stories once, 1,000 at a time, costs one page per 1,000 stories
// (about 26 ms a page here) and answers everything; the result is kept
// while the store's generation stays the same (see surveyCache).
type survey struct {
	built   time.Time // clock time of the build
	gen     int64
	months  []month // oldest first
	newest  time.Time
	section map[int64]time.Time // newest LastModified of each with a public story
	author  map[int64]time.Time
	tag     map[int64]time.Time
}

// How long a survey is reused. Any visible change bumps the store's
// generation, which forces a rebuild, except during surveyFloor (so a busy
// newsroom cannot make every crawler hit rescan the archive). surveyMaxAge
// bounds what time alone changes without a write: an embargo or a
// publication time passing.
const (
	surveyFloor  = 30 * time.Second
	surveyMaxAge = 5 * time.Minute
)

type surveyCache struct {
	mu sync.Mutex // held during a build, so concurrent requests share it
	sv *survey
}

func (s *Sitemaps) survey(ctx context.Context, now time.Time) (*survey, error) {
	gen, err := s.store.Generation(ctx)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if sv := s.cache.sv; sv != nil {
		age := now.Sub(sv.built)
		if age >= 0 && (age < surveyFloor || (sv.gen == gen && age < surveyMaxAge)) {
			return sv, nil
		}
	}
	sv, err := s.buildSurvey(ctx, now)
	if err != nil {
		return nil, err
	}
	sv.gen = gen
	s.cache.sv = sv
	return sv, nil
}

func (s *Sitemaps) buildSurvey(ctx context.Context, now time.Time) (*survey, error) {
	sv := &survey{built: now, section: map[int64]time.Time{}, author: map[int64]time.Time{}, tag: map[int64]time.Time{}}
	loc := s.paper.Loc()
	bump := func(m map[int64]time.Time, id int64, t time.Time) {
		if t.After(m[id]) {
			m[id] = t
		}
	}
	for off := 0; ; off += storePage {
		// Oldest first, so a story published during the scan lands on a
		// later page instead of shifting the ones still to read.
		arts, _, err := s.store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Order: "oldest", Offset: off, Limit: storePage})
		if err != nil {
			return nil, err
		}
		for _, a := range public(arts, now) {
			c := changedAt(a)
			if c.After(sv.newest) {
				sv.newest = c
			}
			d := a.PublishedAt.In(loc)
			if n := len(sv.months); n == 0 || sv.months[n-1].Year != d.Year() || sv.months[n-1].Month != d.Month() {
				sv.months = append(sv.months, month{Year: d.Year(), Month: d.Month()})
			}
			m := &sv.months[len(sv.months)-1]
			m.Total++
			if c.After(m.LastMod) {
				m.LastMod = c
			}
			lm := a.LastModified()
			if a.SectionID != 0 {
				bump(sv.section, a.SectionID, lm)
			}
			for _, au := range a.Authors {
				bump(sv.author, au.ID, lm)
			}
			for _, t := range a.Tags {
				bump(sv.tag, t.ID, lm)
			}
		}
		if len(arts) < storePage {
			return sv, nil
		}
	}
}
