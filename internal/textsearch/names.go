package textsearch

import (
	"strings"
	"unicode/utf8"
)

// Names: matching a reader's query against the names of tags, authors and
// sections (issue 15), the same way in both stores. Names are short, so
// they are matched with LIKE patterns on the lower-cased name rather than
// with the full-text index:
//
//   - every word of the query must match (AND), as in story search;
//   - a CJK word matches anywhere in the name, as story search finds 북한
//     in 북한은: Korean glues particles to nouns. A query word that ends in
//     a particle (북한은, 북한의) also matches without it, so it finds the
//     tag 북한;
//   - any other word matches the start of a word of the name (kim finds
//     Kim Jong-un, not Ekim), and a plural also as its singular
//     (missiles finds Missile tests).

// particles are the Korean particles stripped from the end of a query
// word, longest first.
var particles = []string{"에서", "으로", "에게", "까지", "부터", "은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "로", "만"}

// NamePatterns returns, for each word of q, the LIKE patterns (with \ as
// the escape character) of which a lower-cased name must match one. nil
// when q has no words.
func NamePatterns(q string) [][]string {
	var out [][]string
	for _, t := range Terms(q) {
		var alts []string
		if t.CJK {
			words := []string{t.Text}
			for _, p := range particles {
				if w, ok := strings.CutSuffix(t.Text, p); ok && utf8.RuneCountInString(w) >= 2 {
					words = append(words, w)
					break
				}
			}
			for _, w := range words {
				alts = append(alts, "%"+likeEscape(w)+"%")
			}
		} else {
			w := t.Text
			if n := len(w); n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
				w = w[:n-1]
			}
			e := likeEscape(w)
			// At the start of the name, or after a space or hyphen.
			alts = append(alts, e+"%", "% "+e+"%", "%-"+e+"%")
		}
		out = append(out, alts)
	}
	return out
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
