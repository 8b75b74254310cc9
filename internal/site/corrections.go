package site

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"masthead/internal/news"
)

// correctionsWindow is how many of the newest corrections the page reads:
// the store lists corrections without paging, so pages are cut from this
// window. Years of corrections for a daily paper.
const correctionsWindow = 1000

// corrections serves /corrections: every correction, clarification and
// update note of the stories readers can see, newest first, each linking
// to the note on its story's page. Notes of unpublished, scheduled or
// embargoed stories are left out here (the store lists them all). The page
// names no purge key: like the other lists, any story change purges it.
func (s *Site) corrections(ctx context.Context, r *http.Request) ([]byte, time.Time, error) {
	page, err := pageNumber(r)
	if err != nil {
		return nil, time.Time{}, err
	}
	now := s.now()
	all, err := s.store.ListCorrections(ctx, correctionsWindow)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("list corrections: %w", err)
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, c := range all {
		if !seen[c.ArticleID] {
			seen[c.ArticleID] = true
			ids = append(ids, c.ArticleID)
		}
	}
	stories := map[int64]*news.Article{}
	if len(ids) > 0 {
		arts, _, err := s.store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, IDs: ids, Limit: len(ids), NoTotal: true, NoBody: true})
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("corrected stories: %w", err)
		}
		for _, a := range arts {
			if a.IsPublicAt(now) { // the store's filter, checked again: nothing hidden leaks
				stories[a.ID] = a
			}
		}
	}
	public := all[:0:0]
	for _, c := range all {
		if stories[c.ArticleID] != nil {
			public = append(public, c)
		}
	}
	pg, err := pager("/corrections", page, len(public))
	if err != nil {
		return nil, time.Time{}, err
	}
	p := &CorrectionsPage{Pager: pg}
	l := localeFor(s.paper().Language)
	from := (page - 1) * perPage
	for _, c := range public[from:min(from+perPage, len(public))] {
		a := stories[c.ArticleID]
		it := CorrectionItem{
			Kind:  l.kindLabel(c.Kind),
			Text:  c.Text,
			When:  s.fmtTime(l, c.CreatedAt, layoutLong),
			Story: Link{Name: a.Headline, URL: s.paper().ArticlePath(a) + "#" + correctionID(c.ID)},
		}
		if a.Lang != "" && a.Lang != s.paper().Language {
			it.Lang = a.Lang
		}
		p.Items = append(p.Items, it)
	}
	p.Base = s.base(ctx, l.pageTitle(l.T("Corrections and updates"), pg),
		l.T("Corrections, clarifications and updates to stories in %s, newest first.", s.paper().Name), canonicalPage("/corrections", pg))
	s.social(&p.Base, "website", l.T("Corrections and updates"), nil)
	body, err := s.r.Render("corrections", p)
	// No Last-Modified: a story unpublished takes its notes away, which
	// no time here would show; the ETag alone validates.
	return body, time.Time{}, err
}
