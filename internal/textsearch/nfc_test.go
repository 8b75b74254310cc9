package textsearch

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// nfc's fast path must agree with norm everywhere: strings built from
// runes at the edges of its ranges and from runes that compose with their
// neighbours (combining marks, Hangul jamo, kana voicing marks), singletons
// that NFC replaces, and invalid UTF-8.
func TestNFCAgreesWithNorm(t *testing.T) {
	pieces := []string{
		"a", "e", "Z", " ", ".", "\u00e9", "\u00ff", "\u02ff", "\u0300", "\u0301", "\u0327", "\u0345",
		"가", "각", "힣", "\uac00", "\ud7a3", "\ud7a4", "\u1100", "\u1161", "\u11a8", "\u11c2",
		"北", "\u4e00", "\u9fff", "\ua000", "\uf900", "\u2126", "\u212b", "か", "\u3099", "\u309a", "カ",
		"\xff", "\xe1\x84", "\U0002f800",
	}
	for _, p := range pieces {
		if got, want := nfc(p), norm.NFC.String(p); got != want {
			t.Errorf("nfc(%q) = %q, want %q", p, got, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := 1 + r.IntN(5); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := nfc(s), norm.NFC.String(s); got != want {
			t.Fatalf("nfc(%q) = %q, want %q", s, got, want)
		}
	}
	// Decomposed Hangul (as macOS writes it) is composed.
	if got := nfc(norm.NFD.String("북한은")); got != "북한은" {
		t.Errorf("NFD Hangul: %q", got)
	}
}

// BenchmarkSnippetKorean is a search result's snippet from a Korean story
// body: norm's NFC check alone was 20 ns a byte of Hangul.
func BenchmarkSnippetKorean(b *testing.B) {
	body := strings.Repeat("법원 경제 합동참모본부는 북한의 하락 경제는 서울의 북한은 발사했다 검찰 대통령의 태풍 북한이 미사일을 ", 10)
	terms := Terms("북한")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Snippet(terms, 240, body)
	}
}
