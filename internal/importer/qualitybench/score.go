// Command qualitybench measures the HTML importer against Mozilla
// Readability's test pages (../shared/corpus/readability-test-pages): each
// page's source.html is imported as masthead would import it, and the
// story's text — body, lead-photo caption and credit — is compared with the
// article text Readability's expected.html holds.
//
// It prints, per page and overall: body-text F1 (bag of words: CJK
// characters count one each, everything else is split into runs of letters
// and digits), whether the headline is garbled (mojibake or U+FFFD that the
// expected title lacks), and whether a lead photo's caption in the expected
// article survived the import.
//
//	scripts/import-quality [-corpus DIR] [-v]
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"masthead/internal/content"
	"masthead/internal/importer"
)

// PageScore is one test page's result.
type PageScore struct {
	Name       string
	Err        string // the import refused the page
	F1         float64
	Precision  float64
	Recall     float64
	Title      string
	WantTitle  string
	Garbled    bool
	LeadPhoto  bool // the import found a lead photo (kept, with its caption)
	HasCaption bool // the expected article's first figure has a caption
	CaptionOK  bool // ... and the import kept it (photo or body)
}

// Report sums up a corpus run.
type Report struct {
	Pages          []PageScore
	MeanF1         float64
	Refused        int
	Garbled        int
	Captions       int // lead figures with a caption in the expected output
	CaptionsKept   int
	TitlesExpected int // titles equal to the expected metadata's
	LeadPhotos     int // lead photos found: none of these pages has its image at hand
}

// Score imports every page under dir.
func Score(dir string) (*Report, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	r := &Report{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		ps, err := scorePage(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		r.Pages = append(r.Pages, ps)
	}
	if len(r.Pages) == 0 {
		return nil, fmt.Errorf("%s: no test pages", dir)
	}
	var sum float64
	for _, p := range r.Pages {
		sum += p.F1
		if p.Err != "" {
			r.Refused++
		}
		if p.Garbled {
			r.Garbled++
		}
		if p.HasCaption {
			r.Captions++
			if p.CaptionOK {
				r.CaptionsKept++
			}
		}
		if p.LeadPhoto {
			r.LeadPhotos++
		}
		if normTitle(p.Title) == normTitle(p.WantTitle) {
			r.TitlesExpected++
		}
	}
	r.MeanF1 = sum / float64(len(r.Pages))
	return r, nil
}

func scorePage(dir string) (PageScore, error) {
	ps := PageScore{Name: filepath.Base(dir)}
	exp, err := os.ReadFile(filepath.Join(dir, "expected.html"))
	if err != nil {
		return ps, err
	}
	var meta struct {
		Title string `json:"title"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "expected-metadata.json")); err == nil {
		_ = json.Unmarshal(b, &meta)
	}
	ps.WantTitle = meta.Title
	wantCaption := leadCaption(exp)
	ps.HasCaption = wantCaption != ""

	p, err := importer.ParseFile(filepath.Join(dir, "source.html"))
	if err != nil {
		ps.Err = err.Error()
		return ps, nil
	}
	ps.Title = p.Article.Headline
	ps.Garbled = garbled(ps.Title) && !garbled(ps.WantTitle)
	got := content.PlainText(p.Article.BodyHTML)
	ps.LeadPhoto = p.Photo != nil
	if ph := p.Photo; ph != nil {
		got = ph.Caption + "\n" + ph.Credit + "\n" + got
	}
	ps.Precision, ps.Recall, ps.F1 = f1(tokens(got), tokens(content.PlainText(string(exp))))
	if ps.HasCaption {
		w := strings.Join(tokens(wantCaption), " ")
		if ph := p.Photo; ph != nil && strings.Contains(strings.Join(tokens(ph.Caption+" "+ph.Credit), " "), w) {
			ps.CaptionOK = true
		}
		if strings.Contains(strings.Join(tokens(got), " "), w) {
			ps.CaptionOK = true
		}
	}
	return ps, nil
}

// leadCaption is the text of the figcaption of the expected article's
// first figure that has an image, or "".
func leadCaption(page []byte) string {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return ""
	}
	var fig *html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if fig != nil {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Figure && has(n, atom.Img) && has(n, atom.Figcaption) {
			fig = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if fig == nil {
		return ""
	}
	var cap *html.Node
	var findCap func(n *html.Node)
	findCap = func(n *html.Node) {
		if cap != nil {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Figcaption {
			cap = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			findCap(c)
		}
	}
	findCap(fig)
	var b bytes.Buffer
	_ = html.Render(&b, cap)
	return strings.TrimSpace(content.PlainText(b.String()))
}

func has(n *html.Node, a atom.Atom) bool {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if has(c, a) {
			return true
		}
	}
	return false
}

// tokens splits text into words: runs of letters, digits and marks;
// each Han, Hiragana or Katakana character is a word of its own, since
// those scripts put no spaces between words.
func tokens(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// f1 compares two bags of words.
func f1(got, want []string) (precision, recall, f float64) {
	if len(got) == 0 || len(want) == 0 {
		if len(got) == len(want) {
			return 1, 1, 1
		}
		return 0, 0, 0
	}
	bag := map[string]int{}
	for _, w := range want {
		bag[w]++
	}
	common := 0
	for _, w := range got {
		if bag[w] > 0 {
			bag[w]--
			common++
		}
	}
	precision = float64(common) / float64(len(got))
	recall = float64(common) / float64(len(want))
	if common == 0 {
		return precision, recall, 0
	}
	return precision, recall, 2 * precision * recall / (precision + recall)
}

// garbled reports text decoded with the wrong charset: the replacement
// character, or UTF-8 read as windows-1252 or Latin-1 ("â€™", "Ã©").
func garbled(s string) bool {
	if strings.ContainsRune(s, unicode.ReplacementChar) {
		return true
	}
	for _, m := range []string{"â€", "Ã©", "Ã¨", "Ã¶", "Ã¼", "Ã¤", "Ã±", "Ã³", "Ã¡", "Ã­", "Ã§", "Â ", "Â·", "Â»", "Â«", "ì", "í", "ë"} {
		if strings.Contains(s, m) && !isCyrillicOrLatinWord(s, m) {
			return true
		}
	}
	return false
}

// isCyrillicOrLatinWord keeps single accented letters that are real words'
// letters (Vietnamese "ì", Hungarian "í") from counting as mojibake: a
// Korean page read as windows-1252 has them next to other Latin-1 symbols.
func isCyrillicOrLatinWord(s, m string) bool {
	if len([]rune(m)) > 1 {
		return false
	}
	odd := 0
	for _, r := range s {
		if r >= 0x80 && r <= 0xff {
			odd++
		}
	}
	return odd < 3
}

func normTitle(s string) string { return strings.Join(strings.Fields(s), " ") }

func sortByF1(pages []PageScore) []PageScore {
	out := append([]PageScore(nil), pages...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].F1 < out[j].F1 })
	return out
}
