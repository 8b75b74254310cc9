// Package sitemap serves the paper's sitemaps: an index, article sitemaps by
// month, the section, author and tag listing pages, and a Google News
// sitemap of the last two days.
//
// Only stories public at the time of the request are ever listed
// (news.ArticleFilter PublicAt, checked again with Article.IsPublicAt), and a
// section, author or tag is listed only when it has a public story, so a tag
// made for an embargoed story cannot give the story away.
//
// The monthly and news sitemaps are read from the store on each request. The
// index and the section, author and tag sitemaps come from a survey of the
// whole archive that is rebuilt in the background after writes (survey.go).
// Responses carry a strong ETag and Last-Modified and answer conditional
// requests with 304.
package sitemap

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/pagecache"
	"masthead/internal/purge"
)

// Paths of the sitemaps; robots.txt should name IndexPath.
const (
	IndexPath    = "/sitemap.xml"
	NewsPath     = "/sitemaps/news.xml"
	SectionsPath = "/sitemaps/sections.xml"
	AuthorsPath  = "/sitemaps/authors.xml"
	TagsPath     = "/sitemaps/tags.xml"
	// PagesPath lists the paper's static pages (About, Contact...).
	PagesPath = "/sitemaps/pages.xml"
)

// Limits from sitemaps.org and Google News.
const (
	MaxURLs     = 50000
	MaxNewsURLs = 1000
	// NewsWindow is how far back the news sitemap reaches: Google News
	// only wants stories first published in the last two days.
	NewsWindow = 48 * time.Hour
)

// PartURLs is how many stories one file of a month's articles lists
// (articles-2026-11.xml, then articles-2026-11-2.xml...). The protocol
// allows 50,000; a month of a busy paper holds some 3,000 stories, and a
// file of 3,000 cost 25–33 ms of CPU to build (narrow rows, at 10,000 and
// 100,000 stories alike), so files of 1,000 keep any one of them cheap.
// The index counts a month's files from the store's aggregates, and a
// file past the first skips the earlier stories in the store's index.
const PartURLs = 1000

// storePage is the largest page the store hands out (news.ArticleFilter).
const storePage = 1000

// ContentType of every sitemap.
const ContentType = "application/xml; charset=utf-8"

// Config is what the sitemaps need. Clock and Logger may be nil (the system
// clock and slog.Default).
type Config struct {
	Paper  *news.Paper
	Store  news.Store
	Clock  news.Clock
	Logger *slog.Logger
}

// Sitemaps serves the sitemaps. Every response is built from the store, so
// a story another node publishes is listed in the next response.
type Sitemaps struct {
	live  *news.Paper // read through paper()
	store news.Store
	clock news.Clock
	log   *slog.Logger
	// maxURLs bounds a listing sitemap (MaxURLs); partURLs splits a
	// month's articles into files (PartURLs). Tests lower them.
	maxURLs, partURLs int
	cache             surveyCache
	gen               news.GenerationPoll // the survey's, by the sitemaps' clock
}

// New returns the sitemaps of cfg.Paper.
func New(cfg Config) *Sitemaps {
	s := &Sitemaps{live: cfg.Paper, store: cfg.Store, clock: cfg.Clock, log: cfg.Logger, maxURLs: MaxURLs, partURLs: PartURLs}
	if s.clock == nil {
		s.clock = news.SystemClock{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// Register adds the sitemap routes to mux. All are public and read-only:
//
//	GET /sitemap.xml                        the index of all the others
//	GET /sitemaps/news.xml                  Google News: the last two days, at most 1,000
//	GET /sitemaps/sections.xml              section pages
//	GET /sitemaps/authors.xml               author pages
//	GET /sitemaps/tags.xml                  tag pages
//	GET /sitemaps/pages.xml                 the published static pages
//	GET /sitemaps/articles-{yyyy}-{mm}.xml  stories first published that month (paper's time zone);
//	                                        articles-{yyyy}-{mm}-{n}.xml for parts n >= 2 past 1,000 (PartURLs)
//
// Go's mux wildcards span whole segments, so the monthly files are one
// /sitemaps/{file} route; the literal routes beside it take precedence.
func (s *Sitemaps) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+IndexPath, s.handle(s.index))
	mux.HandleFunc("GET "+NewsPath, s.handle(s.news))
	mux.HandleFunc("GET "+SectionsPath, s.handle(s.sections))
	mux.HandleFunc("GET "+AuthorsPath, s.handle(s.authors))
	mux.HandleFunc("GET "+TagsPath, s.handle(s.tags))
	mux.HandleFunc("GET "+PagesPath, s.handle(s.staticPages))
	mux.HandleFunc("GET /sitemaps/{file}", s.handle(s.articles))
}

// builder makes one document: its bytes and its modification time.
type builder func(ctx context.Context, r *http.Request, now time.Time) ([]byte, time.Time, error)

func (s *Sitemaps) handle(b builder) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, mod, err := b(r.Context(), r, s.clock.Now())
		if err != nil {
			httpx.WriteTextError(w, r, s.log, fmt.Errorf("sitemap: %w", err))
			return
		}
		serve(w, r, ContentType, mod, body)
	}
}

// month is one month (in the paper's time zone) with public stories.
type month struct {
	Year    int
	Month   time.Month
	Total   int
	LastMod time.Time
}

func (m month) bounds(loc *time.Location) (from, to time.Time) {
	from = time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 1, 0)
}

// parts is how many files the month needs.
func (m month) parts(per int) int { return (m.Total + per - 1) / per }

func partPath(y int, mo time.Month, part int) string {
	p := "/sitemaps/articles-" + strconv.Itoa(y) + "-" + twoDigits(int(mo))
	if part > 1 {
		p += "-" + strconv.Itoa(part)
	}
	return p + ".xml"
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func (s *Sitemaps) index(ctx context.Context, r *http.Request, now time.Time) ([]byte, time.Time, error) {
	pagecache.Tag(ctx, purge.Sitemap)
	var entries []indexEntry
	var newest time.Time
	add := func(path string, lastmod time.Time) {
		entries = append(entries, indexEntry{Loc: s.paper().AbsURL(path), LastMod: w3c(lastmod)})
		if lastmod.After(newest) {
			newest = lastmod
		}
	}
	// The news sitemap is listed only when it has entries: an empty
	// <urlset> does not validate against the sitemap schema.
	if n, mod, err := s.recentSummary(ctx, now); err != nil {
		return nil, time.Time{}, err
	} else if n > 0 {
		add(NewsPath, mod)
	}
	sv, err := s.survey(ctx, now)
	if err != nil {
		return nil, time.Time{}, err
	}
	for _, l := range []struct {
		path string
		mods map[int64]time.Time
	}{{SectionsPath, sv.section}, {AuthorsPath, sv.author}, {TagsPath, sv.tag}} {
		if len(l.mods) > 0 {
			add(l.path, maxTime(l.mods))
		}
	}
	if pages, err := s.store.ListPages(ctx, news.PageFilter{Published: true}); err != nil {
		return nil, time.Time{}, err
	} else if len(pages) > 0 {
		add(PagesPath, newestPage(pages))
	}
	// The months are read live where the store keeps their aggregates
	// (milliseconds), so a publish shows in the index at once; otherwise
	// they come from the survey.
	months := sv.months
	if as, ok := s.store.(AggregateStore); ok {
		if months, err = s.months(ctx, as, now); err != nil {
			return nil, time.Time{}, err
		}
	}
	// Newest month first: crawlers that read only the top find the news.
	for i := len(months) - 1; i >= 0; i-- {
		m := months[i]
		for p := 1; p <= m.parts(s.partURLs); p++ {
			add(partPath(m.Year, m.Month, p), m.LastMod)
		}
	}
	body, err := encodeIndex(entries)
	return body, newest, err
}

func maxTime(m map[int64]time.Time) time.Time {
	var t time.Time
	for _, v := range m {
		if v.After(t) {
			t = v
		}
	}
	return t
}

// newestMod is the newest change among arts, for Last-Modified.
func newestMod(arts []*news.Article) time.Time {
	var t time.Time
	for _, a := range arts {
		if c := changedAt(a); c.After(t) {
			t = c
		}
	}
	return t
}

// changedAt is a story's LastModified, or the end of its embargo when that
// came later: the story joined the sitemaps then, and Last-Modified must
// move so that a crawler sending only If-Modified-Since sees it.
func changedAt(a *news.Article) time.Time {
	t := a.LastModified()
	if a.EmbargoUntil.After(t) {
		t = a.EmbargoUntil
	}
	return t
}

// recent is the news sitemap's stories: first published within NewsWindow.
// A store that lists stubs lists them (headline, language, times and lead
// photo are all the news sitemap shows), one more than the limit to tell
// a truncated list.
func (s *Sitemaps) recent(ctx context.Context, now time.Time) ([]*news.Article, int, error) {
	f := news.ArticleFilter{PublicAt: now, PublishedFrom: now.Add(-NewsWindow), Order: "newest", Limit: MaxNewsURLs}
	if sl, ok := s.store.(StubLister); ok {
		f.Limit, f.NoTotal = MaxNewsURLs+1, true
		arts, err := sl.ArticleStubs(ctx, f)
		total := len(arts)
		if len(arts) > MaxNewsURLs {
			arts = arts[:MaxNewsURLs]
		}
		return public(arts, now), total, err
	}
	arts, total, err := s.store.FindArticles(ctx, f)
	return public(arts, now), total, err
}

// recentSummary is how many stories the news sitemap lists and their
// latest change (changedAt), which is all the index shows of it: from the
// store's aggregate where it has one, else from the stories.
func (s *Sitemaps) recentSummary(ctx context.Context, now time.Time) (int, time.Time, error) {
	if rs, ok := s.store.(RecentSummarizer); ok {
		return rs.RecentSummary(ctx, news.ArticleFilter{PublicAt: now, PublishedFrom: now.Add(-NewsWindow), Limit: MaxNewsURLs})
	}
	recent, _, err := s.recent(ctx, now)
	return len(recent), newestMod(recent), err
}

// public keeps the stories readers may see at now. The store filters too;
// this second check is cheap insurance for an output search engines copy.
func public(arts []*news.Article, now time.Time) []*news.Article {
	out := arts[:0:0]
	for _, a := range arts {
		if a != nil && a.IsPublicAt(now) {
			out = append(out, a)
		}
	}
	return out
}

func (s *Sitemaps) news(ctx context.Context, r *http.Request, now time.Time) ([]byte, time.Time, error) {
	pagecache.Tag(ctx, purge.SitemapNews)
	arts, total, err := s.recent(ctx, now)
	if err != nil {
		return nil, time.Time{}, err
	}
	if total > MaxNewsURLs {
		s.log.WarnContext(ctx, "news sitemap truncated", "stories", total, "listed", MaxNewsURLs)
	}
	set := newURLSet(true)
	for _, a := range arts {
		u := s.articleURL(a)
		u.News = &newsEntry{
			Publication: newsPublication{Name: s.paper().Name, Language: newsLanguage(a.Lang, s.paper().Language)},
			// The first publication, never the last update (Google News).
			PublicationDate: w3c(a.PublishedAt),
			Title:           a.Headline,
		}
		set.URLs = append(set.URLs, u)
	}
	body, err := encodeURLSet(set)
	return body, newestMod(arts), err
}

func (s *Sitemaps) articleURL(a *news.Article) urlEntry {
	u := urlEntry{Loc: s.paper().AbsURL(s.paper().ArticlePath(a)), LastMod: w3c(a.LastModified())}
	if img := leadImage(s.paper(), a.Photo); img != "" {
		u.Images = []imageEntry{{Loc: img}}
	}
	return u
}

// leadImage is the URL of the rendition to list: 1280 pixels wide when it
// exists, else the largest made, else the original (the feeds' rule).
func leadImage(p *news.Paper, ph *news.Photo) string {
	if !ph.HasFile() {
		return ""
	}
	width := 0
	for _, w := range ph.Widths {
		if w == 1280 {
			width = 1280
			break
		}
		if w > width {
			width = w
		}
	}
	return p.AbsURL(p.PhotoPath(ph, width))
}

// StubLister is a store that lists stories without their text, bylines
// and tags (both stores do): a monthly sitemap needs a story's URL, dates
// and lead photo only, and reading 2,900 whole stories for them cost 66 ms
// of CPU at 10,000 stories.
type StubLister interface {
	ArticleStubs(ctx context.Context, f news.ArticleFilter) ([]*news.Article, error)
}

// SurveyStore is a store that answers the archive survey in aggregates
// (both stores do): with stubs for the months and sections, and the last
// change of each author's and tag's stories.
type SurveyStore interface {
	StubLister
	LastModifiedByAuthorAndTag(ctx context.Context, t time.Time) (authors, tags map[int64]time.Time, err error)
}

// RecentSummarizer is a store that counts the newest public stories of a
// stretch and finds their latest change in one aggregate (both stores
// do): the index needs no more of the news sitemap, whose stories it read
// (191 stubs at a 1,000-story paper, on every render).
type RecentSummarizer interface {
	RecentSummary(ctx context.Context, f news.ArticleFilter) (n int, lastMod time.Time, err error)
}

// AggregateStore is a store that keeps per-month aggregates of the
// archive in the transactions of the writes (both stores do: story_hours),
// so the index's months cost a sum per month rather than a read of every
// story, and the last change of each section in one GROUP BY.
type AggregateStore interface {
	ArchiveMonths(ctx context.Context, t time.Time, loc *time.Location) ([]news.MonthStats, error)
	LastModifiedBySection(ctx context.Context, t time.Time) (map[int64]time.Time, error)
}

// list reads stories for a sitemap: stubs where the store has them.
func (s *Sitemaps) list(ctx context.Context, f news.ArticleFilter) ([]*news.Article, error) {
	if sl, ok := s.store.(StubLister); ok {
		return sl.ArticleStubs(ctx, f)
	}
	arts, _, err := s.store.FindArticles(ctx, f)
	return arts, err
}

// articles serves /sitemaps/articles-YYYY-MM[-N].xml.
func (s *Sitemaps) articles(ctx context.Context, r *http.Request, now time.Time) ([]byte, time.Time, error) {
	y, mo, part, ok := parseArticlesFile(r.PathValue("file"))
	if ok {
		pagecache.Tag(ctx, purge.SitemapMonth(time.Date(y, mo, 15, 12, 0, 0, 0, s.paper().Loc()), s.paper().Loc()))
	}
	if !ok {
		return nil, time.Time{}, news.ErrNotFound
	}
	m := month{Year: y, Month: mo}
	from, to := m.bounds(s.paper().Loc())
	if !from.Before(now) {
		return nil, time.Time{}, news.ErrNotFound
	}
	set := newURLSet(false)
	var mod time.Time
	start := (part - 1) * s.partURLs
	for off := start; off < start+s.partURLs; off += storePage {
		limit := min(storePage, start+s.partURLs-off)
		// No total: a short page says the month is done, and counting
		// the month again for every page of it was wasted.
		arts, err := s.list(ctx, news.ArticleFilter{
			PublicAt: now, PublishedFrom: from, PublishedTo: to, Order: "oldest", Offset: off, Limit: limit, NoTotal: true,
		})
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, a := range public(arts, now) {
			set.URLs = append(set.URLs, s.articleURL(a))
			if c := changedAt(a); c.After(mod) {
				mod = c
			}
		}
		if len(arts) < limit {
			break
		}
	}
	if len(set.URLs) == 0 {
		return nil, time.Time{}, news.ErrNotFound
	}
	body, err := encodeURLSet(set)
	return body, mod, err
}

// parseArticlesFile reads "articles-2026-11.xml" or "articles-2026-11-2.xml".
func parseArticlesFile(name string) (year int, mo time.Month, part int, ok bool) {
	rest, found := strings.CutPrefix(name, "articles-")
	if !found {
		return
	}
	if rest, found = strings.CutSuffix(rest, ".xml"); !found {
		return
	}
	f := strings.Split(rest, "-")
	if len(f) < 2 || len(f) > 3 || len(f[0]) != 4 || len(f[1]) != 2 {
		return
	}
	for _, x := range f {
		// Digits only, so each month has exactly one spelling ("+1" and
		// " 1" parse as numbers too).
		if x == "" || strings.Trim(x, "0123456789") != "" {
			return
		}
	}
	y, err1 := strconv.Atoi(f[0])
	m, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || y < 1970 || m < 1 || m > 12 {
		return
	}
	part = 1
	if len(f) == 3 {
		// "-1" is the unsuffixed name; refuse it so each file has one URL.
		p, err := strconv.Atoi(f[2])
		if err != nil || p < 2 || strconv.Itoa(p) != f[2] {
			return
		}
		part = p
	}
	return y, time.Month(m), part, true
}

// listingDoc makes the sitemap of section, author or tag pages: those with
// a public story (per the survey), in the store's order, each with the
// LastModified of its newest story.
func (s *Sitemaps) listingDoc(ctx context.Context, now time.Time, pick func(*survey) map[int64]time.Time,
	list func(context.Context) ([]page, error)) ([]byte, time.Time, error) {
	sv, err := s.survey(ctx, now)
	if err != nil {
		return nil, time.Time{}, err
	}
	pages, err := list(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	mods := pick(sv)
	set := newURLSet(false)
	var newest time.Time
	for _, p := range pages {
		lm, ok := mods[p.id]
		if !ok {
			continue
		}
		if len(set.URLs) == s.maxURLs {
			s.log.WarnContext(ctx, "sitemap truncated", "path", p.path, "max", s.maxURLs)
			break
		}
		set.URLs = append(set.URLs, urlEntry{Loc: s.paper().AbsURL(p.path), LastMod: w3c(lm)})
		if lm.After(newest) {
			newest = lm
		}
	}
	body, err := encodeURLSet(set)
	return body, newest, err
}

// page is one section, author or tag listing page.
type page struct {
	id   int64
	path string
}

func (s *Sitemaps) sections(ctx context.Context, r *http.Request, now time.Time) ([]byte, time.Time, error) {
	pagecache.Tag(ctx, purge.SitemapPages)
	return s.listingDoc(ctx, now, func(sv *survey) map[int64]time.Time { return sv.section },
		func(ctx context.Context) ([]page, error) {
			xs, err := s.store.ListSections(ctx)
			ps := make([]page, 0, len(xs))
			for _, x := range xs {
				ps = append(ps, page{x.ID, s.paper().SectionPath(x)})
			}
			return ps, err
		})
}

func (s *Sitemaps) authors(ctx context.Context, r *http.Request, now time.Time) ([]byte, time.Time, error) {
	pagecache.Tag(ctx, purge.SitemapPages)
	return s.listingDoc(ctx, now, func(sv *survey) map[int64]time.Time { return sv.author },
		func(ctx context.Context) ([]page, error) {
			xs, err := s.store.ListAuthors(ctx)
			ps := make([]page, 0, len(xs))
			for _, x := range xs {
				ps = append(ps, page{x.ID, s.paper().AuthorPath(x)})
			}
			return ps, err
		})
}

func (s *Sitemaps) tags(ctx context.Context, r *http.Request, now time.Time) ([]byte, time.Time, error) {
	pagecache.Tag(ctx, purge.SitemapPages)
	return s.listingDoc(ctx, now, func(sv *survey) map[int64]time.Time { return sv.tag },
		func(ctx context.Context) ([]page, error) {
			xs, err := s.store.ListTags(ctx)
			ps := make([]page, 0, len(xs))
			for _, x := range xs {
				ps = append(ps, page{x.ID, s.paper().TagPath(x)})
			}
			return ps, err
		})
}

// newsLanguage is the story's language as Google News wants it: an ISO 639
// code of 2 or 3 letters, or zh-cn / zh-tw. A story without a usable
// language takes the paper's; "und" (undetermined) is the last resort so
// the file always validates.
func newsLanguage(tags ...string) string {
	for _, tag := range tags {
		t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
		switch {
		case t == "zh" || t == "zh-cn" || t == "zh-sg" || strings.HasPrefix(t, "zh-hans"):
			return "zh-cn"
		case t == "zh-tw" || t == "zh-hk" || t == "zh-mo" || strings.HasPrefix(t, "zh-hant"):
			return "zh-tw"
		}
		primary, _, _ := strings.Cut(t, "-")
		if n := len(primary); n >= 2 && n <= 3 && strings.Trim(primary, "abcdefghijklmnopqrstuvwxyz") == "" {
			return primary
		}
	}
	return "und"
}

// w3c formats t for lastmod and publication_date (W3C Datetime, in UTC).
func w3c(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// staticPages is the sitemap of the published static pages, each with
// its last change; 404 when there are none (the index does not list it
// then: an empty <urlset> does not validate).
func (s *Sitemaps) staticPages(ctx context.Context, r *http.Request, now time.Time) ([]byte, time.Time, error) {
	pagecache.Tag(ctx, purge.SitemapStatic)
	pages, err := s.store.ListPages(ctx, news.PageFilter{Published: true})
	if err != nil {
		return nil, time.Time{}, err
	}
	if len(pages) == 0 {
		return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "no static pages")
	}
	set := newURLSet(false)
	for _, p := range pages {
		set.URLs = append(set.URLs, urlEntry{Loc: s.paper().AbsURL(s.paper().PagePath(p)), LastMod: w3c(p.UpdatedAt)})
	}
	body, err := encodeURLSet(set)
	return body, newestPage(pages), err
}

func newestPage(pages []*news.Page) time.Time {
	var t time.Time
	for _, p := range pages {
		if p.UpdatedAt.After(t) {
			t = p.UpdatedAt
		}
	}
	return t
}

// paper is the paper's settings as they are now (news.Live).
func (s *Sitemaps) paper() *news.Paper { return s.live.Current() }
