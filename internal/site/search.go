package site

import (
	"html"
	"html/template"
	"net/url"
	"strings"

	"masthead/internal/news"
)

// highlight escapes a search snippet and only then turns the store's
// private-use markers into <mark>, so stored text can never inject markup.
// Unbalanced markers are tolerated: a stray end is dropped, an unclosed
// start is closed.
func highlight(snippet string) template.HTML {
	esc := html.EscapeString(snippet)
	var b strings.Builder
	open := false
	for len(esc) > 0 {
		i := strings.IndexAny(esc, news.MarkStart+news.MarkEnd)
		if i < 0 {
			b.WriteString(esc)
			break
		}
		b.WriteString(esc[:i])
		if strings.HasPrefix(esc[i:], news.MarkStart) {
			if !open {
				b.WriteString("<mark>")
				open = true
			}
			esc = esc[i+len(news.MarkStart):]
		} else {
			if open {
				b.WriteString("</mark>")
				open = false
			}
			esc = esc[i+len(news.MarkEnd):]
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

func queryEscape(s string) string { return url.QueryEscape(s) }
