package site

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// article serves /{year}/{month}/{day}/{slug}. Only public stories exist
// for readers; a former slug or a wrong date redirects to the canonical URL.
func (s *Site) article(ctx context.Context, r *http.Request, slug string) ([]byte, time.Time, error) {
	now := s.now()
	// Browsers and chat apps may send Korean in NFD; slugs are stored NFC.
	slug = norm.NFC.String(slug)
	a, err := s.store.FindArticleBySlug(ctx, slug)
	if err != nil {
		return nil, time.Time{}, err
	}
	if !a.IsPublicAt(now) {
		// A story the newsroom deleted is gone, not missing: 410 tells
		// search engines to drop it.
		if tr := s.trash; tr != nil {
			if gone, err := tr.InTrash(ctx, a.ID); err != nil {
				return nil, time.Time{}, err
			} else if gone {
				return nil, time.Time{}, &httpx.StatusError{Status: http.StatusGone, Message: "This story was removed."}
			}
		}
		return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "story not found")
	}
	canonical := s.paper().ArticlePath(a)
	if decoded, err := url.PathUnescape(canonical); err != nil || decoded != r.URL.Path {
		return nil, time.Time{}, &Redirect{URL: canonical, Code: http.StatusMovedPermanently}
	}
	purgeKeys(ctx, ArticleKeys(a)...)
	return s.renderArticle(ctx, a, now, false)
}

// Preview writes story a as readers will see its page, whatever its status
// and however unsaved (the newsroom's full-page preview and its shareable
// preview links). The page is never cached or indexed (no-store,
// X-Robots-Tag and meta robots noindex) and counts no views.
func (s *Site) Preview(w http.ResponseWriter, r *http.Request, a *news.Article) {
	now := s.now()
	p := *a
	if p.PublishedAt.IsZero() {
		p.PublishedAt = now
	}
	body, _, err := s.renderArticle(r.Context(), &p, now, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	// The newsroom shows the page in a frame at phone and desktop widths.
	h.Set("Content-Security-Policy", strings.Replace(s.policy(), "frame-ancestors 'none'", "frame-ancestors 'self'", 1))
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Robots-Tag", "noindex, nofollow, noarchive")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(body)
}

// renderArticle renders the page of a; a preview is marked noindex and
// carries no story id for the view beacon.
func (s *Site) renderArticle(ctx context.Context, a *news.Article, now time.Time, preview bool) ([]byte, time.Time, error) {
	var err error
	canonical := s.paper().ArticlePath(a)
	desc := a.SEODescription
	if desc == "" {
		desc = a.Deck
	}
	if desc == "" {
		desc = plainText(a.BodyHTML, 160)
	}
	title := a.SEOTitle
	if title == "" {
		title = a.Headline
	}
	// The whole page, chrome included, is in the story's language.
	lang := s.storyLang(a)
	b := s.baseLang(ctx, lang, title, desc, canonical)
	l := b.L
	p := &ArticlePage{
		Base:           b,
		ID:             a.ID,
		Headline:       a.Headline,
		Deck:           a.Deck,
		Published:      s.fmtTime(l, a.PublishedAt, layoutLong),
		Photo:          s.photo(a.Photo, sizesArticle),
		Body:           template.HTML(a.BodyHTML), // sanitized before it was stored
		ReadingMinutes: readingMinutes(plainText(a.BodyHTML, 1<<30)),
	}
	if preview {
		p.ID = 0
		p.Robots = "noindex, nofollow"
	}
	// A story saved a few seconds after publishing was not "updated".
	if a.UpdatedAt.Sub(a.PublishedAt) > time.Minute {
		t := s.fmtTime(l, a.UpdatedAt, layoutLong)
		p.Updated = &t
	}
	trail := sectionPath(a.Section, p.sections)
	if a.Section != nil {
		p.Section = &Link{Name: a.Section.Name, URL: s.paper().SectionPath(a.Section)}
		p.Current = s.paper().SectionPath(trail[0])
		p.Crumbs = s.crumbs(l, trail, "")
	}
	for _, au := range a.Authors {
		p.Authors = append(p.Authors, Byline{Name: au.Name, URL: s.paper().AuthorPath(au), Email: au.Email, Title: au.Title})
	}
	for _, t := range a.Tags {
		p.Tags = append(p.Tags, Link{Name: t.Name, URL: s.paper().TagPath(t)})
	}
	for _, c := range a.Corrections {
		p.Corrections = append(p.Corrections, Correction{ID: correctionID(c.ID), Kind: l.kindLabel(c.Kind), Text: c.Text, When: s.fmtTime(l, c.CreatedAt, layoutLong)})
	}
	for _, l := range p.FooterPages {
		if l.URL == "/"+ContactSlug && !preview {
			p.ReportURL = l.URL + "?" + url.Values{"story": {canonical}}.Encode() + "#contact-form"
		}
	}
	abs := s.paper().AbsURL(canonical)
	p.Share = shareLinks(abs, a.Headline)
	p.Share.KakaoKey = s.paper().KakaoAppKey

	img := s.shareImage(a.Photo)
	if img == nil {
		img = s.defaultShareImage(ctx)
	}
	s.social(&p.Base, "article", a.Headline, img)
	p.Meta = append(p.Meta,
		Meta{Property: "article:published_time", Content: isoTime(a.PublishedAt, s.paper().Loc())},
		Meta{Property: "article:modified_time", Content: isoTime(a.LastModified(), s.paper().Loc())})
	for _, au := range a.Authors {
		p.Meta = append(p.Meta, Meta{Property: "article:author", Content: s.paper().AbsURL(s.paper().AuthorPath(au))})
	}
	if a.Section != nil {
		p.Meta = append(p.Meta, Meta{Property: "article:section", Content: a.Section.Name})
	}
	for _, t := range a.Tags {
		p.Meta = append(p.Meta, Meta{Property: "article:tag", Content: t.Name})
	}
	p.JSONLD = s.articleLD(ctx, a, desc, trail)
	// The story's language versions and its section's other stories are
	// read together: on PostgreSQL one round trip and one read of their
	// relations instead of two of each.
	lists := []news.ArticleFilter{translationsFilter(a, now)}
	if a.SectionID != 0 {
		lists = append(lists, news.ArticleFilter{
			PublicAt: now, SectionID: a.SectionID, ExcludeIDs: []int64{a.ID}, Limit: 4, NoTotal: true, NoBody: true})
	}
	found, err := s.store.FindArticleLists(ctx, lists)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("translations and related stories of %d: %w", a.ID, err)
	}
	if err := s.translations(ctx, &p.Base, a, found[0], now); err != nil {
		return nil, time.Time{}, err
	}
	var related []*news.Article
	if len(found) > 1 {
		related = found[1]
		for _, ra := range related {
			p.Related = append(p.Related, s.card(ra, ""))
		}
		s.relang(p.Related, lang)
	}
	top, topArts, latest, err := s.topStories(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	p.Top, p.TopIsLatest = top, latest
	s.relang(p.Top, lang)
	// The boxes show other stories: a change to one of them purges this
	// page too.
	purgeKeys(ctx, storyKeys(related, topArts)...)

	body, err := s.r.Render("article", p)
	return body, latestModified([]*news.Article{a}, related, topArts), err
}

func (l Locale) kindLabel(k news.CorrectionKind) string {
	switch k {
	case news.KindClarification:
		return l.T("Clarification")
	case news.KindUpdate:
		return l.T("Update")
	}
	return l.T("Correction")
}

// shareLinks are plain URLs: they work without JavaScript and load nothing
// from the networks until the reader clicks.
func shareLinks(abs, headline string) Share {
	q := url.QueryEscape
	// mailto wants %20 for spaces, not '+'.
	m := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return Share{
		URL:      abs,
		Title:    headline,
		Facebook: "https://www.facebook.com/sharer/sharer.php?u=" + q(abs),
		X:        "https://x.com/intent/tweet?url=" + q(abs) + "&text=" + q(headline),
		Mail:     "mailto:?subject=" + m(headline) + "&body=" + m(headline+"\n"+abs),
	}
}

// topStories is the Top 10 box: most read in the last 24 hours, or the
// latest stories when there is no most-read list (no TopLister, no counts
// yet, or it failed — the box is not worth failing the page for).
func (s *Site) topStories(ctx context.Context) (cards []Card, arts []*news.Article, latest bool, err error) {
	now := s.now()
	if s.top != nil {
		entries, terr := s.top.TopStories(ctx, 24*time.Hour, 0, 10)
		if terr != nil {
			s.log.WarnContext(ctx, "top stories", "err", terr)
		}
		for _, e := range entries {
			if e.Article != nil && e.Article.IsPublicAt(now) {
				c := s.card(e.Article, "")
				c.Views = e.Views
				cards = append(cards, c)
				arts = append(arts, e.Article)
			}
		}
		if len(cards) > 0 {
			return cards, arts, false, nil
		}
	}
	arts, _, err = s.store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 10, NoTotal: true, NoBody: true})
	if err != nil {
		return nil, nil, false, fmt.Errorf("latest stories: %w", err)
	}
	for _, a := range arts {
		cards = append(cards, s.card(a, ""))
	}
	return cards, arts, true, nil
}
