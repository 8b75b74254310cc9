package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// listPerPage is the default page length of GET /api/v1/articles; per_page
// may ask for up to listMaxPerPage.
const (
	listPerPage    = 20
	listMaxPerPage = 100
)

// ListItem is one story in a list or search result.
type ListItem struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	Headline    string `json:"headline"`
	Deck        string `json:"deck"`
	PublishedAt string `json:"published_at"`
	UpdatedAt   string `json:"updated_at"`
	Lang        string `json:"lang"`
	Section     *Link  `json:"section"`
	Authors     []Link `json:"authors"`
	// SnippetHTML is escaped text around the match with the matched
	// terms in <mark>; only in search results.
	SnippetHTML string `json:"snippet_html,omitempty"`
}

// ListResult is the answer of GET /api/v1/articles.
type ListResult struct {
	Total   int        `json:"total"`
	Page    int        `json:"page"`
	PerPage int        `json:"per_page"`
	Items   []ListItem `json:"items"`
	// Names are the sections, authors and tags whose names match q
	// (the search page shows them above the stories); only with q.
	Names *Names `json:"names,omitempty"`
}

// Names are the matching section, author and tag pages of a search.
type Names struct {
	Sections []Link `json:"sections"`
	Authors  []Link `json:"authors"`
	Tags     []Link `json:"tags"`
}

// paramError is a 400 naming the parameter at fault.
type paramError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	Param string `json:"param"`
}

func badParam(w http.ResponseWriter, param, msg string) {
	httpx.WriteJSON(w, http.StatusBadRequest, paramError{Error: msg, Code: news.EINVALID, Param: param})
}

// articles serves GET /api/v1/articles: with q a full-text search
// (order=relevance|newest), without it the newest stories; both narrowed by
// section and author (slugs) and from/to (inclusive dates, YYYY-MM-DD, in
// the paper's zone), paginated by page and per_page. Only public stories.
// The parameters are read exactly as the /search page reads them.
func (a *API) articles(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := r.URL.Query()
	sp, err := news.ParseSearchParams(v, a.paper().Loc())
	var pe *news.ParamError
	if errors.As(err, &pe) {
		badParam(w, pe.Param, pe.Message)
		return
	}
	per := listPerPage
	if s := v.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > listMaxPerPage {
			badParam(w, "per_page", "not a page length (1 to "+strconv.Itoa(listMaxPerPage)+")")
			return
		}
		per = n
	}
	now := a.clock.Now()
	sectionID, authorID, perr := a.resolve(ctx, sp)
	if perr != nil {
		if pe, ok := perr.(*news.ParamError); ok {
			badParam(w, pe.Param, pe.Message)
			return
		}
		httpx.WriteJSONError(w, r, a.log, perr)
		return
	}
	out := ListResult{Page: sp.Page, PerPage: per, Items: []ListItem{}}
	offset := (sp.Page - 1) * per
	if sp.Text != "" {
		hits, total, err := a.store.SearchArticles(ctx, news.SearchQuery{Text: sp.Text, PublicAt: now,
			SectionID: sectionID, AuthorID: authorID, From: sp.FromTime, To: sp.ToTime, Order: sp.Order, Offset: offset, Limit: per})
		if err != nil {
			httpx.WriteJSONError(w, r, a.log, err)
			return
		}
		out.Total = total
		for _, h := range hits {
			it := a.listItem(h.Article)
			it.SnippetHTML = news.SnippetHTML(h.Snippet)
			out.Items = append(out.Items, it)
		}
		nh, err := a.store.SearchNames(ctx, news.NameQuery{Text: sp.Text, PublicAt: now})
		if err != nil {
			httpx.WriteJSONError(w, r, a.log, err)
			return
		}
		out.Names = &Names{Sections: []Link{}, Authors: []Link{}, Tags: []Link{}}
		for _, x := range nh.Sections {
			out.Names.Sections = append(out.Names.Sections, Link{Name: x.Name, URL: a.paper().AbsURL(a.paper().SectionPath(x))})
		}
		for _, x := range nh.Authors {
			out.Names.Authors = append(out.Names.Authors, Link{Name: x.Name, URL: a.paper().AbsURL(a.paper().AuthorPath(x))})
		}
		for _, x := range nh.Tags {
			out.Names.Tags = append(out.Names.Tags, Link{Name: x.Name, URL: a.paper().AbsURL(a.paper().TagPath(x))})
		}
	} else {
		arts, total, err := a.store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, SectionID: sectionID, AuthorID: authorID,
			PublishedFrom: sp.FromTime, PublishedTo: sp.ToTime, Offset: offset, Limit: per})
		if err != nil {
			httpx.WriteJSONError(w, r, a.log, err)
			return
		}
		out.Total = total
		for _, art := range arts {
			out.Items = append(out.Items, a.listItem(art))
		}
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	httpx.WriteJSON(w, http.StatusOK, out)
}

// resolve turns the section and author slugs into ids; an unknown slug is
// a *news.ParamError.
func (a *API) resolve(ctx context.Context, sp news.SearchParams) (sectionID, authorID int64, err error) {
	if sp.Section != "" {
		sec, err := a.store.FindSectionBySlug(ctx, sp.Section)
		if news.ErrorCode(err) == news.ENOTFOUND {
			return 0, 0, &news.ParamError{Param: "section", Message: "no such section"}
		}
		if err != nil {
			return 0, 0, err
		}
		sectionID = sec.ID
	}
	if sp.Author != "" {
		au, err := a.store.FindAuthorBySlug(ctx, sp.Author)
		if news.ErrorCode(err) == news.ENOTFOUND {
			return 0, 0, &news.ParamError{Param: "author", Message: "no such author"}
		}
		if err != nil {
			return 0, 0, err
		}
		authorID = au.ID
	}
	return sectionID, authorID, nil
}

func (a *API) listItem(art *news.Article) ListItem {
	p := a.paper()
	loc := p.Loc()
	it := ListItem{
		ID:          art.ID,
		URL:         p.AbsURL(p.ArticlePath(art)),
		Headline:    art.Headline,
		Deck:        art.Deck,
		PublishedAt: art.PublishedAt.In(loc).Format(time.RFC3339),
		UpdatedAt:   art.LastModified().In(loc).Format(time.RFC3339),
		Lang:        art.Lang,
		Authors:     []Link{},
	}
	if art.Section != nil {
		it.Section = &Link{Name: art.Section.Name, URL: p.AbsURL(p.SectionPath(art.Section))}
	}
	for _, au := range art.Authors {
		it.Authors = append(it.Authors, Link{Name: au.Name, URL: p.AbsURL(p.AuthorPath(au))})
	}
	return it
}
