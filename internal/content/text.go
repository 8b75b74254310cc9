package content

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockAtoms end a paragraph of plain text.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Hr: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Ul: true, atom.Ol: true, atom.Li: true,
	atom.Pre: true, atom.Figure: true, atom.Figcaption: true,
	atom.Table: true, atom.Tr: true, atom.Caption: true,
	atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true,
}

// skipAtoms hold no reader-visible text.
var skipAtoms = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Noscript: true,
	atom.Iframe: true, atom.Object: true, atom.Svg: true, atom.Head: true, atom.Title: true,
}

// PlainText returns the text of an HTML fragment: entities decoded, runs of
// white space collapsed to one space, and block elements (paragraphs, list
// items, headings...) separated by a blank line. Script and style content
// is not text and is left out.
func PlainText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var (
		paras []string
		cur   strings.Builder
		skip  int
	)
	flush := func() {
		if t := strings.Join(strings.Fields(cur.String()), " "); t != "" {
			paras = append(paras, t)
		}
		cur.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush()
			return strings.Join(paras, "\n\n")
		case html.TextToken:
			if skip == 0 {
				cur.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipAtoms[a] {
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			if blockAtoms[a] {
				flush()
			} else if a == atom.Td || a == atom.Th {
				cur.WriteByte(' ')
			}
		}
	}
}

// Excerpt returns at most n runes of the plain text of s, cut at a word
// boundary and followed by "…" when something was cut. Paragraphs are
// joined with spaces. Text without spaces (Chinese, Japanese) is cut at n.
func Excerpt(s string, n int) string {
	if n <= 0 {
		return ""
	}
	t := strings.Join(strings.Fields(PlainText(s)), " ")
	if utf8.RuneCountInString(t) <= n {
		return t
	}
	r := []rune(t)
	cut := n
	// Back up to the last space inside the limit, unless the last word
	// alone is most of the excerpt (a long URL, unspaced CJK).
	for i := n; i > n/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	out := strings.TrimRightFunc(string(r[:cut]), func(c rune) bool {
		return unicode.IsSpace(c) || c == ',' || c == ';' || c == ':' || c == '-' || c == '―' || c == '—'
	})
	return out + "…"
}

// Reading speeds. Latin-script readers manage about 230 words a minute;
// Korean (and Chinese, Japanese) reading is measured in characters, about
// 500 a minute. Mixed text is the sum of both.
const (
	wordsPerMinute = 230
	cjkPerMinute   = 500
)

// ReadingTime estimates how long text takes to read, counting words of
// space-separated scripts and characters of CJK scripts separately, so that
// Korean, English and mixed stories all get sensible times. It returns 0
// for text with nothing to read, and is rounded to the second.
func ReadingTime(text string) time.Duration {
	words, cjk := 0, 0
	inWord := false
	for _, r := range text {
		switch {
		case isCJK(r):
			cjk++
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !inWord {
				words++
			}
			inWord = true
		case r == '\'' || r == '’' || r == '-':
			// "Jong-un" and "Trump's" are one word each.
		default:
			inWord = false
		}
	}
	minutes := float64(words)/wordsPerMinute + float64(cjk)/cjkPerMinute
	return time.Duration(minutes * float64(time.Minute)).Round(time.Second)
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Hangul, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
