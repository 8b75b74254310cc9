package importer

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// corpus finds ../shared/corpus (beside the repository, or a parent of
// it: worktrees live one level down); tests that need it skip without.
func corpus(t *testing.T, name string) string {
	t.Helper()
	if d := os.Getenv("MASTHEAD_CORPUS"); d != "" {
		return filepath.Join(d, name)
	}
	wd, _ := os.Getwd()
	for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if p := filepath.Join(d, "shared", "corpus", name); fileExists(p) || isDir(p) {
			return p
		}
	}
	t.Skipf("corpus %s not found (set MASTHEAD_CORPUS)", name)
	return ""
}

func byHeadline(b *Batch) map[string]*Parsed {
	m := map[string]*Parsed{}
	for _, p := range b.Stories {
		m[p.Article.Headline] = p
	}
	return m
}

// TestBugWXRNotOneXMLDraft: a WordPress export used to "succeed" as one
// draft whose body was the XML. Every post, page, author, category, tag,
// featured-image caption and comment of the theme unit test is accounted for.
func TestBugWXRNotOneXMLDraft(t *testing.T) {
	path := corpus(t, "wordpress-theme-unit-test.xml")
	b, err := Read([]string{path}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Sources[0].Format != FormatWXR {
		t.Fatalf("format %q", b.Sources[0].Format)
	}
	s := b.Summary()
	// The export holds 51 posts and 21 pages (not counting 38
	// attachments, 70 menu items), 3 authors, 67 categories, 28 comments
	// (plus 4 pingbacks, left out).
	want := Summary{Stories: 51, Pages: 21, Authors: 3, Sections: 67, Comments: 28, Redirects: 72}
	if s.Stories != want.Stories || s.Pages != want.Pages || s.Authors != want.Authors || s.Sections != want.Sections ||
		s.Comments != want.Comments || s.Redirects != want.Redirects || s.Tags < 100 || s.PhotosMissing == 0 {
		t.Errorf("summary %+v, want %+v", s, want)
	}
	m := byHeadline(b)
	if p := m["Scheduled"]; p == nil || p.Article.Status != news.StatusScheduled {
		t.Errorf("scheduled post: %+v", p)
	}
	if p := m["Draft"]; p == nil || p.Article.Status != news.StatusDraft {
		t.Errorf("draft post: %+v", p)
	}
	cap := m["Post Format: Image (Caption)"]
	if cap == nil || cap.Photo == nil || cap.Photo.Caption != "It’s dangerous to go alone! Take this." || !cap.Photo.Missing() {
		t.Errorf("featured image caption: %+v", cap)
	}
	lvl := m["Level 3"]
	if lvl == nil || !lvl.IsPage() || len(lvl.Redirects) != 1 || lvl.Redirects[0] != "/level-1/level-2/level-3/" {
		t.Errorf("page: %+v", lvl)
	}
	for _, p := range b.Stories {
		if strings.Contains(p.Article.BodyHTML, "<!-- wp:") || strings.Contains(p.Article.BodyHTML, "[caption") || strings.Contains(p.Article.BodyHTML, "<wp:") {
			t.Errorf("%q: block or shortcode markup left: %.300s", p.Article.Headline, p.Article.BodyHTML)
		}
	}
	gal := m["Post Format: Gallery"]
	if gal == nil || strings.Count(gal.Article.BodyHTML, `<figure class="photo">`) < 5 {
		t.Errorf("gallery shortcode not made figures")
	}
	var sub *SectionRef
	for _, sec := range b.Sections {
		if sec.Name == "Child Category 01" {
			sub = sec
		}
	}
	if sub == nil || sub.Parent != "wp:parent-category" {
		t.Errorf("category hierarchy lost: %+v", sub)
	}
}

// TestWXRStreamed reads an export of 10,000 posts built on the fly, never
// held as a whole in memory (encoding/xml's Decoder, one item at a time).
func TestWXRStreamed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-post export")
	}
	pr, pw := io_Pipe()
	go func() {
		pw.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Big</title><link>https://big.example</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://big.example</wp:base_blog_url>` +
			`<wp:author><wp:author_login>ed</wp:author_login><wp:author_email>ed@big.example</wp:author_email><wp:author_display_name><![CDATA[Ed Itor]]></wp:author_display_name></wp:author>`))
		for i := range 10000 {
			pw.Write([]byte(strings.NewReplacer("N", itoa(i)).Replace(`<item><title>Post N</title><link>https://big.example/2020/01/01/post-N/</link><dc:creator>ed</dc:creator><content:encoded><![CDATA[Paragraph one of post N.

Paragraph two.]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>N</wp:post_id><wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt><wp:post_name>post-N</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><category domain="category" nicename="news"><![CDATA[News]]></category></item>`)))
		}
		pw.Write([]byte(`</channel></rss>`))
		pw.Close()
	}()
	b := &Batch{}
	if err := b.readWXR("big.xml", pr, defaultReadOpts()); err != nil {
		t.Fatal(err)
	}
	if s := b.Summary(); s.Stories != 10000 || s.Authors != 1 || s.Redirects != 10000 {
		t.Errorf("summary %+v", s)
	}
	if got := paragraphs(t, b.Stories[9999].Article.BodyHTML); len(got) != 2 || got[0] != "Paragraph one of post 9999." {
		t.Errorf("wpautop: %q", got)
	}
}

func TestBugGhostExports(t *testing.T) {
	for _, tt := range []struct {
		file                                  string
		stories, pages, authors, tags, photos int
	}{
		{"ghost4.json", 2, 1, 2, 2, 3},
		{"ghost5.json", 3, 0, 2, 2, 4},
		{"ghost6.json", 1, 1, 2, 2, 1},
	} {
		t.Run(tt.file, func(t *testing.T) {
			b, err := Read([]string{filepath.Join("testdata", "ghost", tt.file)}, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if b.Sources[0].Format != FormatGhost {
				t.Fatalf("format %q", b.Sources[0].Format)
			}
			s := b.Summary()
			if s.Stories != tt.stories || s.Pages != tt.pages || s.Authors != tt.authors || s.Tags != tt.tags || s.Photos+s.PhotosMissing != tt.photos {
				t.Errorf("summary %+v", s)
			}
			for _, p := range b.Stories {
				if strings.Contains(p.Article.BodyHTML, "__GHOST_URL__") || strings.Contains(p.Article.BodyHTML, "<script") || strings.Contains(p.Article.BodyHTML, "<iframe") {
					t.Errorf("%q: body %s", p.Article.Headline, p.Article.BodyHTML)
				}
				if len(p.Redirects) != 1 || p.Redirects[0] != "/"+p.Article.Slug+"/" {
					t.Errorf("%q: redirects %q", p.Article.Headline, p.Redirects)
				}
			}
		})
	}
	b, err := Read([]string{"testdata/ghost/ghost4.json", "testdata/ghost/ghost5.json", "testdata/ghost/ghost6.json"}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := byHeadline(b)
	late := m["Late-night trains for year-end crowds"]
	if late == nil || late.Section != "Metro" || strings.Join(late.Tags, ",") != "Transport" || len(late.Authors) != 2 ||
		late.Article.SEOTitle != "Late trains | Daily" || late.Article.Deck != "Lines 2 and 5 run until 2 a.m." || late.Photo == nil ||
		late.Photo.Caption != "Commuters board a Line 2 train. Yonhap" || late.Photo.Alt != "Commuters board a train" {
		t.Fatalf("mobiledoc post: %+v", late)
	}
	for _, want := range []string{"<strong>extra trains</strong>", "<br>", `<a href="https://www.seoulmetro.co.kr/" rel="noopener nofollow">Timetable</a>`, "<figcaption>A night bus in Seoul.</figcaption>", "<h2>Fares</h2>", "<strong>unchanged</strong>", "<li><p>Line 5</p></li>"} {
		if !strings.Contains(late.Article.BodyHTML, want) {
			t.Errorf("mobiledoc body lacks %q: %s", want, late.Article.BodyHTML)
		}
	}
	bike := m["Council approves bike path"]
	for _, want := range []string{"<strong>12-kilometre</strong>", "<h2>Three parks</h2>", "<figcaption>Cyclists ride along the Han River.</figcaption>", "<ol><li><p>Yeouido</p></li><li><p><em>Banpo</em></p></li></ol>", `href="https://www.youtube.com/watch?v=abc"`, "the plan"} {
		if bike == nil || !strings.Contains(bike.Article.BodyHTML, want) {
			t.Errorf("lexical body lacks %q: %+v", want, bike)
		}
	}
	if m["A draft about buses"].Article.Status != news.StatusDraft || m["Scheduled for next year"].Article.Status != news.StatusScheduled ||
		m["Members only"].Article.Status != news.StatusPublished || !m["About us"].IsPage() {
		t.Error("statuses or kinds wrong")
	}
	if len(b.Authors) == 0 || b.Authors[0].Photo == nil || b.Authors[0].Bio != "Jane covers city hall." {
		t.Errorf("author profile: %+v", b.Authors[0])
	}
}

func TestBugHugoJekyllFrontMatter(t *testing.T) {
	seoul := time.FixedZone("KST", 9*3600)
	o := &readOpts{loc: seoul}
	tests := []struct {
		name, path, in string
		check          func(t *testing.T, p *Parsed)
	}{
		{"toml", "post.md", "+++\ntitle = \"Bike path approved\"\ndate = 2024-05-02T10:00:00+09:00\nlastmod = 2024-05-03\ndraft = false\ncategories = [\"Metro\", \"Seoul\"]\ntags = [\"cycling\"]\nauthors = [\"Park Ji-hoon\"]\nsummary = \"A 12 km path.\"\nslug = \"bike-path\"\naliases = [\"/old/bike/\"]\nweight = 3\nlayout = \"post\"\nmystery = 1\n+++\nThe council voted.\n",
			func(t *testing.T, p *Parsed) {
				a := p.Article
				if a.Headline != "Bike path approved" || a.Slug != "bike-path" || a.Deck != "A 12 km path." || a.Status != news.StatusPublished ||
					p.Section != "Metro" || strings.Join(p.Tags, ",") != "Seoul,cycling" || p.Authors[0].Name != "Park Ji-hoon" {
					t.Errorf("%+v", p)
				}
				if !a.PublishedAt.Equal(time.Date(2024, 5, 2, 1, 0, 0, 0, time.UTC)) || !a.UpdatedAt.Equal(time.Date(2024, 5, 2, 15, 0, 0, 0, time.UTC)) {
					t.Errorf("dates %v %v", a.PublishedAt, a.UpdatedAt)
				}
				if strings.Join(p.Redirects, ",") != "/old/bike/" || len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "weight") || !strings.Contains(p.Notes[0], "mystery") {
					t.Errorf("redirects %q notes %q", p.Redirects, p.Notes)
				}
			}},
		{"yaml hugo fields", "post.md", "---\ntitle: Night trains\ndate: 2024-12-20\ndraft: true\ndescription: Lines 2 and 5.\nlayout: single\nauthor: Lee Min-ji\n---\nBody.\n",
			func(t *testing.T, p *Parsed) {
				a := p.Article
				if a.Headline != "Night trains" || a.Status != news.StatusDraft || a.Deck != "Lines 2 and 5." || p.Authors[0].Name != "Lee Min-ji" ||
					!a.PublishedAt.Equal(time.Date(2024, 12, 19, 15, 0, 0, 0, time.UTC)) {
					t.Errorf("%+v %v", a, a.PublishedAt)
				}
			}},
		{"jekyll", "_posts/2020-03-22-trump-letter.md", "---\nlayout: post\ntitle: \"Trump's letter\"\ndate: 2020-03-22 09:00:00 +0900\ncategories: politics korea\ntags: nk diplomacy\npermalink: /2020/trump-letter.html\n---\nBody.\n",
			func(t *testing.T, p *Parsed) {
				a := p.Article
				if a.Headline != "Trump's letter" || a.Slug != "trump-letter" || p.Section != "politics" || strings.Join(p.Tags, ",") != "korea,nk,diplomacy" ||
					!a.PublishedAt.Equal(time.Date(2020, 3, 22, 0, 0, 0, 0, time.UTC)) || p.Redirects[0] != "/2020/trump-letter.html" {
					t.Errorf("%+v %v %q", a, a.PublishedAt, p.Redirects)
				}
			}},
		{"jekyll date from the file name", "_posts/2019-06-30-panmunjeom.md", "---\ntitle: Panmunjeom\n---\nBody.\n",
			func(t *testing.T, p *Parsed) {
				if p.Article.Slug != "panmunjeom" || !p.Article.PublishedAt.Equal(time.Date(2019, 6, 30, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("%q %v", p.Article.Slug, p.Article.PublishedAt)
				}
			}},
		{"note without a heading", "notes/my-trip-to-busan.md", "Took the KTX at 7.\n\nBusan was warm.\n",
			func(t *testing.T, p *Parsed) {
				if p.Article.Headline != "My trip to busan" || len(paragraphs(t, p.Article.BodyHTML)) != 2 || len(p.Notes) != 1 {
					t.Errorf("%q %s %q", p.Article.Headline, p.Article.BodyHTML, p.Notes)
				}
			}},
		{"date with zone, time without seconds", "x.md", "---\ntitle: T\ndate: 2024-01-02T03:04\n---\nB\n",
			func(t *testing.T, p *Parsed) {
				if !p.Article.PublishedAt.Equal(time.Date(2024, 1, 1, 18, 4, 0, 0, time.UTC)) {
					t.Errorf("%v", p.Article.PublishedAt)
				}
			}},
		{"hugo shortcodes", "x.md", "---\ntitle: T\n---\nText.\n\n{{< figure src=\"https://example.org/a.jpg\" caption=\"A caption\" >}}\n\n{{< youtube dQw4w9WgXcQ >}}\n\n{{% notice %}}Inner text{{% /notice %}}\n",
			func(t *testing.T, p *Parsed) {
				h := p.Article.BodyHTML
				if strings.Contains(h, "{{") || !strings.Contains(h, "A caption") || !strings.Contains(h, "youtube.com/watch?v=dQw4w9WgXcQ") || !strings.Contains(h, "Inner text") {
					t.Errorf("%s", h)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseMarkdownWith(tt.path, tt.in, o)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
		})
	}
	if _, err := parseMarkdownWith("x.md", "---\ntitle: T\npubished: 2020-01-01\n---\nB\n", o); err == nil || !strings.Contains(err.Error(), `did you mean "published"`) {
		t.Errorf("typo of a guarded field: %v", err)
	}
	if _, err := parseMarkdownWith("x.md", "+++\ntitle = \"T\n+++\nB\n", o); err == nil || !strings.Contains(err.Error(), "x.md:2: bad front matter (TOML)") {
		t.Errorf("bad toml: %v", err)
	}
}

// TestHugoTree reads a Hugo site: sections from _index.md, a page bundle
// with its image, a top-level page, default permalinks as redirects.
func TestHugoTree(t *testing.T) {
	dir := t.TempDir()
	png, _ := os.ReadFile("testdata/panmunjeom.png")
	files := map[string]string{
		"hugo.toml":                            "title = \"Site\"\n",
		"content/_index.md":                    "---\ntitle: Home\n---\n",
		"content/about.md":                     "---\ntitle: About\n---\nWe are a paper.\n",
		"content/metro/_index.md":              "---\ntitle: Metro desk\ndescription: City news\n---\n",
		"content/metro/subway/index.md":        "---\ntitle: Subway\ndate: 2024-12-20\nimage: cover.png\n---\nText.\n\n![A map](map.png)\n",
		"content/posts/hello.md":               "+++\ntitle = \"Hello\"\n+++\nHi.\n",
		"content/posts/hello-world/notes.txtx": "x",
	}
	for name, body := range files {
		f := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(f), 0o755)
		os.WriteFile(f, []byte(body), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "content/metro/subway/cover.png"), png, 0o644)
	b, err := Read([]string{dir}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := byHeadline(b)
	sub := m["Subway"]
	if sub == nil || sub.Section != "Metro" || sub.Photo == nil || sub.Photo.Missing() || len(sub.Images) != 1 || !sub.Images[0].Missing() ||
		sub.Redirects[0] != "/metro/subway/" {
		t.Fatalf("bundle: %+v", sub)
	}
	if a := m["About"]; a == nil || !a.IsPage() || a.Redirects[0] != "/about/" {
		t.Errorf("page: %+v", a)
	}
	if h := m["Hello"]; h == nil || h.Section != "" || h.Redirects[0] != "/posts/hello/" {
		t.Errorf("post: %+v", h)
	}
	if len(b.Sections) != 1 || b.Sections[0].Name != "Metro desk" || b.Sections[0].Description != "City news" {
		t.Errorf("sections %+v", b.Sections)
	}
	if s := b.Summary(); s.Stories != 2 || s.Pages != 1 || s.Photos != 1 || s.PhotosMissing != 1 {
		t.Errorf("summary %+v", s)
	}
}

// TestBugUnknownFormatsNamed: an RSS feed, a Ghost export under another
// name, and a huge one-line file each get a one-line answer that names
// what they are and quotes at most a line (the 2.5 MB minified export
// used to come back as a 2.5 MB error).
func TestBugUnknownFormatsNamed(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"feed.xml", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>`, "this looks like an RSS feed"},
		{"feed.atom", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>`, "this looks like an Atom feed"},
		{"feed.json", `{"version": "https://jsonfeed.org/version/1.1", "items": []}`, "this looks like a JSON Feed"},
		{"posts.json", `[{"id": 1, "title": {"rendered": "Hi"}}]`, "WordPress REST API output"},
		{"big.json", `{"wat": "` + strings.Repeat("x", 2_500_000) + `"}`, "JSON that is not a Ghost export"},
		{"sitemap.xml", `<?xml version="1.0"?><urlset></urlset>`, "sitemap"},
		{"dump.sql", "-- MySQL dump 10.13\nCREATE TABLE wp_posts;", "SQL database dump"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		p := filepath.Join(dir, tt.name)
		os.WriteFile(p, []byte(tt.data), 0o644)
		_, err := Read([]string{p}, ReadOptions{})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "masthead imports") {
			t.Errorf("%s: err = %v", tt.name, err)
			continue
		}
		if len(err.Error()) > 600 || strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("%s: error is %d bytes, %d lines", tt.name, len(err.Error()), strings.Count(err.Error(), "\n")+1)
		}
	}
	// The Ghost export that was refused with `cannot make a URL slug from
	// the headline "{"` is read as one.
	b, err := Read([]string{"testdata/ghost/ghost4.json"}, ReadOptions{})
	if err != nil || b.Sources[0].Format != FormatGhost {
		t.Errorf("ghost: %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func io_Pipe() (*io.PipeReader, *io.PipeWriter) { return io.Pipe() }
