package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"masthead/internal/news"
)

// Blobs is where photo files live: a folder now; an S3-compatible
// implementation may follow (issue 7), which is why the library only ever
// talks to this interface. Keys are slash-separated relative paths.
type Blobs interface {
	// Put stores data under key, replacing what was there. Readers never
	// see a half-written file.
	Put(ctx context.Context, key string, data []byte) error
	// Open returns the file and its modification time; a missing key is a
	// news.ENOTFOUND error.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, time.Time, error)
	// Delete removes key; deleting a missing key is not an error, so
	// clean-ups can be retried.
	Delete(ctx context.Context, key string) error
}

// DirBlobs keeps blobs as files under one folder.
type DirBlobs struct {
	dir string
}

// NewDirBlobs returns a Blobs over dir, creating the folder when missing.
func NewDirBlobs(dir string) (*DirBlobs, error) {
	if dir == "" {
		return nil, errors.New("media: empty blob folder")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("media: blob folder %q: %w", dir, err)
	}
	// The photo store is the database's peer: it holds the photos of
	// unpublished stories. Like the database, only masthead's user may
	// read it (700, files 600). A folder made by an older version (755) is
	// closed here; closing the top folder closes everything under it.
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("media: create blob folder: %w", err)
	}
	if st, err := os.Stat(abs); err == nil && st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(abs, st.Mode().Perm()&0o700); err != nil {
			return nil, fmt.Errorf("media: close blob folder to other users: %w", err)
		}
	}
	return &DirBlobs{dir: abs}, nil
}

// Dir is the folder the blobs live in.
func (d *DirBlobs) Dir() string { return d.dir }

// ValidKey reports whether key is acceptable to every Blobs implementation:
// a clean relative slash path without "." or ".." elements, backslashes or
// NUL bytes, so that no key can name a file outside the blob folder (or,
// later, outside a bucket prefix).
func ValidKey(key string) bool {
	if len(key) > 512 || !fs.ValidPath(key) || key == "." {
		return false
	}
	return !strings.ContainsAny(key, "\\\x00")
}

func (d *DirBlobs) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", news.Errorf(news.EINVALID, "invalid media key %q", key)
	}
	return filepath.Join(d.dir, filepath.FromSlash(key)), nil
}

// Put writes data to a temporary file in the destination folder and renames
// it into place: a rename within one file system is atomic, so a reader (or a
// crash) sees the old file or the new one, never a torn write.
func (d *DirBlobs) Put(ctx context.Context, key string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	// Sync before rename: otherwise a power cut can leave the new name
	// pointing at an empty file.
	if err := f.Sync(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	ok = true
	return nil
}

// Open opens the blob for reading.
func (d *DirBlobs) Open(ctx context.Context, key string) (io.ReadSeekCloser, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, err
	}
	p, err := d.path(key)
	if err != nil {
		return nil, time.Time{}, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "media %s not found", key)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("media: open %s: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, time.Time{}, fmt.Errorf("media: open %s: %w", key, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, time.Time{}, news.Errorf(news.ENOTFOUND, "media %s not found", key)
	}
	return f, st.ModTime(), nil
}

// Delete removes the blob. Emptied folders are left behind: removing them
// would race with a concurrent Put into the same folder.
func (d *DirBlobs) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	return nil
}
