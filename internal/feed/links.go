package feed

import (
	"strings"

	"masthead/internal/news"
)

// Alternate is one autodiscovery link: <link rel="alternate" type=Type
// title=Title href=Href>.
type Alternate struct {
	Type  string
	Title string
	Href  string
}

// Alternates returns the autodiscovery links of the feeds of a listing page,
// so pages need not know the feed URL scheme. listPath is "/" for the whole
// paper or Paper.SectionPath / AuthorPath / TagPath (already escaped); name
// is the section, author or tag name, "" for the paper. Hrefs are absolute.
func Alternates(p *news.Paper, listPath, name string) []Alternate {
	base := strings.TrimSuffix(listPath, "/")
	title := p.Name
	if name != "" {
		title = name + " | " + p.Name
	}
	return []Alternate{
		{Type: "application/rss+xml", Title: title + " (RSS)", Href: p.AbsURL(base + "/feed.xml")},
		{Type: "application/atom+xml", Title: title + " (Atom)", Href: p.AbsURL(base + "/atom.xml")},
		{Type: "application/feed+json", Title: title + " (JSON Feed)", Href: p.AbsURL(base + "/feed.json")},
	}
}
