package importer

import (
	"context"
	"errors"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/site"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
	"masthead/internal/testpg"
	"masthead/internal/workflow"
)

// The theme unit test export is read once per test binary: every test
// that saves it shares the Batch (Save does not change it).
var (
	themeOnce  sync.Once
	themeBatch *Batch
	themeErr   error
)

func themeUnitTest(t *testing.T) *Batch {
	t.Helper()
	path := corpus(t, "wordpress-theme-unit-test.xml")
	themeOnce.Do(func() { themeBatch, themeErr = Read([]string{path}, ReadOptions{}) })
	if themeErr != nil {
		t.Fatal(themeErr)
	}
	return themeBatch
}

// paperRows counts the rows of the paper an import writes.
type paperRows struct {
	Stories, Authors, Sections, Tags, Photos, Awaiting, Comments, Redirects int
}

func countRows(t *testing.T, st news.Store) paperRows {
	t.Helper()
	ctx := context.Background()
	var r paperRows
	var err error
	if _, r.Stories, err = st.FindArticles(ctx, news.ArticleFilter{Limit: 1}); err != nil {
		t.Fatal(err)
	}
	au, err := st.ListAuthors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	secs, err := st.ListSections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := st.ListTags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r.Authors, r.Sections, r.Tags = len(au), len(secs), len(tags)
	ps, _, err := st.(news.PhotoLibrary).ListPhotos(ctx, news.PhotoFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Awaiting() {
			r.Awaiting++
		} else {
			r.Photos++
		}
	}
	cs, err := st.(news.CommentStore).FindComments(ctx, news.CommentFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	r.Comments = len(cs)
	rds, err := st.ListRedirects(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	r.Redirects = len(rds)
	return r
}

// storyCounts is what the Batch holds for stories (pages are not saved
// yet): the rows a saved run must have made.
func storyCounts(b *Batch) (photos, comments int) {
	seen := map[*PhotoRef]bool{}
	keys := map[string]bool{}
	add := func(r *PhotoRef) {
		if r != nil && !seen[r] {
			seen[r] = true
			photos++
		}
	}
	for _, p := range b.Stories {
		if p.IsPage() {
			continue
		}
		keys[p.Article.SourceKey] = true
		add(p.Photo)
		for _, r := range p.Images {
			add(r)
		}
	}
	for _, a := range b.Authors {
		add(a.Photo)
	}
	for _, c := range b.Comments {
		if keys[c.StoryKey] && strings.TrimSpace(c.BodyHTML) != "" {
			comments++
		}
	}
	return photos, comments
}

// TestSaveThemeUnitTest: the WordPress theme unit test export is in the
// paper with every post, author, category, tag, featured-image caption and
// comment accounted for, statuses kept, and its old permalinks answering
// 301 over HTTP.
func TestSaveThemeUnitTest(t *testing.T) {
	b := themeUnitTest(t)
	dry := b.Summary()
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		paper := &news.Paper{Name: "Theme Test", BaseURL: "https://paper.example"}
		rep, err := Save(ctx, st, b, Options{CreateSections: true, Now: testNow, Paper: paper})
		if err != nil {
			t.Fatal(err)
		}
		photos, comments := storyCounts(b)
		got := countRows(t, st)
		want := paperRows{Stories: dry.Stories, Authors: dry.Authors, Sections: dry.Sections, Tags: dry.Tags,
			Awaiting: photos, Comments: comments, Redirects: rep.Summary.Redirects}
		if got != want {
			t.Errorf("paper rows %+v, want %+v (dry run %+v)", got, want, dry)
		}
		if comments < 20 || rep.Summary.Redirects < 40 {
			t.Errorf("only %d comments and %d redirects saved", comments, rep.Summary.Redirects)
		}
		// The 21 pages are static pages now (issue 15), every one.
		pages, err := st.ListPages(ctx, news.PageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if dry.Pages != 21 || len(pages) != dry.Pages || rep.Summary.Pages != dry.Pages {
			t.Errorf("%d pages in the paper, %d in the summary, %d in the dry run", len(pages), rep.Summary.Pages, dry.Pages)
		}
		byID := map[int64]*news.Article{}
		for i, p := range storiesOf(b) {
			a, err := st.FindArticleByID(ctx, rep.Results[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			byID[a.ID] = a
			if a.Headline != p.Article.Headline {
				t.Fatalf("result %d is %q, want %q", i, a.Headline, p.Article.Headline)
			}
			if p.Photo != nil && (a.Photo == nil || a.Photo.Caption != p.Photo.Caption || a.Photo.Alt != p.Photo.Alt || !a.Photo.Awaiting()) {
				t.Errorf("%q: featured image %+v, want caption %q", a.Headline, a.Photo, p.Photo.Caption)
			}
			if p.Section != "" && (a.Section == nil || !strings.EqualFold(a.Section.Name, p.Section)) {
				t.Errorf("%q: section %+v, want %q", a.Headline, a.Section, p.Section)
			}
			switch a.Headline {
			case "Draft":
				if a.Status != news.StatusDraft {
					t.Errorf("draft is %s", a.Status)
				}
			case "Scheduled":
				if a.Status != news.StatusScheduled {
					t.Errorf("scheduled post is %s", a.Status)
				}
			}
		}
		// The categories' hierarchy: sub-sections one level deep (a
		// grandchild hangs from its top-level ancestor), the whole tree
		// kept beside them.
		if v, err := st.GetSetting(ctx, SectionParentsKey); err != nil || !strings.Contains(v, `"child-category-01":"parent-category"`) {
			t.Errorf("section parents %q %v", v, err)
		}
		secBySlug := map[string]*news.Section{}
		secs, _ := st.ListSections(ctx)
		for _, sec := range secs {
			secBySlug[sec.Slug] = sec
		}
		parent, child, grand := secBySlug["parent-category"], secBySlug["child-category-01"], secBySlug["grandchild-category"]
		if parent == nil || child == nil || grand == nil || parent.ParentID != 0 || child.ParentID != parent.ID || grand.ParentID != parent.ID {
			t.Errorf("sub-sections: parent %+v child %+v grandchild %+v", parent, child, grand)
		}

		// Old permalinks answer 301 with the new address, over HTTP.
		srv := httptest.NewServer(site.New(site.Config{Paper: paper, Store: st, Clock: news.NewFixedClock(testNow),
			Logger: slog.New(slog.DiscardHandler)}).Handler())
		defer srv.Close()
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		rds, err := st.ListRedirects(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, rd := range rds {
			if !strings.HasPrefix(rd.From, "/?") && checked < 5 {
				resp, err := client.Get(srv.URL + (&url.URL{Path: rd.From}).EscapedPath())
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusMovedPermanently {
					t.Errorf("GET %s: %d, want 301", rd.From, resp.StatusCode)
				}
				checked++
			}
		}
		var cap *news.Article
		for _, a := range byID {
			if a.Headline == "Post Format: Image (Caption)" {
				cap = a
			}
		}
		if cap == nil || cap.Status != news.StatusPublished {
			t.Fatalf("caption post %+v", cap)
		}
		// Its old permalink leads to its page, which shows the caption
		// of the photo awaiting its file and no broken image.
		var old string
		for _, rd := range rds {
			if rd.To == paper.ArticlePath(cap) {
				old = rd.From
			}
		}
		resp, err := client.Get(srv.URL + (&url.URL{Path: old}).EscapedPath())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if old == "" || resp.StatusCode != 301 || resp.Header.Get("Location") != paper.ArticlePath(cap) {
			t.Fatalf("GET %q: %d %q, want 301 to %s", old, resp.StatusCode, resp.Header.Get("Location"), paper.ArticlePath(cap))
		}
		resp, err = http.Get(srv.URL + (&url.URL{Path: old}).EscapedPath())
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(page), "It’s dangerous to go alone! Take this.") ||
			strings.Contains(string(page), "/media/"+itoa(int(cap.PhotoID))+"/") {
			t.Errorf("caption post page: %d, caption shown %v, image %v", resp.StatusCode,
				strings.Contains(string(page), "It’s dangerous to go alone!"), strings.Contains(string(page), "/media/"))
		}

		// Importing the export again updates, and makes nothing twice.
		rep2, err := Save(ctx, st, b, Options{CreateSections: true, Now: testNow, Paper: paper})
		if err != nil {
			t.Fatal(err)
		}
		if again := countRows(t, st); again != got || !rep2.Results[0].Updated {
			t.Errorf("second import: rows %+v, want %+v", again, got)
		}
	})
}

func storiesOf(b *Batch) []*Parsed {
	var out []*Parsed
	for _, p := range b.Stories {
		if !p.IsPage() {
			out = append(out, p)
		}
	}
	return out
}

// TestSaveFailureChangesNothing: a failure at commit (a hook of the write
// path refusing it) leaves the paper as it was — no section, author, tag,
// story, photo row, redirect or comment — and removes the photo files
// written for the run.
func TestSaveFailureChangesNothing(t *testing.T) {
	b := themeUnitTest(t)
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		st.AddTxHook(func(context.Context, news.Tx, *news.Change) error { return errors.New("the disk is full") })
		dir := t.TempDir()
		blobs, err := media.NewDirBlobs(dir)
		if err != nil {
			t.Fatal(err)
		}
		lib := media.New(media.Config{Store: st, Blobs: blobs, Logger: slog.New(slog.DiscardHandler)})
		withPhoto, err := Read([]string{"testdata/story.md"}, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		both := &Batch{Stories: append(append([]*Parsed{}, withPhoto.Stories...), b.Stories...),
			Authors: b.Authors, Sections: b.Sections, Tags: b.Tags, Comments: b.Comments}
		_, err = Save(ctx, st, both, Options{CreateSections: true, Now: testNow, PhotoSaver: lib})
		if err == nil || !strings.Contains(err.Error(), "the disk is full") {
			t.Fatalf("err = %v", err)
		}
		if got := countRows(t, st); got != (paperRows{}) {
			t.Errorf("a failed import left %+v", got)
		}
		var files []string
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		if len(files) != 0 {
			t.Errorf("photo files left behind: %q", files)
		}
	})
}

// TestSaveUnknownSection: without CreateSections an unknown section fails
// the run with the paper's sections named, and nothing is written.
func TestSaveUnknownSection(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		if _, err := workflow.FindSection(ctx, st, "Politics", true); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		good := filepath.Join(dir, "a.md")
		bad := filepath.Join(dir, "b.md")
		os.WriteFile(good, []byte("---\ntitle: Known desk\nsection: politics\n---\nText.\n"), 0o644)
		os.WriteFile(bad, []byte("---\ntitle: Typo desk\nsection: Poltics\ntags: [fresh]\nauthor: New Person\n---\nText.\n"), 0o644)
		_, err := Import(ctx, st, []string{good, bad}, Options{Now: testNow})
		var unknown *workflow.UnknownSectionError
		if !errors.As(err, &unknown) || !strings.Contains(err.Error(), `"Poltics"`) || !strings.Contains(err.Error(), "Politics") ||
			!strings.Contains(err.Error(), "--create-sections") || !strings.Contains(err.Error(), "b.md") {
			t.Fatalf("err = %v", err)
		}
		if got := countRows(t, st); got != (paperRows{Sections: 1}) {
			t.Errorf("the refused import left %+v", got)
		}
		// The known one is found by name whatever its case.
		res, err := Import(ctx, st, []string{good}, Options{Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := st.FindArticleByID(ctx, res[0].ID); a.Section.Name != "Politics" {
			t.Errorf("section %+v", a.Section)
		}
	})
}

// TestSaveGhostExports: exports in Ghost's 4.x, 5.x and 6.x shapes are in
// the paper with every post, author, tag and feature-image caption, their
// statuses, and their old URLs as redirects.
func TestSaveGhostExports(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		for _, f := range []string{"ghost4.json", "ghost5.json", "ghost6.json"} {
			b, err := Read([]string{filepath.Join("testdata", "ghost", f)}, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			before := countRows(t, st)
			rep, err := Save(ctx, st, b, Options{CreateSections: true, Now: testNow})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			after := countRows(t, st)
			dry := b.Summary()
			if n := after.Stories - before.Stories; n != dry.Stories || len(rep.Results) != dry.Stories+dry.Pages || rep.Summary.Pages != dry.Pages {
				t.Errorf("%s: %d stories and %d pages saved, dry run %d and %d", f, n, rep.Summary.Pages, dry.Stories, dry.Pages)
			}
			redirects := 0
			for i, p := range storiesOf(b) {
				a, err := st.FindArticleByID(ctx, rep.Results[i].ID)
				if err != nil {
					t.Fatal(err)
				}
				if a.Status != p.Article.Status && !(p.Article.Status == news.StatusScheduled && a.Status == news.StatusPublished && !a.PublishedAt.After(testNow)) {
					t.Errorf("%s: %q is %s, was %s", f, a.Headline, a.Status, p.Article.Status)
				}
				if p.Photo != nil && (a.Photo == nil || a.Photo.Caption != p.Photo.Caption || a.Photo.Alt != p.Photo.Alt) {
					t.Errorf("%s: %q photo %+v", f, a.Headline, a.Photo)
				}
				if len(a.Tags) < len(p.Tags) || len(a.Authors) != len(p.Authors) {
					t.Errorf("%s: %q tags %v authors %v", f, a.Headline, a.Tags, a.Authors)
				}
				for _, old := range p.Redirects {
					if rd, err := st.FindRedirect(ctx, old); err == nil && rd.To == (&news.Paper{}).ArticlePath(a) {
						redirects++
					}
				}
			}
			if redirects != dry.Redirects-pagesRedirects(b) {
				t.Errorf("%s: %d old URLs redirect, want %d", f, redirects, dry.Redirects-pagesRedirects(b))
			}
		}
		rows := countRows(t, st)
		// The three exports share their authors and tags (same e-mails and
		// slugs): 2 people, and every tag once.
		if rows.Authors != 2 || rows.Tags < 2 {
			t.Errorf("rows %+v", rows)
		}
	})
}

func pagesRedirects(b *Batch) int {
	n := 0
	for _, p := range b.Stories {
		if p.IsPage() {
			n += len(p.Redirects)
		}
	}
	return n
}

// wxrWithUploads is a WordPress export of one post whose featured image
// (caption, alt text, Newspack credit) is a file under --uploads and whose
// body shows it and another image that is not there.
const wxrWithUploads = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old</title><link>https://old.example</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://old.example</wp:base_blog_url>
<wp:author><wp:author_login>kim</wp:author_login><wp:author_email>kim@old.example</wp:author_email><wp:author_display_name><![CDATA[Kim Min-su]]></wp:author_display_name></wp:author>
<item><title>Han River at dawn</title><link>https://old.example/han-river/</link><wp:post_id>10</wp:post_id><wp:post_parent>20</wp:post_parent><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>https://old.example/wp-content/uploads/2020/01/han.png</wp:attachment_url>
<excerpt:encoded><![CDATA[The Han River at dawn.]]></excerpt:encoded><content:encoded><![CDATA[]]></content:encoded>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[A river under a bridge]]></wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_navis_media_credit</wp:meta_key><wp:meta_value><![CDATA[Lee Ji-eun]]></wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_navis_media_credit_org</wp:meta_key><wp:meta_value><![CDATA[Yonhap]]></wp:meta_value></wp:postmeta>
</item>
<item><title>Ferries return</title><link>https://old.example/2020/01/05/ferries-return/</link><dc:creator>kim</dc:creator><wp:post_id>20</wp:post_id>
<wp:post_date_gmt>2020-01-05 00:00:00</wp:post_date_gmt><wp:post_name>ferries-return</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category domain="category" nicename="metro"><![CDATA[Metro]]></category>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<content:encoded><![CDATA[<p>Ferries are back on the river.</p>
<figure class="wp-block-image"><img src="https://old.example/wp-content/uploads/2020/01/han.png" alt="" class="wp-image-10"/><figcaption>On the water.</figcaption></figure>
<figure class="wp-block-image"><img src="https://old.example/wp-content/uploads/2020/01/gone.jpg" alt="A pier"/><figcaption>The old pier.</figcaption></figure>
<p>More to come.</p>]]></content:encoded>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value><![CDATA[10]]></wp:meta_value></wp:postmeta>
</item>
</channel></rss>`

// TestSaveWXRUploads: the featured image found under --uploads is stored
// with its caption, alt text and credit and shown on the reader page; the
// body's copy points at the stored photo; a body image whose file is
// missing is kept as a photo awaiting its file and gives readers no broken
// image, its figure caption kept.
func TestSaveWXRUploads(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		up := filepath.Join(dir, "uploads", "2020", "01")
		if err := os.MkdirAll(up, 0o755); err != nil {
			t.Fatal(err)
		}
		png, err := os.ReadFile("testdata/panmunjeom.png")
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(up, "han.png"), png, 0o644)
		wxr := filepath.Join(dir, "export.xml")
		os.WriteFile(wxr, []byte(wxrWithUploads), 0o644)
		blobs, err := media.NewDirBlobs(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		paper := &news.Paper{Name: "Old", BaseURL: "https://paper.example"}
		lib := media.New(media.Config{Store: st, Blobs: blobs, Paper: paper, Logger: slog.New(slog.DiscardHandler)})
		rep, err := ImportReport(ctx, st, []string{wxr}, Options{CreateSections: true, Now: testNow, Paper: paper,
			Uploads: filepath.Join(dir, "uploads"), PhotoSaver: lib})
		if err != nil {
			t.Fatal(err)
		}
		a, err := st.FindArticleByID(ctx, rep.Results[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Photo == nil || !a.Photo.HasFile() || a.Photo.Caption != "The Han River at dawn." || a.Photo.Alt != "A river under a bridge" ||
			a.Photo.Credit != "Lee Ji-eun / Yonhap" || a.Photo.Width == 0 {
			t.Fatalf("featured image %+v", a.Photo)
		}
		if strings.Contains(a.BodyHTML, "old.example/wp-content") || strings.Count(a.BodyHTML, "/media/") != 1 ||
			!strings.Contains(a.BodyHTML, "The old pier.") {
			t.Errorf("body %s", a.BodyHTML)
		}
		if rep.Summary.Photos != 2 || rep.Summary.PhotosMissing != 1 {
			t.Errorf("summary %+v", rep.Summary)
		}
		ps, _, _ := st.(news.PhotoLibrary).ListPhotos(ctx, news.PhotoFilter{})
		var waiting *news.Photo
		for _, p := range ps {
			if p.Awaiting() {
				waiting = p
			}
		}
		if waiting == nil || waiting.SourceURL() != "https://old.example/wp-content/uploads/2020/01/gone.jpg" || waiting.Alt != "A pier" {
			t.Errorf("photo awaiting its file: %+v", waiting)
		}

		mux := http.NewServeMux()
		lib.Register(mux)
		site.New(site.Config{Paper: paper, Store: st, Clock: news.NewFixedClock(testNow), Logger: slog.New(slog.DiscardHandler)}).Register(mux)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		resp, err := http.Get(srv.URL + paper.ArticlePath(a))
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		lead := paper.PhotoPath(a.Photo, 0)
		if resp.StatusCode != 200 || !strings.Contains(string(page), "Lee Ji-eun / Yonhap") || !strings.Contains(string(page), "/media/"+itoa(int(a.Photo.ID))+"/") ||
			strings.Contains(string(page), "gone.jpg") {
			t.Errorf("reader page %d: credit %v lead photo %v", resp.StatusCode, strings.Contains(string(page), "Lee Ji-eun"), strings.Contains(string(page), lead))
		}
		// Every image the page shows loads.
		for _, m := range regexp.MustCompile(`<img[^>]+src="(/media/[^"]+)"`).FindAllStringSubmatch(string(page), -1) {
			r, err := http.Get(srv.URL + html.UnescapeString(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.StatusCode != 200 {
				t.Errorf("image %s: %d", m[1], r.StatusCode)
			}
		}
		// The old permalink answers 301.
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err = client.Get(srv.URL + "/2020/01/05/ferries-return/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 301 || resp.Header.Get("Location") != paper.ArticlePath(a) {
			t.Errorf("old permalink: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// TestSaveHugoAliases: a Hugo post's aliases and its old url answer 301
// with its new address once saved.
func TestSaveHugoAliases(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		md := filepath.Join(t.TempDir(), "bikes.md")
		os.WriteFile(md, []byte("+++\ntitle = \"Bike lanes for Mapo\"\ndate = 2021-04-02\ncategories = [\"Metro\"]\naliases = [\"/posts/old-bikes/\", \"/2021/bikes.html\"]\nurl = \"/metro/bike-lanes/\"\n+++\nThe council voted.\n"), 0o644)
		rep, err := ImportReport(ctx, st, []string{md}, Options{CreateSections: true, Publish: true, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := st.FindArticleByID(ctx, rep.Results[0].ID)
		for _, old := range []string{"/posts/old-bikes/", "/2021/bikes.html", "/metro/bike-lanes/"} {
			rd, err := st.FindRedirect(ctx, old)
			if err != nil || rd.To != (&news.Paper{}).ArticlePath(a) || rd.Code != 301 {
				t.Errorf("redirect from %s: %+v %v", old, rd, err)
			}
		}
	})
}

// TestSaveLongerThanStoreTimeout: a run longer than the store's timeout
// for one command (10,000 posts take longer than five seconds) still
// commits: the barrier below holds the transaction open past it. It used
// to fail with "sql: Rows are closed" part way through a big export.
func TestSaveLongerThanStoreTimeout(t *testing.T) {
	for _, c := range []struct {
		name  string
		open  func(t *testing.T) news.Store
		sleep time.Duration
	}{
		{"sqlite", func(t *testing.T) news.Store {
			db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), sqlite.WithTimeout(50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}, 200 * time.Millisecond},
		{"postgres", func(t *testing.T) news.Store {
			db, err := postgres.Open(context.Background(), testpg.URL(t, "masthead_importer_test"), postgres.WithTimeout(time.Second))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}, 2500 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := c.open(t)
			st.AddTxHook(func(ctx context.Context, tx news.Tx, _ *news.Change) error {
				time.Sleep(c.sleep) // past the store's timeout
				_, err := tx.ListSections(ctx)
				return err
			})
			if _, err := Import(context.Background(), st, []string{"testdata/story.md"}, Options{CreateSections: true, Now: testNow}); err != nil {
				t.Fatal(err)
			}
			if n := countArticles(t, st); n != 1 {
				t.Errorf("%d stories", n)
			}
		})
	}
}
