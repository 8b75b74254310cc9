package news

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
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

	// live is set on a paper made by Live: Current reads the newest
	// settings through it.
	live *atomic.Pointer[Paper]
}

// Live makes a paper whose settings can change while it is in use: every
// part of a node holds the *Paper Live returns and reads Current() when it
// needs a setting, and Swap puts a new version in place for all of them at
// once. So settings saved in the newsroom apply on every node without a
// restart, and a request that reads Current() once sees one version
// whole, never half of the old and half of the new.
//
// The handle itself keeps only the base URL, which settings never change:
// a setting read from it directly rather than through Current would be
// stale after the first save, so it is empty from the start, and such a
// read shows in the first test rather than after a save. Its methods
// read the current version.
func Live(p *Paper) *Paper {
	ptr := new(atomic.Pointer[Paper])
	snap := *p
	snap.live = nil
	ptr.Store(&snap)
	return &Paper{BaseURL: p.BaseURL, live: ptr}
}

// Current is the paper as its settings are now: the newest version given
// to Swap for a paper made by Live, p itself for any other.
func (p *Paper) Current() *Paper {
	if p.live == nil {
		return p
	}
	return p.live.Load()
}

// Swap makes next the current version of a paper made by Live (readers
// holding the old version finish with it). It reports false, changing
// nothing, for any other paper.
func (p *Paper) Swap(next *Paper) bool {
	if p.live == nil {
		return false
	}
	snap := *next
	snap.live = nil
	p.live.Store(&snap)
	return true
}

// Update changes the current settings by f: on a copy of the current
// version, swapped in whole, for a paper made by Live; on p itself for any
// other. Setting a field of a live paper directly would change nothing its
// readers see (they read Current).
func (p *Paper) Update(f func(*Paper)) {
	if p.live == nil {
		f(p)
		return
	}
	next := *p.Current()
	f(&next)
	p.Swap(&next)
}

// Loc returns the paper's time zone (UTC when unset).
func (p *Paper) Loc() *time.Location {
	if p.live != nil {
		return p.live.Load().Loc()
	}
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
