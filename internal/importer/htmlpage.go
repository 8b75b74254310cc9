package importer

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

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

// minArticleText is the plain text (runes) below which an extracted
// article gets a note asking an editor to check it: readability returns
// its best guess even for a page that has no story. Pages with no story
// are refused by what they are (error pages, link lists), not by length:
// a short story is still a story.
const minArticleText = 200

// errorPage matches the titles of "not found" and error pages.
var errorPage = regexp.MustCompile(`(?i)^(?:404\b|page not found|not found\b|error\b|403\b|500\b|access denied)|\b(?:page not found|404 not found|file not found)\b|페이지를 찾을 수 없|找不到|页面不存在`)

// firstWords returns up to n words of s's first paragraph.
func firstWords(s string, n int) string {
	para, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	w := strings.Fields(para)
	if len(w) > n {
		return strings.Join(w[:n], " ") + "…"
	}
	return strings.Join(w, " ")
}

// maxElements bounds the page size readability is asked to score.
const maxElements = 60000

func parseHTML(path string, data []byte) (*Parsed, error) {
	// Pages are often not UTF-8 (EUC-KR Korean papers): decode as a
	// browser would (pageEncoding).
	if enc, name := pageEncoding(data, ""); name != "utf-8" {
		if dec, err := enc.NewDecoder().Bytes(data); err == nil {
			data = dec
		}
	} else {
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
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
	if strings.TrimSpace(a.Headline) == "" {
		a.Headline = meta.ogTitle
	}
	if strings.TrimSpace(a.Headline) == "" {
		a.Headline = meta.h1
	}
	if errorPage.MatchString(meta.title) || errorPage.MatchString(a.Headline) {
		if n := len([]rune(textOf(art.Node))); n < 500 {
			return nil, lineError(path, 1, "this looks like an error page (title %s), not a story", quoteLine(meta.title))
		}
	}

	// A page made of links to other pages (a section front, a tag or
	// search page) is not a story, however much text its teasers have.
	if st := measureLinks(art.Node); st.isLinkList(meta.articles, meta.ogType) {
		return nil, lineError(path, 1, "this looks like a list of links (%d links; a section front, tag or search page), not a story: import the stories it links to", st.links)
	}

	// The lead photo: the article's first figure. It leaves the body so
	// the page does not show it twice.
	p.Photo = leadFigure(art.Node, filepath.Dir(path), base)
	if p.Photo == nil && meta.image != "" && meta.imageAlt != "" {
		// No figure in the text, but the page names its lead image and
		// says what it shows: keep that, as a photo awaiting its file.
		p.Photo = &PhotoRef{URL: meta.image, Alt: meta.imageAlt, Caption: meta.imageAlt}
	}
	demoteHeadings(art.Node, a.Headline)
	dropBylines(art.Node)
	cleanBody(art.Node)

	var buf bytes.Buffer
	if err := html.Render(&buf, art.Node); err != nil {
		return nil, lineError(path, 1, "render article: %v", err)
	}
	a.BodyHTML = content.Sanitize(buf.String())
	text := content.PlainText(a.BodyHTML)
	n := len([]rune(text))
	if n == 0 {
		return nil, lineError(path, 1, "no article found in the page: it has no text")
	}
	if n < minArticleText {
		p.note("the story has only %d characters of text: check it is the whole article", n)
	}
	if strings.TrimSpace(a.Headline) == "" {
		// No <title>, og:title or <h1>: the first words of the text,
		// for an editor to change.
		a.Headline = firstWords(text, 12)
		p.note("the page has no <title>, og:title or <h1>: the headline is the text's first words")
	}

	for _, name := range cleanByline(art.Byline()) {
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

type pageMeta struct {
	canonical, ogURL, image, imageAlt, description, lang, section, h1 string
	title, ogTitle, ogType                                            string
	tags                                                              []string
	articles                                                          int // <article> elements
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
				case "og:title":
					m.ogTitle = val
				case "og:type":
					m.ogType = strings.ToLower(val)
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
					// An empty tag is no tag (it used to fail at save
					// time, after other rows were written).
					if val != "" {
						m.tags = append(m.tags, val)
					}
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
			case atom.Title:
				if m.title == "" {
					m.title = textOf(n)
				}
			case atom.Article:
				m.articles++
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
func leadFigure(root *html.Node, dir string, base *url.URL) *PhotoRef {
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
	src := imgSrc(img)
	if u, err := url.Parse(src); err == nil && src != "" {
		if u.Scheme == "" && u.Host == "" && !strings.HasPrefix(u.Path, "/") {
			local := filepath.Join(dir, filepath.FromSlash(u.Path))
			if _, err := os.Stat(local); err == nil {
				if data, ct, err := loadPhoto(local); err == nil {
					ph.Path, ph.Data, ph.ContentType = local, data, ct
				}
			}
		}
		if base != nil && !u.IsAbs() {
			u = base.ResolveReference(u)
		}
		// The image's address on the old site, kept even when the image
		// is at hand: it says where the photo came from.
		if u.Scheme == "http" || u.Scheme == "https" {
			ph.URL = u.String()
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

// imgSrc is an image's address as the page wrote it, preferring the real
// one of a lazily loaded image (data-src, a srcset's first) over a
// placeholder.
func imgSrc(img *html.Node) string {
	src := attr(img, origSrc)
	if src == "" {
		src = attr(img, "src")
	}
	if src == "" || strings.HasPrefix(src, "data:") {
		for _, k := range []string{"data-src", "data-original", "data-lazy-src", "data-srcset", "srcset"} {
			if v := strings.TrimSpace(attr(img, k)); v != "" {
				if f := strings.Fields(v); len(f) > 0 {
					return f[0]
				}
			}
		}
	}
	if strings.HasPrefix(src, "data:") {
		return ""
	}
	return src
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
