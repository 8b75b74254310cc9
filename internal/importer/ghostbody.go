package importer

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"

	"masthead/internal/content"
)

// Ghost's two editor formats rendered to plain story HTML: the sanitizer
// then keeps what a story body may hold. Cards that only make sense on
// Ghost (paywall, e-mail-only content, sign-up forms) are left out with a
// note; embeds become links, so the page loads no third-party player.

// lexNode is any node of a Lexical document; each type uses some fields.
type lexNode struct {
	Type     string    `json:"type"`
	Children []lexNode `json:"children"`
	Text     string    `json:"text"`
	Format   any       `json:"format"` // text: a bitmask; blocks: "center"...
	Tag      string    `json:"tag"`
	ListType string    `json:"listType"`
	URL      string    `json:"url"`
	Src      string    `json:"src"`
	Alt      string    `json:"alt"`
	Caption  string    `json:"caption"`
	Href     string    `json:"href"`
	HTML     string    `json:"html"`
	Markdown string    `json:"markdown"`
	Code     string    `json:"code"`
	Language string    `json:"language"`
	Images   []struct {
		Src     string `json:"src"`
		Alt     string `json:"alt"`
		Caption string `json:"caption"`
	} `json:"images"`
	Metadata struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"metadata"`
	CalloutText string `json:"calloutText"`
	ButtonText  string `json:"buttonText"`
	ButtonURL   string `json:"buttonUrl"`
	Heading     string `json:"heading"`
	Content     string `json:"content"`
	Title       string `json:"title"`
	FileName    string `json:"fileName"`
	Header      string `json:"header"`
	Subheader   string `json:"subheader"`
}

type bodyWriter struct {
	b       strings.Builder
	dropped map[string]int
	unknown map[string]int
}

func (w *bodyWriter) notes(item *Parsed) {
	if len(w.dropped) > 0 {
		item.note("Ghost cards that only work on Ghost were left out: %s", countList(w.dropped))
	}
	if len(w.unknown) > 0 {
		item.note("Ghost cards masthead does not know kept only their text: %s", countList(w.unknown))
	}
}

func lexicalHTML(src string, item *Parsed) (string, error) {
	var doc struct {
		Root lexNode `json:"root"`
	}
	if err := json.Unmarshal([]byte(src), &doc); err != nil {
		return "", fmt.Errorf("lexical body: %s", shortErr(err))
	}
	w := &bodyWriter{dropped: map[string]int{}, unknown: map[string]int{}}
	for _, n := range doc.Root.Children {
		w.lexBlock(n)
	}
	w.notes(item)
	return w.b.String(), nil
}

func esc(s string) string { return html.EscapeString(s) }

func (w *bodyWriter) lexInline(ns []lexNode) {
	for _, n := range ns {
		switch n.Type {
		case "text", "extended-text", "hashtag", "tab":
			t := esc(n.Text)
			f, _ := n.Format.(float64)
			bits := int(f)
			wrap := []struct {
				bit int
				tag string
			}{{16, "code"}, {128, "mark"}, {64, "sup"}, {32, "sub"}, {8, "u"}, {4, "s"}, {2, "em"}, {1, "strong"}}
			for _, x := range wrap {
				if bits&x.bit != 0 {
					t = "<" + x.tag + ">" + t + "</" + x.tag + ">"
				}
			}
			w.b.WriteString(t)
		case "linebreak":
			w.b.WriteString("<br>")
		case "link", "autolink":
			w.b.WriteString(`<a href="` + esc(n.URL) + `">`)
			w.lexInline(n.Children)
			w.b.WriteString("</a>")
		default:
			w.lexInline(n.Children)
		}
	}
}

func (w *bodyWriter) figure(img, caption string) {
	w.b.WriteString("<figure>" + img)
	if strings.TrimSpace(caption) != "" {
		w.b.WriteString("<figcaption>" + caption + "</figcaption>")
	}
	w.b.WriteString("</figure>")
}

func (w *bodyWriter) link(u, text, caption string) {
	if u == "" {
		return
	}
	if text == "" {
		text = u
	}
	w.b.WriteString(`<p><a href="` + esc(u) + `">` + esc(text) + `</a></p>`)
	if c := strings.TrimSpace(html2text(caption)); c != "" {
		w.b.WriteString("<p><em>" + esc(c) + "</em></p>")
	}
}

func (w *bodyWriter) lexBlock(n lexNode) {
	switch n.Type {
	case "paragraph":
		w.b.WriteString("<p>")
		w.lexInline(n.Children)
		w.b.WriteString("</p>")
	case "heading", "extended-heading":
		tag := n.Tag
		if len(tag) != 2 || tag[0] != 'h' || tag[1] < '1' || tag[1] > '6' {
			tag = "h2"
		}
		w.b.WriteString("<" + tag + ">")
		w.lexInline(n.Children)
		w.b.WriteString("</" + tag + ">")
	case "quote", "extended-quote", "aside":
		w.b.WriteString("<blockquote><p>")
		w.lexInline(n.Children)
		w.b.WriteString("</p></blockquote>")
	case "list":
		tag := "ul"
		if n.ListType == "number" || n.Tag == "ol" {
			tag = "ol"
		}
		w.b.WriteString("<" + tag + ">")
		for _, li := range n.Children {
			w.b.WriteString("<li>")
			for _, c := range li.Children {
				if c.Type == "list" {
					w.lexBlock(c)
				} else {
					w.lexInline([]lexNode{c})
				}
			}
			w.b.WriteString("</li>")
		}
		w.b.WriteString("</" + tag + ">")
	case "horizontalrule":
		w.b.WriteString("<hr>")
	case "image":
		w.figure(`<img src="`+esc(n.Src)+`" alt="`+esc(n.Alt)+`">`, n.Caption)
	case "gallery":
		for _, im := range n.Images {
			w.figure(`<img src="`+esc(im.Src)+`" alt="`+esc(im.Alt)+`">`, im.Caption)
		}
		if n.Caption != "" {
			w.b.WriteString("<p><em>" + n.Caption + "</em></p>")
		}
	case "embed":
		w.link(n.URL, "", n.Caption)
	case "bookmark":
		w.link(n.URL, n.Metadata.Title, n.Caption)
	case "html":
		w.b.WriteString(n.HTML)
	case "markdown":
		if h, err := content.MarkdownToHTML(n.Markdown); err == nil {
			w.b.WriteString(h)
		}
	case "codeblock":
		w.code(n.Code, n.Language)
	case "callout":
		w.b.WriteString("<blockquote>" + n.CalloutText + "</blockquote>")
	case "toggle":
		w.b.WriteString("<h3>" + n.Heading + "</h3>" + n.Content)
	case "button":
		w.link(n.ButtonURL, n.ButtonText, "")
	case "video", "audio", "file":
		w.link(n.Src, firstNonEmpty(n.Title, n.FileName), n.Caption)
	case "header":
		w.b.WriteString("<h2>" + html2text(n.Header) + "</h2>")
		if n.Subheader != "" {
			w.b.WriteString("<p>" + n.Subheader + "</p>")
		}
	case "paywall", "email", "email-cta", "signup", "cta", "product", "audio-embed":
		w.dropped[n.Type]++
	default:
		if len(n.Children) > 0 {
			w.unknown[n.Type]++
			w.b.WriteString("<p>")
			w.lexInline(n.Children)
			w.b.WriteString("</p>")
		} else {
			w.dropped[n.Type]++
		}
	}
}

func (w *bodyWriter) code(code, lang string) {
	cls := ""
	if lang != "" && isLangName(lang) {
		cls = ` class="language-` + lang + `"`
	}
	w.b.WriteString("<pre><code" + cls + ">" + esc(code) + "</code></pre>")
}

func isLangName(s string) bool {
	if len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '+' || r == '-') {
			return false
		}
	}
	return true
}

// Mobiledoc 0.3: {"markups": [[tag, [attr, value...]]], "atoms": [[name, text, payload]],
// "cards": [[name, payload]], "sections": [[1, tag, markers] | [2, src] | [3, tag, items] | [10, card]]};
// a marker is [0 text | 1 atom, opened markup indexes, number closed, value].
type mobiledoc struct {
	Markups  [][]json.RawMessage `json:"markups"`
	Atoms    [][]json.RawMessage `json:"atoms"`
	Cards    [][]json.RawMessage `json:"cards"`
	Sections [][]json.RawMessage `json:"sections"`
}

func mobiledocHTML(src string, item *Parsed) (string, error) {
	var md mobiledoc
	if err := json.Unmarshal([]byte(src), &md); err != nil {
		return "", fmt.Errorf("mobiledoc body: %s", shortErr(err))
	}
	w := &bodyWriter{dropped: map[string]int{}, unknown: map[string]int{}}
	type markup struct{ tag, attrs string }
	markups := make([]markup, len(md.Markups))
	for i, m := range md.Markups {
		if len(m) == 0 {
			continue
		}
		var tag string
		_ = json.Unmarshal(m[0], &tag)
		tag = strings.ToLower(tag)
		var attrs []string
		if len(m) > 1 {
			_ = json.Unmarshal(m[1], &attrs)
		}
		var as string
		for j := 0; j+1 < len(attrs); j += 2 {
			if attrs[j] == "href" {
				as += ` href="` + esc(attrs[j+1]) + `"`
			}
		}
		markups[i] = markup{tag, as}
	}
	markers := func(raw json.RawMessage) {
		var ms [][]json.RawMessage
		_ = json.Unmarshal(raw, &ms)
		var open []string
		for _, m := range ms {
			if len(m) < 4 {
				continue
			}
			var typ, closed int
			var opens []int
			_ = json.Unmarshal(m[0], &typ)
			_ = json.Unmarshal(m[1], &opens)
			_ = json.Unmarshal(m[2], &closed)
			for _, o := range opens {
				if o >= 0 && o < len(markups) && markups[o].tag != "" {
					w.b.WriteString("<" + markups[o].tag + markups[o].attrs + ">")
					open = append(open, markups[o].tag)
				} else {
					open = append(open, "")
				}
			}
			if typ == 0 {
				var t string
				_ = json.Unmarshal(m[3], &t)
				w.b.WriteString(esc(t))
			} else {
				var ai int
				_ = json.Unmarshal(m[3], &ai)
				if ai >= 0 && ai < len(md.Atoms) && len(md.Atoms[ai]) > 1 {
					var name, text string
					_ = json.Unmarshal(md.Atoms[ai][0], &name)
					_ = json.Unmarshal(md.Atoms[ai][1], &text)
					if name == "soft-return" {
						w.b.WriteString("<br>")
					} else {
						w.b.WriteString(esc(text))
					}
				}
			}
			for ; closed > 0 && len(open) > 0; closed-- {
				if t := open[len(open)-1]; t != "" {
					w.b.WriteString("</" + t + ">")
				}
				open = open[:len(open)-1]
			}
		}
		for i := len(open) - 1; i >= 0; i-- {
			if open[i] != "" {
				w.b.WriteString("</" + open[i] + ">")
			}
		}
	}
	for _, s := range md.Sections {
		if len(s) < 2 {
			continue
		}
		var typ int
		_ = json.Unmarshal(s[0], &typ)
		switch typ {
		case 1:
			var tag string
			_ = json.Unmarshal(s[1], &tag)
			tag = strings.ToLower(tag)
			switch tag {
			case "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote":
			case "aside", "pull-quote":
				tag = "blockquote"
			default:
				tag = "p"
			}
			w.b.WriteString("<" + tag + ">")
			if len(s) > 2 {
				markers(s[2])
			}
			w.b.WriteString("</" + tag + ">")
		case 2:
			var src string
			_ = json.Unmarshal(s[1], &src)
			w.figure(`<img src="`+esc(src)+`" alt="">`, "")
		case 3:
			var tag string
			_ = json.Unmarshal(s[1], &tag)
			if tag != "ol" {
				tag = "ul"
			}
			var items []json.RawMessage
			if len(s) > 2 {
				_ = json.Unmarshal(s[2], &items)
			}
			w.b.WriteString("<" + tag + ">")
			for _, it := range items {
				w.b.WriteString("<li>")
				markers(it)
				w.b.WriteString("</li>")
			}
			w.b.WriteString("</" + tag + ">")
		case 10:
			var ci int
			_ = json.Unmarshal(s[1], &ci)
			if ci >= 0 && ci < len(md.Cards) && len(md.Cards[ci]) > 0 {
				var name string
				_ = json.Unmarshal(md.Cards[ci][0], &name)
				var payload lexNode
				if len(md.Cards[ci]) > 1 {
					_ = json.Unmarshal(md.Cards[ci][1], &payload)
				}
				w.mobiledocCard(name, payload)
			}
		}
	}
	w.notes(item)
	return w.b.String(), nil
}

func (w *bodyWriter) mobiledocCard(name string, c lexNode) {
	switch name {
	case "markdown", "card-markdown":
		c.Type = "markdown"
	case "hr":
		c.Type = "horizontalrule"
	case "code":
		c.Type = "codeblock"
	default:
		c.Type = name
	}
	w.lexBlock(c)
}
