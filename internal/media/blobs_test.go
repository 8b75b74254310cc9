package media_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"masthead/internal/media"
	"masthead/internal/news"
)

func TestDirBlobs(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "blobs")
	b, err := media.NewDirBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "photos/1/abc/original.jpg", []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "photos/1/abc/original.jpg", []byte("two")); err != nil {
		t.Fatal(err)
	}
	f, mod, err := b.Open(ctx, "photos/1/abc/original.jpg")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != "two" || mod.IsZero() {
		t.Fatalf("read %q, modtime %v", got, mod)
	}
	st, err := os.Stat(filepath.Join(dir, "photos", "1", "abc", "original.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600 (photos of unpublished stories are in there)", st.Mode().Perm())
	}
	for _, d := range []string{dir, filepath.Join(dir, "photos", "1")} {
		if st, err := os.Stat(d); err != nil || st.Mode().Perm() != 0o700 {
			t.Fatalf("folder %s: mode %v (%v), want 0700", d, st.Mode().Perm(), err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "photos", "1", "abc"))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}

	if err := b.Delete(ctx, "photos/1/abc/original.jpg"); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, "photos/1/abc/original.jpg"); err != nil {
		t.Fatalf("deleting a missing blob: %v", err)
	}
	if _, _, err := b.Open(ctx, "photos/1/abc/original.jpg"); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("open deleted: %v, want not found", err)
	}
	if _, _, err := b.Open(ctx, "photos"); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("open a folder: %v, want not found", err)
	}

	secret := filepath.Join(filepath.Dir(dir), "secret")
	os.WriteFile(secret, []byte("s"), 0o600)
	for _, key := range []string{"", ".", "..", "../secret", "a/../../secret", "/etc/passwd", "a//b", "a/./b", `a\..\..\secret`, "a/\x00b", "a/"} {
		if err := b.Put(ctx, key, []byte("x")); news.ErrorCode(err) != news.EINVALID {
			t.Errorf("Put(%q): %v, want invalid", key, err)
		}
		if _, _, err := b.Open(ctx, key); news.ErrorCode(err) != news.EINVALID {
			t.Errorf("Open(%q): %v, want invalid", key, err)
		}
		if err := b.Delete(ctx, key); news.ErrorCode(err) != news.EINVALID {
			t.Errorf("Delete(%q): %v, want invalid", key, err)
		}
	}
	if _, err := os.Stat(secret); err != nil {
		t.Fatal("a file outside the folder was touched")
	}
}

// TestDirBlobsClosesAnOldFolder: a media folder made 755 by an earlier
// version is closed to other users when it is opened.
func TestDirBlobsClosesAnOldFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "media")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if _, err := media.NewDirBlobs(dir); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v, want 0700", st.Mode().Perm())
	}
}
