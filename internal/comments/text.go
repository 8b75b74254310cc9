// Package comments is readers' comments on stories: what a comment may
// contain and how it is shown, and (in the rest of the package) posting,
// moderation and the JSON the story page loads.
package comments

import (
	"html"
	"html/template"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxRunes is the longest comment, in characters, after cleaning.
const MaxRunes = 4000

// Clean is a comment as it is stored: NFC, line ends as \n, no control or
// bidirectional-override characters (which can make a comment's text read
// differently from what it says), tabs as spaces, at most one blank line in
// a row, no space at either end of a line or of the whole.
func Clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r), isBidiControl(r), r == '\uFEFF':
			return -1
		}
		return r
	}, s)
	// NFC after dropping controls: a control between a letter and its
	// accent would otherwise keep them apart until the next cleaning.
	s = norm.NFC.String(s)
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true // drops blank lines at the start
	for _, l := range lines {
		l = strings.TrimFunc(l, unicode.IsSpace)
		if l == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// isBidiControl: the embedding, override and isolate controls (U+202A–E,
// U+2066–9) and the marks U+200E, U+200F, U+061C.
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// Render shows a cleaned comment as HTML: every character escaped,
// paragraphs at blank lines, <br> at line breaks, and http(s) URLs (and
// www. names) as links that search engines do not credit (rel="nofollow
// ugc"). Nothing else the reader typed can become markup.
func Render(text string) template.HTML {
	var b strings.Builder
	b.Grow(len(text) + len(text)/4 + 16)
	for i, para := range strings.Split(text, "\n\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("<p>")
		for j, line := range strings.Split(para, "\n") {
			if j > 0 {
				b.WriteString("<br>\n")
			}
			writeLine(&b, line)
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}

// writeLine escapes one line and links the URLs in it.
func writeLine(b *strings.Builder, line string) {
	for line != "" {
		start, end, href := nextURL(line)
		if start < 0 {
			b.WriteString(html.EscapeString(line))
			return
		}
		b.WriteString(html.EscapeString(line[:start]))
		b.WriteString(`<a href="`)
		b.WriteString(html.EscapeString(href))
		b.WriteString(`" rel="nofollow ugc">`)
		b.WriteString(html.EscapeString(line[start:end]))
		b.WriteString("</a>")
		line = line[end:]
	}
}

// Links lists the URLs Render would link, as their hrefs: the spam score
// counts them.
func Links(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		for line != "" {
			_, end, href := nextURL(line)
			if end < 0 {
				break
			}
			out = append(out, href)
			line = line[end:]
		}
	}
	return out
}

// nextURL finds the first linkable URL in s: its byte range and the href
// to use, or -1s.
func nextURL(s string) (start, end int, href string) {
	for off := 0; off < len(s); {
		i := indexFold(s[off:])
		if i < 0 {
			return -1, -1, ""
		}
		i += off
		off = i + 1
		// At a word start only: "xhttp://" and "awww.x" are not links.
		if i > 0 {
			r, _ := utf8.DecodeLastRuneInString(s[:i])
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' || r == '.' || r == '@' || r == '-' || r == '_' {
				continue
			}
		}
		j := i
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if unicode.IsSpace(r) || r == '<' || r == '>' || r == '"' || r == '`' || r == '\uFFFD' {
				break
			}
			j += size
		}
		j = trimURLEnd(s[i:j]) + i
		cand := s[i:j]
		h := cand
		if strings.HasPrefix(strings.ToLower(cand), "www.") {
			h = "https://" + cand
		}
		u, err := url.Parse(h)
		if err != nil || u.Host == "" || u.User != nil || !strings.Contains(u.Hostname(), ".") ||
			(u.Scheme != "http" && u.Scheme != "https") { // url.Parse lowercases the scheme
			off = j
			if off <= i {
				off = i + 1
			}
			continue
		}
		return i, j, h
	}
	return -1, -1, ""
}

// indexFold finds the first "http://", "https://" or "www." in s, in any
// case.
func indexFold(s string) int {
	best := -1
	lower := strings.ToLower(s)
	if len(lower) != len(s) {
		// ToLower changed byte lengths (rare letters): search rune by rune.
		for i := range s {
			if hasPrefixFold(s[i:], "http://") || hasPrefixFold(s[i:], "https://") || hasPrefixFold(s[i:], "www.") {
				return i
			}
		}
		return -1
	}
	for _, p := range []string{"http://", "https://", "www."} {
		if i := strings.Index(lower, p); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// trimURLEnd drops what ends a sentence rather than the URL: trailing
// punctuation and closing brackets that do not close one opened inside.
func trimURLEnd(u string) int {
	for len(u) > 0 {
		c := u[len(u)-1]
		switch c {
		case '.', ',', ';', ':', '!', '?', '\'', '*', '_':
			u = u[:len(u)-1]
			continue
		case ')', ']', '}':
			open := map[byte]byte{')': '(', ']': '[', '}': '{'}[c]
			if strings.Count(u, string(open)) < strings.Count(u, string(c)) {
				u = u[:len(u)-1]
				continue
			}
		}
		break
	}
	return len(u)
}
