// Package purge names what cached pages show, so that a change purges
// exactly the pages it touches, in the node's page cache and at a CDN
// (pagecache.Tag names them; with serve's --purge-webhook the pages carry
// them in the header --cdn-key-header names, Surrogate-Key by default).
//
// A page carries the key of each thing it shows:
//
//	story page        Article(id), Article(original) for a translation,
//	                  Byline(author) per byline, Article(x) per story in
//	                  its boxes (related, top 10)
//	section page      Section(id)        and its feeds
//	author page       Author(id)         and its feeds
//	tag page          Tag(id)            and its feeds
//	front page        Front
//	paper feeds       Feeds
//	sitemaps          Sitemap (the index), SitemapNews,
//	                  SitemapMonth(month), SitemapPages (sections,
//	                  authors and tags)
//	date archives     Archive(year), Archive(year, month)...
//	corrections page  Corrections
//	static page       Page(id)
//	every HTML page   Footer (the footer links the static pages)
//	pages sitemap     SitemapStatic (the static pages)
//
// and Keys turns a committed news.Change into the keys to purge. A change
// to a public story purges the story, its sections, authors and tags, the
// front page, the feeds and the sitemaps and archives that list it; other
// story pages stay (their boxes refresh with the page cache's TTL, unless
// they show the story itself). Only paper-wide changes purge everything.
package purge

import (
	"fmt"
	"strconv"
	"time"

	"masthead/internal/news"
)

// Fixed keys.
const (
	Front        = "front"
	Feeds        = "feeds"
	Sitemap      = "sitemap"       // the index
	SitemapNews  = "sitemap-news"  // Google News: the last two days
	SitemapPages = "sitemap-pages" // section, author and tag pages with their last change
	Corrections  = "corrections"
	// SitemapStatic is the sitemap of the static pages; Footer is carried
	// by every page with the site's footer, which links them.
	SitemapStatic = "sitemap-static"
	Footer        = "footer"
	// Untagged is the key of cached pages that name none (pagecache
	// gives them "lists"); any story change purges it, to be safe.
	Untagged = "lists"
)

// Article, Section, Author, Byline and Tag name one thing's pages.
func Article(id int64) string { return "article-" + strconv.FormatInt(id, 10) }
func Section(id int64) string { return "section-" + strconv.FormatInt(id, 10) }
func Author(id int64) string  { return "author-" + strconv.FormatInt(id, 10) }
func Tag(id int64) string     { return "tag-" + strconv.FormatInt(id, 10) }

// Page names a static page (about, contact...).
func Page(id int64) string { return "page-" + strconv.FormatInt(id, 10) }

// Byline is the key of pages that show an author's name, title or photo
// next to a story (not their list of stories: that is Author).
func Byline(id int64) string { return "byline-" + strconv.FormatInt(id, 10) }

// SitemapMonth is the key of the monthly sitemap of t's month (in loc, the
// paper's time zone, as the sitemaps are cut).
func SitemapMonth(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return fmt.Sprintf("sitemap-%04d-%02d", t.Year(), int(t.Month()))
}

// Archive is the key of the date archive of a year, a month or a day:
// Archive(2026), Archive(2026, 3), Archive(2026, 3, 22).
func Archive(parts ...int) string {
	switch len(parts) {
	case 1:
		return fmt.Sprintf("archive-%04d", parts[0])
	case 2:
		return fmt.Sprintf("archive-%04d-%02d", parts[0], parts[1])
	}
	return fmt.Sprintf("archive-%04d-%02d-%02d", parts[0], parts[1], parts[2])
}

// Keys returns the keys a change purges, or all when it purges everything.
// loc is the paper's time zone.
func Keys(c news.Change, loc *time.Location) (keys []string, all bool) {
	if c.All {
		return nil, true
	}
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if c.Front {
		add(Front)
	}
	for _, id := range c.Stories {
		add(Article(id))
	}
	if len(c.Stories) > 0 {
		for _, k := range []string{Front, Feeds, Sitemap, SitemapNews, SitemapPages, Corrections, Untagged} {
			add(k)
		}
	}
	for _, id := range c.Sections {
		add(Section(id))
	}
	for _, id := range c.Authors {
		add(Author(id))
	}
	for _, id := range c.Bylines {
		add(Byline(id))
		add(SitemapPages) // the author's page may have moved
	}
	for _, id := range c.Tags {
		add(Tag(id))
	}
	for _, id := range c.Pages {
		add(Page(id))
		add(Sitemap)
		add(SitemapStatic)
	}
	if c.Footer {
		add(Footer)
	}
	for _, t := range c.Published {
		if t.IsZero() {
			continue
		}
		add(SitemapMonth(t, loc))
		d := t.In(loc)
		add(Archive(d.Year()))
		add(Archive(d.Year(), int(d.Month())))
		add(Archive(d.Year(), int(d.Month()), d.Day()))
	}
	return keys, false
}
