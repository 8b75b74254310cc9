package news

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzSlugify: whatever the input (invalid UTF-8, any script, control
// characters), a slug is valid UTF-8, made of letters, digits, combining
// marks and single inner hyphens, at most 80 runes, and slugifying a slug
// changes nothing (an edited slug field saved twice stays the same URL).
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{
		"Is Trump's second letter to NK leader for dialogue or status quo?",
		"북한, 미사일 발사", "  --Hello,   World--  ", "Ünïcödé Çafé", "e\u0301", "İstanbul", "ǅemal",
		"ﬁnancial", "Straße", "ΣΊΣΥΦΟΣ", "Trump’s ‘deal’", "a\x00b\xffc", "123", "---", "",
		strings.Repeat("word ", 40), strings.Repeat("한", 100), "٣ أرقام عربية", "e'\u0301",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slug := Slugify(s)
		if !utf8.ValidString(slug) {
			t.Fatalf("Slugify(%q) = %q: not valid UTF-8", s, slug)
		}
		if n := utf8.RuneCountInString(slug); n > 80 {
			t.Fatalf("Slugify(%q) has %d runes", s, n)
		}
		if strings.HasPrefix(slug, "-") || strings.HasSuffix(slug, "-") || strings.Contains(slug, "--") {
			t.Fatalf("Slugify(%q) = %q: stray hyphens", s, slug)
		}
		for _, r := range slug {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) {
				t.Fatalf("Slugify(%q) = %q holds %U", s, slug, r)
			}
		}
		// Every slug Slugify makes passes the stores' check.
		if slug != "" && !ValidSlug(slug) {
			t.Fatalf("Slugify(%q) = %q, which ValidSlug refuses", s, slug)
		}
		if again := Slugify(slug); again != slug {
			t.Fatalf("Slugify is not idempotent: %q → %q → %q", s, slug, again)
		}
	})
}
