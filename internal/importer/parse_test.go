package importer

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/korean"

	"masthead/internal/content"
	"masthead/internal/news"
)

// paragraphs returns the text of each <p> of a stored body.
func paragraphs(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile(`(?s)<p>(.*?)</p>`).FindAllStringSubmatch(body, -1) {
		out = append(out, content.PlainText(m[1]))
	}
	return out
}

func TestParseSeed(t *testing.T) {
	p, err := ParseFile("testdata/seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	a := p.Article
	if p.Format != FormatCapture {
		t.Errorf("format = %q", p.Format)
	}
	if want := "Is Trump's second letter to NK leader for dialogue or status quo?"; a.Headline != want {
		t.Errorf("headline = %q, want %q", a.Headline, want)
	}
	if a.Slug != "is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo" {
		t.Errorf("slug = %q", a.Slug)
	}
	if len(p.Authors) != 1 || p.Authors[0].Name != "Kang Seung-woo" || p.Authors[0].Email != "ksw@koreatimes.co.kr" {
		t.Errorf("authors = %+v, want Kang Seung-woo <ksw@koreatimes.co.kr>", p.Authors)
	}
	const caption = "North Korean leader Kim Jong-un and U.S. President Donald Trump meet at Panmunjeom in Paju, Gyeonggi Province, June 30, 2019."
	if p.Photo == nil || p.Photo.Caption != caption || p.Photo.Credit != "Korea Times file" || p.Photo.Alt != caption || p.Photo.Data != nil {
		t.Errorf("photo = %+v", p.Photo)
	}
	if a.Lang != "en" || a.Status != "" || !a.PublishedAt.IsZero() {
		t.Errorf("lang %q status %q published %v", a.Lang, a.Status, a.PublishedAt)
	}

	// Every content paragraph of the capture, exactly, in order.
	raw, _ := os.ReadFile("testdata/seed.txt")
	lines := strings.Split(string(raw), "\n")
	var want []string
	for i, l := range lines {
		if strings.HasPrefix(l, "U.S. President Donald Trump's personal letter") {
			for _, l := range lines[i:] {
				if strings.HasPrefix(l, "Kang Seung-woo ksw@") {
					break
				}
				if l != "" {
					want = append(want, l)
				}
			}
			break
		}
	}
	got := paragraphs(t, a.BodyHTML)
	// The capture has 17 paragraphs between the byline and the signature
	// (19 lines counting those two, which are not body).
	if len(got) != 17 || len(want) != 17 {
		t.Fatalf("got %d paragraphs, capture has %d, want 17", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("paragraph %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
	if !strings.HasPrefix(got[0], "U.S. President Donald Trump's personal letter to North Korean leader Kim Jong-un") ||
		got[16] != `"Kim Yo-jong's response means the North will take its own way and the U.S. needs to offer more concessions," he added.` {
		t.Errorf("first/last paragraph wrong: %q ... %q", got[0], got[16])
	}
	// No chrome anywhere in the story.
	text := content.PlainText(a.BodyHTML) + "\n" + a.BodyMarkdown
	for _, chrome := range []string{"Settings", "font-size", "share button", "CLOSE", "Top 10", "go top", "LETTER", "ksw@", "By Kang", "Korea Times file"} {
		if strings.Contains(text, chrome) {
			t.Errorf("body contains chrome %q", chrome)
		}
	}
	if strings.Contains(a.BodyHTML, "<li>") || strings.Contains(a.BodyHTML, "+2") {
		t.Errorf("font-size list leaked into the body")
	}
	// The Markdown source renders back to the same body.
	if h, _ := renderMarkdown(a.BodyMarkdown); h != a.BodyHTML {
		t.Errorf("BodyMarkdown does not render to BodyHTML")
	}
}

// TestCaptureVariants: other captures in the same format, and the escaping
// that keeps plain text exactly as written.
func TestCaptureVariants(t *testing.T) {
	tests := []struct {
		name, in    string
		headline    string
		authors     string // "Name <email>; ..."
		caption     string
		credit      string
		paras       []string
		errContains string
	}{
		{
			name:     "no photo, two authors, no signature",
			in:       "Settings\n\nHeadline here\n\nBy Kim A and Lee B\n\nFirst *para* with_underscores and [brackets].\n\n# not a heading\n\n1. not a list\n\n- dash start\n\n<b>not html</b> & &amp; \\backslash\n\nX\nCLOSE\n\nTop 10 Stories\n\nSome other story\n",
			headline: "Headline here",
			authors:  "Kim A <>; Lee B <>",
			paras:    []string{"First *para* with_underscores and [brackets].", "# not a heading", "1. not a list", "- dash start", "<b>not html</b> & &amp; \\backslash"},
		},
		{
			name:     "caption with slash in it",
			in:       "Headline\n• Facebook share button\nSeoul / Busan rail link opens / Yonhap\nSeoul / Busan rail link opens / Yonhap\n\nBy Park C, staff reporter\n\nBody.\n\nPark C pc@example.org\n",
			headline: "Headline",
			authors:  "Park C <pc@example.org>",
			caption:  "Seoul / Busan rail link opens",
			credit:   "Yonhap",
			paras:    []string{"Body."},
		},
		{
			name:     "signature of someone not in the byline",
			in:       "Headline\n\nBy Kim A\n\nBody.\n\nLee B lb@example.org\n",
			headline: "Headline",
			authors:  "Kim A <>; Lee B <lb@example.org>",
			paras:    []string{"Body."},
		},
		{
			name:     "korean",
			in:       "북한, 단거리 미사일 발사\n\n김철수 기자\n\n북한이 일요일 동해상으로 단거리 탄도미사일을 발사했다.\n\n김철수 cskim@example.kr\n",
			headline: "북한, 단거리 미사일 발사",
			authors:  "김철수 <cskim@example.kr>",
			paras:    []string{"북한이 일요일 동해상으로 단거리 탄도미사일을 발사했다."},
		},
		{
			name:     "korean chrome",
			in:       "설정\n글자 크기\n제목입니다\n\n본문입니다.\n\n닫기\n많이 본 기사\n다른 기사 제목\n",
			headline: "제목입니다",
			paras:    []string{"본문입니다."},
		},
		{name: "headline only", in: "Just a line\n", errContains: "seed.txt:1: no body paragraphs"},
		{name: "only chrome", in: "Settings\nⓕ font-size\n• -2\nX\nCLOSE\n", errContains: "seed.txt:1: no story found"},
		{name: "long first line", in: strings.Repeat("word ", 100) + "\n\nbody\n", errContains: "seed.txt:1: headline is 499 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parse("seed.txt", []byte(tt.in))
			if tt.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errContains) {
					t.Fatalf("err = %v, want %q", err, tt.errContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Article.Headline != tt.headline {
				t.Errorf("headline = %q", p.Article.Headline)
			}
			var as []string
			for _, a := range p.Authors {
				as = append(as, a.Name+" <"+a.Email+">")
			}
			if got := strings.Join(as, "; "); got != tt.authors {
				t.Errorf("authors = %q, want %q", got, tt.authors)
			}
			if tt.caption != "" && (p.Photo == nil || p.Photo.Caption != tt.caption || p.Photo.Credit != tt.credit) {
				t.Errorf("photo = %+v", p.Photo)
			}
			if tt.caption == "" && p.Photo != nil {
				t.Errorf("unexpected photo %+v", p.Photo)
			}
			got := paragraphs(t, p.Article.BodyHTML)
			if strings.Join(got, "\n") != strings.Join(tt.paras, "\n") {
				t.Errorf("paragraphs:\n got %q\nwant %q\nhtml %s", got, tt.paras, p.Article.BodyHTML)
			}
		})
	}
}

func TestParseHTML(t *testing.T) {
	p, err := ParseFile("testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	a := p.Article
	if p.Format != FormatHTML {
		t.Errorf("format = %q", p.Format)
	}
	if a.Headline != "Seoul subway adds late-night trains for year-end crowds" {
		t.Errorf("headline = %q", a.Headline)
	}
	if len(p.Authors) != 1 || p.Authors[0].Name != "Lee Min-ji" {
		t.Errorf("authors = %+v", p.Authors)
	}
	if want := time.Date(2024, 12, 19, 23, 30, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
		t.Errorf("published = %v, want %v", a.PublishedAt, want)
	}
	if want := time.Date(2024, 12, 20, 2, 0, 0, 0, time.UTC); !a.UpdatedAt.Equal(want) {
		t.Errorf("updated = %v, want %v", a.UpdatedAt, want)
	}
	if a.SourceKey != "https://daily.example.com/2024/12/20/seoul-subway-late-trains" {
		t.Errorf("source key = %q", a.SourceKey)
	}
	if a.Deck != "Lines 2 and 5 will run until 2 a.m. through New Year's Day." || a.Lang != "en" {
		t.Errorf("deck %q lang %q", a.Deck, a.Lang)
	}
	if p.Section != "Metro" || strings.Join(p.Tags, ",") != "Seoul,Transport" {
		t.Errorf("section %q tags %q", p.Section, p.Tags)
	}
	ph := p.Photo
	if ph == nil || ph.Caption != "Commuters board a Line 2 train at City Hall Station, Dec. 19." || ph.Credit != "Yonhap" ||
		ph.Alt != "Commuters board a Line 2 train at City Hall Station" || ph.ContentType != "image/png" || len(ph.Data) == 0 {
		t.Errorf("photo = %+v", ph)
	}
	body := a.BodyHTML
	for _, want := range []string{"Seoul Metro will run extra trains", "<h2>Fares unchanged</h2>",
		`<a href="https://www.seoulmetro.co.kr/en/" rel="noopener nofollow">timetable</a>`,
		`<a href="https://daily.example.com/2024/11/01/bus-routes" rel="noopener nofollow">bus routes changed</a>`, "repeat the extension for the Lunar New Year holiday."} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	for _, bad := range []string{`href="/`, "related.png", "<script", "tracker", "<style", "<iframe", "onclick", "javascript", "Most read", "Another story", "©", "<img", "<figure", "By Lee", "<h1"} {
		if strings.Contains(body, bad) {
			t.Errorf("body contains %q:\n%s", bad, body)
		}
	}
}

// TestParseHTMLNoCanonical: without a canonical URL the page's relative
// links cannot be resolved and lose their href (the text stays), and the
// story is known by its headline and date.
func TestParseHTMLNoCanonical(t *testing.T) {
	page := `<html lang="ko"><head><title>제목</title></head><body><article><h1>제목</h1>` +
		`<p>` + strings.Repeat("본문 문장입니다. ", 30) + `<a href="/other">다른 기사</a> <a href="#x">x</a></p></article></body></html>`
	p, err := parse("x.html", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if p.Article.Headline != "제목" || p.Article.Lang != "ko" || p.Article.SourceKey != SourceKey("제목", time.Time{}) {
		t.Errorf("headline %q lang %q key %q", p.Article.Headline, p.Article.Lang, p.Article.SourceKey)
	}
	if strings.Contains(p.Article.BodyHTML, "href") || !strings.Contains(p.Article.BodyHTML, "다른 기사") {
		t.Errorf("body %s", p.Article.BodyHTML)
	}
}

// TestParseHTMLEUCKR: Korean pages are often EUC-KR; the page's charset
// declaration is honoured.
func TestParseHTMLEUCKR(t *testing.T) {
	page := `<html><head><meta charset="euc-kr"><title>서울 지하철 심야 운행</title></head><body><article><h1>서울 지하철 심야 운행</h1>` +
		`<p>` + strings.Repeat("서울교통공사는 연말 심야 운행을 연장한다고 밝혔다. ", 12) + `</p></article></body></html>`
	enc, err := korean.EUCKR.NewEncoder().Bytes([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	p, err := parse("euckr.html", enc)
	if err != nil {
		t.Fatal(err)
	}
	if p.Article.Headline != "서울 지하철 심야 운행" || !strings.Contains(p.Article.BodyHTML, "서울교통공사는") || p.Article.Lang != "ko" {
		t.Errorf("headline %q lang %q body %s", p.Article.Headline, p.Article.Lang, p.Article.BodyHTML)
	}
}

func TestParseMarkdown(t *testing.T) {
	p, err := ParseFile("testdata/story.md")
	if err != nil {
		t.Fatal(err)
	}
	a := p.Article
	if a.Headline != "City council approves riverside bike path" || a.Deck != "The 12-kilometre path will link three parks along the Han River." {
		t.Errorf("headline %q deck %q", a.Headline, a.Deck)
	}
	if p.Section != "Metro" || strings.Join(p.Tags, ",") != "Seoul,Cycling" || a.Lang != "en" {
		t.Errorf("section %q tags %q lang %q", p.Section, p.Tags, a.Lang)
	}
	if len(p.Authors) != 2 || !reflect.DeepEqual(p.Authors[0], news.Author{Name: "Park Ji-hoon", Email: "jhpark@example.com", Title: "Staff reporter", Bio: "Park covers city hall."}) || p.Authors[1].Name != "Jane Smith" {
		t.Errorf("authors = %+v", p.Authors)
	}
	if want := time.Date(2024, 5, 2, 1, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) || a.Status != "" {
		t.Errorf("published %v status %q", a.PublishedAt, a.Status)
	}
	if ph := p.Photo; ph == nil || ph.Caption != "Cyclists ride along the Han River in Seoul." || ph.Credit != "Masthead file" ||
		ph.Alt != ph.Caption || ph.ContentType != "image/png" || !strings.HasSuffix(ph.Path, filepath.Join("testdata", "panmunjeom.png")) || len(ph.Data) == 0 {
		t.Errorf("photo = %+v", ph)
	}
	if a.SEODescription != "Seoul's council approved a 12 km bike path." {
		t.Errorf("seo description %q", a.SEODescription)
	}
	for _, want := range []string{"<strong>12-kilometre</strong>", "<h2>Three parks</h2>", "<em>autumn</em>", "<td>Yeouido</td>"} {
		if !strings.Contains(a.BodyHTML, want) {
			t.Errorf("body lacks %q: %s", want, a.BodyHTML)
		}
	}
	if !strings.HasPrefix(a.BodyMarkdown, "The Seoul Metropolitan Council") {
		t.Errorf("markdown = %q", a.BodyMarkdown)
	}
}

func TestParseMarkdownKorean(t *testing.T) {
	p, err := ParseFile("testdata/korean.md")
	if err != nil {
		t.Fatal(err)
	}
	a := p.Article
	if a.Headline != "서울 지하철 연말 심야 운행 연장" || a.Slug != "서울-지하철-연말-심야-운행-연장" {
		t.Errorf("headline %q slug %q", a.Headline, a.Slug)
	}
	if a.Lang != "ko" || a.Status != news.StatusPublished || p.Section != "사회" || strings.Join(p.Tags, ",") != "서울,교통" {
		t.Errorf("lang %q status %q section %q tags %q", a.Lang, a.Status, p.Section, p.Tags)
	}
	if len(p.Authors) != 1 || p.Authors[0].Name != "김서연" || p.Authors[0].Email != "sykim@example.com" {
		t.Errorf("authors %+v", p.Authors)
	}
	if got := paragraphs(t, a.BodyHTML); len(got) != 2 || got[1] != "연장 운행은 12월 24일부터 새해 첫날까지 이어진다." {
		t.Errorf("paragraphs %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, path string
		data       string // used when path is not in testdata
		want       string // regexp the error must match
	}{
		{"bad date", "testdata/bad-date.md", "", `^testdata/bad-date\.md:4: published: cannot read "2024-13-45 25:00" as a date`},
		{"bad yaml", "testdata/bad-yaml.md", "", `^testdata/bad-yaml\.md:\d+: bad front matter: `},
		{"no article", "testdata/no-article.html", "", `^testdata/no-article\.html:1: this looks like an error page \(title "Page not found \| The Example Daily"\), not a story`},
		{"empty", "testdata/empty.txt", "", `^testdata/empty\.txt:1: empty file`},
		{"binary", "testdata/junk.bin", "", `^testdata/junk\.bin:1: this looks like an image`},
		{"missing file", "testdata/nope.md", "", `no such file`},
		{"unknown field", "x.md", "---\nheadline: H\npubished: 2020-01-01T00:00:00Z\n---\nbody\n", `^x\.md:3: unknown front matter field "pubished"`},
		{"bad status", "x.md", "---\nheadline: H\nstatus: gone\n---\nbody\n", `^x\.md:3: status: "gone": write draft or published`},
		{"bad lang", "x.md", "---\nheadline: H\nlang: not a language\n---\nbody\n", `^x\.md:3: lang: `},
		{"bad email", "x.md", "---\nheadline: H\nauthors:\n  - name: A\n    email: nope\n---\nbody\n", `^x\.md:4: authors: "nope" is not an e-mail address`},
		{"author without name", "x.md", "---\nheadline: H\nauthors:\n  - email: a@b.c\n---\nbody\n", `^x\.md:4: authors: an author has no name`},
		{"missing photo", "x.md", "---\nheadline: H\nphoto: nope.jpg\n---\nbody\n", `^x\.md:3: photo: open nope\.jpg: no such file`},
		{"photo not an image", "testdata/x.md", "---\nheadline: H\nphoto: seed.txt\n---\nbody\n", `^testdata/x\.md:3: photo: photo testdata/seed\.txt is not a JPEG, PNG`},
		{"unclosed front matter", "x.md", "---\nheadline: H\nbody\n", `^x\.md:1: front matter opened with --- is never closed`},
		{"no body", "x.md", "---\nheadline: H\n---\n\n\n", `^x\.md:4: the story has no body`},
		{"front matter a list", "x.md", "---\n- a\n- b\n---\nbody\n", `^x\.md:2: front matter must be fields`},
		{"tags a map", "x.md", "---\nheadline: H\ntags: {a: b}\n---\nbody\n", `^x\.md:3: tags: must be a list`},
		{"md of raw html only", "x.md", "<!-- note -->\n", `^x\.md:1: the story has no body text`},
		{"nul in text", "x.txt", "Headline\n\nbo\x00dy\n", `^x\.txt:3: not text: control character`},
		{"latin-1 text", "x.txt", "Headline\n\ncaf\xe9\n", `^x\.txt:3: not UTF-8 text`},
		{"utf-16", "x.txt", "\xff\xfeH\x00", `^x\.txt:1: the file is UTF-16`},
		{"whitespace only", "x.txt", " \n\t\n", `^x\.txt:1: empty file`},
		{"html too large", "x.html", "<html><body>" + strings.Repeat("<b>x</b>", 70000), `^x\.html:1: cannot read the article: documents too large`},
		{"html without body", "x.html", "<!doctype html><title>T</title>", `^x\.html:1: no article found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.data != "" {
				_, err = parse(tt.path, []byte(tt.data))
			} else {
				_, err = ParseFile(tt.path)
			}
			if err == nil {
				t.Fatalf("no error, want %s", tt.want)
			}
			if !regexp.MustCompile(tt.want).MatchString(err.Error()) {
				t.Errorf("error %q does not match %s", err, tt.want)
			}
		})
	}
}

func TestMarkdownWithoutFrontMatter(t *testing.T) {
	p, err := parse("plain.md", []byte("# A plain headline\n\nSome *text*.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Article.Headline != "A plain headline" || !strings.Contains(p.Article.BodyHTML, "<em>text</em>") || strings.Contains(p.Article.BodyHTML, "headline") {
		t.Errorf("%q %s", p.Article.Headline, p.Article.BodyHTML)
	}
}

func TestSourceKey(t *testing.T) {
	d := time.Date(2020, 3, 22, 0, 0, 0, 0, time.UTC)
	k := SourceKey("Is Trump's second letter", d)
	for _, same := range []string{"is trump’s  second LETTER", " Is Trump's second letter "} {
		if SourceKey(same, d.Add(3*time.Hour)) != k {
			t.Errorf("%q: different key", same)
		}
	}
	if SourceKey("Is Trump's second letter", d.AddDate(0, 0, 1)) == k || SourceKey("Is Trump's first letter", d) == k || SourceKey("Is Trump's second letter", time.Time{}) == k {
		t.Error("different stories share a key")
	}
}
