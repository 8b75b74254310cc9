package textsearch

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"masthead/internal/news"
)

func TestIndexText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"North Korea fires missiles", "North Korea fires missiles"},
		{"북한은", "북한 한은"},
		{"북한, 동해상으로 발사", "북한 , 동해 해상 상으 으로 발사"},
		{"북", "북"},
		{"22일 오전", "22 일 오전"},
		{"K-pop 스타", "K-pop 스타"},
		{"東京タワー", "東京 京タ タワ ワー"},
		{"Trump의 편지", "Trump 의 편지"},
		{"a 북한은 b", "a 북한 한은 b"},
		{"", ""},
	}
	for _, c := range cases {
		if got := IndexText(c.in); got != c.want {
			t.Errorf("IndexText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Decomposed Hangul (NFD, as from macOS) indexes like composed Hangul.
	if got, want := IndexText(norm.NFD.String("북한은")), IndexText("북한은"); got != want {
		t.Errorf("NFD input: %q, want %q", got, want)
	}
}

// A query's bigrams are always a contiguous run of the document's bigrams
// when the query is a substring: the property search relies on.
func TestBigramsOfSubstringAreAPhraseOfTheDocument(t *testing.T) {
	doc := "북한은 22일 오전 동해상으로 단거리 탄도미사일을 발사했다"
	idx := " " + IndexText(doc) + " "
	for _, q := range []string{"북한", "북한은", "미사일", "탄도미사일을", "발사", "동해상"} {
		phrase := " " + strings.Join(Bigrams(q), " ") + " "
		if !strings.Contains(idx, phrase) {
			t.Errorf("bigrams of %q (%q) are not a phrase of %q", q, phrase, idx)
		}
	}
	if strings.Contains(idx, " 북미 ") {
		t.Error("a pair that is not in the text was indexed")
	}
}

func TestTerms(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"missiles", "missiles"},
		{"  Trump  LETTER ", "trump letter"},
		{`"missile" AND (trump)* -nk headline:x`, "missile trump nk headline x"},
		{"the letter to kim", "letter kim"},
		{"The Who", "the who"},
		{"북한은 미사일", "북한은[북한 한은] 미사일[미사 사일]"},
		{"북", "북[북]*"},
		{"Trump의", "trump 의[의]*"},
		{"22일", "22 일[일]*"},
		{"missile missile MISSILE", "missile"},
		{"!@#$%^&*()", ""},
		{"café", "café"},
		{"\u0301 x", "x"},
		{"", ""},
	}
	for _, c := range cases {
		var parts []string
		for _, tm := range Terms(c.in) {
			s := tm.Text
			if tm.CJK {
				s += "[" + strings.Join(tm.Tokens, " ") + "]"
			}
			if tm.Prefix {
				s += "*"
			}
			parts = append(parts, s)
		}
		if got := strings.Join(parts, " "); got != c.want {
			t.Errorf("Terms(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if n := len(Terms("the a of " + strings.Repeat("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 ", 3))); n != MaxTerms {
		t.Errorf("Terms kept %d words, want at most %d", n, MaxTerms)
	}
}

func TestPlainText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<p>One.</p><p>Two &amp; three.</p>", "One. Two & three."},
		{"<p>two <b>miss</b>iles</p>", "two missiles"},
		{"<p>a</p>\n\n<ul><li>b</li><li>c</li></ul>", "a b c"},
		{`<figure><img src="x.jpg" alt="no"><figcaption>Cap</figcaption></figure>`, "Cap"},
		{"<p>x</p><script>alert(1)</script><p>y</p>", "x y"},
		{"<p>북한은 &lt;발사&gt;</p>", "북한은 <발사>"},
		{"plain", "plain"},
		{"<p>unclosed <b", "unclosed"},
	}
	for _, c := range cases {
		if got := PlainText(c.in); got != c.want {
			t.Errorf("PlainText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func mark(s string) string { return news.MarkStart + s + news.MarkEnd }

func TestSnippet(t *testing.T) {
	body := "The letter came days after the North tested two missiles, according to officials."
	cases := []struct {
		name  string
		q     string
		max   int
		texts []string
		want  string
	}{
		{"stem", "missile", 200, []string{body}, "The letter came days after the North tested two " + mark("missiles") + ", according to officials."},
		{"two words", "letter officials", 200, []string{body}, "The " + mark("letter") + " came days after the North tested two missiles, according to " + mark("officials") + "."},
		{"case", "NORTH", 200, []string{body}, "The letter came days after the " + mark("North") + " tested two missiles, according to officials."},
		{"Korean particle", "북한", 200, []string{"북한은 발사했다. 북한의 입장"}, mark("북한") + "은 발사했다. " + mark("북한") + "의 입장"},
		{"Korean overlapping terms merge", "북한 북한은", 200, []string{"북한은 발사"}, mark("북한은") + " 발사"},
		{"second text", "divided", 200, []string{body, "Experts are divided."}, "Experts are " + mark("divided") + "."},
		{"no match", "zebra", 20, []string{"", body}, "The letter came days…"},
		{"window", "officials", 30, []string{body}, "…according to " + mark("officials") + "."},
		{"markers in text are dropped", "x", 200, []string{"a " + news.MarkStart + "b"}, "a b"},
		{"nothing", "x", 200, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Snippet(Terms(c.q), c.max, c.texts...)
			if got != c.want {
				t.Errorf("Snippet = %q\nwant      %q", got, c.want)
			}
		})
	}
}

func TestSnippetWindowIsBounded(t *testing.T) {
	long := strings.Repeat("filler words here ", 100) + "the missile hit " + strings.Repeat("more filler text ", 100)
	got := Snippet(Terms("missile"), 120, long)
	if n := len([]rune(got)); n > 120+4 {
		t.Errorf("snippet has %d runes, want about 120", n)
	}
	if !strings.Contains(got, mark("missile")) {
		t.Errorf("snippet %q does not mark the match", got)
	}
}

func ExampleIndexText() {
	fmt.Printf("%q\n", IndexText("북한은 missiles"))
	// Output: "북한 한은 missiles"
}

// TestSnippetPrefixFilterIsExact: matchSpans stems only the words that
// start as a term's stem does (stemPrefix); it finds what stemming every
// word finds.
func TestSnippetPrefixFilterIsExact(t *testing.T) {
	words := strings.Fields("study studies studied studying pass passes passed class classes missile missiles missiled " +
		"korea koreas korean tie ties tied tying die dies died yes bye byes fly flies flied dye dyes the a is ice ices " +
		"use used uses user sea seas seeing see sees agreed agree agrees policy policies Policy POLICIES 2026 y ys")
	body := strings.Join(words, " ")
	rs := []rune(body)
	every := func(l string) []span {
		var out []span
		for i := 0; i < len(rs); {
			if !isWordRune(rs[i]) {
				i++
				continue
			}
			j := i
			for j < len(rs) && isWordRune(rs[j]) {
				j++
			}
			if stem(strings.ToLower(string(rs[i:j]))) == l {
				out = append(out, span{i, j})
			}
			i = j
		}
		return out
	}
	for _, w := range words {
		terms := []Term{{Text: strings.ToLower(w)}}
		got, want := matchSpans(rs, terms), every(stem(strings.ToLower(w)))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: spans %v, stemming every word %v", w, got, want)
		}
	}
}

// BenchmarkSnippetEnglish is a search result's snippet from an English
// story body of 2,000 words, the terms near its end.
func BenchmarkSnippetEnglish(b *testing.B) {
	body := strings.Repeat("The ministry said officials were studying the proposals before talks resumed in Seoul. ", 150) +
		"North Korea tested missiles."
	terms := Terms("north korea")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Snippet(terms, 200, body)
	}
}
