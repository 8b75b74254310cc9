package importer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/korean"

	"masthead/internal/news"
)

// The bugs issue 14 names, one test each. Each was seen to fail on the
// importer before the fix (see the report of the issue14-import branch).

// longASCII is more than the 1024 bytes a browser's prescan reads.
var longASCII = "<!-- " + strings.Repeat("padding ", 200) + "-->"

func articlePage(head, title, body string) string {
	return "<!DOCTYPE html><html><head>" + head + "<title>" + title + "</title></head><body><article><h1>" + title + "</h1>" +
		"<p>" + body + "</p><p>" + body + "</p></article></body></html>"
}

func TestBugUTF8WithoutMetaNotWindows1252(t *testing.T) {
	tests := []struct {
		name, page, headline, bodyHas string
	}{
		{"english, no meta", articlePage(longASCII, "Yahoo’s Sale to Verizon Leaves Shareholders With Little Say",
			strings.Repeat("Shareholders of Yahoo’s core business have little say in the sale. ", 5)),
			"Yahoo’s Sale to Verizon Leaves Shareholders With Little Say", "Yahoo’s core"},
		{"korean, no meta", articlePage(longASCII, "서울 지하철 심야 운행", strings.Repeat("서울교통공사는 연말 심야 운행을 연장한다고 밝혔다. ", 8)),
			"서울 지하철 심야 운행", "서울교통공사는"},
		{"chinese, meta past byte 1024", articlePage(longASCII+`<meta charset="utf-8">`, "宇航员在太空中喝酒会怎么样", strings.Repeat("宇航员在国际空间站上不能喝酒。", 12)),
			"宇航员在太空中喝酒会怎么样", "国际空间站"},
		{"declares gb2312 but saved as UTF-8", articlePage(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`, "DeepMind新电脑已可利用记忆自学",
			strings.Repeat("人工智能迈上新台阶。", 20)), "DeepMind新电脑已可利用记忆自学", "人工智能"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parse("page.html", []byte(tt.page))
			if err != nil {
				t.Fatal(err)
			}
			if p.Article.Headline != tt.headline || !strings.Contains(p.Article.BodyHTML, tt.bodyHas) {
				t.Errorf("headline %q body %.200s", p.Article.Headline, p.Article.BodyHTML)
			}
		})
	}
	// A legacy charset declared late in the head is still honoured.
	page := articlePage(longASCII+`<meta charset="euc-kr">`, "서울 지하철 심야 운행", strings.Repeat("서울교통공사는 연말 심야 운행을 연장한다고 밝혔다. ", 8))
	enc, err := korean.EUCKR.NewEncoder().Bytes([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	p, err := parse("euckr.html", enc)
	if err != nil {
		t.Fatal(err)
	}
	if p.Article.Headline != "서울 지하철 심야 운행" {
		t.Errorf("EUC-KR declared past byte 1024: headline %q", p.Article.Headline)
	}
}

func TestBugLeadPhotoWithoutImageKept(t *testing.T) {
	body := strings.Repeat("The council voted on Tuesday to build the path along the river. ", 6)
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Bike path approved</title>` +
		`<link rel="canonical" href="https://daily.example.com/2024/05/02/bike-path"></head><body><article><h1>Bike path approved</h1>` +
		`<figure><img src="/img/river.jpg" alt="Cyclists by the river"><figcaption>Cyclists ride along the Han River. <span class="credit">Yonhap</span></figcaption></figure>` +
		`<p>` + body + `</p><p>` + body + `</p></article></body></html>`
	p, err := parse("page.html", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	ph := p.Photo
	if ph == nil || ph.Caption != "Cyclists ride along the Han River." || ph.Credit != "Yonhap" || ph.Alt != "Cyclists by the river" ||
		ph.URL != "https://daily.example.com/img/river.jpg" || ph.Data != nil {
		t.Fatalf("photo = %+v", ph)
	}
	if strings.Contains(p.Article.BodyHTML, "Cyclists ride") {
		t.Errorf("caption also left in the body: %s", p.Article.BodyHTML)
	}
}

func TestBugBylinesCleaned(t *testing.T) {
	tests := []struct{ in, want string }{
		{"By Sarah Gooding, April 28, 2019 at 6:01 am Updated April 29", "Sarah Gooding"},
		{"Sarah Gooding April 28, 2019 at 6:01 am Updated April 29, 2019", "Sarah Gooding"},
		{"Mac & i", "Mac & i"},
		{"By Jane Doe and John Roe, Staff Writers", "Jane Doe|John Roe"},
		{"BY KIM TONG-HYUNG, Associated Press", "KIM TONG-HYUNG|Associated Press"},
		{"By Lee Min-ji, staff reporter", "Lee Min-ji"},
		{"Kim A, Lee B & Park C", "Kim A|Lee B|Park C"},
		{"Written by Jane Smith | Published March 3, 2021", "Jane Smith"},
		{"정덕현 칼럼니스트", "정덕현"},
		{"워싱턴=이정민 특파원", "워싱턴=이정민"},
		{"By Jane Doe jdoe@example.com", "Jane Doe"},
		{"Posted on March 3, 2021", ""},
		{"Updated 3 hours ago", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(cleanByline(tt.in), "|"); got != tt.want {
			t.Errorf("cleanByline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	body := strings.Repeat("WordPress developers face a crowded market, the survey shows. ", 6)
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Survey</title></head><body><article><h1>Survey</h1>` +
		`<p class="byline">By Sarah Gooding, April 28, 2019 at 6:01 am Updated April 29</p><p>` + body + `</p><p>` + body + `</p></article></body></html>`
	p, err := parse("page.html", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Authors) != 1 || p.Authors[0].Name != "Sarah Gooding" {
		t.Errorf("authors = %+v", p.Authors)
	}
}

// TestBugEmptyTagCaughtBeforeWriting: an empty article:tag is no tag, and
// a tag that cannot be saved stops the import before anything is written.
func TestBugEmptyTagCaughtBeforeWriting(t *testing.T) {
	body := strings.Repeat("The city plans to review ridership in January before deciding. ", 6)
	page := func(tag string) string {
		return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Ridership review</title>` +
			`<meta property="article:section" content="Metro"><meta name="author" content="Lee Min-ji">` +
			`<meta property="article:tag" content="Seoul"><meta property="article:tag" content="` + tag + `"></head>` +
			`<body><article><h1>Ridership review</h1><p>` + body + `</p><p>` + body + `</p></article></body></html>`
	}
	p, err := parse("page.html", []byte(page("")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Tags, ",") != "Seoul" {
		t.Errorf("tags = %q", p.Tags)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.html")
	if err := os.WriteFile(bad, []byte(page("!!!")), 0o644); err != nil {
		t.Fatal(err)
	}
	eachStore(t, func(t *testing.T, st news.Store) {
		_, err := Import(context.Background(), st, []string{bad}, Options{CreateSections: true, Now: testNow})
		if err == nil || !strings.Contains(err.Error(), `tag "!!!" has no letters or digits`) {
			t.Fatalf("err = %v", err)
		}
		as, _ := st.ListAuthors(context.Background())
		ts, _ := st.ListTags(context.Background())
		ss, _ := st.ListSections(context.Background())
		if len(as) != 0 || len(ts) != 0 || countArticles(t, st) != 0 {
			t.Errorf("written before the error: %d authors, %d tags, %d sections", len(as), len(ts), len(ss))
		}
	})
}

func TestBugCaptureCases(t *testing.T) {
	tests := []struct {
		name, in string
		authors  string
		paras    []string
		caption  string
		credit   string
	}{
		{
			name:    "signature without an e-mail",
			in:      "Headline\n\nBy Kang Seung-woo\n\nFirst paragraph of the story.\n\nLast paragraph of the story.\n\nKang Seung-woo\n",
			authors: "Kang Seung-woo <>",
			paras:   []string{"First paragraph of the story.", "Last paragraph of the story."},
		},
		{
			name:    "signature with a role word",
			in:      "드라마 리뷰\n\n정덕현 칼럼니스트\n\n드라마가 끝났다.\n\n정덕현 칼럼니스트 email\n",
			authors: "정덕현 <>",
			paras:   []string{"드라마가 끝났다."},
		},
		{
			name:    "signature with a role word, no byline",
			in:      "드라마 리뷰\n\n드라마가 끝났다.\n\n정덕현 칼럼니스트 jdh@example.kr\n",
			authors: "정덕현 <jdh@example.kr>",
			paras:   []string{"드라마가 끝났다."},
		},
		{
			name:    "related-links boxes",
			in:      "Headline\n\nBy Kim A\n\nFirst paragraph.\n\nRelated Articles\n• Moon meets Kim again\n• Talks stall over sanctions\n\nSecond paragraph.\n\nMore in Politics\nParty picks new leader\nBudget passes\n\n관련기사\n북한, 미사일 발사\n",
			authors: "Kim A <>",
			paras:   []string{"First paragraph.", "Second paragraph."},
		},
		{
			name:    "mid-body caption once",
			in:      "Headline\n\nBy Kim A\n\nFirst paragraph.\n\nA ferry docks at Incheon. / Yonhap\nA ferry docks at Incheon. / Yonhap\n\nSecond paragraph.\n",
			authors: "Kim A <>",
			paras:   []string{"First paragraph.", "A ferry docks at Incheon. / Yonhap", "Second paragraph."},
		},
		{
			name:    "credit with a slash",
			in:      "Headline\nProtesters march in central Seoul, Saturday. / AFP / Yonhap\nProtesters march in central Seoul, Saturday. / AFP / Yonhap\n\nBy Kim A\n\nBody.\n",
			authors: "Kim A <>",
			paras:   []string{"Body."},
			caption: "Protesters march in central Seoul, Saturday.",
			credit:  "AFP / Yonhap",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parse("capture.txt", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var as []string
			for _, a := range p.Authors {
				as = append(as, fmt.Sprintf("%s <%s>", a.Name, a.Email))
			}
			if got := strings.Join(as, "; "); got != tt.authors {
				t.Errorf("authors = %q, want %q", got, tt.authors)
			}
			if got := paragraphs(t, p.Article.BodyHTML); strings.Join(got, "\n") != strings.Join(tt.paras, "\n") {
				t.Errorf("paragraphs %q, want %q", got, tt.paras)
			}
			if tt.caption != "" && (p.Photo == nil || p.Photo.Caption != tt.caption || p.Photo.Credit != tt.credit) {
				t.Errorf("photo = %+v", p.Photo)
			}
		})
	}
}

// sectionFront is a section front page: 80 headlines with teasers.
func sectionFront(n int) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Politics | The Example Daily</title><meta property="og:type" content="website"></head><body><main><h1>Politics</h1>`)
	for i := range n {
		fmt.Fprintf(&b, `<article class="teaser"><h3><a href="/2024/05/%02d/story-%d">Lawmakers debate the budget bill, day %d of the session</a></h3>`+
			`<p>The assembly's budget committee met again on Tuesday to discuss spending on welfare and defence, item %d.</p></article>`, i%28+1, i, i, i)
	}
	b.WriteString(`</main></body></html>`)
	return b.String()
}

func TestBugLinkListRefused(t *testing.T) {
	for _, n := range []int{20, 80} {
		_, err := parse("politics.html", []byte(sectionFront(n)))
		if err == nil || !strings.Contains(err.Error(), "this looks like a list of links") {
			t.Errorf("%d headlines: err = %v", n, err)
		}
	}
	// A bare list of links, no teasers, no <article>s.
	var b strings.Builder
	b.WriteString(`<html><head><title>Archive</title></head><body><div class="content"><ul>`)
	for i := range 80 {
		fmt.Fprintf(&b, `<li><a href="/story-%d">Story number %d in the archive of the paper</a></li>`, i, i)
	}
	b.WriteString(`</ul></div></body></html>`)
	if _, err := parse("archive.html", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "list of links") {
		t.Errorf("archive: err = %v", err)
	}
}
