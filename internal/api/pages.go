package api

import (
	"net/http"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// Page is a published static page (About, Contact...).
type Page struct {
	ID          int64  `json:"id"`
	Slug        string `json:"slug"`
	URL         string `json:"url"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Lang        string `json:"lang"`
	BodyHTML    string `json:"body_html"`
	PublishedAt string `json:"published_at"`
	UpdatedAt   string `json:"updated_at"`
	InFooter    bool   `json:"in_footer"`
}

func (a *API) pageJSON(p *news.Page) Page {
	lang := p.Lang
	if lang == "" {
		lang = a.paper().Language
	}
	return Page{ID: p.ID, Slug: p.Slug, URL: a.paper().AbsURL(a.paper().PagePath(p)), Title: p.Title, Description: p.Description,
		Lang: lang, BodyHTML: p.Body, PublishedAt: p.PublishedAt.UTC().Format(time.RFC3339),
		UpdatedAt: p.UpdatedAt.UTC().Format(time.RFC3339), InFooter: p.InFooter}
}

// pages serves GET /api/v1/pages: every published page, in the footer's
// order ({"items": [...]}; drafts are not there).
func (a *API) pages(w http.ResponseWriter, r *http.Request) {
	ps, err := a.store.ListPages(r.Context(), news.PageFilter{Published: true})
	if err != nil {
		httpx.WriteJSONError(w, r, a.log, err)
		return
	}
	out := make([]Page, 0, len(ps))
	for _, p := range ps {
		out = append(out, a.pageJSON(p))
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": out})
}

// page serves GET /api/v1/pages/{slug}; a draft is not found.
func (a *API) page(w http.ResponseWriter, r *http.Request) {
	p, err := a.store.FindPageBySlug(r.Context(), r.PathValue("slug"))
	if err == nil && !p.IsPublic() || news.ErrorCode(err) == news.ENOTFOUND {
		err = news.Errorf(news.ENOTFOUND, "page not found")
	}
	if err != nil {
		httpx.WriteJSONError(w, r, a.log, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	httpx.WriteJSON(w, http.StatusOK, a.pageJSON(p))
}
