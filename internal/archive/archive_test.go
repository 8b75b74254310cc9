package archive_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/archive"
	"masthead/internal/copydb"
	"masthead/internal/importer"
	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/site"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
	"masthead/internal/testpg"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

type store interface {
	news.Store
	copydb.Destination
}

func openSQLite(t *testing.T) store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "masthead.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openPostgres(t *testing.T) store {
	t.Helper()
	db, err := postgres.Open(context.Background(), testpg.URL(t, "masthead_archive_test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// corpusFile finds ../shared/corpus/NAME above the working directory.
func corpusFile(t *testing.T, name string) string {
	if d := os.Getenv("MASTHEAD_CORPUS"); d != "" {
		return filepath.Join(d, name)
	}
	wd, _ := os.Getwd()
	for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if p := filepath.Join(d, "shared", "corpus", name); fileExists(p) {
			return p
		}
	}
	t.Skipf("corpus %s not found (set MASTHEAD_CORPUS)", name)
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// fill makes a paper with something in every kind of row an editor makes:
// the theme unit test export (stories, pages counted, authors, 67
// sections, tags, photos awaiting their files, comments, redirects), a
// story with a photo file, a correction, an edit (a second revision), a
// newsroom account and paper settings.
func fill(t *testing.T, st store, blobs media.Blobs) {
	t.Helper()
	ctx := context.Background()
	lib := media.New(media.Config{Store: st, Blobs: blobs, Logger: slog.New(slog.DiscardHandler)})
	opt := importer.Options{CreateSections: true, Publish: true, Now: testNow, PhotoSaver: lib}
	if _, err := importer.Import(ctx, st, []string{corpusFile(t, "wordpress-theme-unit-test.xml")}, opt); err != nil {
		t.Fatal(err)
	}
	res, err := importer.Import(ctx, st, []string{"../importer/testdata/story.md"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.FindArticleByID(ctx, res[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Photo == nil || !a.Photo.HasFile() {
		t.Fatalf("story photo %+v", a.Photo)
	}
	a.Deck = "Edited after the import."
	if err := st.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateRevision(ctx, news.RevisionOf(a, 0, "edited", testNow)); err != nil {
		t.Fatal(err)
	}
	if err := st.AddCorrection(ctx, &news.Correction{ArticleID: a.ID, Kind: news.KindCorrection, Text: "An earlier version misspelt a name.", CreatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, &news.User{Email: "ed@example.com", Name: "Ed", Role: news.RoleEditor, PasswordHash: "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", CreatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSetting(ctx, news.PaperSettingsKey, `{"name":"The Round Trip","tagline":"Nothing lost"}`); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSetting(ctx, "mail.smtp_url", "smtp://user:secret@mail.example:25"); err != nil {
		t.Fatal(err)
	}
}

func export(t *testing.T, st store, blobs media.Blobs) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := archive.Export(context.Background(), st, blobs, &buf, false, testNow); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// entries reads an archive's entries by name.
func entries(t *testing.T, data []byte) (names []string, body map[string]string) {
	t.Helper()
	body = map[string]string{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, body
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		names = append(names, h.Name)
		body[h.Name] = string(b)
	}
}

func newBlobs(t *testing.T) media.Blobs {
	b, err := media.NewDirBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRoundTrip: export paper A, import the archive into an empty paper B
// (on the same kind of store and on the other), export B: the two archives
// are equal row by row and file by file, and readers' pages of B are A's
// byte for byte.
func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b func(*testing.T) store
	}{
		{"sqlite", openSQLite, openSQLite},
		{"postgres", openPostgres, openPostgres},
		{"sqlite-to-postgres", openSQLite, openPostgres},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			stA, blobsA := c.a(t), newBlobs(t)
			stB, blobsB := c.b(t), newBlobs(t)
			fill(t, stA, blobsA)
			arcA := export(t, stA, blobsA)
			res, err := archive.Import(ctx, stB, blobsB, bytes.NewReader(arcA))
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows["articles"] < 52 || res.Rows["revisions"] < 53 || res.Rows["sections"] != 68 || res.Rows["comments"] == 0 ||
				res.Rows["redirects"] == 0 || res.Rows["corrections"] != 1 || res.Rows["users"] != 1 || res.Media == 0 {
				t.Errorf("loaded %+v", res)
			}
			arcB := export(t, stB, blobsB)
			namesA, bodyA := entries(t, arcA)
			namesB, bodyB := entries(t, arcB)
			if strings.Join(namesA, "\n") != strings.Join(namesB, "\n") {
				t.Fatalf("entries differ:\n%v\n%v", namesA, namesB)
			}
			for _, n := range namesA {
				if bodyA[n] == bodyB[n] {
					continue
				}
				la, lb := strings.Split(bodyA[n], "\n"), strings.Split(bodyB[n], "\n")
				for i := 0; i < len(la) && i < len(lb); i++ {
					if la[i] != lb[i] {
						t.Errorf("%s line %d differs:\nA %.300s\nB %.300s", n, i+1, la[i], lb[i])
						break
					}
				}
				if len(la) != len(lb) {
					t.Errorf("%s: %d lines, then %d", n, len(la), len(lb))
				}
			}
			if strings.Contains(string(arcA), "secret@mail.example") {
				t.Error("the archive carries the mail server's password")
			}
			if !strings.Contains(bodyA["manifest.json"], `"format": "masthead-export"`) {
				t.Errorf("manifest %s", bodyA["manifest.json"])
			}

			// Readers' pages: the same bytes from both papers.
			paper := &news.Paper{Name: "The Round Trip", BaseURL: "https://paper.example"}
			serve := func(st store, blobs media.Blobs) *httptest.Server {
				mux := newMux(st, blobs, paper)
				srv := httptest.NewServer(mux)
				t.Cleanup(srv.Close)
				return srv
			}
			srvA, srvB := serve(stA, blobsA), serve(stB, blobsB)
			as, _, err := stA.FindArticles(ctx, news.ArticleFilter{PublicAt: testNow, Limit: 3})
			if err != nil || len(as) == 0 {
				t.Fatal(err)
			}
			paths := []string{"/", paper.SectionPath(as[0].Section)}
			for _, a := range as {
				paths = append(paths, paper.ArticlePath(a))
				if a.Photo.HasFile() {
					paths = append(paths, paper.PhotoPath(a.Photo, 0))
				}
			}
			for _, p := range paths {
				pa, pb := get(t, srvA.URL+p), get(t, srvB.URL+p)
				if pa == "" || pa != pb {
					t.Errorf("GET %s: pages differ (%d and %d bytes)", p, len(pa), len(pb))
				}
			}
		})
	}
}

// TestImportRefusesPaperThatIsNotEmpty: an archive goes into a new paper
// only; nothing is written to one that has stories, not even its files.
func TestImportRefusesPaperThatIsNotEmpty(t *testing.T) {
	ctx := context.Background()
	stA, blobsA := openSQLite(t), newBlobs(t)
	fill(t, stA, blobsA)
	arc := export(t, stA, blobsA)
	dir := t.TempDir()
	blobsB, _ := media.NewDirBlobs(dir)
	stB := openSQLite(t)
	if _, err := importer.Import(ctx, stB, []string{"../importer/testdata/seed.txt"}, importer.Options{CreateSections: true, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	_, err := archive.Import(ctx, stB, blobsB, bytes.NewReader(arc))
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v", err)
	}
	if fs, _ := os.ReadDir(dir); len(fs) != 0 {
		t.Errorf("files stored: %v", fs)
	}
	// A truncated archive fails and leaves the empty paper empty.
	stC, blobsC := openSQLite(t), newBlobs(t)
	if _, err := archive.Import(ctx, stC, blobsC, bytes.NewReader(arc[:len(arc)*3/4])); err == nil {
		t.Fatal("a truncated archive was read")
	}
	if n, _ := stC.CountRows(ctx, "articles"); n != 0 {
		t.Errorf("%d stories from a truncated archive", n)
	}
}

func newMux(st store, blobs media.Blobs, paper *news.Paper) *http.ServeMux {
	mux := http.NewServeMux()
	clock := news.NewFixedClock(testNow)
	log := slog.New(slog.DiscardHandler)
	media.New(media.Config{Store: st, Blobs: blobs, Paper: paper, Clock: clock, Logger: log}).Register(mux)
	site.New(site.Config{Paper: paper, Store: st, Clock: clock, Logger: log}).Register(mux)
	return mux
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %d", u, resp.StatusCode)
		return ""
	}
	return string(b)
}
