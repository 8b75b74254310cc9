package site

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/internal/news"
	"masthead/internal/textsearch"
)

// search is the search page: a query, filters (section, author, dates) and
// an order; results with highlighted snippets, paginated. Filters without a
// query list the newest matching stories. An empty form shows just the
// form. A bad filter is explained next to its field, not answered with an
// error page: the reader keeps what they typed.
func (s *Site) search(ctx context.Context, r *http.Request) ([]byte, time.Time, error) {
	now := s.now()
	sp, perr := news.ParseSearchParams(r.URL.Query(), s.paper().Loc())
	var pe *news.ParamError
	if errors.As(perr, &pe) && pe.Param == "page" {
		// Like every other list: a page that is not a number is a dead link.
		return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "no such page")
	}
	p := &SearchPage{Query: sp.Text, From: sp.From, To: sp.To}
	if pe != nil {
		p.Error, p.ErrorParam = pe.Message, pe.Param
		// A date input cannot hold what is not a date (the markup would be
		// invalid, browsers drop it): the message quotes what was typed.
		if pe.Param == "from" || pe.Param == "to" {
			p.Error = "“" + r.URL.Query().Get(pe.Param) + "”: " + pe.Message
		}
	}
	q := news.SearchQuery{Text: sp.Text, PublicAt: now, From: sp.FromTime, To: sp.ToTime, Order: sp.Order,
		Offset: (sp.Page - 1) * perPage, Limit: perPage}

	secs, err := s.sections(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("search sections: %w", err)
	}
	l := localeFor(s.paper().Language)
	p.Sections = []Option{{Value: "", Name: l.T("All sections"), Selected: sp.Section == ""}}
	for _, sec := range secs {
		if sec.Slug == sp.Section {
			q.SectionID = sec.ID
		}
		p.Sections = append(p.Sections, Option{Value: sec.Slug, Name: sec.Name, Selected: sec.Slug == sp.Section})
	}
	authors, err := s.store.ListAuthors(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("search authors: %w", err)
	}
	p.Authors = []Option{{Value: "", Name: l.T("All authors"), Selected: sp.Author == ""}}
	for _, au := range authors {
		if au.Slug == sp.Author {
			q.AuthorID = au.ID
		}
		p.Authors = append(p.Authors, Option{Value: au.Slug, Name: au.Name, Selected: au.Slug == sp.Author})
	}
	switch {
	case p.Error != "":
	case sp.Section != "" && q.SectionID == 0:
		p.Error, p.ErrorParam = l.T("There is no such section."), "section"
	case sp.Author != "" && q.AuthorID == 0:
		p.Error, p.ErrorParam = l.T("There is no such author."), "author"
	}
	p.Orders = []Option{
		{Value: "relevance", Name: l.T("Best match"), Selected: sp.Order != "newest"},
		{Value: "newest", Name: l.T("Newest first"), Selected: sp.Order == "newest"},
	}

	canon := "/search"
	if qs := sp.Query(); qs != "" {
		canon += "?" + qs
	}
	filtered := q.SectionID != 0 || q.AuthorID != 0 || !q.From.IsZero() || !q.To.IsZero()
	p.Searched = p.Error == "" && (sp.Text != "" || filtered)
	switch {
	case !p.Searched:
		if sp.Page > 1 {
			return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "no such page")
		}
	case sp.Text != "":
		hits, total, err := s.store.SearchArticles(ctx, q)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("search: %w", err)
		}
		// Honest totals: past the window the stores stop counting.
		p.Total, p.More = total, total > news.SearchWindow
		if p.More {
			p.Total = news.SearchWindow
		}
		p.Common = total == 0 && textsearch.OnlyStopwords(textsearch.Terms(sp.Text))
		// Sections, authors and tags whose names match, above the
		// stories (first page only: they do not page).
		if sp.Page <= 1 {
			names, err := s.store.SearchNames(ctx, news.NameQuery{Text: sp.Text, PublicAt: now})
			if err != nil {
				return nil, time.Time{}, fmt.Errorf("search names: %w", err)
			}
			for _, x := range names.Sections {
				p.Names = append(p.Names, NameHit{Kind: l.T("Section"), Link: Link{Name: x.Name, URL: s.paper().SectionPath(x)}})
			}
			for _, x := range names.Authors {
				p.Names = append(p.Names, NameHit{Kind: l.T("Author"), Link: Link{Name: x.Name, URL: s.paper().AuthorPath(x)}})
			}
			for _, x := range names.Tags {
				p.Names = append(p.Names, NameHit{Kind: l.T("Tag"), Link: Link{Name: x.Name, URL: s.paper().TagPath(x)}})
			}
		}
		for _, h := range hits {
			c := s.card(h.Article, "")
			c.Snippet = highlight(h.Snippet)
			p.Results = append(p.Results, c)
		}
	default:
		arts, total, err := s.store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, SectionID: q.SectionID,
			AuthorID: q.AuthorID, PublishedFrom: q.From, PublishedTo: q.To, Offset: q.Offset, Limit: q.Limit})
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("search: %w", err)
		}
		p.Total = total
		for _, a := range arts {
			p.Results = append(p.Results, s.card(a, ""))
		}
	}
	if p.Searched {
		p.TotalText = groupDigits(p.Total)
		if p.Pager, err = pager(canon, sp.Page, p.Total); err != nil {
			return nil, time.Time{}, err
		}
	}
	title := l.T("Search")
	if sp.Text != "" {
		title = l.T("Search: %s", sp.Text)
	}
	p.Base = s.base(ctx, l.pageTitle(title, p.Pager), l.T("Search the stories of %s by words, section, author and date", s.paper().Name), pagePath(canon, sp.Page))
	p.Robots = "noindex"
	p.SearchQuery = sp.Text
	s.social(&p.Base, "website", title, nil)
	body, err := s.r.Render("search", p)
	// Results change with any story, so no Last-Modified: the ETag
	// alone validates.
	return body, time.Time{}, err
}

// groupDigits writes n with a comma every three digits: 1,000.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
