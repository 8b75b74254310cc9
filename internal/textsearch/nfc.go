package textsearch

import (
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// nfc returns s in NFC. Most text is NFC already, and norm's own check of
// that reads each rune's properties from its tables: 20 ns a byte of
// Hangul, which was a millisecond of every Korean search page (twenty
// snippets of a story body each). Text made only of runes that are NFC
// whatever stands around them is returned as it is after a plain scan;
// anything else goes to norm.
func nfc(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !nfcStable(r) {
			return norm.NFC.String(s)
		}
		i += n
	}
	return s
}

// nfcStable reports whether r is unchanged by NFC in any context: it is
// not changed itself (no singleton or excluded decomposition), and it
// neither combines with the rune before it nor is reordered (it is a
// starter no composition has as its second part). Every rune below U+0300
// is (the combining marks start there), and so are the precomposed Hangul
// syllables and the unified CJK ideographs; a syllable followed by a
// trailing jamo (U+11A8–) or a letter followed by a combining mark is
// caught on the second rune, which is not in these ranges. The invalid
// UTF-8 marker (RuneError) is left to norm.
func nfcStable(r rune) bool {
	return r < 0x300 ||
		(r >= 0xAC00 && r <= 0xD7A3) || // Hangul syllables
		(r >= 0x4E00 && r <= 0x9FFF) // CJK unified ideographs
}
