package importer

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
	"masthead/internal/testpg"
)

var (
	seoul   = mustLoc("Asia/Seoul")
	testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
)

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func openStore(t testing.TB) news.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "masthead.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// eachStore runs fn on a fresh SQLite file and, when MASTHEAD_TEST_POSTGRES
// names a server, on a fresh PostgreSQL schema: the importer must behave
// the same on both.
func eachStore(t *testing.T, fn func(t *testing.T, st news.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openStore(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres(t)) })
}

func openPostgres(t testing.TB) news.Store {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, testpg.URL(t, "masthead_importer_test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func countArticles(t *testing.T, st news.Store) int {
	t.Helper()
	_, n, err := st.FindArticles(context.Background(), news.ArticleFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportSeed imports the seed story the way the demo paper does.
func TestImportSeed(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		pub := time.Date(2020, 3, 22, 9, 0, 0, 0, seoul)
		opt := Options{CreateSections: true, Publish: true, Section: "North Korea", Now: testNow, PublishedAt: pub}
		res, err := Import(ctx, st, []string{"testdata/seed.txt"}, opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 || res[0].Updated || res[0].ID == 0 || res[0].Slug != "is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo" {
			t.Fatalf("results = %+v", res)
		}
		a, err := st.FindArticleByID(ctx, res[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != news.StatusPublished || !a.PublishedAt.Equal(pub) || !a.UpdatedAt.Equal(pub) || !a.IsPublicAt(testNow) {
			t.Errorf("status %q published %v updated %v", a.Status, a.PublishedAt, a.UpdatedAt)
		}
		if a.Section == nil || a.Section.Name != "North Korea" || a.Section.Slug != "north-korea" {
			t.Errorf("section = %+v", a.Section)
		}
		if len(a.Authors) != 1 || a.Authors[0].Name != "Kang Seung-woo" || a.Authors[0].Email != "ksw@koreatimes.co.kr" || a.Authors[0].Slug != "kang-seung-woo" {
			t.Errorf("authors = %+v", a.Authors)
		}
		// No image beside the capture: the photo is kept with its caption
		// and credit, awaiting its file (issue 14).
		if a.Photo == nil || !a.Photo.Awaiting() || a.Photo.HasFile() || a.Photo.Credit != "Korea Times file" ||
			!strings.HasPrefix(a.Photo.Caption, "North Korean leader Kim Jong-un") {
			t.Errorf("photo %+v warnings %q", a.Photo, res[0].Warnings)
		}
		if got := paragraphs(t, a.BodyHTML); len(got) != 17 {
			t.Errorf("stored body has %d paragraphs", len(got))
		}
		if a.SourceKey != SourceKey(a.Headline, time.Time{}) || a.Lang != "en" {
			t.Errorf("source key %q lang %q", a.SourceKey, a.Lang)
		}
		revs, err := st.FindRevisions(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 1 || revs[0].Note != "imported" || revs[0].BodyHTML != a.BodyHTML {
			t.Errorf("revisions = %+v", revs)
		}

		// Importing the same file again, even without the options, updates
		// the same story and changes nothing a reader sees.
		res2, err := Import(ctx, st, []string{"testdata/seed.txt"}, Options{CreateSections: true, Now: testNow.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res2) != 1 || !res2[0].Updated || res2[0].ID != a.ID || res2[0].Slug != a.Slug {
			t.Fatalf("second import = %+v", res2)
		}
		b, err := st.FindArticleByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != news.StatusPublished || !b.PublishedAt.Equal(pub) || !b.UpdatedAt.Equal(pub) || b.PhotoID != a.PhotoID || b.SectionID != a.SectionID {
			t.Errorf("re-import changed the story: %+v", b)
		}
		if n := countArticles(t, st); n != 1 {
			t.Errorf("%d stories after importing twice, want 1", n)
		}
		if revs, _ := st.FindRevisions(ctx, a.ID); len(revs) != 1 {
			t.Errorf("unchanged re-import added a revision: %d", len(revs))
		}
		if len(b.Authors) != 1 || b.Authors[0].ID != a.Authors[0].ID {
			t.Errorf("authors after re-import: %+v", b.Authors)
		}
		if authors, _ := st.ListAuthors(ctx); len(authors) != 1 {
			t.Errorf("%d authors, want 1", len(authors))
		}
	})
}

// TestImportSeedWithPhoto: the capture's photo is the image beside it,
// saved through internal/media with the capture's caption and credit.
func TestImportSeedWithPhoto(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		for from, to := range map[string]string{"testdata/seed.txt": "seed.txt", "testdata/panmunjeom.png": "seed.png"} {
			data, err := os.ReadFile(from)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, to), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		blobs, err := media.NewDirBlobs(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		lib := media.New(media.Config{Store: st, Blobs: blobs, Logger: slog.New(slog.DiscardHandler)})
		opt := Options{CreateSections: true, Publish: true, Section: "North Korea", Now: testNow, PhotoSaver: lib}
		res, err := Import(ctx, st, []string{filepath.Join(dir, "seed.txt")}, opt)
		if err != nil {
			t.Fatal(err)
		}
		a, err := st.FindArticleByID(ctx, res[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		const caption = "North Korean leader Kim Jong-un and U.S. President Donald Trump meet at Panmunjeom in Paju, Gyeonggi Province, June 30, 2019."
		if len(res[0].Warnings) != 0 || a.Photo == nil || a.Photo.Key == "" || a.Photo.Caption != caption ||
			a.Photo.Credit != "Korea Times file" || a.Photo.Alt != caption || a.Photo.ContentType == "" {
			t.Errorf("photo %+v warnings %q", a.Photo, res[0].Warnings)
		}
		// The image beside the capture must be an image.
		if err := os.WriteFile(filepath.Join(dir, "seed.png"), []byte("not a png"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = Import(ctx, st, []string{filepath.Join(dir, "seed.txt")}, opt)
		if err == nil || !strings.Contains(err.Error(), "seed.txt:11: lead photo:") {
			t.Errorf("bad sibling image: %v", err)
		}
	})
}

func TestImportEditedAgain(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		path := filepath.Join(dir, "story.md")
		write := func(body string) {
			src := "---\nheadline: Council approves bike path\nsection: Metro\nauthors: [Park Ji-hoon]\npublished: 2024-05-02T10:00:00+09:00\nphoto_caption: Old caption\n---\n" + body
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("First version.\n")
		r1, err := Import(ctx, st, []string{path}, Options{CreateSections: true, Publish: true, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		write("Second version, longer.\n")
		later := testNow.Add(2 * time.Hour)
		r2, err := Import(ctx, st, []string{path}, Options{CreateSections: true, Now: later})
		if err != nil {
			t.Fatal(err)
		}
		if r2[0].ID != r1[0].ID || !r2[0].Updated {
			t.Fatalf("%+v then %+v", r1, r2)
		}
		a, _ := st.FindArticleByID(ctx, r1[0].ID)
		if !strings.Contains(a.BodyHTML, "Second version") || !a.UpdatedAt.Equal(later) || a.Status != news.StatusPublished ||
			!a.PublishedAt.Equal(time.Date(2024, 5, 2, 1, 0, 0, 0, time.UTC)) {
			t.Errorf("after edit: body %q updated %v status %q published %v", a.BodyHTML, a.UpdatedAt, a.Status, a.PublishedAt)
		}
		if revs, _ := st.FindRevisions(ctx, a.ID); len(revs) != 2 {
			t.Errorf("%d revisions, want 2", len(revs))
		}
		if n := countArticles(t, st); n != 1 {
			t.Errorf("%d stories, want 1", n)
		}
	})
}

func TestImportMarkdownWithPhotos(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		blobs, err := media.NewDirBlobs(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		lib := media.New(media.Config{Store: st, Blobs: blobs, Logger: slog.New(slog.DiscardHandler)})
		res, err := Import(ctx, st, []string{"testdata/story.md", "testdata/korean.md", "testdata/article.html"}, Options{CreateSections: true, Now: testNow, PhotoSaver: lib})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 3 {
			t.Fatalf("results %+v", res)
		}
		en, _ := st.FindArticleByID(ctx, res[0].ID)
		if en.Status != news.StatusDraft || en.Section.Name != "Metro" || len(en.Authors) != 2 || len(en.Tags) != 2 || en.Deck == "" {
			t.Errorf("markdown story: %+v", en)
		}
		if en.Photo == nil || en.Photo.Key == "" || en.Photo.Caption != "Cyclists ride along the Han River in Seoul." || en.Photo.Credit != "Masthead file" || en.Photo.Width != 8 {
			t.Errorf("markdown photo: %+v", en.Photo)
		}
		if a := en.Authors[0]; a.Email != "jhpark@example.com" || a.Title != "Staff reporter" || a.Bio != "Park covers city hall." {
			t.Errorf("author: %+v", a)
		}

		ko, _ := st.FindArticleByID(ctx, res[1].ID)
		if ko.Slug != "서울-지하철-연말-심야-운행-연장" || ko.Lang != "ko" || ko.Section.Slug != "사회" || ko.Status != news.StatusPublished {
			t.Errorf("korean story: slug %q lang %q section %+v status %q", ko.Slug, ko.Lang, ko.Section, ko.Status)
		}
		if got, err := st.FindArticleBySlug(ctx, "서울-지하철-연말-심야-운행-연장"); err != nil || got.ID != ko.ID {
			t.Errorf("find by Korean slug: %v", err)
		}
		if tag, err := st.FindTagBySlug(ctx, "교통"); err != nil || tag.Name != "교통" {
			t.Errorf("korean tag: %+v %v", tag, err)
		}

		page, _ := st.FindArticleByID(ctx, res[2].ID)
		if page.SourceKey != "https://daily.example.com/2024/12/20/seoul-subway-late-trains" || page.BodyMarkdown != "" ||
			page.Photo == nil || page.Photo.Credit != "Yonhap" || page.Photo.Key == "" || page.Section.Name != "Metro" {
			t.Errorf("html story: key %q photo %+v", page.SourceKey, page.Photo)
		}
		if page.SectionID != en.SectionID {
			t.Errorf("Metro made twice")
		}
		if secs, _ := st.ListSections(ctx); len(secs) != 2 {
			t.Errorf("%d sections, want 2 (Metro, 사회)", len(secs))
		}

		// Again: three updates, photos replaced in place, nothing new.
		res2, err := Import(ctx, st, []string{"testdata/story.md", "testdata/korean.md", "testdata/article.html"}, Options{CreateSections: true, Now: testNow, PhotoSaver: lib})
		if err != nil {
			t.Fatal(err)
		}
		for i := range res2 {
			if !res2[i].Updated || res2[i].ID != res[i].ID {
				t.Errorf("second import %d: %+v", i, res2[i])
			}
		}
		again, _ := st.FindArticleByID(ctx, res[0].ID)
		if again.PhotoID != en.PhotoID {
			t.Errorf("photo %d replaced by a new row %d", en.PhotoID, again.PhotoID)
		}
		if n := countArticles(t, st); n != 3 {
			t.Errorf("%d stories, want 3", n)
		}
	})
}

// TestImportBadFileWritesNothing: one bad file among good ones, and the
// database is left as it was.
func TestImportBadFileWritesNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		for _, bad := range []string{"testdata/bad-date.md", "testdata/no-article.html", "testdata/junk.bin", "testdata/empty.txt"} {
			_, err := Import(ctx, st, []string{"testdata/seed.txt", "testdata/story.md", bad}, Options{CreateSections: true, Publish: true, Now: testNow})
			if err == nil || !strings.Contains(err.Error(), bad+":") {
				t.Errorf("%s: err = %v, want it named", bad, err)
			}
		}
		_, err := Import(ctx, st, []string{"testdata/bad-date.md", "testdata/seed.txt", "testdata/bad-yaml.md"}, Options{CreateSections: true, Now: testNow})
		if err == nil || !strings.Contains(err.Error(), "testdata/bad-date.md:4:") || !strings.Contains(err.Error(), "testdata/bad-yaml.md:") {
			t.Errorf("all bad files should be named: %v", err)
		}
		if n := countArticles(t, st); n != 0 {
			t.Errorf("%d stories written", n)
		}
		secs, _ := st.ListSections(ctx)
		authors, _ := st.ListAuthors(ctx)
		tags, _ := st.ListTags(ctx)
		if len(secs)+len(authors)+len(tags) != 0 {
			t.Errorf("written: %d sections, %d authors, %d tags", len(secs), len(authors), len(tags))
		}
		if _, err := Import(ctx, st, nil, Options{}); err == nil {
			t.Error("no files: no error")
		}
		if _, err := Import(ctx, st, []string{"testdata/seed.txt"}, Options{CreateSections: true, Section: "!!!"}); err == nil {
			t.Error("section without letters: no error")
		}
	})
}

func TestImportSlugsAndStatus(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		file := func(name, fm string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte("---\n"+fm+"\n---\nBody of "+name+".\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		a := file("a.md", "headline: Same headline\npublished: 2024-01-01T00:00:00Z")
		b := file("b.md", "headline: Same headline\npublished: 2024-02-01T00:00:00Z")
		c := file("c.md", "headline: Same headline\npublished: 2024-03-01T00:00:00Z")
		future := file("future.md", "headline: Embargoed plan\npublished: 2027-01-01T00:00:00Z")
		draft := file("draft.md", "headline: Not yet\nstatus: draft")
		explicit := file("explicit.md", "headline: Explicit slug\nslug: My Own Slug")
		res, err := Import(ctx, st, []string{a, b, c, future, draft, explicit}, Options{CreateSections: true, Publish: true, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			slug   string
			status news.Status
		}{
			{"same-headline", news.StatusPublished}, {"same-headline-2", news.StatusPublished}, {"same-headline-3", news.StatusPublished},
			{"embargoed-plan", news.StatusScheduled}, {"not-yet", news.StatusDraft}, {"my-own-slug", news.StatusPublished},
		}
		for i, w := range want {
			got, err := st.FindArticleByID(ctx, res[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Slug != w.slug || got.Status != w.status {
				t.Errorf("%d: slug %q status %q, want %q %q", i, got.Slug, got.Status, w.slug, w.status)
			}
		}
		// No --publish and no status in the file: a draft, published now
		// when published later.
		p := file("plain.md", "headline: Plain draft")
		r, err := Import(ctx, st, []string{p}, Options{CreateSections: true, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := st.FindArticleByID(ctx, r[0].ID)
		if got.Status != news.StatusDraft || got.Section.Name != "News" {
			t.Errorf("plain: status %q section %q", got.Status, got.Section.Name)
		}
		r, err = Import(ctx, st, []string{p}, Options{CreateSections: true, Publish: true, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = st.FindArticleByID(ctx, r[0].ID)
		if !r[0].Updated || got.Status != news.StatusPublished || !got.PublishedAt.Equal(testNow) {
			t.Errorf("published later: %+v status %q at %v", r[0], got.Status, got.PublishedAt)
		}
	})
}

func TestImportAuthors(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		file := func(name, authors string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte("---\nheadline: Story "+name+"\nauthors:\n"+authors+"\n---\nBody.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		// Known by name first, e-mail learnt later; a namesake with another
		// address is another person.
		f1 := file("1.md", "  - Kim Min-su")
		f2 := file("2.md", "  - name: Kim Min-su\n    email: kms@example.com\n    title: Reporter")
		f3 := file("3.md", "  - name: Kim Min-su\n    email: other@example.com")
		f4 := file("4.md", "  - name: K. Min-su\n    email: KMS@example.com")
		res, err := Import(ctx, st, []string{f1, f2, f3, f4}, Options{CreateSections: true, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range res {
			a, _ := st.FindArticleByID(ctx, r.ID)
			ids = append(ids, a.Authors[0].ID)
		}
		if ids[0] != ids[1] || ids[2] == ids[0] || ids[3] != ids[0] {
			t.Errorf("author ids %v, want same, same, other, same", ids)
		}
		first, _ := st.FindAuthorByID(ctx, ids[0])
		if first.Email != "kms@example.com" || first.Title != "Reporter" || first.Slug != "kim-min-su" {
			t.Errorf("first author %+v", first)
		}
		other, _ := st.FindAuthorByID(ctx, ids[2])
		if other.Slug != "kim-min-su-2" || other.Email != "other@example.com" {
			t.Errorf("namesake %+v", other)
		}
	})
}

// errSaver fails every save, like a full disk.
type errSaver struct{}

func (errSaver) PreparePhoto(context.Context, *news.Photo, []byte) (func(), error) {
	return nil, errors.New("disk full")
}

func TestImportPhotoSaverError(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		_, err := Import(context.Background(), st, []string{"testdata/story.md"}, Options{CreateSections: true, Now: testNow, PhotoSaver: errSaver{}})
		if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "testdata/story.md") {
			t.Errorf("err = %v", err)
		}
		if n := countArticles(t, st); n != 0 {
			t.Errorf("%d stories saved without their photo", n)
		}
	})
}

// TestReimportKeepsEditorsWork: tags and a byline an editor added stay
// when the file names none.
func TestReimportKeepsEditorsWork(t *testing.T) {
	eachStore(t, func(t *testing.T, st news.Store) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "a.md")
		if err := os.WriteFile(path, []byte("---\nheadline: Bare story\n---\nBody.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Import(ctx, st, []string{path}, Options{CreateSections: true, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := st.FindArticleByID(ctx, r[0].ID)
		tag := &news.Tag{Slug: "edited", Name: "Edited"}
		if err := st.EnsureTag(ctx, tag); err != nil {
			t.Fatal(err)
		}
		au := &news.Author{Slug: "desk", Name: "Desk"}
		if err := st.CreateAuthor(ctx, au); err != nil {
			t.Fatal(err)
		}
		sec := &news.Section{Slug: "opinion", Name: "Opinion", Position: 9}
		if err := st.CreateSection(ctx, sec); err != nil {
			t.Fatal(err)
		}
		a.Tags, a.Authors, a.SectionID, a.Section, a.Status = []*news.Tag{tag}, []*news.Author{au}, sec.ID, sec, news.StatusReview
		if err := st.UpdateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := Import(ctx, st, []string{path}, Options{CreateSections: true, Now: testNow}); err != nil {
			t.Fatal(err)
		}
		b, _ := st.FindArticleByID(ctx, a.ID)
		if len(b.Tags) != 1 || b.Tags[0].Slug != "edited" || len(b.Authors) != 1 || b.Authors[0].Slug != "desk" || b.SectionID != sec.ID || b.Status != news.StatusReview {
			t.Errorf("re-import undid the editors' work: tags %v authors %v section %d status %q", b.Tags, b.Authors, b.SectionID, b.Status)
		}
	})
}
