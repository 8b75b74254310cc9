package content

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The story body schema. Every story body masthead stores is HTML made of
// these elements and nothing else (docs/body-format.md says why):
//
//	blocks   p, h2, h3, h4, ul/ol (start) > li > (p | ul | ol)+,
//	         blockquote > (p | h2–h4 | ul | ol | pre | hr)+, pre > code (class language-X),
//	         hr, table > (thead | tbody) > tr > (th (scope) | td) (colspan, rowspan),
//	         figure.photo > img (src, alt, width, height) + figcaption (caption, span.credit),
//	         aside.pullquote, figure.embed (data-provider, data-id) > a + figcaption
//	inline   text, strong, em, s, code, a (href), br
//
// Normalize makes that HTML out of any HTML: imports, Markdown rendered by
// goldmark, the editor's output, API bodies. It is a fixed point
// (Normalize(Normalize(x)) == Normalize(x)), so "is this body canonical?" is
// Normalize(b) == b, and the editor, which loads and saves the same HTML,
// never sees a body it cannot represent.

// Normalize returns the canonical body for any HTML fragment. What the
// schema has no place for is dropped: script, style, forms, frames other
// than recognised embeds, and every attribute not named above lose their
// element and content; other unknown elements lose only their tags, so
// their text stays. Inline content outside a block becomes a paragraph,
// headings are kept within h2–h4, inline images become photo figures,
// YouTube, X and Instagram frames, blockquotes and bare links become
// embeds, and empty blocks go. Absolute links get rel="noopener nofollow".
func Normalize(s string) string {
	nodes, err := html.ParseFragment(strings.NewReader(s), bodyContext)
	if err != nil {
		return ""
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	f := &flow{allow: allowTop}
	f.walk(root, marks{}, 0)
	f.flush()
	var b strings.Builder
	b.Grow(len(s) + 64)
	for _, bl := range f.out {
		bl.render(&b)
	}
	return b.String()
}

// Sanitize is Normalize: the name the write paths have always called.
// Every story body goes through it before it is stored, so templates print
// it as is.
func Sanitize(s string) string { return Normalize(s) }

// BodyFromMarkdown renders Markdown with goldmark and normalizes the
// result: the canonical body of a Markdown source (Markdown is an input
// and an export, not a stored format).
func BodyFromMarkdown(src string) (string, error) {
	h, err := MarkdownToHTML(src)
	if err != nil {
		return "", err
	}
	return Normalize(h), nil
}

// maxDepth bounds how deep the normalizer follows nested elements; below
// it only text is kept. Real bodies nest a handful of levels.
const maxDepth = 48

// Which blocks a container may hold.
type allowSet uint8

const (
	allowHeading allowSet = 1 << iota
	allowList
	allowQuote
	allowPre
	allowHR
	allowFigure // photos, embeds, pull quotes
	allowTable
)

const (
	allowTop   = allowHeading | allowList | allowQuote | allowPre | allowHR | allowFigure | allowTable
	allowInLI  = allowList
	allowInBQ  = allowHeading | allowList | allowPre | allowHR
	allowNone  = allowSet(0)
	maxNumAttr = 9999
)

// marks are the inline formats of a run of text.
type marks struct {
	href   string
	strong bool
	em     bool
	strike bool
	code   bool
}

// seg is a run of text with one set of marks, or a line break.
type seg struct {
	text string
	br   bool
	m    marks
}

// block is one node of the normalized tree.
type block struct {
	tag   string // p h2 h3 h4 ul ol li blockquote pre hr table photo pullquote embed
	inl   []seg
	kids  []*block
	start int // ol

	// pre
	text, lang string

	// table: head and body rows of cells
	head, body [][]*cell
	caption    []seg

	// photo
	src, alt      string
	width, height int
	cap, credit   string

	// embed
	emb Embed
}

type cell struct {
	th               bool
	scope            string
	colspan, rowspan int
	inl              []seg
}

// flow collects the blocks of one container (the body, a list item, a
// quote). Inline content goes into cur, the open paragraph; a block ends it.
type flow struct {
	allow allowSet
	out   []*block
	cur   *block
}

func (f *flow) inline(s seg) {
	if f.cur == nil {
		f.cur = &block{tag: "p"}
	}
	f.cur.inl = append(f.cur.inl, s)
}

func (f *flow) flush() { f.flushOnly() }

// push ends the open paragraph and appends a finished block, dropping it
// when it is empty.
func (f *flow) push(b *block) {
	f.flushOnly()
	if b.finish() {
		f.out = append(f.out, b)
	}
}

func (f *flow) flushOnly() {
	if f.cur != nil {
		c := f.cur
		f.cur = nil
		if c.finish() {
			f.out = append(f.out, c)
		}
	}
}

// finish tidies a block and reports whether it holds anything.
func (b *block) finish() bool {
	switch b.tag {
	case "p", "h2", "h3", "h4", "pullquote":
		b.inl = tidy(b.inl)
		if b.tag == "p" {
			if e, ok := bareEmbed(b.inl); ok {
				*b = block{tag: "embed", emb: e}
			}
		}
		return len(b.inl) > 0 || b.tag == "embed"
	case "ul", "ol", "li", "blockquote":
		return len(b.kids) > 0
	case "pre":
		return strings.TrimSpace(b.text) != ""
	case "table":
		return len(b.head)+len(b.body) > 0
	case "photo":
		return b.src != ""
	}
	return true
}

// dropped elements lose their content too: it is code, styling or
// controls, not text a reader should see.
var dropped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Noscript: true,
	atom.Object: true, atom.Embed: true, atom.Applet: true, atom.Param: true,
	atom.Svg: true, atom.Math: true, atom.Canvas: true, atom.Video: true, atom.Audio: true,
	atom.Source: true, atom.Track: true, atom.Map: true, atom.Area: true,
	atom.Form: true, atom.Input: true, atom.Button: true, atom.Select: true, atom.Option: true,
	atom.Textarea: true, atom.Datalist: true, atom.Output: true, atom.Progress: true, atom.Meter: true,
	atom.Head: true, atom.Title: true, atom.Meta: true, atom.Link: true, atom.Base: true,
	atom.Frame: true, atom.Frameset: true, atom.Noframes: true, atom.Dialog: true,
	atom.Colgroup: true, atom.Col: true, atom.Rp: true,
}

// blockish elements end the paragraph around them but add nothing
// themselves: their content joins the container.
var blockish = map[atom.Atom]bool{
	atom.Div: true, atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true,
	atom.Main: true, atom.Nav: true, atom.Aside: true, atom.Address: true, atom.Details: true,
	atom.Summary: true, atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Center: true,
	atom.Hgroup: true, atom.Figure: true, atom.Figcaption: true, atom.Fieldset: true, atom.Legend: true,
	atom.Picture: true, atom.Body: true, atom.Html: true, atom.Menu: true, atom.Caption: true,
	atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Tr: true, atom.Td: true, atom.Th: true,
	atom.Li: true, atom.Blockquote: true, atom.Table: true, atom.Ul: true, atom.Ol: true,
}

func hasClass(n *html.Node, class string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" {
			for _, c := range strings.Fields(a.Val) {
				if c == class {
					return true
				}
			}
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

// walk adds the children of n to f, with the marks in force.
func (f *flow) walk(n *html.Node, m marks, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		f.node(c, m, depth+1)
	}
}

func (f *flow) node(c *html.Node, m marks, depth int) {
	switch c.Type {
	case html.TextNode:
		f.inline(seg{text: c.Data, m: m})
		return
	case html.ElementNode:
	default:
		return
	}
	if c.Namespace != "" || dropped[c.DataAtom] {
		return
	}
	if depth > maxDepth {
		f.inline(seg{text: textOf(c), m: m})
		return
	}
	switch c.DataAtom {
	case atom.Br:
		f.inline(seg{br: true})
		return
	case atom.A:
		if h, ok := cleanHref(attr(c, "href")); ok && !m.code {
			m.href = h
		}
		f.walk(c, m, depth)
		return
	case atom.Strong, atom.B:
		if !m.code {
			m.strong = true
		}
		f.walk(c, m, depth)
		return
	case atom.Em, atom.I:
		if !m.code {
			m.em = true
		}
		f.walk(c, m, depth)
		return
	case atom.S, atom.Del, atom.Strike:
		if !m.code {
			m.strike = true
		}
		f.walk(c, m, depth)
		return
	case atom.Code, atom.Kbd, atom.Samp, atom.Tt:
		// Code excludes the other formats, as in the editor.
		f.walk(c, marks{code: true}, depth)
		return
	case atom.Img:
		if f.allow&allowFigure != 0 {
			if b := photoOf(c, nil); b != nil {
				f.push(b)
			}
		}
		return
	case atom.Iframe:
		if f.allow&allowFigure != 0 {
			if e, ok := EmbedOf(attr(c, "src")); ok {
				f.push(&block{tag: "embed", emb: e})
			}
		}
		return
	case atom.P:
		f.flushOnly()
		f.cur = &block{tag: "p"}
		f.walk(c, m, depth)
		f.flushOnly()
		return
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		f.flushOnly()
		tag := "p"
		if f.allow&allowHeading != 0 {
			tag = map[atom.Atom]string{atom.H1: "h2", atom.H2: "h2", atom.H3: "h3", atom.H4: "h4", atom.H5: "h4", atom.H6: "h4"}[c.DataAtom]
		}
		f.cur = &block{tag: tag}
		f.walk(c, m, depth)
		f.flushOnly()
		return
	case atom.Ul, atom.Ol:
		if f.allow&allowList != 0 {
			f.push(listOf(c, m, depth))
			return
		}
	case atom.Li:
		// A list item outside a list: its content is a paragraph.
	case atom.Blockquote:
		if f.allow&allowFigure != 0 {
			if e, ok := embedQuote(c); ok {
				f.push(&block{tag: "embed", emb: e})
				return
			}
			if hasClass(c, "pullquote") || hasClass(c, "wp-block-pullquote") {
				f.push(pullquoteOf(c, m, depth))
				return
			}
		}
		if f.allow&allowQuote != 0 {
			q := &flow{allow: allowInBQ}
			q.walk(c, m, depth)
			q.flush()
			f.push(&block{tag: "blockquote", kids: q.out})
			return
		}
	case atom.Pre:
		if f.allow&allowPre != 0 {
			b := &block{tag: "pre", text: preText(c)}
			if code := firstChild(c, atom.Code); code != nil {
				b.lang = langOf(attr(code, "class"))
			}
			f.push(b)
			return
		}
	case atom.Hr:
		if f.allow&allowHR != 0 {
			f.push(&block{tag: "hr"})
		} else {
			f.flushOnly()
		}
		return
	case atom.Table:
		if f.allow&allowTable != 0 {
			f.push(tableOf(c, depth))
			return
		}
	case atom.Aside:
		if f.allow&allowFigure != 0 && hasClass(c, "pullquote") {
			f.push(pullquoteOf(c, m, depth))
			return
		}
	case atom.Figure:
		if f.allow&allowFigure != 0 {
			if b := figureOf(c, m, depth); b != nil {
				f.push(b)
				return
			}
			if hasClass(c, "wp-block-pullquote") || hasClass(c, "pullquote") {
				f.push(pullquoteOf(c, m, depth))
				return
			}
		}
	}
	if blockish[c.DataAtom] {
		f.flushOnly()
		f.walk(c, m, depth)
		f.flushOnly()
		return
	}
	// Anything else (span, u, small, sub, time, unknown tags) keeps its
	// text and loses its tag.
	f.walk(c, m, depth)
}

func firstChild(n *html.Node, a atom.Atom) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == a {
			return c
		}
	}
	return nil
}

// find returns the first element below n (depth first) that ok accepts.
func find(n *html.Node, ok func(*html.Node) bool) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if ok(c) {
			return c
		}
		if r := find(c, ok); r != nil {
			return r
		}
	}
	return nil
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && dropped[n.DataAtom] {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// preText is the text of a code block, line breaks kept.
func preText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && n.DataAtom == atom.Br:
			b.WriteByte('\n')
		case n.Type == html.ElementNode && dropped[n.DataAtom]:
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	s := stripControls(strings.ReplaceAll(b.String(), "\r\n", "\n"))
	// The parser drops one newline right after <pre>; a text that starts
	// with one would lose it on the next pass, so it is not kept.
	s = strings.TrimLeft(s, "\n")
	return strings.TrimRight(s, " \t\n")
}

var langRE = regexp.MustCompile(`^language-[A-Za-z0-9_+-]{1,32}$`)

func langOf(class string) string {
	for _, c := range strings.Fields(class) {
		if langRE.MatchString(c) {
			return strings.TrimPrefix(c, "language-")
		}
	}
	return ""
}

func listOf(n *html.Node, m marks, depth int) *block {
	b := &block{tag: "ul"}
	if n.DataAtom == atom.Ol {
		b.tag = "ol"
		if v, err := strconv.Atoi(attr(n, "start")); err == nil && v > 1 && v <= maxNumAttr {
			b.start = v
		}
	}
	// Content between items (text, stray elements) goes into the item
	// before it, or a first item.
	var item *flow
	end := func() {
		if item != nil {
			item.flush()
			li := &block{tag: "li", kids: item.out}
			if li.finish() {
				b.kids = append(b.kids, li)
			}
			item = nil
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Li {
			end()
			item = &flow{allow: allowInLI}
			item.walk(c, m, depth+1)
			continue
		}
		if c.Type == html.TextNode && strings.TrimSpace(c.Data) == "" {
			continue
		}
		if item == nil {
			item = &flow{allow: allowInLI}
		}
		item.node(c, m, depth+1)
	}
	end()
	return b
}

func pullquoteOf(n *html.Node, m marks, depth int) *block {
	// A pull quote is one run of text; its source's paragraphs and the
	// WordPress <cite> join it with line breaks.
	f := &flow{allow: allowNone}
	f.walk(n, m, depth)
	f.flush()
	b := &block{tag: "pullquote"}
	for i, p := range f.out {
		if i > 0 {
			b.inl = append(b.inl, seg{br: true})
		}
		b.inl = append(b.inl, p.inl...)
		// Lists and the like inside a pull quote come out as paragraphs
		// already (allowNone); nothing else to add.
	}
	return b
}

func tableOf(n *html.Node, depth int) *block {
	b := &block{tag: "table"}
	var rows func(n *html.Node, head bool)
	rows = func(n *html.Node, head bool) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Thead:
				rows(c, true)
			case atom.Tbody, atom.Tfoot:
				rows(c, false)
			case atom.Caption:
				cf := &flow{allow: allowNone}
				cf.walk(c, marks{}, depth+1)
				cf.flush()
				b.caption = joinParas(cf.out)
			case atom.Tr:
				var row []*cell
				for d := c.FirstChild; d != nil; d = d.NextSibling {
					if d.Type != html.ElementNode || (d.DataAtom != atom.Td && d.DataAtom != atom.Th) {
						continue
					}
					ce := &cell{th: d.DataAtom == atom.Th, colspan: spanOf(d, "colspan"), rowspan: spanOf(d, "rowspan")}
					if ce.th {
						switch s := attr(d, "scope"); s {
						case "row", "col", "rowgroup", "colgroup":
							ce.scope = s
						}
					}
					cf := &flow{allow: allowNone}
					cf.walk(d, marks{}, depth+2)
					cf.flush()
					ce.inl = joinParas(cf.out)
					row = append(row, ce)
				}
				if len(row) == 0 {
					continue
				}
				if head {
					b.head = append(b.head, row)
				} else {
					b.body = append(b.body, row)
				}
			}
		}
	}
	rows(n, false)
	return b
}

func joinParas(ps []*block) []seg {
	var out []seg
	for i, p := range ps {
		if i > 0 {
			out = append(out, seg{br: true})
		}
		out = append(out, p.inl...)
	}
	return tidy(out)
}

func spanOf(n *html.Node, key string) int {
	v, err := strconv.Atoi(attr(n, key))
	if err != nil || v <= 1 || v > 1000 {
		return 0
	}
	return v
}

// figureOf reads a <figure>: a photo (an img, perhaps inside a link or a
// picture, and its caption) or an embed (our own markup, or a frame or
// quote of a provider). Other figures are not ours: nil.
func figureOf(n *html.Node, m marks, depth int) *block {
	if hasClass(n, "embed") {
		if a := find(n, func(c *html.Node) bool { return c.DataAtom == atom.A }); a != nil {
			if e, ok := EmbedOf(attr(a, "href")); ok {
				if fc := find(n, func(c *html.Node) bool { return c.DataAtom == atom.Figcaption }); fc != nil {
					e.Caption = collapse(textOf(fc))
				}
				return &block{tag: "embed", emb: e}
			}
		}
	}
	if fr := find(n, func(c *html.Node) bool { return c.DataAtom == atom.Iframe }); fr != nil {
		if e, ok := EmbedOf(attr(fr, "src")); ok {
			return &block{tag: "embed", emb: e}
		}
	}
	if q := find(n, func(c *html.Node) bool { return c.DataAtom == atom.Blockquote }); q != nil {
		if e, ok := embedQuote(q); ok {
			return &block{tag: "embed", emb: e}
		}
	}
	img := find(n, func(c *html.Node) bool { return c.DataAtom == atom.Img })
	if img == nil {
		return nil
	}
	fc := find(n, func(c *html.Node) bool { return c.DataAtom == atom.Figcaption })
	return photoOf(img, fc)
}

var credRE = regexp.MustCompile(`(^|\s)(credit|wp-caption-credit|photo-credit)(\s|$)`)

// photoOf makes a photo figure of an img and its caption element.
func photoOf(img, fc *html.Node) *block {
	src, ok := cleanSrc(attr(img, "src"))
	if !ok {
		return nil
	}
	b := &block{tag: "photo", src: src, alt: collapse(attr(img, "alt"))}
	w, werr := strconv.Atoi(attr(img, "width"))
	h, herr := strconv.Atoi(attr(img, "height"))
	if werr == nil && herr == nil && w > 0 && h > 0 && w <= maxNumAttr && h <= maxNumAttr {
		b.width, b.height = w, h
	}
	if fc != nil {
		var capt, cred strings.Builder
		var walk func(*html.Node, bool)
		walk = func(n *html.Node, inCredit bool) {
			if n.Type == html.TextNode {
				if inCredit {
					cred.WriteString(n.Data)
					cred.WriteByte(' ')
				} else {
					capt.WriteString(n.Data)
				}
			}
			if n.Type == html.ElementNode {
				if dropped[n.DataAtom] {
					return
				}
				if credRE.MatchString(attr(n, "class")) {
					inCredit = true
				}
				if n.DataAtom == atom.Br {
					capt.WriteByte(' ')
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, inCredit)
			}
		}
		walk(fc, false)
		b.cap, b.credit = collapse(capt.String()), collapse(cred.String())
	}
	return b
}

// cleanHref returns a link target readers may follow: http, https or
// mailto, or a relative URL; "" and false otherwise.
func cleanHref(h string) (string, bool) {
	h = strings.TrimSpace(stripControls(h))
	if h == "" || strings.ContainsAny(h, "\t\n\r") {
		return "", false
	}
	u, err := url.Parse(h)
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
	case "mailto":
	case "":
		// Relative: a path, a query or a fragment. "a:b" with a colon
		// before any slash would be read as a scheme by a browser; url.Parse
		// already said it has none.
		if i := strings.IndexAny(h, ":/?#"); i >= 0 && h[i] == ':' {
			return "", false
		}
	default:
		return "", false
	}
	return h, true
}

// cleanSrc returns an image address that the reader's browser may load:
// one of the paper's own paths, or an http(s) URL.
func cleanSrc(s string) (string, bool) {
	s = strings.TrimSpace(stripControls(s))
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	}
	h, ok := cleanHref(s)
	if !ok || strings.HasPrefix(strings.ToLower(h), "mailto:") {
		return "", false
	}
	return h, true
}

// stripControls removes C0 controls other than tab, newline and carriage
// return, and DEL: browsers show them as boxes and XML feeds refuse them.
func stripControls(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f') || r == 0x7f
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f'
}

// collapse trims text and makes each run of HTML white space one space.
func collapse(s string) string {
	return strings.Join(strings.FieldsFunc(stripControls(s), isHTMLSpace), " ")
}

// tidy makes inline content canonical: white space collapsed as a browser
// shows it, none at the start, end or around line breaks, breaks not
// leading or trailing, and neighbouring runs with the same marks merged.
func tidy(in []seg) []seg {
	var out []seg
	space := true // at the start, a space is dropped
	for _, s := range in {
		if s.br {
			// Trailing space before a break goes.
			if n := len(out); n > 0 && !out[n-1].br {
				out[n-1].text = strings.TrimRight(out[n-1].text, " ")
				if out[n-1].text == "" {
					out = out[:n-1]
				}
			}
			if len(out) > 0 {
				out = append(out, seg{br: true})
			}
			space = true
			continue
		}
		var b strings.Builder
		for _, r := range stripControls(s.text) {
			if isHTMLSpace(r) {
				if !space {
					b.WriteByte(' ')
				}
				space = true
				continue
			}
			b.WriteRune(r)
			space = false
		}
		t := b.String()
		if t == "" {
			continue
		}
		if n := len(out); n > 0 && !out[n-1].br && out[n-1].m == s.m {
			out[n-1].text += t
			continue
		}
		out = append(out, seg{text: t, m: s.m})
	}
	// Trailing spaces and breaks go.
	for len(out) > 0 {
		n := len(out) - 1
		if out[n].br {
			out = out[:n]
			continue
		}
		out[n].text = strings.TrimRight(out[n].text, " ")
		if out[n].text == "" {
			out = out[:n]
			continue
		}
		break
	}
	// A break left leading after the spaces went (" <br>x").
	for len(out) > 0 && out[0].br {
		out = out[1:]
	}
	return out
}

// bareEmbed recognises a paragraph that is nothing but a link to a YouTube,
// X or Instagram post whose text is its address: the way a pasted URL or
// Markdown's bare link arrives.
func bareEmbed(inl []seg) (Embed, bool) {
	if len(inl) != 1 || inl[0].br || inl[0].m.href == "" {
		return Embed{}, false
	}
	s := inl[0]
	if strings.TrimRight(s.text, "/") != strings.TrimRight(s.m.href, "/") {
		return Embed{}, false
	}
	return EmbedOf(s.m.href)
}

// render writes the canonical HTML of b.
func (b *block) render(w *strings.Builder) {
	switch b.tag {
	case "p", "h2", "h3", "h4":
		w.WriteString("<" + b.tag + ">")
		renderInline(w, b.inl)
		w.WriteString("</" + b.tag + ">")
	case "ul", "ol":
		w.WriteString("<" + b.tag)
		if b.start > 1 {
			w.WriteString(` start="` + strconv.Itoa(b.start) + `"`)
		}
		w.WriteString(">")
		for _, k := range b.kids {
			k.render(w)
		}
		w.WriteString("</" + b.tag + ">")
	case "li", "blockquote":
		w.WriteString("<" + b.tag + ">")
		for _, k := range b.kids {
			k.render(w)
		}
		w.WriteString("</" + b.tag + ">")
	case "pre":
		w.WriteString("<pre><code")
		if b.lang != "" {
			w.WriteString(` class="language-` + b.lang + `"`)
		}
		w.WriteString(">")
		w.WriteString(escapeText(b.text))
		w.WriteString("</code></pre>")
	case "hr":
		w.WriteString("<hr>")
	case "table":
		w.WriteString("<table>")
		if len(b.caption) > 0 {
			w.WriteString("<caption>")
			renderInline(w, b.caption)
			w.WriteString("</caption>")
		}
		rows := func(tag string, rs [][]*cell) {
			if len(rs) == 0 {
				return
			}
			w.WriteString("<" + tag + ">")
			for _, r := range rs {
				w.WriteString("<tr>")
				for _, c := range r {
					t := "td"
					if c.th {
						t = "th"
					}
					w.WriteString("<" + t)
					if c.scope != "" {
						w.WriteString(` scope="` + c.scope + `"`)
					}
					if c.colspan > 1 {
						w.WriteString(` colspan="` + strconv.Itoa(c.colspan) + `"`)
					}
					if c.rowspan > 1 {
						w.WriteString(` rowspan="` + strconv.Itoa(c.rowspan) + `"`)
					}
					w.WriteString(">")
					renderInline(w, c.inl)
					w.WriteString("</" + t + ">")
				}
				w.WriteString("</tr>")
			}
			w.WriteString("</" + tag + ">")
		}
		rows("thead", b.head)
		rows("tbody", b.body)
		w.WriteString("</table>")
	case "photo":
		w.WriteString(`<figure class="photo"><img src="` + escapeAttr(b.src) + `" alt="` + escapeAttr(b.alt) + `"`)
		if b.width > 0 {
			w.WriteString(` width="` + strconv.Itoa(b.width) + `" height="` + strconv.Itoa(b.height) + `"`)
		}
		w.WriteString(` loading="lazy">`)
		if b.cap != "" || b.credit != "" {
			w.WriteString("<figcaption>")
			w.WriteString(escapeText(b.cap))
			if b.credit != "" {
				if b.cap != "" {
					w.WriteString(" ")
				}
				w.WriteString(`<span class="credit">` + escapeText(b.credit) + `</span>`)
			}
			w.WriteString("</figcaption>")
		}
		w.WriteString("</figure>")
	case "pullquote":
		w.WriteString(`<aside class="pullquote">`)
		renderInline(w, b.inl)
		w.WriteString("</aside>")
	case "embed":
		e := b.emb
		w.WriteString(`<figure class="embed" data-provider="` + e.Provider + `" data-id="` + escapeAttr(e.ID) + `">`)
		w.WriteString(`<a href="` + escapeAttr(e.URL) + `" rel="noopener nofollow">` + escapeText(e.Label()) + `</a>`)
		if e.Caption != "" {
			w.WriteString("<figcaption>" + escapeText(e.Caption) + "</figcaption>")
		}
		w.WriteString("</figure>")
	}
}

// renderInline writes runs with their marks nested in one order (link,
// strong, em, s, code), closing only what changes, as ProseMirror does.
func renderInline(w *strings.Builder, inl []seg) {
	type open struct {
		kind string
		href string
	}
	var stack []open
	want := func(m marks) []open {
		var o []open
		if m.href != "" {
			o = append(o, open{"a", m.href})
		}
		if m.strong {
			o = append(o, open{"strong", ""})
		}
		if m.em {
			o = append(o, open{"em", ""})
		}
		if m.strike {
			o = append(o, open{"s", ""})
		}
		if m.code {
			o = append(o, open{"code", ""})
		}
		return o
	}
	closeTo := func(n int) {
		for len(stack) > n {
			w.WriteString("</" + stack[len(stack)-1].kind + ">")
			stack = stack[:len(stack)-1]
		}
	}
	for _, s := range inl {
		if s.br {
			closeTo(0)
			w.WriteString("<br>")
			continue
		}
		wm := want(s.m)
		common := 0
		for common < len(stack) && common < len(wm) && stack[common] == wm[common] {
			common++
		}
		closeTo(common)
		for _, o := range wm[common:] {
			if o.kind == "a" {
				w.WriteString(`<a href="` + escapeAttr(o.href) + `"`)
				if isExternal(o.href) {
					w.WriteString(` rel="noopener nofollow"`)
				}
				w.WriteString(">")
			} else {
				w.WriteString("<" + o.kind + ">")
			}
			stack = append(stack, o)
		}
		w.WriteString(escapeText(s.text))
	}
	closeTo(0)
}

func isExternal(h string) bool {
	h = strings.ToLower(h)
	return strings.HasPrefix(h, "http://") || strings.HasPrefix(h, "https://") || strings.HasPrefix(h, "//")
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;")
	attrEscaper = strings.NewReplacer("&", "&amp;", `"`, "&#34;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;")
)

func escapeText(s string) string { return textEscaper.Replace(s) }
func escapeAttr(s string) string { return attrEscaper.Replace(s) }
