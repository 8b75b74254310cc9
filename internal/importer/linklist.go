package importer

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// minProse is the length (runes) from which a block of text is a
// paragraph of prose rather than a teaser or a caption.
const minProse = 250

// linkStats describes how much of an extracted article is links.
type linkStats struct {
	links     int // links with text
	linkChars int // runes of text inside links
	chars     int // runes of text in all
	blocks    int // blocks of text (paragraphs, list items, headings)
	linkBlock int // blocks whose text is mostly one or more links
	prose     int // runes in paragraphs of prose: long, and mostly not links
}

func measureLinks(root *html.Node) linkStats {
	var s linkStats
	var walk func(n *html.Node, inLink bool)
	walk = func(n *html.Node, inLink bool) {
		switch n.Type {
		case html.TextNode:
			c := utf8.RuneCountInString(strings.Join(strings.Fields(n.Data), " "))
			s.chars += c
			if inLink {
				s.linkChars += c
			}
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				return
			case atom.A:
				if !inLink && strings.TrimSpace(textOf(n)) != "" {
					s.links++
				}
				inLink = true
			case atom.P, atom.Li, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Dt, atom.Dd:
				if !hasBlockChild(n) {
					t := utf8.RuneCountInString(textOf(n))
					if t > 0 {
						s.blocks++
						l := utf8.RuneCountInString(linkText(n))
						if l*2 > t {
							s.linkBlock++
						} else if t >= minProse {
							s.prose += t
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inLink)
		}
	}
	walk(root, false)
	return s
}

func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			switch c.DataAtom {
			case atom.P, atom.Li, atom.Ul, atom.Ol, atom.Div, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Dl, atom.Table, atom.Blockquote:
				return true
			}
		}
	}
	return false
}

func linkText(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.TextNode && in {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			in = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(n, false)
	return strings.Join(strings.Fields(b.String()), " ")
}

// isLinkList says an extracted "article" is really a list of links to
// other pages — a section front, a tag page, search results — rather than
// a story. Such a page has many blocks (paragraphs, list items, headings)
// that are mostly link text, and little prose: the teasers under its
// headlines are short. Link-rich stories (Wikipedia, a round-up with a
// link in every paragraph, a post with a long list of references) keep
// most of their blocks prose. teasers is the number of <article> elements
// in the page: a page made of many of them is an index unless it says it
// is one article (og:type).
//
// Calibrated on Mozilla Readability's 130 test pages (none is refused;
// the most link-heavy, wikipedia-4, has 40 link blocks of 88) and on
// section fronts of 20 to 80 headlines (all refused).
func (s linkStats) isLinkList(teasers int, ogType string) bool {
	if s.linkBlock < 20 {
		return false
	}
	if s.linkBlock*2 >= s.blocks && s.prose*4 < s.chars {
		return true
	}
	return teasers >= 8 && ogType != "article"
}
