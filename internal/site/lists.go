package site

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/pagecache"
	"masthead/internal/purge"
)

// slugValue is a {slug} path value, NFC-normalised like stored slugs.
func slugValue(r *http.Request) string { return norm.NFC.String(r.PathValue("slug")) }

// listPage loads one page of stories matching f for a list at path.
func (s *Site) listStories(ctx context.Context, r *http.Request, path string, f news.ArticleFilter) ([]*news.Article, Pager, error) {
	page, err := pageNumber(r)
	if err != nil {
		return nil, Pager{}, err
	}
	f.PublicAt = s.now()
	f.NoBody = true // list pages show cards
	f.Offset = (page - 1) * perPage
	f.Limit = perPage
	arts, total, err := s.store.FindArticles(ctx, f)
	if err != nil {
		return nil, Pager{}, fmt.Errorf("list %s: %w", path, err)
	}
	pg, err := pager(path, page, total)
	if err != nil && page > 1 {
		// A page past the end of a list that exists: crawlers ask for
		// them again and again, so the page cache keeps the 404 under the
		// list's key (tagged by the caller), which the write that
		// lengthens the list purges; the 404 page also shows the latest
		// stories (Front).
		pagecache.CacheNotFound(ctx)
		purgeKeys(ctx, purge.Front)
		return arts, pg, pastEndError{err}
	}
	return arts, pg, err
}

// pastEndError is the 404 of a page past the end of a list that exists:
// its path is the list's own, so no stored redirect can be waiting for it
// (a rename or merge moves the address and drops any redirect from the
// new one), and the error page asks for none.
type pastEndError struct{ error }

func (e pastEndError) Unwrap() error { return e.error }

func (s *Site) listCards(arts []*news.Article) []Card {
	out := make([]Card, 0, len(arts))
	for _, a := range arts {
		out = append(out, s.card(a, sizesThumb))
	}
	return out
}

// withTop adds the Top 10 box of a list page's right-hand column; the
// page then carries the keys of the stories in it, as story pages do.
func (s *Site) withTop(ctx context.Context) ([]Card, []*news.Article, bool, error) {
	top, arts, latest, err := s.topStories(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	purgeKeys(ctx, storyKeys(arts)...)
	return top, arts, latest, nil
}

// canonicalPage is the canonical path of page n of a list.
func canonicalPage(path string, pg Pager) string { return pagePath(path, pg.Page) }

func pageTitle(title string, pg Pager) string { return Locale{}.pageTitle(title, pg) }

func (l Locale) pageTitle(title string, pg Pager) string {
	if pg.Page > 1 {
		return l.T("%s (page %d)", title, pg.Page)
	}
	return title
}

func (s *Site) section(ctx context.Context, r *http.Request) ([]byte, time.Time, error) {
	sec, err := s.store.FindSectionBySlug(ctx, slugValue(r))
	if err != nil {
		return nil, time.Time{}, err
	}
	purgeKeys(ctx, SectionKey(sec.ID))
	path := s.paper().SectionPath(sec)
	l := localeFor(s.paper().Language)
	secs, err := s.sections(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("section %s: %w", sec.Slug, err)
	}
	// A section page lists its sub-sections' stories with its own, and
	// is purged when any of them changes.
	ids := []int64{sec.ID}
	var subs []Link
	for _, o := range secs {
		if o.ParentID == sec.ID && o.ID != sec.ID {
			ids = append(ids, o.ID)
			subs = append(subs, Link{Name: o.Name, URL: s.paper().SectionPath(o)})
			purgeKeys(ctx, SectionKey(o.ID))
		}
	}
	arts, pg, err := s.listStories(ctx, r, path, news.ArticleFilter{SectionIDs: ids})
	if err != nil {
		return nil, time.Time{}, err
	}
	desc := sec.Description
	if desc == "" {
		desc = l.T("%s news from %s", sec.Name, s.paper().Name)
	}
	p := &ListPage{Base: s.base(ctx, l.pageTitle(sec.Name, pg), desc, canonicalPage(path, pg)),
		Kind: "section", Heading: sec.Name, Intro: sec.Description, Stories: s.listCards(arts), Pager: pg,
		Layout: s.layoutStories(arts, sec.Layout, pg.Page), Subsections: subs}
	trail := sectionPath(sec, p.sections)
	p.Current = s.paper().SectionPath(trail[0])
	p.Crumbs = s.crumbs(l, trail[:len(trail)-1], sec.Name)
	p.JSONLD = append(p.JSONLD, s.breadcrumbLD(p.Crumbs, p.Canonical))
	var topArts []*news.Article
	if p.Top, topArts, p.TopIsLatest, err = s.withTop(ctx); err != nil {
		return nil, time.Time{}, err
	}
	s.scopedFeeds(&p.Base, path, sec.Name)
	s.social(&p.Base, "website", sec.Name, nil)
	body, err := s.r.Render("list", p)
	return body, latestModified(arts, topArts), err
}

func (s *Site) tag(ctx context.Context, r *http.Request) ([]byte, time.Time, error) {
	t, err := s.store.FindTagBySlug(ctx, slugValue(r))
	if err != nil {
		return nil, time.Time{}, err
	}
	purgeKeys(ctx, TagKey(t.ID))
	path := s.paper().TagPath(t)
	arts, pg, err := s.listStories(ctx, r, path, news.ArticleFilter{TagID: t.ID})
	if err != nil {
		return nil, time.Time{}, err
	}
	// A tag only unpublished or embargoed stories carry would tell readers
	// what is coming: it does not exist for them yet.
	if len(arts) == 0 {
		return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "tag not found")
	}
	l := localeFor(s.paper().Language)
	p := &ListPage{Base: s.base(ctx, l.pageTitle(t.Name, pg), l.T("Stories tagged %s in %s", t.Name, s.paper().Name), canonicalPage(path, pg)),
		Kind: "tag", Heading: t.Name, Intro: l.T("Stories tagged %s.", t.Name), Stories: s.listCards(arts), Pager: pg,
		Layout: s.layoutStories(arts, news.LayoutNews, pg.Page)}
	var topArts []*news.Article
	if p.Top, topArts, p.TopIsLatest, err = s.withTop(ctx); err != nil {
		return nil, time.Time{}, err
	}
	s.scopedFeeds(&p.Base, path, t.Name)
	s.social(&p.Base, "website", t.Name, nil)
	body, err := s.r.Render("list", p)
	return body, latestModified(arts, topArts), err
}

func (s *Site) author(ctx context.Context, r *http.Request) ([]byte, time.Time, error) {
	au, err := s.store.FindAuthorBySlug(ctx, slugValue(r))
	if err != nil {
		return nil, time.Time{}, err
	}
	purgeKeys(ctx, AuthorKey(au.ID))
	path := s.paper().AuthorPath(au)
	arts, pg, err := s.listStories(ctx, r, path, news.ArticleFilter{AuthorID: au.ID})
	if err != nil {
		return nil, time.Time{}, err
	}
	l := localeFor(s.paper().Language)
	desc := au.Bio
	if desc == "" {
		desc = l.T("Stories by %s in %s", au.Name, s.paper().Name)
	}
	p := &AuthorPage{Base: s.base(ctx, l.pageTitle(au.Name, pg), truncate(desc, 160), canonicalPage(path, pg)),
		Name: au.Name, JobTitle: au.Title, Bio: au.Bio, Email: au.Email, Stories: s.listCards(arts), Pager: pg,
		Layout: s.layoutStories(arts, news.LayoutNews, pg.Page)}
	var topArts []*news.Article
	if p.Top, topArts, p.TopIsLatest, err = s.withTop(ctx); err != nil {
		return nil, time.Time{}, err
	}
	person := ldPerson{Type: "Person", Name: au.Name, URL: s.paper().AbsURL(path), JobTitle: au.Title}
	// The links were validated when saved (news.ValidateAuthorLinks):
	// absolute http(s) addresses on the kind's hosts.
	for _, lk := range au.Links {
		p.Links = append(p.Links, Link{Name: news.AuthorLinkLabel(lk.Kind), URL: lk.URL})
		person.SameAs = append(person.SameAs, lk.URL)
	}
	if au.Photo != nil {
		if img := s.image(au.Photo, "6rem"); img != nil {
			img.Alt = au.Name
			p.Photo = img
		}
		if ph := au.Photo; ph.HasFile() && len(news.Crops) > 0 {
			person.Image = s.paper().AbsURL(s.paper().CropPath(ph, news.Crops[len(news.Crops)-1]))
		}
	}
	p.JSONLD = append(p.JSONLD, jsonLD(ldProfilePage{Context: schemaContext, Type: "ProfilePage", URL: s.paper().AbsURL(path), MainEntity: person}))
	s.scopedFeeds(&p.Base, path, au.Name)
	s.social(&p.Base, "profile", au.Name, s.shareImage(au.Photo))
	body, err := s.r.Render("author", p)
	return body, latestModified(arts, topArts), err
}

// archive serves /{year}/, /{year}/{month}/ and /{year}/{month}/{day}/ in
// the paper's time zone.
func (s *Site) archive(ctx context.Context, r *http.Request, parts []string) ([]byte, time.Time, error) {
	loc := s.paper().Loc()
	y, _ := strconv.Atoi(parts[0])
	m, d := 1, 1
	if len(parts) > 1 {
		m, _ = strconv.Atoi(parts[1])
	}
	if len(parts) > 2 {
		d, _ = strconv.Atoi(parts[2])
	}
	from := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	// time.Date normalises 2020-02-31 to March 2: such dates do not exist.
	if y < 1 || from.Year() != y || int(from.Month()) != m || from.Day() != d {
		return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "no such date")
	}
	var to time.Time
	var heading string
	l := localeFor(s.paper().Language)
	switch len(parts) {
	case 1:
		to, heading = from.AddDate(1, 0, 0), from.Format("2006")
	case 2:
		to, heading = from.AddDate(0, 1, 0), l.Format(from, layoutMonth)
	default:
		to, heading = from.AddDate(0, 0, 1), l.Format(from, layoutDay)
	}
	path := "/" + strings.Join(parts, "/") + "/"
	nums := []int{y, m, d}[:len(parts)]
	purgeKeys(ctx, purge.Archive(nums...))
	arts, pg, err := s.listStories(ctx, r, path, news.ArticleFilter{PublishedFrom: from, PublishedTo: to, Order: "oldest"})
	if err != nil {
		return nil, time.Time{}, err
	}
	title := l.T("Stories of %s", heading)
	p := &ListPage{Base: s.base(ctx, l.pageTitle(title, pg), l.T("%s in %s", title, s.paper().Name), canonicalPage(path, pg)),
		Kind: "archive", Heading: title, Stories: s.listCards(arts), Pager: pg,
		Layout: s.layoutStories(arts, news.LayoutList, pg.Page)}
	s.social(&p.Base, "website", title, nil)
	body, err := s.r.Render("list", p)
	return body, latestModified(arts), err
}

// dispatch serves everything no other route claims: articles and date
// archives by the shape of the path, else the 404 page.
func (s *Site) dispatch(ctx context.Context, r *http.Request) ([]byte, time.Time, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return nil, time.Time{}, httpx.Status(http.StatusMethodNotAllowed, "This address only answers GET.")
	}
	// r.URL.Path is decoded: Korean slugs arrive as text.
	path := r.URL.Path
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(parts) == 4 && isDigits(parts[0], 4) && isDigits(parts[1], 2) && isDigits(parts[2], 2) && parts[3] != "":
		return s.article(ctx, r, parts[3])
	case len(parts) >= 2 && len(parts) <= 4 && parts[len(parts)-1] == "" && archiveParts(parts[:len(parts)-1]):
		return s.archive(ctx, r, parts[:len(parts)-1])
	case len(parts) == 1 && pageSlug(parts[0]):
		// A static page (/about). Every route of the site's own is
		// registered on the mux or reserved (news.ReservedPageSlugs), so
		// a page never shadows one, nor one a page.
		return s.staticPage(ctx, r, parts[0])
	}
	return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "no page at %s", path)
}

// archiveParts reports whether parts is [YYYY], [YYYY MM] or [YYYY MM DD].
func archiveParts(parts []string) bool {
	widths := []int{4, 2, 2}
	for i, p := range parts {
		if !isDigits(p, widths[i]) {
			return false
		}
	}
	return true
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
