package news

import (
	"html"
	"strings"
)

// SnippetHTML escapes a search snippet and only then turns the store's
// private-use markers (MarkStart, MarkEnd) into <mark>, so stored text can
// never inject markup. Unbalanced markers are tolerated: a stray end is
// dropped, an unclosed start is closed. The page and the API share it.
func SnippetHTML(snippet string) string {
	esc := html.EscapeString(snippet)
	var b strings.Builder
	open := false
	for len(esc) > 0 {
		i := strings.IndexAny(esc, MarkStart+MarkEnd)
		if i < 0 {
			b.WriteString(esc)
			break
		}
		b.WriteString(esc[:i])
		if strings.HasPrefix(esc[i:], MarkStart) {
			if !open {
				b.WriteString("<mark>")
				open = true
			}
			esc = esc[i+len(MarkStart):]
		} else {
			if open {
				b.WriteString("</mark>")
				open = false
			}
			esc = esc[i+len(MarkEnd):]
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}
