package importer

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"masthead/internal/content"
	"masthead/internal/news"
)

// origSrc remembers an image's src as written in the page, before
// readability makes it absolute against the canonical URL: a relative src
// may name a file saved next to the page. markCredit marks a photo credit
// (class="credit"), since readability drops class attributes.
const (
	origSrc    = "data-masthead-src"
	markCredit = "data-masthead-credit"
)

// minArticleText is the least plain text (runes) an extracted article may
// have. Readability returns its best guess even for a page that has no
// story (a section front, an error page); a guess this short is not one.
const minArticleText = 200

// maxElements bounds the page size readability is asked to score.
const maxElements = 60000

func parseHTML(path string, data []byte) (*Parsed, error) {
	// Pages are often not UTF-8 (EUC-KR Korean papers): decode by the
	// page's own charset declaration, or by sniffing.
	enc, _, _ := charset.DetermineEncoding(data, "text/html")
	if enc != nil {
		if dec, err := enc.NewDecoder().Bytes(data); err == nil {
			data = dec
		}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, lineError(path, lineOf(data, i), "not an HTML page: binary data at byte %d", i)
	}
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, lineError(path, 1, "cannot parse HTML: %v", err)
	}
	meta := readMeta(doc)

	// Relative links resolve against the page's canonical address; without
	// one they stay relative and cleanBody drops them.
	var base *url.URL
	if meta.canonical != "" {
		base, _ = url.Parse(meta.canonical)
	}
	rp := readability.NewParser()
	// Readability's scoring is not linear in the page's size; a real
	// article page has a few thousand elements.
	rp.MaxElemsToParse = maxElements
	art, err := rp.ParseAndMutate(doc, base)
	if err != nil {
		return nil, lineError(path, 1, "cannot read the article: %v", err)
	}
	if art.Node == nil {
		return nil, lineError(path, 1, "no article found in the page")
	}

	p := &Parsed{Path: path, Format: FormatHTML}
	a := &p.Article
	a.Headline = art.Title()
	if a.Headline == "" {
		a.Headline = meta.h1
	}
	if strings.TrimSpace(a.Headline) == "" {
		return nil, lineError(path, 1, "no headline: the page has no <title>, <h1> or og:title")
	}

	// The lead photo: the article's first figure. It leaves the body so
	// the page does not show it twice.
	p.Photo = leadFigure(art.Node, filepath.Dir(path))
	if p.Photo == nil && (meta.imageAlt != "" || meta.image != "") {
		p.Photo = &PhotoRef{URL: meta.image, Alt: meta.imageAlt, Caption: meta.imageAlt}
		if meta.image == "" || p.Photo.Caption == "" {
			p.Photo = nil // an image we will not fetch and nothing to say about it
		}
	}
	demoteHeadings(art.Node, a.Headline)
	dropBylines(art.Node)
	cleanBody(art.Node)

	var buf bytes.Buffer
	if err := html.Render(&buf, art.Node); err != nil {
		return nil, lineError(path, 1, "render article: %v", err)
	}
	a.BodyHTML = content.Sanitize(buf.String())
	if n := len([]rune(content.PlainText(a.BodyHTML))); n < minArticleText {
		return nil, lineError(path, 1, "no article found in the page (only %d characters of text)", n)
	}

	for _, name := range splitNames(strings.TrimSpace(trimBy(art.Byline()))) {
		p.Authors = append(p.Authors, news.Author{Name: name})
	}
	a.Deck = meta.description
	a.Lang = meta.lang
	if a.Lang == "" {
		a.Lang = art.Language()
	}
	if a.Lang != "" {
		if l, ok := cleanLang(a.Lang); ok {
			a.Lang = l
		} else {
			a.Lang = ""
		}
	}
	if t, err := art.PublishedTime(); err == nil {
		a.PublishedAt = t.UTC()
	} else if !errors.Is(err, readability.ErrTimestampMissing) {
		return nil, lineError(path, lineOfAny(data, "datePublished", "published_time", "pubdate"), "unparseable publication date: %v", err)
	}
	if t, err := art.ModifiedTime(); err == nil {
		a.UpdatedAt = t.UTC()
	}
	if meta.section != "" {
		p.Section = meta.section
	}
	p.Tags = meta.tags
	// The canonical URL is the page's identity: importing the page again,
	// even after its headline changed, updates the same story.
	if u, err := url.Parse(meta.canonical); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		u.Fragment = ""
		a.SourceKey = u.String()
	}
	return finish(p, 1)
}

func trimBy(s string) string {
	if m := bylineRe.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
		return m[1]
	}
	return s
}

type pageMeta struct {
	canonical, ogURL, image, imageAlt, description, lang, section, h1 string
	tags                                                              []string
}

// readMeta collects what readability does not report: the canonical URL,
// the description, the image's alt text, section and keywords.
func readMeta(doc *html.Node) pageMeta {
	var m pageMeta
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				m.lang = attr(n, "lang")
			case atom.Link:
				if strings.EqualFold(attr(n, "rel"), "canonical") && m.canonical == "" {
					m.canonical = strings.TrimSpace(attr(n, "href"))
				}
			case atom.Meta:
				key := strings.ToLower(attr(n, "property"))
				if key == "" {
					key = strings.ToLower(attr(n, "name"))
				}
				val := strings.TrimSpace(attr(n, "content"))
				switch key {
				case "og:url":
					m.ogURL = val
				case "og:image":
					m.image = val
				case "og:image:alt", "twitter:image:alt":
					m.imageAlt = val
				case "description", "og:description":
					if m.description == "" {
						m.description = val
					}
				case "article:section":
					m.section = val
				case "article:tag":
					m.tags = append(m.tags, val)
				case "keywords", "news_keywords":
					if len(m.tags) == 0 {
						for _, t := range strings.Split(val, ",") {
							if t = strings.TrimSpace(t); t != "" {
								m.tags = append(m.tags, t)
							}
						}
					}
				}
			case atom.Img:
				n.Attr = append(n.Attr, html.Attribute{Key: origSrc, Val: attr(n, "src")})
			}
			if c := strings.ToLower(attr(n, "class")); strings.Contains(c, "credit") || strings.Contains(c, "copyright") {
				n.Attr = append(n.Attr, html.Attribute{Key: markCredit, Val: "1"})
			}
			switch n.DataAtom {
			case atom.H1:
				if m.h1 == "" {
					m.h1 = textOf(n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if m.canonical == "" {
		m.canonical = m.ogURL
	}
	if u, err := url.Parse(m.canonical); err != nil || !u.IsAbs() {
		m.canonical = ""
	}
	return m
}

// leadFigure takes the first figure with an image out of the article and
// returns it as the lead photo. An image saved next to the page is read;
// a remote one is only named.
func leadFigure(root *html.Node, dir string) *PhotoRef {
	fig := find(root, func(n *html.Node) bool {
		return n.DataAtom == atom.Figure && find(n, isImg) != nil
	})
	if fig == nil {
		return nil
	}
	img := find(fig, isImg)
	ph := &PhotoRef{Alt: strings.TrimSpace(attr(img, "alt"))}
	if cap := find(fig, func(n *html.Node) bool { return n.DataAtom == atom.Figcaption }); cap != nil {
		// A credit is often marked up apart: <span class="credit">.
		if cr := find(cap, func(n *html.Node) bool { return attr(n, markCredit) != "" }); cr != nil {
			ph.Credit = textOf(cr)
			cr.Parent.RemoveChild(cr)
			ph.Caption = strings.TrimRight(textOf(cap), " /")
		} else {
			ph.Caption, ph.Credit = splitCredit(textOf(cap))
		}
	}
	if ph.Alt == "" {
		ph.Alt = ph.Caption
	}
	src := attr(img, origSrc)
	if src == "" {
		src = attr(img, "src")
	}
	if u, err := url.Parse(src); err == nil && src != "" {
		switch {
		case u.Scheme == "" && u.Host == "" && !strings.HasPrefix(u.Path, "/"):
			local := filepath.Join(dir, filepath.FromSlash(u.Path))
			if _, err := os.Stat(local); err == nil {
				if data, ct, err := loadPhoto(local); err == nil {
					ph.Path, ph.Data, ph.ContentType = local, data, ct
				}
			}
		case u.Scheme == "http" || u.Scheme == "https":
			ph.URL = src
		}
	}
	fig.Parent.RemoveChild(fig)
	if ph.Caption == "" && ph.Credit == "" && ph.Alt == "" && ph.Data == nil {
		return nil
	}
	return ph
}

// demoteHeadings keeps body headings within h2–h4 (the page's h1 is the
// headline) and drops a heading that only repeats the headline.
func demoteHeadings(root *html.Node, headline string) {
	var hs []*html.Node
	find(root, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			hs = append(hs, n)
		}
		return false
	})
	for _, h := range hs {
		if h.DataAtom == atom.H1 && strings.Join(strings.Fields(textOf(h)), " ") == strings.Join(strings.Fields(headline), " ") && h.Parent != nil {
			h.Parent.RemoveChild(h)
			continue
		}
		switch h.DataAtom {
		case atom.H1:
			h.DataAtom, h.Data = atom.H2, "h2"
		case atom.H5, atom.H6:
			h.DataAtom, h.Data = atom.H4, "h4"
		}
	}
}

// dropBylines removes "By ..." lines from the top of the body: readability
// leaves them in when it found the byline in the page's metadata, and the
// page prints the byline itself.
func dropBylines(root *html.Node) {
	var blocks []*html.Node
	find(root, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.P, atom.Div, atom.Span, atom.Address:
			if len(blocks) < 4 {
				blocks = append(blocks, n)
			}
		}
		return false
	})
	for _, b := range blocks {
		if t := textOf(b); len([]rune(t)) <= 120 && bylineRe.MatchString(t) && b.Parent != nil {
			b.Parent.RemoveChild(b)
		}
	}
}

// cleanBody removes what would misbehave on the paper's own pages: links
// that are still relative (no canonical URL to resolve them against, so
// they would point into this site) lose their href, and images other than
// the lead photo go, since they would be fetched from the page's site by
// every reader (a tracker in all but name) or not found at all.
func cleanBody(root *html.Node) {
	var imgs []*html.Node
	find(root, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.A:
			href := strings.TrimSpace(attr(n, "href"))
			u, err := url.Parse(href)
			if err != nil || !(u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto") {
				removeAttr(n, "href")
			}
		case atom.Img, atom.Picture, atom.Source, atom.Video, atom.Audio:
			imgs = append(imgs, n)
		}
		return false
	})
	for _, n := range imgs {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
}

func removeAttr(n *html.Node, key string) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Key != key {
			out = append(out, a)
		}
	}
	n.Attr = out
}

func isImg(n *html.Node) bool { return n.DataAtom == atom.Img }

// find returns the first element under n (n included) for which f is true.
func find(n *html.Node, f func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && f(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if r := find(c, f); r != nil {
			return r
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func lineOf(data []byte, off int) int { return bytes.Count(data[:off], []byte("\n")) + 1 }

func lineOfAny(data []byte, needles ...string) int {
	for _, s := range needles {
		if i := bytes.Index(data, []byte(s)); i >= 0 {
			return lineOf(data, i)
		}
	}
	return 1
}
