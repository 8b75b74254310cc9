package site

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"

	"masthead/internal/news"
)

// Image sizes hints: the widths the CSS gives each kind of image.
const (
	sizesArticle = "(min-width: 42rem) 40rem, 100vw"
	sizesLead    = "(min-width: 48rem) 42rem, 100vw"
	sizesCard    = "(min-width: 64rem) 16rem, (min-width: 40rem) 50vw, 100vw"
	// The news layouts: secondary stories show a small photo at desktop
	// widths and a thumbnail on a phone; the dense list, a thumbnail.
	sizesGrid  = "(min-width: 64rem) 12rem, 6rem"
	sizesThumb = "6rem"
	sizesLogo  = "12rem"
)

// base fills what every page shares. title is the page's own title (the
// paper's name is appended); canonicalPath may carry a query (?page=2).
func (s *Site) base(ctx context.Context, title, desc, canonicalPath string) Base {
	return s.baseLang(ctx, "", title, desc, canonicalPath)
}

// baseLang is base for a page in language lang (a story's), whose chrome
// is then in that language too; "" is the paper's default language.
func (s *Site) baseLang(ctx context.Context, lang, title, desc, canonicalPath string) Base {
	// One version of the settings for the whole page (news.Live).
	p := s.paper()
	full := p.Name
	if title != "" {
		full = title + " - " + p.Name
	}
	if desc == "" {
		desc = p.Tagline
	}
	if desc == "" {
		desc = p.Name
	}
	if lang == "" {
		lang = p.Language
	}
	if lang == "" {
		lang = "en"
	}
	b := Base{
		SiteName:    p.Name,
		Tagline:     p.Tagline,
		Lang:        lang,
		Title:       full,
		Description: desc,
		Assets:      s.assets,
		HeadScript:  headScript,
		Style:       template.CSS(inlineCSS),
		Year:        s.now().In(p.Loc()).Year(),
		L:           localeFor(lang),
		Feeds: []Feed{
			{Type: "application/rss+xml", Title: p.Name + " (RSS)", URL: "/feed.xml"},
			{Type: "application/atom+xml", Title: p.Name + " (Atom)", URL: "/atom.xml"},
			{Type: "application/feed+json", Title: p.Name + " (JSON Feed)", URL: "/feed.json"},
		},
	}
	if canonicalPath != "" {
		b.Canonical = p.AbsURL(canonicalPath)
	} else {
		b.Canonical = p.AbsURL("/")
	}
	// The navigation is part of every page; a store failure here would
	// also fail the page's own queries, so an empty menu is acceptable.
	if secs, err := s.sections(ctx); err == nil {
		b.sections = secs
		b.Nav, b.Menu = s.menus(secs)
	}
	// The menu set in the newsroom's paper settings replaces the bar of
	// sections; "All sections" stays the directory of every section.
	if len(p.Nav) > 0 {
		b.Nav = settingsLinks(p.Nav)
	}
	b.FooterPages = append(s.footerPages(ctx), settingsLinks(p.Footer)...)
	b.Logo = s.logo(ctx, p)
	return b
}

// settingsLinks are the links of a menu set in the paper settings.
func settingsLinks(in []news.Link) []Link {
	out := make([]Link, 0, len(in))
	for _, l := range in {
		out = append(out, Link{Name: l.Label, URL: l.URL})
	}
	return out
}

// logo is the masthead's picture when the paper settings name a logo
// photo that has its file (its renditions in srcset; it shows some 12 rem
// wide), with the paper's name as its text. nil shows the name in type.
func (s *Site) logo(ctx context.Context, p *news.Paper) *Image {
	img := s.image(s.paperPhoto(ctx, p.LogoPhotoID), sizesLogo)
	if img == nil {
		return nil
	}
	img.Alt = p.Name
	return img
}

// scopedFeeds adds the feeds of one section, author or tag (served by
// internal/feed under the list's own path) before the paper's.
func (s *Site) scopedFeeds(b *Base, listPath, name string) {
	scoped := []Feed{
		{Type: "application/rss+xml", Title: name + " (RSS)", URL: listPath + "/feed.xml"},
		{Type: "application/atom+xml", Title: name + " (Atom)", URL: listPath + "/atom.xml"},
		{Type: "application/feed+json", Title: name + " (JSON Feed)", URL: listPath + "/feed.json"},
	}
	b.Feeds = append(scoped, b.Feeds...)
}

// social adds Open Graph and Twitter card tags. img may be nil: the paper's
// logo stands in.
func (s *Site) social(b *Base, ogType, title string, img *ogImage) {
	if img == nil {
		img = &ogImage{URL: s.paper().AbsURL(s.assets.Logo), Width: 512, Height: 512, Alt: s.paper().Name}
	}
	b.Meta = append(b.Meta,
		Meta{Property: "og:site_name", Content: s.paper().Name},
		Meta{Property: "og:type", Content: ogType},
		Meta{Property: "og:title", Content: title},
		Meta{Property: "og:description", Content: b.Description},
		Meta{Property: "og:url", Content: b.Canonical},
		Meta{Property: "og:image", Content: img.URL},
		Meta{Property: "og:image:width", Content: strconv.Itoa(img.Width)},
		Meta{Property: "og:image:height", Content: strconv.Itoa(img.Height)},
	)
	if img.Alt != "" {
		b.Meta = append(b.Meta, Meta{Property: "og:image:alt", Content: img.Alt})
	}
	b.Meta = append(b.Meta,
		Meta{Name: "twitter:card", Content: "summary_large_image"},
		Meta{Name: "twitter:title", Content: title},
		Meta{Name: "twitter:description", Content: b.Description},
		Meta{Name: "twitter:image", Content: img.URL},
	)
}

type ogImage struct {
	URL           string
	Width, Height int
	Alt           string
}

// shareImage picks the rendition for cards and JSON-LD: the widest one up to
// 1200 pixels (what Facebook and KakaoTalk show), else the original.
func (s *Site) shareImage(ph *news.Photo) *ogImage {
	if !ph.HasFile() {
		return nil
	}
	w, h := dims(ph)
	best := 0
	for _, x := range ph.Widths {
		if x <= 1200 && x > best {
			best = x
		}
	}
	if best == 0 && len(ph.Widths) > 0 {
		best = ph.Widths[0]
	}
	o := &ogImage{URL: s.paper().AbsURL(s.paper().PhotoPath(ph, best)), Width: w, Height: h, Alt: altOf(ph)}
	if best > 0 {
		o.Width, o.Height = best, best*h/w
	}
	return o
}

// dims returns the photo's size, or 3:2 when the store does not know it,
// so the browser still reserves space.
func dims(ph *news.Photo) (int, int) {
	if ph.Width > 0 && ph.Height > 0 {
		return ph.Width, ph.Height
	}
	return 1200, 800
}

func altOf(ph *news.Photo) string {
	if ph.Alt != "" {
		return ph.Alt
	}
	return ph.Caption
}

// image builds a responsive <img> from the photo's renditions; nil when the
// photo has no file (Key ""), in which case only its caption is shown.
func (s *Site) image(ph *news.Photo, sizes string) *Image {
	if !ph.HasFile() {
		return nil
	}
	w, h := dims(ph)
	img := &Image{Width: w, Height: h, Alt: altOf(ph)}
	if len(ph.Widths) == 0 {
		img.Src = s.paper().PhotoPath(ph, 0)
		return img
	}
	var set []string
	src := 0
	for _, x := range ph.Widths {
		set = append(set, fmt.Sprintf("%s %dw", s.paper().PhotoPath(ph, x), x))
		if src == 0 && x >= 800 {
			src = x
		}
	}
	if src == 0 {
		src = ph.Widths[len(ph.Widths)-1]
	}
	img.Src = s.paper().PhotoPath(ph, src)
	img.Srcset = strings.Join(set, ", ")
	img.Sizes = sizes
	return img
}

func (s *Site) photo(ph *news.Photo, sizes string) *Photo {
	if ph == nil {
		return nil
	}
	p := &Photo{Image: s.image(ph, sizes), Caption: ph.Caption, Credit: ph.Credit}
	if p.Image == nil && p.Caption == "" && p.Credit == "" {
		return nil
	}
	return p
}

// fmtTime formats t in the paper's zone for a page in l's language.
func (s *Site) fmtTime(l Locale, t time.Time, layout string) Time {
	t = t.In(s.paper().Loc())
	return Time{ISO: t.Format(time.RFC3339), Text: l.Format(t, layout)}
}

// storyLang is the language of a story, the paper's when it has none.
func (s *Site) storyLang(a *news.Article) string {
	if a.Lang != "" {
		return a.Lang
	}
	return s.paper().Language
}

func (s *Site) card(a *news.Article, sizes string) Card {
	c := Card{
		ID:       a.ID,
		URL:      s.paper().ArticlePath(a),
		Headline: a.Headline,
		Deck:     a.Deck,
		// The card carries its story's lang attribute, so its date is
		// in that language too.
		Published: s.fmtTime(localeFor(s.storyLang(a)), a.PublishedAt, layoutShort),
	}
	if a.Lang != "" && a.Lang != s.paper().Language {
		c.Lang = a.Lang
	}
	if a.Section != nil {
		c.Section = &Link{Name: a.Section.Name, URL: s.paper().SectionPath(a.Section)}
	}
	if sizes != "" {
		c.Image = s.image(a.Photo, sizes)
	}
	return c
}

func (s *Site) cards(arts []*news.Article) []Card {
	out := make([]Card, 0, len(arts))
	for _, a := range arts {
		out = append(out, s.card(a, sizesCard))
	}
	return out
}

// latestModified is the newest change among the stories a page shows; it
// becomes the page's Last-Modified.
func latestModified(lists ...[]*news.Article) time.Time {
	var t time.Time
	for _, l := range lists {
		for _, a := range l {
			if m := a.LastModified(); m.After(t) {
				t = m
			}
		}
	}
	return t
}

// plainText is the text of an HTML fragment, whitespace collapsed and cut
// near max runes at a word boundary: for meta descriptions.
func plainText(fragment string, max int) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt == html.TextToken {
			b.Write(z.Text())
			b.WriteByte(' ')
		}
	}
	return truncate(strings.Join(strings.Fields(b.String()), " "), max)
}

func truncate(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	cut := string(r[:max])
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// perPage is the length of every paginated list.
const perPage = 20

// pageNumber reads ?page=N. Anything but a plain positive number is a 404
// (not a 400): such URLs are dead links, and the 404 page helps more.
func pageNumber(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10000 || strconv.Itoa(n) != v {
		return 0, news.Errorf(news.ENOTFOUND, "no such page")
	}
	return n, nil
}

// pager builds the links of a list at path with total items; page 1 has no
// ?page. It returns ENOTFOUND for a page past the end.
func pager(path string, page, total int) (Pager, error) {
	pages := (total + perPage - 1) / perPage
	if pages == 0 {
		pages = 1
	}
	if page > pages {
		return Pager{}, news.Errorf(news.ENOTFOUND, "no such page")
	}
	p := Pager{Page: page, Pages: pages}
	if page > 1 {
		p.Prev = pagePath(path, page-1)
	}
	if page < pages {
		p.Next = pagePath(path, page+1)
	}
	return p, nil
}

func pagePath(path string, page int) string {
	if page <= 1 {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "page=" + strconv.Itoa(page)
}
