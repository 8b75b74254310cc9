package site

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// picksMin is the least number of top stories under the lead: when editors
// placed fewer, the newest stories fill up.
const picksMin = 4

// blockSize is the number of stories in a section's block.
const blockSize = 4

// front is the home page: the lead story, the top stories (the editors'
// order from the newsroom, then the newest), the Top 10 box beside them,
// then a block per top-level section (its sub-sections' stories included)
// and the latest stories, across the whole width. Only the lead has a
// large photo: on a phone everything else is a compact row.
func (s *Site) front(ctx context.Context, r *http.Request) ([]byte, time.Time, error) {
	now := s.now()
	purgeKeys(ctx, FrontKey)
	p := &FrontPage{Base: s.base(ctx, "", s.paper().Tagline, "/")}
	s.social(&p.Base, "website", s.paper().Name, nil)
	p.JSONLD = s.frontLD()

	curated, err := s.curated(ctx, now)
	if err != nil {
		return nil, time.Time{}, err
	}
	latest, _, err := s.store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 20, NoTotal: true, NoBody: true})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("front page latest: %w", err)
	}
	used := map[int64]bool{}
	var shown []*news.Article
	use := func(a *news.Article) {
		used[a.ID] = true
		shown = append(shown, a)
	}
	// The lead and the top stories: curated first, then the newest.
	order := append(append([]*news.Article{}, curated...), latest...)
	for _, a := range order {
		if used[a.ID] {
			continue
		}
		if p.Lead == nil {
			c := s.card(a, sizesLead)
			p.Lead = &c
			use(a)
			continue
		}
		if len(p.Picks) >= max(len(curated)-1, picksMin) {
			break
		}
		p.Picks = append(p.Picks, s.card(a, sizesGrid))
		use(a)
	}

	secs, err := s.sections(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("front page sections: %w", err)
	}
	// In order: a map's order changes from render to render, and the
	// blocks are kept on the node under the set's name (nodecache).
	exclude := slices.Sorted(maps.Keys(used))
	// Every block's stories in one call: on PostgreSQL one round trip for
	// all the blocks' lists and one for their relations.
	var (
		blockSecs []*news.Section
		filters   []news.ArticleFilter
	)
	for _, sec := range secs {
		if sec.ParentID != 0 && sectionByID(secs, sec.ParentID) != nil {
			continue // in its parent's block
		}
		ids := []int64{sec.ID}
		for _, o := range secs {
			if o.ParentID == sec.ID {
				ids = append(ids, o.ID)
			}
		}
		blockSecs = append(blockSecs, sec)
		filters = append(filters, news.ArticleFilter{PublicAt: now, SectionIDs: ids, ExcludeIDs: exclude, Limit: blockSize, NoTotal: true, NoBody: true})
	}
	lists, err := s.store.FindArticleLists(ctx, filters)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("front page sections: %w", err)
	}
	for i, sec := range blockSecs {
		arts := lists[i]
		if len(arts) == 0 {
			continue
		}
		b := SectionBlock{Section: Link{Name: sec.Name, URL: s.paper().SectionPath(sec)}}
		for i, a := range arts {
			// The block's first story has a thumbnail, the rest are
			// headlines: a block is a way into the section.
			sizes := ""
			if i == 0 {
				sizes = sizesThumb
			}
			b.Stories = append(b.Stories, s.card(a, sizes))
			shown = append(shown, a)
		}
		p.Blocks = append(p.Blocks, b)
	}

	top, topArts, isLatest, err := s.topStories(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	p.Top, p.TopIsLatest = top, isLatest
	// Without a most-read list the box already shows the newest stories;
	// a second list of the same would only repeat it.
	if !isLatest {
		for _, a := range latest {
			if !used[a.ID] && len(p.Latest) < 10 {
				p.Latest = append(p.Latest, s.card(a, ""))
				shown = append(shown, a)
			}
		}
	}
	body, err := s.r.Render("front", p)
	return body, latestModified(shown, topArts), err
}

// curated returns the stories editors placed on the front page, in their
// order, leaving out any that are not public now. A broken setting is
// logged and ignored: the automatic front page is better than none.
func (s *Site) curated(ctx context.Context, now time.Time) ([]*news.Article, error) {
	ids, _, err := workflow.FrontPage(ctx, s.store)
	if err != nil {
		s.log.WarnContext(ctx, "front page order ignored", "err", err)
		return nil, nil
	}
	if len(ids) == 0 {
		return nil, nil
	}
	arts, _, err := s.store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, IDs: ids, Limit: len(ids), NoTotal: true, NoBody: true})
	if err != nil {
		return nil, fmt.Errorf("front page stories: %w", err)
	}
	byID := make(map[int64]*news.Article, len(arts))
	for _, a := range arts {
		byID[a.ID] = a
	}
	out := make([]*news.Article, 0, len(arts))
	for _, id := range ids {
		if a := byID[id]; a != nil {
			out = append(out, a)
		}
	}
	return out, nil
}
