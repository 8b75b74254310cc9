// Package textsearch holds the pure-Go text handling that both stores share
// for full-text search, so SQLite (FTS5) and PostgreSQL (tsvector) index and
// query the same tokens and highlight the same way.
//
// The problem it solves is CJK. Korean, Chinese and Japanese do not separate
// words the way database tokenizers expect: Korean attaches particles to
// nouns (북한은 "North Korea" + topic particle, 북한의 + genitive), so a
// whole-word index never finds 북한 in 북한은. Indexing every run of CJK
// characters as overlapping bigrams (북한은 → 북한 한은) and querying with
// the bigrams of the query as a phrase finds any substring of two or more
// characters, which is what readers expect. Latin text is left alone: the
// database stems it (missiles → missile) with its own English rules.
package textsearch

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsCJK reports whether r is written without spaces between words and is
// therefore indexed as bigrams: Han, Hangul, Hiragana and Katakana.
func IsCJK(r rune) bool {
	if r < 0x1100 { // fast path: Latin, Greek, Cyrillic...
		return false
	}
	if r == 0x30FC || r == 0xFF70 { // the Katakana length mark is "Common" script
		return true
	}
	return unicode.In(r, unicode.Hangul, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// IndexText returns s as it should be given to the full-text index: text
// outside CJK runs unchanged, each CJK run replaced by its overlapping
// bigrams separated by spaces (a one-character run stays as it is). The
// result is NFC-normalised, so decomposed Hangul (as macOS file names and
// some editors produce) indexes like composed Hangul.
func IndexText(s string) string {
	s = nfc(s)
	if !hasCJK(s) {
		return s
	}
	// CJK runs are separated from neighbouring text by one space, so that
	// "Trump의" indexes as the words Trump and 의; existing spaces are kept.
	var b strings.Builder
	b.Grow(len(s) * 2)
	var run []rune
	lastSpace, sep := true, false
	for _, r := range s {
		if IsCJK(r) {
			run = append(run, r)
			continue
		}
		if len(run) > 0 {
			if !lastSpace {
				b.WriteByte(' ')
			}
			writeBigrams(&b, run)
			run = run[:0]
			sep = true
		}
		if sep && !unicode.IsSpace(r) {
			b.WriteByte(' ')
		}
		sep = false
		b.WriteRune(r)
		lastSpace = unicode.IsSpace(r)
	}
	if len(run) > 0 {
		if !lastSpace {
			b.WriteByte(' ')
		}
		writeBigrams(&b, run)
	}
	return b.String()
}

func hasCJK(s string) bool {
	for _, r := range s {
		if IsCJK(r) {
			return true
		}
	}
	return false
}

// writeBigrams writes "ab bc cd" for the run "abcd", or "a" for "a".
func writeBigrams(b *strings.Builder, run []rune) {
	if len(run) == 1 {
		b.WriteRune(run[0])
		return
	}
	for i := 0; i+1 < len(run); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(run[i])
		b.WriteRune(run[i+1])
	}
}

// Bigrams returns the overlapping bigrams of a CJK word (one token for a
// single character).
func Bigrams(word string) []string {
	run := []rune(word)
	if len(run) <= 1 {
		return []string{word}
	}
	out := make([]string, 0, len(run)-1)
	for i := 0; i+1 < len(run); i++ {
		out = append(out, string(run[i:i+2]))
	}
	return out
}

// Term is one word of a reader's query.
type Term struct {
	// Text is the word as typed, NFC-normalised and lower-cased.
	Text string
	// CJK terms are matched as the phrase of their Tokens (the bigrams);
	// other terms are one token the database stems.
	CJK    bool
	Tokens []string
	// Prefix is set for a single CJK character: no bigram can contain
	// it alone, so it matches as the prefix of a token.
	Prefix bool
}

// MaxTerms bounds the work one query can ask for.
const MaxTerms = 12

// Terms splits a reader's query into words. Everything that is not a letter,
// digit or combining mark separates words, so the query languages of FTS5
// and PostgreSQL (quotes, *, -, :, parentheses, AND/OR/NEAR) never reach the
// database as syntax: a store quotes each token. CJK runs become separate
// terms even when glued to Latin letters or digits. Duplicates are dropped and
// at most MaxTerms are kept. English stop words are dropped unless the query
// has nothing else.
func Terms(q string) []Term {
	q = nfc(q)
	var out []Term
	seen := map[string]bool{}
	add := func(w string, cjk bool) {
		if w == "" || len(out) >= 4*MaxTerms {
			return
		}
		w = strings.ToLower(w)
		if seen[w] || !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			// A lone combining mark is no word (and tokenizers drop it).
			return
		}
		seen[w] = true
		t := Term{Text: w, CJK: cjk}
		if cjk {
			t.Tokens = Bigrams(w)
			t.Prefix = utf8.RuneCountInString(w) == 1
		} else {
			t.Tokens = []string{w}
		}
		out = append(out, t)
	}
	start, cjk := -1, false
	for i, r := range q {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		c := IsCJK(r)
		if start >= 0 && (!word || c != cjk) {
			add(q[start:i], cjk)
			start = -1
		}
		if word && start < 0 {
			start, cjk = i, c
		}
	}
	if start >= 0 {
		add(q[start:], cjk)
	}
	// Stop words go when other words remain: "the letter" means "letter".
	// A query of stop words only ("The Who") keeps them.
	kept := out[:0:0]
	for _, t := range out {
		if t.CJK || !IsStopword(t.Text) {
			kept = append(kept, t)
		}
	}
	if len(kept) > 0 {
		out = kept
	}
	return out[:min(len(out), MaxTerms)]
}

// PlainText turns sanitized story HTML into the plain text that is indexed
// and quoted in snippets: tags dropped, entities decoded, block boundaries
// and runs of white space collapsed to single spaces.
func PlainText(h string) string {
	var b strings.Builder
	b.Grow(len(h))
	for len(h) > 0 {
		i := strings.IndexByte(h, '<')
		if i < 0 {
			b.WriteString(html.UnescapeString(h))
			break
		}
		b.WriteString(html.UnescapeString(h[:i]))
		h = h[i:]
		j := strings.IndexByte(h, '>')
		if j < 0 {
			break // an unclosed tag: drop the rest rather than index markup
		}
		tag := strings.ToLower(h[1:j])
		// Script and style content is not text (the sanitizer drops them,
		// but PlainText must not depend on that).
		for _, skip := range []string{"script", "style"} {
			if strings.HasPrefix(tag, skip) {
				if k := strings.Index(strings.ToLower(h), "</"+skip); k >= 0 {
					h = h[k:]
					j = strings.IndexByte(h, '>')
					if j < 0 {
						j = len(h) - 1
					}
				}
			}
		}
		if inlineTag(tag) {
			h = h[j+1:]
			continue
		}
		b.WriteByte(' ')
		h = h[j+1:]
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// inlineTag reports whether a tag sits inside a word (so "<b>miss</b>iles"
// stays one word) rather than between blocks.
func inlineTag(tag string) bool {
	tag = strings.TrimPrefix(tag, "/")
	name := tag
	if i := strings.IndexAny(tag, " \t\n/"); i >= 0 {
		name = tag[:i]
	}
	switch name {
	case "a", "b", "i", "em", "strong", "span", "small", "sub", "sup", "mark", "abbr", "cite", "code", "q", "s", "u", "time":
		return true
	}
	return false
}
