package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"

	"masthead/internal/testpg"
)

// smallPaper writes a SQLite paper with one section, author, account and
// published story (the full demo paper is covered by internal/copydb).
func smallPaper(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sec := &news.Section{Slug: "world", Name: "World"}
	au := &news.Author{Slug: "kim", Name: "Kim"}
	for _, err := range []error{db.CreateSection(ctx, sec), db.CreateAuthor(ctx, au)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	a := &news.Article{Slug: "hello", Headline: "Hello", BodyHTML: "<p>Hi</p>", Status: news.StatusPublished,
		SectionID: sec.ID, Authors: []*news.Author{au}, CreatedAt: now, PublishedAt: now}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(ctx, &news.User{Email: "ed@example.test", Role: news.RoleEditor, PasswordHash: "$argon2id$x"}); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCopyDB(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"copy-db"}, args...), strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestCopyDBCommand(t *testing.T) {
	src := smallPaper(t)
	dst := filepath.Join(t.TempDir(), "new", "masthead.db")
	out, err := runCopyDB("--from", "sqlite:"+src, "--to", "sqlite:"+dst)
	if err != nil {
		t.Fatalf("copy-db: %v\n%s", err, out)
	}
	for _, want := range []string{"articles", "done:", "sessions are not copied"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if st, err := os.Stat(dst); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("destination database mode: %v %v, want 0600", st.Mode(), err)
	}
	db, err := sqlite.Open(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.FindArticleBySlug(context.Background(), "hello")
	db.Close()
	if err != nil || a.Headline != "Hello" || len(a.Authors) != 1 {
		t.Fatalf("copied story: %+v, %v", a, err)
	}

	// A second copy onto the now full database is refused.
	before, _ := os.ReadFile(dst)
	out, err = runCopyDB("--from", "sqlite:"+src, "--to", "sqlite:"+dst)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("copy onto a full database: %v\n%s", err, out)
	}
	if after, _ := os.ReadFile(dst); !bytes.Equal(before, after) {
		t.Error("a refused copy changed the destination file")
	}
}

func TestCopyDBBadInput(t *testing.T) {
	src := smallPaper(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no flags", nil, "both required"},
		{"missing source", []string{"--from", "sqlite:" + filepath.Join(dir, "typo.db"), "--to", "sqlite:" + filepath.Join(dir, "x.db")}, "no database at"},
		{"same file", []string{"--from", "sqlite:" + src, "--to", "sqlite:" + src}, "same database"},
		{"bad scheme", []string{"--from", "mysql://x", "--to", "sqlite:" + filepath.Join(dir, "y.db")}, "want sqlite:PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCopyDB(tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("copy-db %v = %v, want an error with %q\n%s", tt.args, err, tt.want, out)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err == nil {
		t.Error("a copy from a missing source created the destination")
	}
	out, _ := runCopyDB("--help")
	for _, want := range []string{"--media", "Sign-in sessions are not copied", "must be empty"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help does not say %q", want)
		}
	}
}

// TestCopyDBPostgres copies SQLite → PostgreSQL → SQLite through the
// command and checks the final file holds the story.
func TestCopyDBPostgres(t *testing.T) {
	pg := testpg.URL(t, "masthead_copydb_cmd")
	src := smallPaper(t)
	if out, err := runCopyDB("--from", "sqlite:"+src, "--to", pg); err != nil {
		t.Fatalf("to PostgreSQL: %v\n%s", err, out)
	}
	back := filepath.Join(t.TempDir(), "back.db")
	out, err := runCopyDB("--from", pg, "--to", "sqlite:"+back)
	if err != nil {
		t.Fatalf("back to SQLite: %v\n%s", err, out)
	}
	if strings.Contains(out, "password") {
		t.Errorf("output shows a password:\n%s", out)
	}
	db, err := sqlite.Open(context.Background(), back)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if a, err := db.FindArticleBySlug(context.Background(), "hello"); err != nil || a.SectionID == 0 {
		t.Fatalf("story after the round trip: %+v, %v", a, err)
	}
}
