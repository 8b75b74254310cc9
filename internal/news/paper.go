package news

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Paper is the publication's identity and the settings every output shares.
type Paper struct {
	Name        string // "The Masthead Times"
	Tagline     string
	BaseURL     string // absolute, no trailing slash: "https://news.example.com"
	Language    string // default story language, BCP 47
	Location    *time.Location
	KakaoAppKey string // empty: no Kakao SDK is loaded; share falls back to copying the link
	// FullTextFeeds puts whole stories in feeds rather than summaries.
	FullTextFeeds bool
	// Set in the newsroom's paper settings (PaperSettings): the languages
	// published (the default first), the navigation menu and footer links
	// (empty: the sections), and the logo photo (0: none).
	Languages   []string
	Nav, Footer []Link
	LogoPhotoID int64
	// ShareImagePhotoID is the default share image (0: the site's logo),
	// for stories and pages without a photo of their own.
	ShareImagePhotoID int64
}

// Loc returns the paper's time zone (UTC when unset).
func (p *Paper) Loc() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// ArticlePath is the canonical path of a story: /YYYY/MM/DD/slug, the date
// of first publication in the paper's time zone. The slug is
// percent-encoded, so Korean slugs make valid URLs.
func (p *Paper) ArticlePath(a *Article) string {
	d := a.PublishedAt.In(p.Loc())
	return fmt.Sprintf("/%04d/%02d/%02d/%s", d.Year(), int(d.Month()), d.Day(), url.PathEscape(a.Slug))
}

// SectionPath, AuthorPath and TagPath are the listing pages.
func (p *Paper) SectionPath(s *Section) string { return "/section/" + url.PathEscape(s.Slug) }
func (p *Paper) AuthorPath(a *Author) string   { return "/author/" + url.PathEscape(a.Slug) }
func (p *Paper) TagPath(t *Tag) string         { return "/tag/" + url.PathEscape(t.Slug) }

// PagePath is a static page's path: /{slug}.
func (p *Paper) PagePath(pg *Page) string { return "/" + url.PathEscape(pg.Slug) }

// PhotoPath is the URL path of a photo rendition of the given width, or of
// the original when width is 0. Renditions are JPEG. The path carries the
// photo's URLToken, so photos cannot be found by counting ids.
func (p *Paper) PhotoPath(ph *Photo, width int) string {
	if width == 0 {
		return fmt.Sprintf("/media/%d/%s/original", ph.ID, ph.URLToken())
	}
	return fmt.Sprintf("/media/%d/%s/%d.jpg", ph.ID, ph.URLToken(), width)
}

// URLToken is the unguessable part of a photo's URLs: a hash of its
// storage key, which holds random bits (internal/media makes them), so it
// changes whenever the image does.
func (ph *Photo) URLToken() string {
	sum := sha256.Sum256([]byte("masthead photo url\x00" + ph.Key))
	return hex.EncodeToString(sum[:12])
}

// AbsURL makes a path absolute with the paper's base URL.
func (p *Paper) AbsURL(path string) string {
	return strings.TrimRight(p.BaseURL, "/") + path
}
