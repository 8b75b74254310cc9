package news

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Slugify makes a URL slug from a headline or name. Letters and digits of any
// script are kept (Korean slugs are readable in the address bar); everything
// else collapses to single hyphens. Latin text is lower-cased and NFC
// normalised so that the same words always make the same slug.
func Slugify(s string) string {
	s = norm.NFC.String(strings.ToLower(s))
	var b strings.Builder
	hyphen := false
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == '‘':
			// "Trump's" → "trumps", not "trump-s".
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	// Normalise again: dropping an apostrophe can bring a letter and a
	// combining mark together ("e'\u0301" → "é"), and a slug must come out
	// of Slugify unchanged.
	out := norm.NFC.String(b.String())
	// Keep URLs reasonable: cut at a word boundary near 80 runes.
	if r := []rune(out); len(r) > 80 {
		out = string(r[:80])
		if i := strings.LastIndexByte(out, '-'); i > 40 {
			out = out[:i]
		}
		out = strings.Trim(out, "-")
	}
	return out
}
