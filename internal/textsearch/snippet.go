package textsearch

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"masthead/internal/news"
)

// Snippet returns up to maxRunes of plain text around the best cluster of
// query matches, with each match wrapped in news.MarkStart and news.MarkEnd
// (the page escapes the text, then turns the markers into <mark>). texts are
// tried in order (e.g. body, then deck): the first with a match is quoted.
// When none matches (a headline-only hit), the start of the first non-empty
// text is returned unmarked.
//
// Both stores use it rather than their database's highlighter so that
// highlighting is identical on SQLite and PostgreSQL and works for CJK text,
// which neither highlighter splits correctly.
func Snippet(terms []Term, maxRunes int, texts ...string) string {
	if maxRunes <= 0 {
		maxRunes = 200
	}
	for _, t := range texts {
		// Markers already in the text would unbalance the page's <mark>s.
		rs := []rune(nfc(stripMarks.Replace(t)))
		if spans := matchSpans(rs, terms); len(spans) > 0 {
			return window(rs, spans, maxRunes)
		}
	}
	for _, t := range texts {
		if t = strings.TrimSpace(stripMarks.Replace(t)); t != "" {
			return window([]rune(t), nil, maxRunes)
		}
	}
	return ""
}

var stripMarks = strings.NewReplacer(news.MarkStart, "", news.MarkEnd, "")

type span struct{ start, end int } // rune offsets, [start, end)

// matchSpans finds where the terms occur in rs: CJK terms as substrings,
// other terms as whole words equal to the term after light stemming.
func matchSpans(rs []rune, terms []Term) []span {
	if len(terms) == 0 {
		return nil
	}
	lower := make([]rune, len(rs))
	for i, r := range rs {
		// ASCII in line: unicode.ToLower is a call for every rune of
		// every hit's body (15% of a snippet of an English body).
		switch {
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r >= utf8.RuneSelf:
			r = unicode.ToLower(r)
		}
		lower[i] = r
	}
	var spans []span
	var latin []string
	var prefixes [][]rune
	for _, t := range terms {
		if !t.CJK {
			l := stem(t.Text)
			latin = append(latin, l)
			prefixes = append(prefixes, []rune(stemPrefix(l)))
			continue
		}
		tr := []rune(t.Text)
		for i := 0; i+len(tr) <= len(lower); i++ {
			if runesEqual(lower[i:i+len(tr)], tr) {
				spans = append(spans, span{i, i + len(tr)})
			}
		}
	}
	if len(latin) > 0 {
		for i := 0; i < len(lower); {
			if !isWordRune(lower[i]) {
				i++
				continue
			}
			j := i
			for j < len(lower) && isWordRune(lower[j]) {
				j++
			}
			// Only a word that starts as a term's stem does can stem to
			// it: the rest are not stemmed (a search page's snippets
			// stemmed every word of 20 bodies).
			var w string
			for k, l := range latin {
				if !runesPrefix(lower[i:j], prefixes[k]) {
					continue
				}
				if w == "" {
					w = stem(string(lower[i:j]))
				}
				if w == l {
					spans = append(spans, span{i, j})
					break
				}
			}
			i = j
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	// Merge overlaps (북한 and 북한은 both matching the same text).
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			if s.end > out[n-1].end {
				out[n-1].end = s.end
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) && !IsCJK(r)
}

// stemPrefix is what every word that stems to l starts with: stem only
// cuts a suffix off a word, or turns its "ies" into "y".
func stemPrefix(l string) string {
	return strings.TrimSuffix(l, "y")
}

func runesPrefix(w, prefix []rune) bool {
	return len(w) >= len(prefix) && slices.Equal(w[:len(prefix)], prefix)
}

func runesEqual(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// stem is a deliberately light English stemmer, used only to decide what to
// highlight (the database's own stemmer decides what matches). It maps the
// common inflections of a word to one form: missiles, missile → missil.
func stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ss"):
	case strings.HasSuffix(w, "s"):
		w = w[:len(w)-1]
	}
	for _, suf := range []string{"ing", "ed"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			w = w[:len(w)-len(suf)]
			break
		}
	}
	if strings.HasSuffix(w, "e") && len(w) > 3 {
		w = w[:len(w)-1]
	}
	return w
}

// window cuts about maxRunes around the densest run of spans, at spaces
// where it can, and marks the spans inside it.
func window(rs []rune, spans []span, maxRunes int) string {
	start := 0
	if len(spans) > 0 && len(rs) > maxRunes {
		// Anchor on the span that has the most other spans within reach.
		best, bestN := 0, -1
		for i, s := range spans {
			n := 0
			for _, o := range spans[i:] {
				if o.end-s.start > maxRunes*4/5 {
					break
				}
				n++
			}
			if n > bestN {
				best, bestN = i, n
			}
		}
		start = spans[best].start - maxRunes/5
		if start+maxRunes > len(rs) {
			start = len(rs) - maxRunes // fill the window when the match is near the end
		}
		if start < 0 {
			start = 0
		}
		if start > 0 {
			// Move forward to the start of a word, but never past the anchor.
			for k := start; k < spans[best].start && k < start+20; k++ {
				if unicode.IsSpace(rs[k-1]) {
					start = k
					break
				}
			}
		}
	}
	end := start + maxRunes
	if end >= len(rs) {
		end = len(rs)
	} else {
		for k := end; k > start+maxRunes/2; k-- {
			if unicode.IsSpace(rs[k]) {
				end = k
				break
			}
		}
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, s := range spans {
		if s.end <= start || s.start >= end {
			continue
		}
		ss, se := max(s.start, start), min(s.end, end)
		b.WriteString(string(rs[pos:ss]))
		b.WriteString(news.MarkStart)
		b.WriteString(string(rs[ss:se]))
		b.WriteString(news.MarkEnd)
		pos = se
	}
	b.WriteString(string(rs[pos:end]))
	if end < len(rs) {
		b.WriteString("…")
	}
	return strings.TrimSpace(b.String())
}
