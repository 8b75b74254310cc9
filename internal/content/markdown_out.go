package content

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ToMarkdown writes a story body as Markdown: the newsroom's export, and
// the text its revision diffs compare. The body is normalized first, so
// every element has one Markdown form: photos are images with their
// caption and credit on the next line, pull quotes are quotes marked "Pull
// quote", embeds are their bare address (which BodyFromMarkdown makes an
// embed again), tables are GitHub tables.
func ToMarkdown(body string) string {
	nodes, err := html.ParseFragment(strings.NewReader(Normalize(body)), bodyContext)
	if err != nil {
		return ""
	}
	var parts []string
	for _, n := range nodes {
		if s := mdBlock(n, ""); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "\n\n") + "\n"
}

var (
	mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`)
	// A "<" is escaped only where Markdown could read a tag or an autolink.
	mdTagStart = regexp.MustCompile(`<([A-Za-z/!?])`)
)

// mdText escapes what Markdown would read as formatting. mdLineStart does
// the same for a line start that would make a block (#, >, -, +, 1.).
func mdText(s string) string { return mdTagStart.ReplaceAllString(mdEscaper.Replace(s), `\<$1`) }

func mdLineStart(s string) string {
	t := strings.TrimLeft(s, " ")
	switch {
	case strings.HasPrefix(t, "#"), strings.HasPrefix(t, ">"), strings.HasPrefix(t, "- "), strings.HasPrefix(t, "+ "),
		strings.HasPrefix(t, "="), strings.HasPrefix(t, "|"):
		return `\` + s
	}
	if i := strings.IndexAny(t, ".)"); i > 0 && i < 10 {
		if _, err := strconv.Atoi(t[:i]); err == nil {
			return t[:i] + `\` + t[i:]
		}
	}
	return s
}

func mdInline(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			b.WriteString(mdText(c.Data))
		case c.DataAtom == atom.Br:
			b.WriteString("\\\n")
		case c.DataAtom == atom.Strong:
			b.WriteString("**" + mdInline(c) + "**")
		case c.DataAtom == atom.Em:
			b.WriteString("*" + mdInline(c) + "*")
		case c.DataAtom == atom.S:
			b.WriteString("~~" + mdInline(c) + "~~")
		case c.DataAtom == atom.Code:
			t := textOf(c)
			fence := "`"
			for strings.Contains(t, fence) {
				fence += "`"
			}
			if strings.HasPrefix(t, "`") || strings.HasSuffix(t, "`") {
				t = " " + t + " "
			}
			b.WriteString(fence + t + fence)
		case c.DataAtom == atom.A:
			href := attr(c, "href")
			b.WriteString("[" + mdInline(c) + "](<" + strings.NewReplacer("<", "%3C", ">", "%3E").Replace(href) + ">)")
		default:
			b.WriteString(mdInline(c))
		}
	}
	return b.String()
}

func indent(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		p := rest
		if i == 0 {
			p = first
		}
		if l == "" && i > 0 {
			lines[i] = strings.TrimRight(p, " ")
			continue
		}
		lines[i] = p + l
	}
	return strings.Join(lines, "\n")
}

func mdBlock(n *html.Node, _ string) string {
	if n.Type != html.ElementNode {
		return ""
	}
	switch n.DataAtom {
	case atom.P:
		return mdLineStart(mdInline(n))
	case atom.H2:
		return "## " + mdInline(n)
	case atom.H3:
		return "### " + mdInline(n)
	case atom.H4:
		return "#### " + mdInline(n)
	case atom.Hr:
		return "---"
	case atom.Pre:
		t := textOf(n)
		fence := "```"
		for strings.Contains(t, fence) {
			fence += "`"
		}
		lang := ""
		if c := firstChild(n, atom.Code); c != nil {
			lang = langOf(attr(c, "class"))
		}
		return fence + lang + "\n" + t + "\n" + fence
	case atom.Blockquote:
		return indent(mdChildren(n, "\n\n"), "> ", "> ")
	case atom.Ul, atom.Ol:
		var items []string
		num, _ := strconv.Atoi(attr(n, "start"))
		num = max(num, 1)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom != atom.Li {
				continue
			}
			marker := "- "
			if n.DataAtom == atom.Ol {
				marker = strconv.Itoa(num) + ". "
				num++
			}
			items = append(items, indent(mdChildren(c, "\n\n"), marker, strings.Repeat(" ", len(marker))))
		}
		return strings.Join(items, "\n")
	case atom.Aside:
		return "> **Pull quote:** " + mdInline(n)
	case atom.Figure:
		if attr(n, "class") == "embed" {
			if a := find(n, func(c *html.Node) bool { return c.DataAtom == atom.A }); a != nil {
				out := attr(a, "href")
				if fc := find(n, func(c *html.Node) bool { return c.DataAtom == atom.Figcaption }); fc != nil {
					out += "\n\n*" + mdText(textOf(fc)) + "*"
				}
				return out
			}
			return ""
		}
		img := find(n, func(c *html.Node) bool { return c.DataAtom == atom.Img })
		if img == nil {
			return ""
		}
		out := "![" + mdText(attr(img, "alt")) + "](<" + attr(img, "src") + ">)"
		if fc := find(n, func(c *html.Node) bool { return c.DataAtom == atom.Figcaption }); fc != nil {
			capt, cred := "", ""
			for c := fc.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					capt += c.Data
				} else if attr(c, "class") == "credit" {
					cred = textOf(c)
				}
			}
			line := strings.TrimSpace(mdText(capt))
			if cred != "" {
				line = strings.TrimSpace(line + " (" + mdText(cred) + ")")
			}
			out += "\\\n*" + line + "*"
		}
		return out
	case atom.Table:
		var rows [][]string
		var walk func(*html.Node)
		walk = func(x *html.Node) {
			for c := x.FirstChild; c != nil; c = c.NextSibling {
				if c.DataAtom == atom.Tr {
					var row []string
					for d := c.FirstChild; d != nil; d = d.NextSibling {
						if d.DataAtom == atom.Td || d.DataAtom == atom.Th {
							row = append(row, strings.ReplaceAll(strings.ReplaceAll(mdInline(d), "|", `\|`), "\\\n", " "))
						}
					}
					rows = append(rows, row)
				} else if c.Type == html.ElementNode && c.DataAtom != atom.Caption {
					walk(c)
				}
			}
		}
		walk(n)
		if len(rows) == 0 {
			return ""
		}
		cols := 0
		for _, r := range rows {
			cols = max(cols, len(r))
		}
		var b strings.Builder
		for i, r := range rows {
			for len(r) < cols {
				r = append(r, "")
			}
			b.WriteString("| " + strings.Join(r, " | ") + " |\n")
			if i == 0 {
				b.WriteString("|" + strings.Repeat(" --- |", cols) + "\n")
			}
		}
		return strings.TrimRight(b.String(), "\n")
	}
	return ""
}

func mdChildren(n *html.Node, sep string) string {
	var parts []string
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if s := mdBlock(c, ""); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}
