package news

import (
	"context"
	"strings"
	"time"
)

// Page is a static page of the paper (About, Contact, Corrections policy,
// Privacy, Terms, Ethics): one text at /{slug}, written in the newsroom's
// editor, outside the news flow (no section, byline, tags or date in the
// archives).
type Page struct {
	ID int64
	// Version is 1 when the page is created and grows with every write;
	// UpdatePage is guarded by it as UpdateArticle is.
	Version int64
	// Slug is the page's path, /{slug}. It may not be one of the reader
	// site's own first path segments (ReservedPageSlugs).
	Slug  string
	Title string
	// Description is the page's meta description and the Content API's
	// excerpt; optional.
	Description string
	// Body is the canonical story body (content.Normalize): the same
	// format, editor and sanitizer as stories. Callers normalize it before
	// they write; templates print it as is.
	Body string
	Lang string // BCP 47; empty: the paper's
	// Status is StatusDraft or StatusPublished; only published pages are
	// on the reader site.
	Status Status
	// Position orders the footer's links and the newsroom's list;
	// InFooter says whether the page is linked from every page's footer.
	Position int
	InFooter bool

	CreatedAt   time.Time
	UpdatedAt   time.Time
	PublishedAt time.Time // first publication; zero while never published
	UpdatedBy   int64     // user of the last write (0: the system)
}

// IsPublic reports whether readers see the page.
func (p *Page) IsPublic() bool { return p != nil && p.Status == StatusPublished }

// MaxPageTitle bounds a page title.
const MaxPageTitle = 300

// ReservedPageSlugs are the first path segments the reader site, its APIs
// and its feeds use (or will): a page there would be shadowed by them or
// would shadow them. Story URLs start with a year (digits), which a page
// slug may not be either (see ValidatePage).
var ReservedPageSlugs = []string{
	"section", "sections", "tag", "tags", "author", "authors", "search", "api", "newsroom", "media", "static",
	"feed", "feeds", "feed.xml", "rss", "atom", "sitemap", "sitemaps", "sitemap.xml", "robots.txt", "favicon.ico",
	"ghost", "account", "accounts", "newsletter", "newsletters", "comments", "comment", "preview", "corrections",
	"healthz", "readyz", "metrics", "contact-form", "login", "logout", "signin", "signup", "admin",
	"archive", "archives", "page", "pages", "amp", "embed", "well-known", ".well-known",
}

// PageSlugReserved reports whether slug is one of ReservedPageSlugs, or
// all digits (a year: the story and archive URLs).
func PageSlugReserved(slug string) bool {
	for _, r := range ReservedPageSlugs {
		if slug == r {
			return true
		}
	}
	return strings.Trim(slug, "0123456789") == ""
}

// ValidatePage checks a page.
func ValidatePage(p *Page) error {
	if strings.TrimSpace(p.Title) == "" {
		return invalidf("A page needs a title.")
	}
	if err := slug("page", p.Slug); err != nil {
		return err
	}
	if PageSlugReserved(p.Slug) {
		return invalidf("The page slug %q is taken by the site itself (/%s/…); choose another.", p.Slug, p.Slug)
	}
	if p.Status != StatusDraft && p.Status != StatusPublished {
		return invalidf("A page is a draft or published, not %q.", p.Status)
	}
	if p.Lang != "" && !ValidLang(p.Lang) {
		return invalidf("The language %q is not a BCP 47 tag.", p.Lang)
	}
	if len(p.Body) > MaxBodyHTML {
		return invalidf("The page body is larger than %d bytes.", MaxBodyHTML)
	}
	for _, f := range []struct {
		name, s string
		max     int
	}{{"page title", p.Title, MaxPageTitle}, {"page description", p.Description, MaxDeck}, {"page body", p.Body, 0}} {
		if err := text(f.name, f.s, f.max); err != nil {
			return err
		}
	}
	return nil
}

// PageFilter selects pages. The zero filter lists every page.
type PageFilter struct {
	// Published keeps only published pages (the reader site).
	Published bool
	// InFooter keeps only pages linked from the footer.
	InFooter bool
}

// PageReader finds static pages. Lists are by Position, then Title, then
// ID.
type PageReader interface {
	FindPageByID(ctx context.Context, id int64) (*Page, error)
	FindPageBySlug(ctx context.Context, slug string) (*Page, error)
	ListPages(ctx context.Context, f PageFilter) ([]*Page, error)
}

// PageWriter changes static pages. Every write validates (ValidatePage)
// and records PageChange; slugs are unique (ErrConflict).
type PageWriter interface {
	// CreatePage stores p (Version 1, CreatedAt and UpdatedAt now when
	// zero, PublishedAt now when published and zero).
	CreatePage(ctx context.Context, p *Page) error
	// UpdatePage replaces the stored page p.ID if its stored version is
	// p.Version (a *ConflictError otherwise); p.Version then grows by one.
	UpdatePage(ctx context.Context, p *Page) error
	// DeletePage removes a page (ErrNotFound if none).
	DeletePage(ctx context.Context, id int64) error
}

// PageChange is the change of a page going from before to after (nil:
// created, or deleted). A page readers saw or will see purges its own URL
// (Change.Pages) and the pages sitemap; one that is or was in the footer,
// published, purges every page that carries the footer (Footer), when its
// title, slug, place or visibility changed.
func PageChange(before, after *Page) Change {
	var c Change
	for _, p := range []*Page{before, after} {
		if p.IsPublic() {
			c.Pages = union(c.Pages, []int64{p.ID})
		}
	}
	footer := func(p *Page) bool { return p.IsPublic() && p.InFooter }
	switch {
	case footer(before) != footer(after):
		c.Footer = true
	case footer(before) && footer(after):
		c.Footer = before.Title != after.Title || before.Slug != after.Slug || before.Position != after.Position ||
			before.Lang != after.Lang
	}
	return c
}
