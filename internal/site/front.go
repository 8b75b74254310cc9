package site

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"masthead/internal/news"
)

// front is the home page: the lead story, the Top 10 box, a block per
// section and the latest stories.
func (s *Site) front(ctx context.Context, r *http.Request) ([]byte, time.Time, error) {
	now := s.now()
	purgeKeys(ctx, FrontKey)
	p := &FrontPage{Base: s.base(ctx, "", s.paper.Tagline, "/")}
	s.social(&p.Base, "website", s.paper.Name, nil)
	p.JSONLD = s.frontLD()

	latest, _, err := s.store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 11})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("front page latest: %w", err)
	}
	shown := []*news.Article{}
	if len(latest) > 0 {
		c := s.card(latest[0], sizesLead)
		p.Lead = &c
		shown = append(shown, latest[0])
		for _, a := range latest[1:] {
			p.Latest = append(p.Latest, s.card(a, ""))
			shown = append(shown, a)
		}
	}
	var leadID []int64
	if p.Lead != nil {
		leadID = []int64{p.Lead.ID}
	}
	secs, err := s.store.ListSections(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("front page sections: %w", err)
	}
	for _, sec := range secs {
		arts, _, err := s.store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, SectionID: sec.ID, ExcludeIDs: leadID, Limit: 4})
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("front page section %s: %w", sec.Slug, err)
		}
		if len(arts) == 0 {
			continue
		}
		b := SectionBlock{Section: Link{Name: sec.Name, URL: s.paper.SectionPath(sec)}}
		for _, a := range arts {
			b.Stories = append(b.Stories, s.card(a, sizesCard))
		}
		p.Blocks = append(p.Blocks, b)
		shown = append(shown, arts...)
	}
	top, topArts, isLatest, err := s.topStories(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	p.Top, p.TopIsLatest = top, isLatest
	if isLatest {
		// The box already lists the newest stories; a second list of the
		// same would only repeat it.
		p.Latest = nil
	}
	body, err := s.r.Render("front", p)
	return body, latestModified(shown, topArts), err
}
