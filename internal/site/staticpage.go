package site

import (
	"context"
	"html/template"
	"net/http"
	"time"

	"masthead/internal/news"
	"masthead/internal/purge"
)

// StaticPage is a page of the paper's own (About, Contact, Privacy...):
// its title, its body (the canonical story body, printed as is) and, on
// the contact page, the form that writes to the newsroom.
type StaticPage struct {
	Base
	PageTitle string
	PageLang  string // set when it differs from the paper's
	Body      template.HTML
	Updated   Time
	// Contact is the "write to the newsroom" form; nil on other pages.
	Contact *ContactForm
}

// ContactSlug is the page that carries the contact form.
const ContactSlug = "contact"

// staticPage serves /{slug}: a published page, or 404 (drafts too: a
// draft's address must not tell readers it exists).
func (s *Site) staticPage(ctx context.Context, r *http.Request, slug string) ([]byte, time.Time, error) {
	pg, err := s.store.FindPageBySlug(ctx, slug)
	if err != nil {
		return nil, time.Time{}, err
	}
	if !pg.IsPublic() {
		return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "no page at /%s", slug)
	}
	purgeKeys(ctx, purge.Page(pg.ID))
	path := s.paper().PagePath(pg)
	desc := pg.Description
	if desc == "" {
		desc = plainText(pg.Body, 160)
	}
	// The page's chrome is in its language, as a story's is.
	base := s.baseLang(ctx, pg.Lang, pg.Title, desc, path)
	p := &StaticPage{Base: base, PageTitle: pg.Title, Body: template.HTML(pg.Body), Updated: s.fmtTime(base.L, pg.UpdatedAt, layoutShort)}
	p.Current = path
	s.social(&p.Base, "website", pg.Title, s.defaultShareImage(ctx))
	p.JSONLD = s.webPageLD(pg, desc)
	if pg.Slug == ContactSlug {
		p.Contact = s.contactForm(r)
		p.Contact.localize(base.L)
	}
	body, err := s.r.Render("static", p)
	return body, pg.UpdatedAt, err
}

// footerPages are the links of the published footer pages. Every page with
// the footer carries the footer's purge key, so a change to those links
// (news.PageChange) purges them all, and nothing else.
func (s *Site) footerPages(ctx context.Context) []Link {
	purgeKeys(ctx, purge.Footer)
	pages, err := s.store.ListPages(ctx, news.PageFilter{Published: true, InFooter: true})
	if err != nil {
		// Part of every page, like the navigation: a failure here fails
		// the page's own queries too; an empty footer is acceptable.
		return nil
	}
	out := make([]Link, 0, len(pages))
	for _, pg := range pages {
		out = append(out, Link{Name: pg.Title, URL: s.paper().PagePath(pg)})
	}
	return out
}

type ldWebPage struct {
	Context       string         `json:"@context"`
	Type          string         `json:"@type"`
	ID            string         `json:"@id"`
	URL           string         `json:"url"`
	Name          string         `json:"name"`
	Description   string         `json:"description,omitempty"`
	InLanguage    string         `json:"inLanguage,omitempty"`
	DatePublished string         `json:"datePublished,omitempty"`
	DateModified  string         `json:"dateModified"`
	IsPartOf      ldWebSiteRef   `json:"isPartOf"`
	Publisher     ldOrganization `json:"publisher"`
}

type ldWebSiteRef struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// webPageLD is the WebPage of a static page: AboutPage and ContactPage
// where schema.org has a type for it.
func (s *Site) webPageLD(pg *news.Page, desc string) []template.JS {
	loc := s.paper().Loc()
	u := s.paper().AbsURL(s.paper().PagePath(pg))
	typ := "WebPage"
	switch pg.Slug {
	case "about":
		typ = "AboutPage"
	case ContactSlug:
		typ = "ContactPage"
	}
	lang := pg.Lang
	if lang == "" {
		lang = s.paper().Language
	}
	wp := ldWebPage{Context: schemaContext, Type: typ, ID: u, URL: u, Name: pg.Title, Description: desc, InLanguage: lang,
		DateModified: isoTime(pg.UpdatedAt, loc), IsPartOf: ldWebSiteRef{Type: "WebSite", Name: s.paper().Name, URL: s.paper().AbsURL("/")},
		Publisher: s.publisher()}
	if !pg.PublishedAt.IsZero() {
		wp.DatePublished = isoTime(pg.PublishedAt, loc)
	}
	return []template.JS{jsonLD(wp)}
}

// pageSlug reports whether a one-segment path can name a page.
func pageSlug(seg string) bool {
	return seg != "" && news.ValidSlug(seg) && !news.PageSlugReserved(seg)
}
